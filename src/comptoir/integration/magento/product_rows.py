"""A row of a Magento products file, read: a default row (no store_view_code) describes a
product, a store view row overrides some of its values for one store view.

Every value the import cannot take is noted, with its column, on the row's ``Fields``; the
Magento notation of composite columns is read here: category paths separated by commas, names
by /; attributes as code=value pairs separated by commas, a multiselect's values by |; the
variations of a configurable product separated by |.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from comptoir.catalog.models import normalize_sku
from comptoir.integration.csvfiles import Fields
from comptoir.integration.magento import layouts
from comptoir.integration.magento.run import MagentoImport
from comptoir.integration.oro.catalog import html_to_text

_CODE = re.compile(r"[A-Za-z0-9_]+")
WEIGHT_EXPONENT = Decimal("0.0001")


@dataclass(frozen=True)
class Variation:
    """A product of a configurable product, and its values of the attributes they vary by."""

    sku: str
    axes: dict[str, str]


@dataclass
class ProductRow:
    sku: str
    line: int
    store_view: str
    product_type: str
    attribute_set: str
    # Category paths without the root category: ("Gear", "Bags").
    categories: list[tuple[str, ...]]
    name: str
    # As the file has them: HTML, read as text when a step needs them (``description``).
    description_html: str
    short_description_html: str
    weight_kg: Decimal | None
    online: bool | None
    tax_class: str
    price: Decimal | None
    special_price: Decimal | None
    has_special_dates: bool
    qty: Decimal | None
    in_stock: bool
    # Attribute code (lower case) -> its values: several for a multiselect.
    attributes: dict[str, list[str]]
    variations: list[Variation]
    variation_labels: dict[str, str]
    # A store view row: the columns it overrides that Comptoir keeps once for every store.
    scoped: list[str] = field(default_factory=list)

    @cached_property
    def key(self) -> str:
        return normalize_sku(self.sku)

    @property
    def is_default(self) -> bool:
        return not self.store_view

    @cached_property
    def description(self) -> str:
        return html_to_text(self.description_html)

    @cached_property
    def short_description(self) -> str:
        return html_to_text(self.short_description_html)

    @property
    def category(self) -> tuple[str, ...] | None:
        """The category the product goes in: the deepest the row names, the first of those."""
        return max(self.categories, key=len, default=None)


def read_row(fields: Fields, run: MagentoImport) -> ProductRow:
    """The row of ``fields``; every value it cannot take is noted on ``fields``."""
    sku = fields.text("sku", required=True, max_length=64)
    store_view = fields.text("store_view_code")
    row = ProductRow(
        sku=sku,
        line=fields.record.line,
        store_view=store_view,
        product_type=fields.text("product_type").lower(),
        attribute_set=" ".join(fields.text("attribute_set_code").split()),
        categories=[],
        name=fields.text("name"),
        description_html=fields.text("description"),
        short_description_html=fields.text("short_description"),
        weight_kg=None,
        online=None,
        tax_class=fields.text("tax_class_name"),
        price=None,
        special_price=None,
        has_special_dates=False,
        qty=None,
        in_stock=True,
        attributes={},
        variations=[],
        variation_labels={},
    )
    if store_view:
        row.scoped = [column for column in layouts.SCOPED if fields.raw(column).strip()]
        return row

    if row.product_type not in layouts.PRODUCT_TYPES:
        fields.error(
            "product_type",
            f"'{fields.raw('product_type').strip()}' is not a product type; Magento's are "
            f"{', '.join(layouts.PRODUCT_TYPES)}",
        )
    online = fields.text("product_online")
    if online:
        row.online = layouts.ONLINE.get(online)
        if row.online is None:
            fields.error("product_online", f"'{online}' is not 1 (enabled) or 2 (disabled)")
    weight = fields.decimal("weight", max_decimals=4, max_digits=12)
    if weight is not None:
        factor = layouts.WEIGHT_UNITS[run.weight_unit]
        row.weight_kg = (weight * factor).quantize(WEIGHT_EXPONENT, rounding=ROUND_HALF_UP)
    row.price = fields.decimal("price", max_decimals=4, max_digits=19)
    row.special_price = fields.decimal("special_price", max_decimals=4, max_digits=19)
    row.has_special_dates = any(
        fields.text(column) for column in ("special_price_from_date", "special_price_to_date")
    )
    row.qty = fields.decimal("qty", negative=True, max_decimals=3, max_digits=14)
    row.in_stock = fields.boolean("is_in_stock", default=True)
    row.categories = _category_paths(fields)
    row.attributes = {
        code: value.split(layouts.MULTI_VALUE_SEPARATOR)
        for code, value in _pairs(
            fields, "additional_attributes", fields.raw("additional_attributes")
        )
    }
    row.variation_labels = dict(
        _pairs(
            fields, "configurable_variation_labels", fields.raw("configurable_variation_labels")
        )
    )
    if row.product_type == layouts.CONFIGURABLE:
        row.variations = _variations(fields)
    return row


def _category_paths(fields: Fields) -> list[tuple[str, ...]]:
    """The paths of the categories column, each without its root category."""
    paths = []
    for written in fields.raw("categories").split(","):
        if not written.strip():
            continue
        names = tuple(" ".join(name.split()) for name in written.split(layouts.CATEGORY_SEPARATOR))
        if not all(names):
            fields.error(
                "categories",
                f"'{written.strip()}' has an empty category name; write each path from the root "
                "category, names separated by /, as Default Category/Gear/Bags",
            )
        elif len(names) > 1 and names[1:] not in paths:
            paths.append(names[1:])
    return paths


def _pairs(fields: Fields, column: str, text: str) -> list[tuple[str, str]]:
    """The code=value pairs of ``text``, separated by commas, as Magento reads them: a piece
    without "=" belongs to the value before it (a value holding a comma)."""
    pairs: list[list[str]] = []
    for piece in text.split(","):
        if "=" not in piece:
            if pairs:
                pairs[-1][1] += f",{piece}"
            elif piece.strip():
                fields.error(
                    column,
                    f"'{piece.strip()}' is not code=value; write pairs separated by commas, as "
                    "color=Red,size=M",
                )
            continue
        code, _, value = piece.partition("=")
        code = code.strip().lower()
        if not _CODE.fullmatch(code):
            fields.error(
                column,
                f"'{code}' is not an attribute code; write letters, digits and underscores",
            )
        pairs.append([code, value])
    return [(code, value.strip()) for code, value in pairs]


def _variations(fields: Fields) -> list[Variation]:
    column = "configurable_variations"
    variations: list[Variation] = []
    keys: set[str] = set()
    for written in fields.raw(column).split(layouts.MULTI_VALUE_SEPARATOR):
        if not written.strip():
            continue
        axes = dict(_pairs(fields, column, written))
        sku = axes.pop("sku", "")
        if not sku:
            fields.error(
                column,
                f"'{written.strip()}' names no SKU; write each variation as "
                "sku=SKU,attribute=value, variations separated by |",
            )
            continue
        empty = [code for code, value in axes.items() if not value]
        if not axes or empty:
            fields.error(
                column,
                f"the variation {sku} gives no value of "
                f"{', '.join(empty) if empty else 'the attributes it differs by'}",
            )
            continue
        if variations and set(axes) != set(variations[0].axes):
            fields.error(
                column,
                f"the variation {sku} differs by {', '.join(axes)} but {variations[0].sku} by "
                f"{', '.join(variations[0].axes)}: the variations of a product differ by the "
                "same attributes",
            )
            continue
        if normalize_sku(sku) in keys:
            fields.error(column, f"names the variation {sku} twice")
            continue
        keys.add(normalize_sku(sku))
        variations.append(Variation(sku=sku, axes=axes))
    if not variations:
        fields.error(column, "is empty; a configurable product names its variations")
    return variations
