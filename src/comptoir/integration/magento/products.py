"""What a first reading of a Magento products file finds: the category tree, the attributes
and their values, the attribute sets, and which products are variants of which configurable
product; and the later readings of its rows, a part at a time.

The first reading reports every row that cannot be imported, with every problem it has; the
later ones leave those rows out, and the rows a step refused. What the readings keep of each
row (the configurable product of each variant, the SKUs that are not products) is kept in the
database, a part at a time (``ProductKeys``), so that a run's memory stays the same whatever
the size of the file.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from comptoir.catalog.models import normalize_sku
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.magento import layouts
from comptoir.integration.magento.product_rows import ProductRow, read_row
from comptoir.integration.magento.run import KeptRows, Lines, MagentoImport, parts

# Records of the products file read before what they hold is looked up and written.
PART_SIZE = 2000


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


class ProductKeys:
    """What the readings of a products file keep by SKU key, in temporary tables of the
    database: the configurable product of each variant, and the SKUs of configurable, bundle
    and grouped products, which are not products."""

    def __init__(self) -> None:
        self.parents = KeptRows(
            "parents", ("sku", "line", "category", "description", "short_description")
        )
        self.not_products = KeptRows("not_products", ("product_type",))

    def __enter__(self) -> "ProductKeys":
        self.parents.start()
        self.not_products.start()
        return self

    def __exit__(self, *exc) -> None:
        self.parents.drop()
        self.not_products.drop()

    def parents_of(self, keys: Iterable[str]) -> dict[str, Parent]:
        return {
            key: Parent(
                sku=sku,
                line=int(line),
                category=tuple(category.split(layouts.CATEGORY_SEPARATOR)) if category else None,
                description=description,
                short_description=short_description,
            )
            for key, (sku, line, category, description, short_description) in (
                self.parents.get(set(keys)).items()
            )
        }

    def keep_parents(self, parents: dict[str, Parent]) -> None:
        self.parents.put(
            {
                key: (
                    parent.sku,
                    str(parent.line),
                    layouts.CATEGORY_SEPARATOR.join(parent.category or ()),
                    parent.description,
                    parent.short_description,
                )
                for key, parent in parents.items()
            }
        )

    def not_products_among(self, keys: Iterable[str]) -> set[str]:
        return set(self.not_products.get(set(keys)))

    def keep_not_products(self, types: dict[str, str]) -> None:
        self.not_products.put({key: (product_type,) for key, product_type in types.items()})


@dataclass
class CatalogPlan:
    """What a first reading of a products file found."""

    file_name: str
    keys: ProductKeys
    # Each category path by the line that first names it, parents before children.
    categories: dict[tuple[str, ...], int] = field(default_factory=dict)
    attributes: dict[str, AttributePlan] = field(default_factory=dict)
    families: dict[str, FamilyPlan] = field(default_factory=dict)
    # For the part being read: the configurable product of each variant its rows name, and
    # the keys of the SKUs of configurable, bundle and grouped products (not products) it or
    # the parts before it have; with, apart, those of this part, to keep.
    parents: dict[str, Parent] = field(default_factory=dict)
    not_products: set[str] = field(default_factory=set)
    new_parents: dict[str, Parent] = field(default_factory=dict)
    new_not_products: dict[str, str] = field(default_factory=dict)
    # The first store view row that is imported (its line), if any.
    translations_line: int | None = None
    has_configurables: bool = False
    has_prices: bool = False
    has_special_prices: bool = False
    # The keys of the SKUs whose default row was refused: their store view rows are left out.
    refused: set[str] = field(default_factory=set)
    several_categories: Lines = field(default_factory=Lines)
    left_out: dict[str, Lines] = field(default_factory=dict)
    unknown_store_views: dict[str, Lines] = field(default_factory=dict)
    unmapped_tax_classes: dict[str, Lines] = field(default_factory=dict)
    special_dates: Lines = field(default_factory=Lines)
    scoped: dict[str, Lines] = field(default_factory=dict)

    def look_up(self, rows: list[ProductRow]) -> None:
        """Load what earlier parts kept of the SKUs a part's ``rows`` name."""
        self.parents = self.keys.parents_of(
            normalize_sku(variation.sku)
            for row in rows
            if row.is_default
            for variation in row.variations
        )
        self.not_products = set()
        if self.translations_line is None:
            self.not_products = self.keys.not_products_among(
                row.key for row in rows if not row.is_default
            )

    def keep(self) -> None:
        """Keep what the part read, and forget it."""
        self.keys.keep_parents(self.new_parents)
        self.keys.keep_not_products(self.new_not_products)
        self.parents, self.not_products = {}, set()
        self.new_parents, self.new_not_products = {}, {}

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
            self._not_a_product(row)
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
            self.has_configurables = True
            self._not_a_product(row)
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

    def _not_a_product(self, row: ProductRow) -> None:
        self.not_products.add(row.key)
        self.new_not_products[row.key] = row.product_type

    def _add_variations(self, row: ProductRow, family: FamilyPlan | None) -> None:
        parent = Parent(
            sku=row.sku,
            line=row.line,
            category=row.category,
            description=row.description,
            short_description=row.short_description,
        )
        for variation in row.variations:
            self.parents[normalize_sku(variation.sku)] = parent
            self.new_parents[normalize_sku(variation.sku)] = parent
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


def scan_products(run: MagentoImport, path: Path, keys: ProductKeys) -> CatalogPlan:
    """Read the products file at ``path`` once, a part at a time, reporting every row that
    cannot be imported; what it keeps by SKU goes to ``keys``."""
    plan = CatalogPlan(file_name=path.name, keys=keys)
    for records in parts(run.records(path, layouts.PRODUCTS, quiet=False), PART_SIZE):
        read = [(fields, read_row(fields, run)) for fields in map(Fields, records)]
        plan.look_up([row for _, row in read])
        for fields, row in read:
            if not row.is_default and row.store_view.lower() not in run.languages:
                plan.unknown_store_views.setdefault(row.store_view, Lines()).add(row.line)
                continue
            plan.check(row, fields)
            if fields.problems:
                run.refuse(layouts.PRODUCTS.entity, fields.problems)
                continue
            plan.add(row, run)
        plan.keep()
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


@dataclass
class Part:
    """A part of the products file read again: its default rows that the first reading took,
    and its store view rows of a language; the configurable product of each of its variants;
    and which of the SKUs of its store view rows are not products."""

    rows: list[tuple[Record, ProductRow]]
    parents: dict[str, Parent]
    not_products: set[str]


def product_parts(run: MagentoImport, path: Path, plan: CatalogPlan) -> Iterator[Part]:
    """The products file read again, quietly, a part at a time."""
    for records in parts(run.records(path, layouts.PRODUCTS, quiet=True), PART_SIZE):
        rows = []
        for record in records:
            row = read_row(Fields(record), run)
            if run.is_refused(record):
                if row.is_default:
                    plan.refused.add(row.key)
            elif row.is_default or row.store_view.lower() in run.languages:
                rows.append((record, row))
        yield Part(
            rows=rows,
            parents=plan.keys.parents_of(
                row.key
                for _, row in rows
                if row.is_default and row.product_type in layouts.SOLD_TYPES
            ),
            not_products=plan.keys.not_products_among(
                row.key for _, row in rows if not row.is_default
            ),
        )


def sold_rows(run: MagentoImport, part: Part) -> Iterator[tuple[Record, ProductRow]]:
    """The default rows of simple, virtual and downloadable products of ``part`` that no step
    refused so far."""
    for record, row in part.rows:
        if (
            row.is_default
            and row.product_type in layouts.SOLD_TYPES
            and not run.is_refused(record)
        ):
            yield record, row


def translated_rows(
    run: MagentoImport, plan: CatalogPlan, part: Part
) -> Iterator[tuple[Record, ProductRow]]:
    """The store view rows of ``part`` of products whose default row no step refused."""
    for record, row in part.rows:
        if row.is_default:
            if run.is_refused(record):
                plan.refused.add(row.key)
        elif row.key not in plan.refused and row.key not in part.not_products:
            yield record, row


def configurable_rows(run: MagentoImport, path: Path) -> Iterator[tuple[Record, ProductRow]]:
    """The default rows of configurable products no step refused, read again quietly."""
    for record in run.records(path, layouts.PRODUCTS, quiet=True):
        values = record.values
        if (
            values.get("store_view_code", "").strip()
            or values.get("product_type", "").strip().lower() != layouts.CONFIGURABLE
            or run.is_refused(record)
        ):
            continue
        yield record, read_row(Fields(record), run)
