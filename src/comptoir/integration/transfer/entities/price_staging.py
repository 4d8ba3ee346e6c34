"""The prices of a large file written in SQL from its staging table (``transfer.staging``).

``prepare`` resolves, in one statement, every record whose values are in the plain form the
row-by-row path reads without question (a SKU of printable ASCII, numbers of digits and a
point within the columns' sizes) into its list, product, unit and tier, beside the price it
sets now. The few distinct list names, currencies and unit codes are checked in Python, by the
rules the row-by-row path applies. A record is left out, to go row by row, when any of that
fails, when its price is computed by a rule, or when another record names the same price.
``write`` then writes a part of the file as ``PriceWriter`` writes a batch: updates, inserts,
the history, the ``price_changed`` events, the rebuilds and the run's seen keys.
"""

from typing import TYPE_CHECKING

from django.db import connection

from comptoir.catalog.models import Product, ProductUnit, Unit, normalize_sku
from comptoir.core.records import CREATED, UNCHANGED, UPDATED
from comptoir.integration.transfer.base import ImportRun
from comptoir.integration.transfer.bulk import Rebuilds, SeenKeys
from comptoir.integration.transfer.entities.price_batches import PriceEntry
from comptoir.integration.transfer.staging import (
    PLAIN_PRICE,
    PLAIN_QUANTITY,
    StagedFile,
    fill,
    hash_joins,
    plain_sku,
    sku_key,
)
from comptoir.pricing.events import (
    PRICES_PER_WRITE,
    record_large_price_write,
    record_prices_changed,
)
from comptoir.pricing.models import Price, PriceChange, PriceList, PriceSource

if TYPE_CHECKING:
    from comptoir.integration.transfer.entities.pricing import Prices

# More distinct list names, currencies or unit codes than this: the file goes row by row.
MAX_DISTINCT = 1000

RESOLVED = "transfer_staged_prices_resolved"
LISTS = "transfer_staged_prices_lists"
UNITS = "transfer_staged_prices_units"


def prepare(entity: "Prices", staged: StagedFile, run: ImportRun) -> None:
    """Fill the resolved table with the records SQL can write; the others are left out."""
    s = staged.sql(("price_list", "sku", "unit", "quantity", "price", "currency"))
    staged.resolved = RESOLVED
    run.state["staged_updates"] = False
    with connection.cursor() as cursor:
        for table in (RESOLVED, LISTS, UNITS):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RESOLVED} (number integer PRIMARY KEY, line integer, "
            "price_list_id bigint, product_id bigint, unit_id bigint, quantity numeric(14, 3), "
            "value numeric(19, 4), price_id bigint, old_value numeric(19, 4), old_source text)"
        )
        cursor.execute(f"CREATE TEMPORARY TABLE {LISTS} (list text, currency text, id bigint)")
        cursor.execute(f"CREATE TEMPORARY TABLE {UNITS} (unit text, id bigint)")
        pairs = staged.distinct("price_list", "currency", limit=MAX_DISTINCT)
        units = staged.distinct("unit", limit=MAX_DISTINCT)
        if pairs is None or units is None:
            return
        units = [unit for (unit,) in units]
        lists = []
        for name, currency in pairs:
            list_id = entity.staged_list(run, name, currency)
            if list_id is not None:
                lists.append((name, currency, list_id))
        fill(cursor, LISTS, ("list", "currency", "id"), lists)
        units = _unit_ids(units)
        fill(cursor, UNITS, ("unit", "id"), units)
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {Price._meta.db_table} WHERE price_list_id = ANY(%s))",
            [sorted({list_id for _, _, list_id in lists})],
        )
        (priced,) = cursor.fetchone()
        with hash_joins(cursor):
            cursor.execute(
                _resolving(
                    staged.table, s, primary=any(pk is None for _, pk in units), priced=priced
                ),
                {"quantity": PLAIN_QUANTITY, "price": PLAIN_PRICE},
            )
        # A price computed by a rule is refused with the rule's name, and a price named twice
        # with the line of its first record: both row by row.
        cursor.execute(f"DELETE FROM {RESOLVED} WHERE old_source = %s", [PriceSource.RULE.value])
        cursor.execute(
            f"""
            DELETE FROM {RESOLVED} AS r USING (
                SELECT price_list_id, product_id, unit_id, quantity FROM {RESOLVED}
                GROUP BY price_list_id, product_id, unit_id, quantity HAVING COUNT(*) > 1
            ) AS twice
            WHERE r.price_list_id = twice.price_list_id AND r.product_id = twice.product_id
              AND r.unit_id = twice.unit_id AND r.quantity = twice.quantity
            """
        )
        # The prices of a product the row-by-row path also meets (a record in an unusual
        # form) go there with it.
        staged.keep_together(
            "sku",
            normalize_sku,
            f"DELETE FROM {RESOLVED} AS r USING {Product._meta.db_table} AS p, {{apart}} AS a "
            "WHERE r.product_id = p.id AND UPPER(p.sku) = a.key",
        )
        cursor.execute(f"ANALYZE {RESOLVED}")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {RESOLVED} WHERE price_id IS NOT NULL)")
        (run.state["staged_updates"],) = cursor.fetchone()


def _resolving(table: str, s: dict[str, str], *, primary: bool, priced: bool) -> str:
    """The statement filling the resolved table from the staged ``table`` whose columns are
    ``s``; ``primary``: some records name no unit, and price the product's primary unit;
    ``priced``: the lists have prices, which the records may change."""
    product_unit = ProductUnit._meta.db_table
    if primary:
        sold = (
            f"LEFT JOIN {product_unit} AS pu ON pu.product_id = p.id AND pu.unit_id = u.id "
            f"LEFT JOIN {product_unit} AS main ON main.product_id = p.id AND main.is_primary"
        )
        unit_id = "CASE WHEN u.id IS NULL THEN main.unit_id ELSE pu.unit_id END"
    else:
        sold = f"JOIN {product_unit} AS pu ON pu.product_id = p.id AND pu.unit_id = u.id"
        unit_id = "pu.unit_id"
    current, prices = "NULL::bigint, NULL::numeric, NULL::text", ""
    if priced:
        current = "price.id, price.value, price.source"
        prices = (
            f"LEFT JOIN {Price._meta.db_table} AS price "
            "ON price.price_list_id = l.id AND price.product_id = p.id "
            f"AND price.unit_id = {unit_id} AND price.quantity = s.quantity"
        )
    return f"""
        INSERT INTO {RESOLVED}
        SELECT s.number, s.line, l.id, p.id, {unit_id}, s.quantity, s.value, {current}
        FROM (
            SELECT number, line, COALESCE({s["price_list"]}, '') AS list,
                   COALESCE({s["currency"]}, '') AS currency,
                   COALESCE({s["unit"]}, '') AS unit,
                   COALESCE(NULLIF({s["quantity"]}, '')::numeric(14, 3), 1) AS quantity,
                   {s["price"]}::numeric(19, 4) AS value,
                   {sku_key(s["sku"])} AS key
            FROM {table}
            WHERE NOT held
              AND {plain_sku(s["sku"])}
              AND ({s["quantity"]} IS NULL OR {s["quantity"]} = ''
                   OR {s["quantity"]} ~ %(quantity)s)
              AND {s["price"]} ~ %(price)s
            -- Each value computed once, for the records that passed the checks.
            OFFSET 0
        ) AS s
        JOIN {LISTS} AS l ON l.list = s.list AND l.currency = s.currency
        JOIN {UNITS} AS u ON u.unit = s.unit
        JOIN {Product._meta.db_table} AS p ON UPPER(p.sku) = s.key
        {sold}
        {prices}
        WHERE {unit_id} IS NOT NULL
    """


def _unit_ids(values: list[str | None]) -> list[tuple[str | None, int | None]]:
    """The unit each distinct text of the unit column names, as the row-by-row path reads it
    (None: the product's primary unit); a text naming no unit, or two, is left out."""
    codes: dict[str, list[int]] = {}
    for pk, code in Unit.objects.values_list("pk", "code"):
        codes.setdefault(code.lower(), []).append(pk)
    found = []
    for value in values:
        text = (value or "").strip()
        if "\x00" in text:
            continue
        if not text:
            found.append((value, None))
        elif len(codes.get(text.lower(), ())) == 1:
            found.append((value, codes[text.lower()][0]))
    return found


def write(staged: StagedFile, first: int, last: int, run: ImportRun) -> int:
    """Write the resolved records numbered ``first`` to ``last``; return how many."""
    part = "r.number BETWEEN %(first)s AND %(last)s"
    changed = (
        f"({part} AND (r.price_id IS NULL OR r.old_value <> r.value "
        "OR r.old_source <> %(manual)s))"
    )
    manual = PriceSource.MANUAL.value
    params = {"first": first, "last": last, "manual": manual}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT price_list_id FROM {RESOLVED} AS r WHERE {part}", params)
        list_ids = sorted(pk for (pk,) in cursor.fetchall())
        if not list_ids:
            return 0
        # Waits for a rebuild of the lists running meanwhile, which would overwrite the part.
        list(PriceList.objects.select_for_update().filter(pk__in=list_ids).order_by("pk"))
        price = Price._meta.db_table
        updated = 0
        if run.state["staged_updates"]:
            cursor.execute(
                f"UPDATE {price} AS p SET value = r.value, source = %(manual)s, rule_id = NULL "
                f"FROM {RESOLVED} AS r WHERE p.id = r.price_id AND {changed}",
                params,
            )
            updated = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {price} (price_list_id, product_id, unit_id, quantity, value, source) "
            f"SELECT price_list_id, product_id, unit_id, quantity, value, %(manual)s "
            f"FROM {RESOLVED} AS r WHERE {part} AND r.price_id IS NULL ORDER BY r.number",
            params,
        )
        created = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {PriceChange._meta.db_table} (price_list_id, product_id, unit_id, "
            "quantity, value, source, rule_id, changed_at) "
            "SELECT price_list_id, product_id, unit_id, quantity, value, %(manual)s, NULL, now() "
            f"FROM {RESOLVED} AS r WHERE {changed} ORDER BY r.number",
            params,
        )
        cursor.execute(f"SELECT COUNT(*) FROM {RESOLVED} AS r WHERE {part}", params)
        (count,) = cursor.fetchone()
        if run.option("mode") == "reset":
            # For the reset, which removes the prices the file did not name. The records that
            # go row by row need none of them: none names the product of one.
            seen: SeenKeys = run.state["seen"]
            cursor.execute(
                f"INSERT INTO {seen.table} (key, line, label) SELECT price_list_id || '|' || "
                "product_id || '|' || unit_id || '|' || quantity::text, line, '' "
                f"FROM {RESOLVED} AS r WHERE {part}",
                params,
            )
        _tell(cursor, changed, params, run.state["rebuilds"])
    run.state["named_lists"].update(list_ids)
    run.done_many("prices", CREATED, created)
    run.done_many("prices", UPDATED, updated)
    run.done_many("prices", UNCHANGED, count - created - updated)
    return count


def _tell(cursor, changed: str, params: dict, rebuilds: Rebuilds) -> None:
    """Record the part's ``price_changed`` events and queue the rebuilds its changes call for,
    as ``PriceWriter.record`` does for a batch."""
    cursor.execute(
        f"SELECT price_list_id, COUNT(*), COUNT(DISTINCT product_id) FROM {RESOLVED} AS r "
        f"WHERE {changed} GROUP BY price_list_id",
        params,
    )
    for list_id, count, products in cursor.fetchall():
        if count <= PRICES_PER_WRITE:
            cursor.execute(
                "SELECT price_list_id, product_id, unit_id, quantity, value "
                f"FROM {RESOLVED} AS r WHERE {changed} AND r.price_list_id = %(list)s "
                "ORDER BY r.number",
                {**params, "list": list_id},
            )
            entries = [PriceEntry(*row) for row in cursor.fetchall()]
            record_prices_changed(entries)
            rebuilds.price_changed(list_id, {entry.product_id for entry in entries})
            continue
        product_ids = None
        if products <= Rebuilds.LIMIT:
            cursor.execute(
                f"SELECT DISTINCT product_id FROM {RESOLVED} AS r "
                f"WHERE {changed} AND r.price_list_id = %(list)s",
                {**params, "list": list_id},
            )
            product_ids = {pk for (pk,) in cursor.fetchall()}
        record_large_price_write(list_id, count, product_ids)
        rebuilds.price_changed(list_id, product_ids)
