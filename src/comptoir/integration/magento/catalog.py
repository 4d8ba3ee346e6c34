"""The steps of a Magento products file: categories, attributes and their options, families,
products, their attribute values and translations, product models and their variants, prices
and stock.

Where Magento and Comptoir differ, the import decides so:

- Categories: every path of the categories column opens with the store's root category
  ("Default Category"), which Magento's storefront never shows: its children become top-level
  categories. A category's slug is made of its path ("gear-bags"). A product is in one category
  in Comptoir: the deepest its row names (the first of those).
- Products: simple, virtual and downloadable products are products, sold by the item (one
  already in the catalog keeps its unit); product_online 2 disables one; the weight is
  converted to kilograms from the store's weight unit. Descriptions lose their HTML. A
  configurable product is a product model whose variants are the products its
  configurable_variations name; a variant without a category or descriptions of its own takes
  its configurable product's, as Magento's storefront shows them. Bundle and grouped products
  have no equivalent and are left out; the configurable product's own additional attributes are
  not kept (its variants have theirs).
- Attribute sets are families. The attributes of additional_attributes are made selects when
  configurable products vary by them, multiselects when a value holds several, text otherwise;
  an attribute already in the catalog keeps its name and type. Options are found by their
  label, as Magento writes them.
- A store view row translates the product's name, description and short description into the
  language its store view is given (option store_languages), kept as values of the localizable
  attributes name, description and short_description; its other overrides are not imported.
- The qty goes to one warehouse (option warehouse); a product out of stock (is_in_stock 0) has
  none there.

The file is read once to find its structure (``products.scan_products``), then once more for
each step that reads its rows; between them the import holds the category tree, the attributes
with their values, and the SKU of each variant with what it takes from its configurable product.
Categories, attributes, options, products, values, prices and stock levels go through the
entities of the file imports; families and product models through the catalog's services.
"""

from collections.abc import Iterator
from pathlib import Path

from comptoir.catalog.attribute_services import (
    set_product_attribute_values,
    set_product_family,
    upsert_product_model,
)
from comptoir.catalog.attribute_values import AttributeValue
from comptoir.catalog.attributes import (
    OPTION_TYPES,
    Attribute,
    AttributeType,
    ProductAttributeValue,
    ProductFamily,
)
from comptoir.catalog.models import Product, Unit, normalize_sku
from comptoir.catalog.services import upsert_unit
from comptoir.core.records import UNCHANGED
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.magento import layouts
from comptoir.integration.magento.prices import import_product_prices
from comptoir.integration.magento.products import (
    CatalogPlan,
    ProductRow,
    rows,
    scan_products,
    sold_rows,
)
from comptoir.integration.magento.run import (
    MagentoImport,
    Outcomes,
    mapped_record,
)
from comptoir.integration.magento.structure import (
    import_attributes,
    import_categories,
    import_families,
)
from comptoir.integration.rows import RowRefused
from comptoir.integration.transfer.base import ImportRun, Row
from comptoir.integration.transfer.entities.product_batches import find_products
from comptoir.integration.transfer.entities.products import Products
from comptoir.integration.transfer.registry import get_entity

PRODUCT_COLUMNS = {
    "name": "name",
    "description": "description",
    "information": "short_description",
    "category": "categories",
    "enabled": "product_online",
    "weight_kg": "weight",
    "tax_code": "tax_class_name",
    "family": "attribute_set_code",
}
STOCK_COLUMNS = {"quantity": "qty", "warehouse": None}
# Magento writes a yes-or-no attribute's value as Yes or No.
BOOLEAN_TEXTS = {"yes": "1", "no": "0"}


def import_products_file(run: MagentoImport, path: Path) -> None:
    """Import the products file at ``path``, step by step in dependency order."""
    plan = scan_products(run, path)
    slugs = import_categories(run, plan)
    attributes = import_attributes(run, plan)
    families = import_families(run, plan, attributes)
    import_products(run, path, plan, slugs, families)
    import_attribute_values(run, path, plan, attributes)
    if plan.translations_line is not None:
        import_translations(run, path, plan)
    import_product_models(run, path, plan, attributes, families)
    import_product_prices(run, path, plan)
    import_stock(run, path, plan)


class MagentoProducts(Products):
    """The products entity with a ``family`` column (a family's code, empty for none, which
    also makes the product no variant), and giving a new product the unit Magento sells in;
    a product already in the catalog keeps its unit."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit

    def start(self, run: ImportRun) -> None:
        super().start(run)
        run.state["families"] = {
            code.lower(): pk for pk, code in ProductFamily.objects.values_list("pk", "code")
        }

    def parse(self, fields: Fields, run: ImportRun):
        row = super().parse(fields, run)
        if "family" in fields.record.values:
            code = fields.text("family")
            family_id = run.state["families"].get(code.lower()) if code else None
            if code and family_id is None:
                fields.error("family", f"no family has the code '{code}'")
            row.change.values.update(family_id=family_id, product_model_id=None)
        return row

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        existing = find_products(normalize_sku(row.data.change.sku) for row in rows)
        for row in rows:
            if normalize_sku(row.data.change.sku) not in existing:
                row.data.change.unit = self.unit
        super().apply(rows, run)


def import_products(
    run: MagentoImport,
    path: Path,
    plan: CatalogPlan,
    slugs: dict[tuple[str, ...], str],
    families: dict[str, str],
) -> None:
    """Simple, virtual and downloadable products. A variant takes the category and the
    descriptions of its configurable product when its row has none; its family comes with its
    product model."""
    unit = Unit.objects.filter(code__iexact=layouts.UNIT).first()
    if unit is None:
        unit, status = upsert_unit(code=layouts.UNIT)
        run.report.count("units", status)
    records = (
        mapped_record(record, _product_values(run, record, row, plan, slugs, families))
        for record, row in sold_rows(run, path, plan)
    )
    run.import_entity(
        MagentoProducts(unit),
        records,
        file_name=plan.file_name,
        columns=PRODUCT_COLUMNS,
        refusing=True,
    )


def _product_values(
    run: MagentoImport,
    record: Record,
    row: ProductRow,
    plan: CatalogPlan,
    slugs: dict[tuple[str, ...], str],
    families: dict[str, str],
) -> dict[str, str]:
    parent = plan.parents.get(row.key)
    category = row.category or (parent.category if parent else None)
    values = {
        "sku": row.sku,
        "description": row.description or (parent.description if parent else ""),
        "information": row.short_description or (parent.short_description if parent else ""),
        "category": slugs[category] if category else "",
    }
    if row.name:
        values["name"] = row.name
    if row.online is not None:
        values["enabled"] = "1" if row.online else "0"
    if "weight" in record.values:
        values["weight_kg"] = "" if row.weight_kg is None else str(row.weight_kg)
    tax_code = run.tax_classes.get(row.tax_class.lower()) if row.tax_class else None
    if tax_code is not None:
        values["tax_code"] = tax_code
    if parent is None:
        values["family"] = families.get(row.attribute_set.lower(), "")
    return values


def import_attribute_values(
    run: MagentoImport, path: Path, plan: CatalogPlan, attributes: dict[str, Attribute]
) -> None:
    """The values of additional_attributes: a select's or multiselect's by option label."""
    option_codes = {
        code: {option.label.lower(): option.code for option in attribute.options.all()}
        for code, attribute in attributes.items()
    }

    def records() -> Iterator[Record]:
        for record, row in sold_rows(run, path, plan):
            for code, values in row.attributes.items():
                attribute = attributes.get(code)
                if attribute is not None:
                    value = _value_text(attribute, values, option_codes[code])
                    yield mapped_record(
                        record, {"sku": row.sku, "attribute": attribute.code, "value": value}
                    )

    run.import_entity(
        get_entity("product_attribute_values"),
        records(),
        file_name=plan.file_name,
        columns={"attribute": "additional_attributes", "value": "additional_attributes"},
    )


def _value_text(attribute: Attribute, values: list[str], option_codes: dict[str, str]) -> str:
    """A Magento value as the values entity reads it: option codes for options' labels (by
    lower-case label in ``option_codes``)."""
    if attribute.type in OPTION_TYPES:
        return ",".join(option_codes.get(value.strip().lower(), value.strip()) for value in values)
    text = layouts.MULTI_VALUE_SEPARATOR.join(values)
    if attribute.type == AttributeType.BOOLEAN:
        return BOOLEAN_TEXTS.get(text.lower(), text)
    return text


def import_translations(run: MagentoImport, path: Path, plan: CatalogPlan) -> None:
    """The name, description and short description of store view rows, in their store view's
    language, as values of the localizable attributes of those names. A store view row without
    one of them uses the default row's in Magento: the product has no translation of it."""

    def records() -> Iterator[Record]:
        for record, row in rows(run, path, plan):
            if row.is_default:
                continue
            language = run.languages[row.store_view.lower()]
            texts = {
                "name": row.name,
                "description": row.description,
                "short_description": row.short_description,
            }
            for code, text in texts.items():
                yield mapped_record(
                    record,
                    {"sku": row.sku, "attribute": code, "locale": language, "value": text},
                )

    run.import_entity(
        get_entity("product_attribute_values"),
        records(),
        file_name=plan.file_name,
        columns={"attribute": "store_view_code", "locale": "store_view_code"},
    )


def import_product_models(
    run: MagentoImport,
    path: Path,
    plan: CatalogPlan,
    attributes: dict[str, Attribute],
    families: dict[str, str],
) -> None:
    """A product model for each configurable product, varying by the attributes of its
    variations, with its variants and their values of those attributes. A configurable product
    whose variations are not all in the catalog is refused whole."""
    for record, row in rows(run, path, plan):
        if row.is_default and row.product_type == layouts.CONFIGURABLE:
            run.save_row(
                "product models",
                record.file_name,
                record.line,
                lambda row=row: _write_model(row, attributes, families),
            )


def _write_model(
    row: ProductRow, attributes: dict[str, Attribute], families: dict[str, str]
) -> Outcomes:
    family_code = families.get(row.attribute_set.lower())
    if family_code is None:
        raise RowRefused(
            f"the attribute set '{row.attribute_set}' was not imported (see its error)"
            if row.attribute_set
            else "is empty; a configurable product's variants are of its attribute set",
            column="attribute_set_code",
        )
    axes = []
    for code in row.variations[0].axes:
        attribute = attributes.get(code)
        if attribute is None:
            raise RowRefused(
                f"the attribute {code} was not imported (see its error)",
                column="configurable_variations",
            )
        axes.append(attribute)
    found = find_products(normalize_sku(variation.sku) for variation in row.variations)
    missing = [
        variation.sku for variation in row.variations if normalize_sku(variation.sku) not in found
    ]
    if missing:
        raise RowRefused(
            f"no product has the SKU {', '.join(missing)}, in this file or in the catalog: "
            "import the variations first, or correct their SKUs",
            column="configurable_variations",
        )

    family = ProductFamily.objects.get(code__iexact=family_code)
    model, status = upsert_product_model(code=row.sku, name=row.name, family=family, axes=axes)
    outcomes: Outcomes = [("product models", status)]
    products = Product.objects.in_bulk([product_id for product_id, _ in found.values()])
    current = _axis_options(products, axes)
    for variation in row.variations:
        product = products[found[normalize_sku(variation.sku)][0]]
        # What is already so is not given again: the services would only find it unchanged.
        if (product.product_model_id, product.family_id) == (model.pk, model.family_id):
            outcomes.append(("variants", UNCHANGED))
        else:
            status = set_product_family(product=product, family=None, product_model=model)
            outcomes.append(("variants", status))
        values = [_axis_value(attributes[code], label) for code, label in variation.axes.items()]
        changed = [
            value
            for value in values
            if current.get((product.pk, value.attribute.pk)) != {value.options[0].pk}
        ]
        unchanged = len(values) - len(changed)
        outcomes.extend([("product attribute values", UNCHANGED)] * unchanged)
        if changed:
            statuses = set_product_attribute_values(product=product, values=changed)
            outcomes.extend(("product attribute values", status) for status in statuses)
    return outcomes


def _axis_options(
    products: dict[int, Product], axes: list[Attribute]
) -> dict[tuple[int, int], set[int]]:
    """The options of each of ``products``' values of ``axes``, by product and attribute id."""
    current: dict[tuple[int, int], set[int]] = {}
    for product_id, attribute_id, option_id in ProductAttributeValue.objects.filter(
        product_id__in=list(products), attribute__in=axes, language=""
    ).values_list("product_id", "attribute_id", "options"):
        options = current.setdefault((product_id, attribute_id), set())
        if option_id is not None:
            options.add(option_id)
    return current


def _axis_value(attribute: Attribute, label: str) -> AttributeValue:
    option = next(
        (option for option in attribute.options.all() if option.label.lower() == label.lower()),
        None,
    )
    if option is None:
        raise RowRefused(
            f"'{label}' is not an option of {attribute.code}", column="configurable_variations"
        )
    return AttributeValue(attribute=attribute, options=(option,))


def import_stock(run: MagentoImport, path: Path, plan: CatalogPlan) -> None:
    """The qty of each product in the warehouse of the option warehouse; a product that is not
    in stock (is_in_stock 0) has none."""
    records = (
        mapped_record(
            record,
            {
                "sku": row.sku,
                "warehouse": run.warehouse,
                "quantity": str(row.qty) if row.in_stock else "0",
            },
        )
        for record, row in sold_rows(run, path, plan)
        if row.qty is not None
    )
    run.import_entity(
        get_entity("inventory"), records, file_name=plan.file_name, columns=STOCK_COLUMNS
    )
