"""What a first reading of a Magento products file finds: the category tree, the attributes
and their values, the attribute sets, and which products are variants of which configurable
product; and the later readings of its rows.

The first reading reports every row that cannot be imported, with every problem it has; the
later ones leave those rows out, and the rows a step refused.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from comptoir.catalog.models import normalize_sku
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.magento import layouts
from comptoir.integration.magento.product_rows import ProductRow, read_row
from comptoir.integration.magento.run import Lines, MagentoImport


@dataclass
class AttributePlan:
    """An attribute the file uses: where it is first met, and what its values say of it."""

    code: str
    name: str
    line: int
    column: str
    # Configurable products vary by it: a select.
    is_axis: bool = False
    # A value holds several: a multiselect.
    is_multiple: bool = False
    # Its values by lower-case text, in the order met; up to ``layouts.MAX_OPTIONS``.
    labels: dict[str, str] = field(default_factory=dict)
    overflow: bool = False

    def add(self, label: str) -> None:
        if not label or label.lower() in self.labels:
            return
        if len(self.labels) >= layouts.MAX_OPTIONS:
            self.overflow = True
        else:
            self.labels[label.lower()] = label


@dataclass
class FamilyPlan:
    """An attribute set: the first row of it, and the attributes its products use."""

    name: str
    line: int
    attributes: dict[str, None] = field(default_factory=dict)


@dataclass(frozen=True)
class Parent:
    """The configurable product a variant belongs to, with what the variant takes from it."""

    sku: str
    line: int
    category: tuple[str, ...] | None
    description: str
    short_description: str


@dataclass
class CatalogPlan:
    """What a first reading of a products file found."""

    file_name: str
    # Each category path by the line that first names it, parents before children.
    categories: dict[tuple[str, ...], int] = field(default_factory=dict)
    attributes: dict[str, AttributePlan] = field(default_factory=dict)
    families: dict[str, FamilyPlan] = field(default_factory=dict)
    # The key of each variant's SKU -> its configurable product.
    parents: dict[str, Parent] = field(default_factory=dict)
    # Keys of the SKUs of configurable, bundle and grouped products: not products.
    not_products: set[str] = field(default_factory=set)
    # The first store view row that is imported (its line), if any.
    translations_line: int | None = None
    has_prices: bool = False
    has_special_prices: bool = False
    several_categories: Lines = field(default_factory=Lines)
    left_out: dict[str, Lines] = field(default_factory=dict)
    unknown_store_views: dict[str, Lines] = field(default_factory=dict)
    unmapped_tax_classes: dict[str, Lines] = field(default_factory=dict)
    special_dates: Lines = field(default_factory=Lines)
    scoped: dict[str, Lines] = field(default_factory=dict)

    def check(self, row: ProductRow, fields: Fields) -> None:
        """Note what is wrong with ``row`` given the rows before it."""
        for variation in row.variations:
            parent = self.parents.get(normalize_sku(variation.sku))
            if parent is not None and normalize_sku(parent.sku) != row.key:
                fields.error(
                    "configurable_variations",
                    f"{variation.sku} is a variation of {parent.sku} (line {parent.line}) "
                    "already; a product is a variation of one configurable product",
                )

    def add(self, row: ProductRow, run: MagentoImport) -> None:
        if not row.is_default:
            if self.translations_line is None and row.key not in self.not_products:
                self.translations_line = row.line
            for column in row.scoped:
                self.scoped.setdefault(column, Lines()).add(row.line)
            return
        if row.product_type in layouts.LEFT_OUT_TYPES:
            self.left_out.setdefault(row.product_type, Lines()).add(row.line)
            self.not_products.add(row.key)
            return
        for path in row.categories:
            for depth in range(1, len(path) + 1):
                self.categories.setdefault(path[:depth], row.line)
        if len(row.categories) > 1:
            self.several_categories.add(row.line)
        family = None
        if row.attribute_set:
            family = self.families.setdefault(
                row.attribute_set.lower(), FamilyPlan(name=row.attribute_set, line=row.line)
            )
        if row.product_type == layouts.CONFIGURABLE:
            self.not_products.add(row.key)
            self._add_variations(row, family)
            return
        for code, values in row.attributes.items():
            attribute = self._attribute(code, row, "additional_attributes")
            attribute.is_multiple |= len(values) > 1
            for value in values:
                attribute.add(value.strip())
            if family is not None:
                family.attributes[code] = None
        self.has_prices |= row.price is not None
        self.has_special_prices |= row.special_price is not None
        if row.special_price is not None and row.has_special_dates:
            self.special_dates.add(row.line)
        if row.tax_class and row.tax_class.lower() not in run.tax_classes:
            self.unmapped_tax_classes.setdefault(row.tax_class, Lines()).add(row.line)

    def _add_variations(self, row: ProductRow, family: FamilyPlan | None) -> None:
        for variation in row.variations:
            self.parents[normalize_sku(variation.sku)] = Parent(
                sku=row.sku,
                line=row.line,
                category=row.category,
                description=row.description,
                short_description=row.short_description,
            )
            for code, value in variation.axes.items():
                attribute = self._attribute(code, row, "configurable_variations")
                label = row.variation_labels.get(code)
                if label and not attribute.is_axis:
                    # Named by the first configurable product that varies by it.
                    attribute.name = label
                attribute.is_axis = True
                attribute.add(value)
                if family is not None:
                    family.attributes[code] = None

    def _attribute(self, code: str, row: ProductRow, column: str) -> AttributePlan:
        attribute = self.attributes.get(code)
        if attribute is None:
            attribute = self.attributes[code] = AttributePlan(
                code=code, name=code.replace("_", " ").capitalize(), line=row.line, column=column
            )
        return attribute


def scan_products(run: MagentoImport, path: Path) -> CatalogPlan:
    """Read the products file at ``path`` once, reporting every row that cannot be imported."""
    plan = CatalogPlan(file_name=path.name)
    for record in run.records(path, layouts.PRODUCTS, quiet=False):
        fields = Fields(record)
        row = read_row(fields, run)
        if not row.is_default and row.store_view.lower() not in run.languages:
            plan.unknown_store_views.setdefault(row.store_view, Lines()).add(row.line)
            continue
        plan.check(row, fields)
        if fields.problems:
            run.refuse(layouts.PRODUCTS.entity, fields.problems)
            continue
        plan.add(row, run)
    _warn_about(run, plan)
    return plan


def _warn_about(run: MagentoImport, plan: CatalogPlan) -> None:
    """One warning for each kind of row the import takes only in part."""
    name = plan.file_name
    for store_view, lines in plan.unknown_store_views.items():
        run.warn(
            name,
            None,
            f"the store view {store_view} has no language, so its rows are not imported "
            f"({lines}); give it one with --option store_languages={store_view}:LANGUAGE",
            "store_view_code",
        )
    for column, lines in plan.scoped.items():
        run.warn(
            name,
            None,
            f"the {column} of store view rows is not imported: Comptoir keeps one for every "
            f"store ({lines})",
            column,
        )
    for product_type, lines in plan.left_out.items():
        run.warn(
            name,
            None,
            f"{product_type} products are not imported: Comptoir has none; the products they "
            f"hold are imported from their own rows ({lines})",
            "product_type",
        )
    if plan.several_categories.count:
        run.warn(
            name,
            None,
            "a product in several categories goes in the deepest its row names (the first of "
            f"those): a product is in one category in Comptoir ({plan.several_categories})",
            "categories",
        )
    for tax_class, lines in plan.unmapped_tax_classes.items():
        run.warn(
            name,
            None,
            f"the tax class '{tax_class}' has no tax code, so its products keep theirs, the "
            f"default for new ones ({lines}); give it one with --option "
            f"tax_classes='{tax_class}:CODE'",
            "tax_class_name",
        )
    if plan.special_dates.count:
        run.warn(
            name,
            None,
            f"the dates of special prices are not imported: the price list "
            f"'{layouts.SPECIAL_PRICE_LIST}' holds the prices without them ({plan.special_dates})",
            "special_price_from_date",
        )
    for attribute in plan.attributes.values():
        if attribute.overflow and (attribute.is_axis or attribute.is_multiple):
            run.warn(
                name,
                attribute.line,
                f"the attribute {attribute.code} has more than {layouts.MAX_OPTIONS} different "
                "values: those past them are not made options, and are reported where they are "
                "given",
                attribute.column,
            )


def rows(run: MagentoImport, path: Path, plan: CatalogPlan) -> Iterator[tuple[Record, ProductRow]]:
    """The rows of the file no step refused, read again quietly: default rows, and the store
    view rows of a language of products whose default row was not refused."""
    refused: set[str] = set()
    for record in run.records(path, layouts.PRODUCTS, quiet=True):
        row = read_row(Fields(record), run)
        if run.is_refused(record):
            if row.is_default:
                refused.add(row.key)
            continue
        if row.is_default or (
            row.store_view.lower() in run.languages
            and row.key not in refused
            and row.key not in plan.not_products
        ):
            yield record, row


def sold_rows(
    run: MagentoImport, path: Path, plan: CatalogPlan
) -> Iterator[tuple[Record, ProductRow]]:
    """The default rows of simple, virtual and downloadable products."""
    for record, row in rows(run, path, plan):
        if row.is_default and row.product_type in layouts.SOLD_TYPES:
            yield record, row
