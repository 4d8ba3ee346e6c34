"""The product steps of the Akeneo import: product models, then products with their family,
their model (a product under a model is one of its variants), their category in the channel's
tree, their attribute values and their prices.

A product's name is its family's label attribute in the site's default language (else its
``name`` attribute, else its SKU); its description is its ``description`` attribute there.
Each price attribute fills one price list per currency, which the import does not assign to
anyone: who buys at which price is the seller's decision, and assigning a list would change
what buyers already see.
"""

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from comptoir.catalog.attribute_services import (
    set_product_attribute_values,
    set_product_family,
    upsert_product_model,
)
from comptoir.catalog.attribute_values import AttributeValue
from comptoir.catalog.attributes import Attribute, ProductFamily, ProductModel
from comptoir.catalog.models import Category, Product, Unit, normalize_sku
from comptoir.catalog.services import upsert_product, upsert_unit
from comptoir.core.records import UNCHANGED, UPDATED
from comptoir.integration.akeneo import layouts
from comptoir.integration.akeneo.run import AkeneoImport, Outcomes, read_header, split_codes
from comptoir.integration.akeneo.values import (
    ValueColumns,
    other_channels_warning,
    read_prices,
    read_values,
    text_in_default_language,
    value_columns,
)
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.report import Problem
from comptoir.pricing.models import PriceListAssignment
from comptoir.pricing.services import upsert_price_list, upsert_tier_prices
from comptoir.pricing.tasks import schedule_product_rebuild

NAME_MAX_LENGTH = Product._meta.get_field("name").max_length


def _columns_of(run: AkeneoImport, layout: layouts.AkeneoFile) -> ValueColumns:
    path = run.directory / layout.file_name
    columns = value_columns(run, read_header(path) if path.is_file() else [])
    other_channels_warning(run, layout.file_name, columns)
    return columns


def _known(layout: layouts.AkeneoFile, columns: ValueColumns):
    return lambda column: layout.knows(column) or column in columns.known


def _name(run: AkeneoImport, family: ProductFamily | None, values: list[AttributeValue]) -> str:
    """The name the values give: the family's label attribute, else the name attribute."""
    candidates: list[Attribute] = []
    if family is not None and family.label_attribute is not None:
        candidates.append(family.label_attribute)
    spec = run.attributes.get(layouts.NAME_ATTRIBUTE)
    if spec is not None and spec.attribute is not None:
        candidates.append(spec.attribute)
    for attribute in candidates:
        name = text_in_default_language(values, attribute, settings.LANGUAGE_CODE)
        if name:
            return name
    return ""


def import_product_models(run: AkeneoImport) -> None:
    """Top models, then their sub-models (each after its parent, whatever the file's order).

    A model's axes are those of its level in its family variant. Its values are not kept:
    Akeneo writes them again on each of its products, which keep them.
    """
    layout = layouts.PRODUCT_MODELS
    columns = _columns_of(run, layout)
    seen: dict[str, int] = {}
    for is_top in (True, False):
        # The second pass reads the file again: what is wrong with its lines is reported once.
        records = run.records(
            layout, "product models", known=_known(layout, columns), quiet=not is_top
        )
        for record in records:
            if bool(record.values.get("parent", "").strip()) == is_top:
                continue
            fields = Fields(record)
            row = _model_row(run, fields, columns, seen)
            if fields.problems:
                run.reject("product models", fields.problems)
                continue
            run.save_row("product models", record, lambda row=row: _write_model(run, row))


@dataclass(frozen=True)
class ModelRow:
    code: str
    name: str
    family: ProductFamily
    axes: list[Attribute]
    parent: ProductModel | None


def _model_row(
    run: AkeneoImport,
    fields: Fields,
    columns: ValueColumns,
    seen: dict[str, int],
) -> ModelRow:
    code = fields.text("code", required=True, max_length=100)
    variant_code = fields.text("family_variant", required=True)
    parent_code = fields.text("parent")
    fields.unique(seen, code.lower(), "code", f"product model {code}")
    family_variant = run.family_variants.get(variant_code.lower())
    if variant_code and family_variant is None:
        fields.error(
            "family_variant",
            f"no family variant '{variant_code}' imported from "
            f"{layouts.FAMILY_VARIANTS.file_name}",
        )
    parent = run.product_models.get(parent_code.lower()) if parent_code else None
    if parent_code and parent is None:
        fields.error(
            "parent", f"no product model '{parent_code}' imported from the top models of the file"
        )
    axes: list[Attribute] = []
    if family_variant is not None:
        axes = family_variant.axes[1 if parent_code else 0]
        if parent_code and not axes:
            fields.error(
                "parent",
                f"the family variant {family_variant.code} has one level of axes: its models "
                "have no parent",
            )
    family = family_variant.family if family_variant else None
    values = read_values(run, fields, _name_columns(run, columns, family))
    return ModelRow(
        code=code,
        name=_name(run, family, values) or code,
        family=family,  # type: ignore[arg-type]  # None only with an error noted
        axes=axes,
        parent=parent,
    )


def _name_columns(
    run: AkeneoImport, columns: ValueColumns, family: ProductFamily | None
) -> ValueColumns:
    """The columns a model's name comes from: a model's other values are not kept."""
    wanted = {layouts.NAME_ATTRIBUTE}
    if family is not None and family.label_attribute is not None:
        wanted.add(family.label_attribute.code.lower())
    return ValueColumns(
        values=[column for column in columns.values if column.attribute.code.lower() in wanted]
    )


def _write_model(run: AkeneoImport, row: ModelRow) -> Outcomes:
    model, status = upsert_product_model(
        code=row.code, name=row.name, family=row.family, axes=row.axes, parent=row.parent
    )
    run.product_models[row.code.lower()] = model
    return [("product models", status)]


def import_products(run: AkeneoImport) -> None:
    """Products, with their family, model, category, values and prices."""
    layout = dataclasses.replace(
        layouts.PRODUCTS,
        columns=(run.identifier, *layouts.PRODUCTS.columns),
        required=frozenset({run.identifier}),
    )
    columns = _columns_of(run, layout)
    _price_lists(run, columns)
    run.unit = (
        Unit.objects.filter(code__iexact=layouts.UNIT).first() or upsert_unit(code=layouts.UNIT)[0]
    )
    linked, first_lines = 0, []
    for record, row in ProductRows(run, layout, columns):
        if row.has_links:
            linked += 1
            first_lines = [*first_lines, record.line][:10]
        run.save_row("products", record, lambda row=row: _write_product(run, row))
    if linked:
        lines = ", ".join(str(line) for line in first_lines) + (", ..." if linked > 10 else "")
        run.report.warn(
            Problem(
                file=layout.file_name,
                line=None,
                message=f"the groups and associations of {linked} products (lines {lines}) are "
                "not imported: Comptoir has no equivalent",
            )
        )
    schedule_product_rebuild(run.changed_products)


def _price_lists(run: AkeneoImport, columns: ValueColumns) -> None:
    """One price list per price attribute and currency of the file's columns."""
    for column in columns.prices:
        key = (column.attribute.code, column.currency)
        if key in run.price_lists:
            continue
        name = layouts.PRICE_LIST_NAME.format(attribute=key[0], currency=key[1])
        price_list, status = upsert_price_list(name=name, currency=column.currency)
        run.report.count("price lists", status)
        run.price_lists[key] = price_list
        if not PriceListAssignment.objects.filter(price_list=price_list).exists():
            run.report.warn(
                Problem(
                    file=layouts.PRODUCTS.file_name,
                    line=1,
                    column=column.name,
                    message=f"the prices go to the price list '{name}', assigned to no one yet: "
                    "assign it to the website, customer groups or companies for buyers to see "
                    "them",
                )
            )


@dataclass(frozen=True)
class ProductRow:
    sku: str
    is_enabled: bool
    family: ProductFamily | None
    product_model: ProductModel | None
    category: Category | None
    values: list[AttributeValue]
    prices: dict[tuple[str, str], Decimal]
    name: str
    description: str
    has_links: bool


class ProductRows:
    """The valid rows of products.csv; the others are reported."""

    def __init__(self, run: AkeneoImport, layout: layouts.AkeneoFile, columns: ValueColumns):
        self.run = run
        self.layout = layout
        self.columns = columns
        self.skus: dict[str, tuple[int, str]] = {}

    def __iter__(self) -> Iterator[tuple[Record, ProductRow]]:
        records = self.run.records(
            self.layout, "products", known=_known(self.layout, self.columns)
        )
        for record in records:
            fields = Fields(record)
            row = self._read(fields)
            if fields.problems:
                self.run.reject("products", fields.problems)
                continue
            if not row.name:
                self.run.warn(
                    record,
                    f"has no name; the product is named by its SKU '{row.sku}'",
                    column=self.run.identifier,
                )
                row = dataclasses.replace(row, name=row.sku)
            yield record, row

    def _read(self, fields: Fields) -> ProductRow:
        run = self.run
        sku = fields.text(run.identifier, required=True, max_length=64)
        if sku:
            first = self.skus.get(normalize_sku(sku))
            if first is not None:
                fields.error(run.identifier, f"duplicates SKU '{first[1]}' on line {first[0]}")
            else:
                self.skus[normalize_sku(sku)] = (fields.record.line, sku)
        family = self._family(fields)
        product_model = self._product_model(fields, family)
        if family is None and product_model is not None:
            family = product_model.family
        values = read_values(run, fields, self.columns)
        name = _name(run, family, values)
        if len(name) > NAME_MAX_LENGTH:
            fields.error(
                None, f"the name is {len(name)} characters long; at most {NAME_MAX_LENGTH} fit"
            )
        description = run.attributes.get(layouts.DESCRIPTION_ATTRIBUTE)
        return ProductRow(
            sku=sku,
            is_enabled=fields.boolean("enabled", default=True),
            family=family,
            product_model=product_model,
            category=self._category(fields),
            values=values,
            prices=read_prices(fields, self.columns),
            name=name,
            description=(
                text_in_default_language(values, description.attribute, settings.LANGUAGE_CODE)
                if description is not None and description.attribute is not None
                else ""
            ),
            has_links=any(
                fields.raw(column).strip() for column in ("groups", *self.columns.associations)
            ),
        )

    def _family(self, fields: Fields) -> ProductFamily | None:
        code = fields.text("family")
        family = self.run.families.get(code.lower()) if code else None
        if code and family is None:
            fields.error(
                "family", f"no family '{code}' imported from {layouts.FAMILIES.file_name}"
            )
        return family

    def _product_model(self, fields: Fields, family: ProductFamily | None) -> ProductModel | None:
        code = fields.text("parent")
        if not code:
            return None
        product_model = self.run.product_models.get(code.lower())
        if product_model is None:
            fields.error(
                "parent",
                f"no product model '{code}' imported from {layouts.PRODUCT_MODELS.file_name}",
            )
        elif family is not None and product_model.family_id != family.pk:
            fields.error(
                "family",
                f"'{family.code}' is not the family of its product model {product_model.code} "
                f"({product_model.family.code})",
            )
        return product_model

    def _category(self, fields: Fields) -> Category | None:
        """The product's category in the channel's tree: the deepest of those it names."""
        found: list[Category] = []
        for code in split_codes(fields.text("categories")):
            category = self.run.categories.get(code.lower())
            if category is not None:
                found.append(category)
            elif code.lower() not in self.run.category_codes:
                fields.error(
                    "categories", f"no category '{code}' in {layouts.CATEGORIES.file_name}"
                )
        if not found:
            return None
        chosen = max(found, key=lambda category: len(category.ancestors()))
        if len(found) > 1:
            self.run.warn(
                fields.record,
                f"is in {len(found)} categories of the tree "
                f"({', '.join(category.slug for category in found)}); a product is in one "
                f"category: it goes in '{chosen.slug}'",
                column="categories",
            )
        return chosen


def _write_product(run: AkeneoImport, row: ProductRow) -> Outcomes:
    existing = (
        Product.objects.filter(sku__iexact=normalize_sku(row.sku))
        .select_related("brand")
        .prefetch_related("units__unit")
        .first()
    )
    primary = existing.primary_unit if existing is not None else None
    unit = primary.unit if primary is not None else run.unit
    kept = {}
    if existing is not None:
        # What Akeneo does not describe stays as it was.
        kept = {
            "information": existing.information,
            "specifications": existing.specifications,
            "brand": existing.brand,
            "is_featured": existing.is_featured,
            "is_new_arrival": existing.is_new_arrival,
        }
    product, status = upsert_product(
        sku=row.sku,
        name=row.name,
        unit=unit,
        precision=primary.precision if primary is not None else None,
        description=row.description,
        category=row.category,
        is_enabled=row.is_enabled,
        rebuild=False,
        **kept,
    )
    family_status = set_product_family(
        product=product, family=row.family, product_model=row.product_model
    )
    if status == UNCHANGED and family_status != UNCHANGED:
        status = UPDATED
    outcomes: Outcomes = [("products", status)]
    outcomes.extend(
        ("attribute values", value_status)
        for value_status in set_product_attribute_values(
            product=product, values=row.values, replace=True
        )
    )
    for (attribute_code, currency), amount in row.prices.items():
        prices = upsert_tier_prices(
            price_list=run.price_lists[(attribute_code, currency)],
            product=product,
            unit=unit,
            tiers={Decimal(1): amount},
            rebuild=False,
        )
        outcomes.extend(("prices", price_status) for _, price_status in prices)
    if any(outcome != UNCHANGED for _, outcome in outcomes):
        run.changed_products.append(product.pk)
    return outcomes
