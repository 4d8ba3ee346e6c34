"""The products of a large OroCommerce products file written in SQL from its staging table
(``transfer.staging``), when the directory prices them with its own price file and defines no
price attributes: then a row sets the product and its primary unit only.

``prepare`` resolves every record whose values are in the plain form ``OroProducts.parse``
reads without question into the product it creates or changes. The few distinct categories,
units and brands are read in Python, by the entity's own rules. A record goes row by row when
any value is unusual, when it changes a product's primary unit, when another record names the
same SKU, or when it is the first to write a category in a spelling the row-by-row path warns
about. ``write`` writes a part of the file as ``write_products`` writes a batch.
"""

from typing import TYPE_CHECKING

from django.db import connection

from comptoir.catalog.models import Product, ProductUnit, normalize_sku
from comptoir.core.records import CREATED, UNCHANGED, UPDATED
from comptoir.integration.transfer.base import ImportRun
from comptoir.integration.transfer.staging import (
    PLAIN_PRICE_OR_EMPTY,
    StagedFile,
    fill,
    hash_joins,
    plain_sku,
    sku_key,
    stripped,
)

if TYPE_CHECKING:
    from comptoir.integration.oro.catalog import OroProducts

RESOLVED = "transfer_staged_products_resolved"
CATEGORIES = "transfer_staged_products_categories"
UNITS = "transfer_staged_products_units"
BRANDS = "transfer_staged_products_brands"
# More distinct categories or units than this: the file goes row by row.
MAX_DISTINCT = 10_000
# The product fields a row sets besides its SKU, compared to tell an update.
SET_FIELDS = (
    "name",
    "description",
    "information",
    "specifications",
    "category_id",
    "is_enabled",
    "is_featured",
    "is_new_arrival",
    "brand_id",
)


def prepare(entity: "OroProducts", staged: StagedFile, run: ImportRun) -> None:
    """Fill the resolved table with the records SQL can write; the others are left out."""
    c = staged.sql(
        ("sku", "name", "description", "information", "specifications", "category", "price")
        + ("MSRP", "MAP", "unit", "precision", "featured", "new_arrival", "brand_id"),
        of="s",
    )
    staged.resolved = RESOLVED
    run.state["staged_updates"] = False
    with connection.cursor() as cursor:
        for table in (RESOLVED, CATEGORIES, UNITS, BRANDS):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RESOLVED} (number integer PRIMARY KEY, line integer, "
            "key text, sku text, name text, description text, information text, "
            "specifications text, category_id bigint, is_featured boolean, "
            "is_new_arrival boolean, brand_id bigint, unit_id bigint, precision integer, "
            "product_id bigint, primary_id bigint, primary_precision integer, new_id bigint)"
        )
        cursor.execute(f"CREATE TEMPORARY TABLE {CATEGORIES} (raw text, id bigint, told boolean)")
        cursor.execute(f"CREATE TEMPORARY TABLE {UNITS} (raw text, id bigint, precision integer)")
        cursor.execute(f"CREATE TEMPORARY TABLE {BRANDS} (number integer, id bigint)")
        categories = staged.distinct("category", limit=MAX_DISTINCT)
        units = staged.distinct("unit", limit=MAX_DISTINCT)
        if categories is None or units is None:
            return
        categories = [raw for (raw,) in categories]
        units = [raw for (raw,) in units]
        fill(cursor, CATEGORIES, ("raw", "id", "told"), _categories(entity, categories))
        fill(cursor, UNITS, ("raw", "id", "precision"), _units(entity, units))
        fill(
            cursor,
            BRANDS,
            ("number", "id"),
            [(number, brand.pk) for number, brand in entity.oro.brands.items()],
        )

        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {Product._meta.db_table})")
        (catalog,) = cursor.fetchone()
        with hash_joins(cursor):
            cursor.execute(
                _resolving(staged.table, c, catalog=catalog),
                {"price": PLAIN_PRICE_OR_EMPTY, "products": Product._meta.db_table},
            )
        # A SKU named twice goes row by row, where the second is refused with the line of the
        # first; so does the first record of a category spelling the row-by-row path tells.
        cursor.execute(
            f"DELETE FROM {RESOLVED} WHERE key IN "
            f"(SELECT key FROM {RESOLVED} GROUP BY key HAVING COUNT(*) > 1)"
        )
        cursor.execute(
            f"DELETE FROM {RESOLVED} WHERE number IN (SELECT MIN(s.number) "
            f"FROM {staged.table} AS s JOIN {CATEGORIES} AS category "
            f"ON category.raw = COALESCE({c['category']}, '') "
            "WHERE category.told GROUP BY category.raw)"
        )
        # A SKU the row-by-row path also meets (in an unusual form) goes there whole.
        staged.keep_together(
            "sku",
            normalize_sku,
            f"DELETE FROM {RESOLVED} AS r USING {{apart}} AS a WHERE r.key = a.key",
        )
        cursor.execute(f"ANALYZE {RESOLVED}")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {RESOLVED} WHERE product_id IS NOT NULL)")
        (run.state["staged_updates"],) = cursor.fetchone()


def _resolving(table: str, c: dict[str, str], *, catalog: bool) -> str:
    """The statement filling the resolved table from the staged ``table`` whose columns are
    ``c``; ``catalog``: the catalog has products, which the records may change."""
    # A new product's id is taken from the sequence here: its primary unit needs it.
    new_id = "nextval(pg_get_serial_sequence(%(products)s, 'id'))"
    product = f"NULL::bigint, NULL::bigint, NULL::integer, {new_id}"
    current = ""
    if catalog:
        product = f"p.id, pu.id, pu.precision, CASE WHEN p.id IS NULL THEN {new_id} END"
        current = f"""
            LEFT JOIN {Product._meta.db_table} AS p ON UPPER(p.sku) = s.key
            LEFT JOIN {ProductUnit._meta.db_table} AS pu
              ON pu.product_id = p.id AND pu.is_primary
        """
    brand = stripped(c["brand_id"])
    return f"""
        INSERT INTO {RESOLVED}
        SELECT s.number, s.line, s.key, s.sku, s.name, s.description, s.information,
               s.specifications, category.id, s.featured, s.new_arrival, brand.id, unit.id,
               COALESCE(s.precision, unit.precision), {product}
        FROM (
            SELECT number, line, {sku_key(c["sku"])} AS key, {stripped(c["sku"])} AS sku,
                   {stripped(c["name"])} AS name, {stripped(c["description"])} AS description,
                   {stripped(c["information"])} AS information,
                   {stripped(c["specifications"])} AS specifications,
                   COALESCE({c["category"]}, '') AS category, COALESCE({c["unit"]}, '') AS unit,
                   {stripped(c["featured"])} = '1' AS featured,
                   {stripped(c["new_arrival"])} = '1' AS new_arrival,
                   NULLIF({stripped(c["precision"])}, '')::integer AS precision,
                   CASE WHEN {brand} ~ '^[1-9][0-9]{{0,8}}$' THEN {brand}::integer END AS brand,
                   {brand} = '' AS no_brand
            FROM {table} AS s
            WHERE NOT s.held
              AND {plain_sku(c["sku"])}
              AND COALESCE({c["price"]}, '') ~ %(price)s
              AND COALESCE({c["MSRP"]}, '') ~ %(price)s
              AND COALESCE({c["MAP"]}, '') ~ %(price)s
              AND COALESCE({c["precision"]}, '') ~ '^ *[0-3]? *$'
              AND COALESCE({c["featured"]}, '') ~ '^ *[01]? *$'
              AND COALESCE({c["new_arrival"]}, '') ~ '^ *[01]? *$'
            -- Each value computed once, for the records that passed the checks.
            OFFSET 0
        ) AS s
        JOIN {CATEGORIES} AS category ON category.raw = s.category
        JOIN {UNITS} AS unit ON unit.raw = s.unit
        LEFT JOIN {BRANDS} AS brand ON brand.number = s.brand
        {current}
        WHERE s.name <> '' AND char_length(s.name) <= 255
          AND (s.no_brand OR brand.id IS NOT NULL)
          {"AND (p.id IS NULL OR pu.unit_id = unit.id)" if catalog else ""}
    """


def _categories(entity: "OroProducts", values: list[str | None]) -> list[tuple]:
    """(text, category id, whether the row-by-row path tells its spelling) of each distinct
    text of the category column it takes."""
    found = []
    for value in values:
        text = (value or "").strip()
        if "\x00" in text or len(text) > 200:
            continue
        name = " ".join(text.split())
        category = entity.category_named(name)
        found.append(
            (
                value,
                None if category is None else category.pk,
                category is not None and category.name != name,
            )
        )
    return found


def _units(entity: "OroProducts", values: list[str | None]) -> list[tuple]:
    """(text, unit id, its default precision) of each distinct text of the unit column that
    names a unit."""
    found = []
    for value in values:
        code = (value or "").strip()
        unit = entity.oro.units.get(code.lower()) if code and "\x00" not in code else None
        if unit is not None:
            found.append((value, unit.pk, unit.default_precision))
    return found


def write(staged: StagedFile, first: int, last: int, run: ImportRun) -> int:
    """Write the resolved records numbered ``first`` to ``last``; return how many."""
    part = "r.number BETWEEN %(first)s AND %(last)s"
    params: dict = {"first": first, "last": last}
    product_table, unit_table = Product._meta.db_table, ProductUnit._meta.db_table
    with connection.cursor() as cursor:
        updated = _update_existing(cursor, part, params) if run.state["staged_updates"] else 0
        product_defaults = _defaults(Product, {"sku", *SET_FIELDS, "created_at", "updated_at"})
        unit_defaults = _defaults(ProductUnit, set(UNIT_FIELDS))
        params.update({f"product_{name}": value for name, value in product_defaults.items()})
        params.update({f"unit_{name}": value for name, value in unit_defaults.items()})
        product_columns = ["id", "sku", *SET_FIELDS, *product_defaults, "created_at", "updated_at"]
        product_values = [
            "r.new_id",
            "r.sku",
            *("TRUE" if name == "is_enabled" else f"r.{name}" for name in SET_FIELDS),
            *(f"%(product_{name})s" for name in product_defaults),
            "now()",
            "now()",
        ]
        unit_columns = [*UNIT_FIELDS, *unit_defaults]
        unit_values = [
            *UNIT_FIELDS.values(),
            *(f"%(unit_{name})s" for name in unit_defaults),
        ]
        cursor.execute(
            f"INSERT INTO {product_table} ({', '.join(product_columns)}) "
            f"SELECT {', '.join(product_values)} FROM {RESOLVED} AS r "
            f"WHERE {part} AND r.product_id IS NULL ORDER BY r.number",
            params,
        )
        created = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {unit_table} ({', '.join(unit_columns)}) "
            f"SELECT {', '.join(unit_values)} FROM {RESOLVED} AS r "
            f"WHERE {part} AND r.product_id IS NULL ORDER BY r.number",
            params,
        )
        # The run's seen keys need none of these: no record going row by row names their SKU.
        cursor.execute(f"SELECT COUNT(*) FROM {RESOLVED} AS r WHERE {part}", params)
        (count,) = cursor.fetchone()
    run.done_many("products", CREATED, created)
    run.done_many("products", UPDATED, updated)
    run.done_many("products", UNCHANGED, count - created - updated)
    return count


def _update_existing(cursor, part: str, params: dict) -> int:
    """Write the part's changes to products in the catalog; return how many changed."""
    product_table, unit_table = Product._meta.db_table, ProductUnit._meta.db_table
    differs = " OR ".join(
        f"p.{name} IS DISTINCT FROM {'TRUE' if name == 'is_enabled' else 'r.' + name}"
        for name in SET_FIELDS
    )
    cursor.execute(
        f"SELECT COUNT(*) FROM {RESOLVED} AS r JOIN {product_table} AS p "
        f"ON p.id = r.product_id WHERE {part} AND ({differs} "
        "OR r.precision <> r.primary_precision)",
        params,
    )
    (updated,) = cursor.fetchone()
    assignments = ", ".join(
        f"{name} = {'TRUE' if name == 'is_enabled' else 'r.' + name}" for name in SET_FIELDS
    )
    cursor.execute(
        f"UPDATE {product_table} AS p SET {assignments}, updated_at = now() "
        f"FROM {RESOLVED} AS r WHERE {part} AND p.id = r.product_id AND ({differs})",
        params,
    )
    cursor.execute(
        f"UPDATE {unit_table} AS pu SET precision = r.precision FROM {RESOLVED} AS r "
        f"WHERE {part} AND pu.id = r.primary_id AND pu.precision <> r.precision",
        params,
    )
    return updated


# The primary unit of a new product, as SQL over its record ``r``.
UNIT_FIELDS = {
    "product_id": "r.new_id",
    "unit_id": "r.unit_id",
    "precision": "r.precision",
    "conversion_rate": "1",
    "is_primary": "TRUE",
    "is_sellable": "TRUE",
}


def _defaults(model, set_here: set[str]) -> dict[str, object]:
    """The column and stored default of each field of ``model`` (but its id) that a row does
    not set."""
    return {
        field.column: field.get_db_prep_save(field.get_default(), connection)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in set_here
    }
