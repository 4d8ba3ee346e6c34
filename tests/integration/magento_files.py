"""A Magento 2 products export of any size, written as System > Export writes it, for the
tests and benchmarks of the Magento import.

Its products come in groups of eight simple products (two colours, four sizes) followed by
their configurable product and its French store view row, as Magento writes a configurable
product after its variations; every seventh group has special prices. Run as a script it
writes a directory: ``python -m tests.integration.magento_files 20000 DIR``.
"""

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

PRODUCTS_FILE = "catalog_product_20250131_101500.csv"
# The columns of a products file, in Magento's order.
PRODUCT_HEADER = (
    "sku,store_view_code,attribute_set_code,product_type,categories,product_websites,name,"
    "description,short_description,weight,product_online,tax_class_name,visibility,price,"
    "special_price,special_price_from_date,special_price_to_date,url_key,meta_title,base_image,"
    "created_at,updated_at,qty,is_in_stock,additional_attributes,configurable_variations,"
    "configurable_variation_labels"
)
COLORS = ("Black", "Blue")
SIZES = ("XS", "S", "M", "L")


def product_rows(count: int, *, first: int = 1, varied: bool = True) -> Iterator[dict[str, str]]:
    """The rows of an export of ``count`` simple products and their configurable products,
    the groups numbered from ``first``. Groups are in one of 200 categories, 10 attribute sets
    and 50 brands, or, not ``varied``, all in the same."""
    written = 0
    group = first - 1
    while written < count:
        group += 1
        sku = f"P{group:06d}"
        kind = group if varied else 0
        attribute_set = f"Set {kind % 10}"
        variations = []
        for color in COLORS:
            for size in SIZES:
                if written == count:
                    break
                written += 1
                variant = f"{sku}-{color}-{size}"
                variations.append(f"sku={variant},color={color},size={size}")
                yield {
                    "sku": variant,
                    "attribute_set_code": attribute_set,
                    "product_type": "simple",
                    "product_websites": "base",
                    "name": f"Product {group} {color} {size}",
                    "description": f"<p>Product <b>{group}</b> in {color}.</p>",
                    "weight": "1.5",
                    "product_online": "1",
                    "tax_class_name": "Taxable Goods",
                    "visibility": "Not Visible Individually",
                    "price": f"{10 + group % 90}.500000",
                    "special_price": "9.000000" if group % 7 == 0 else "",
                    "url_key": variant.lower(),
                    "qty": "100.0000",
                    "is_in_stock": "1",
                    "additional_attributes": f"color={color},material=Cotton|Polyester,"
                    f"size={size},brand=Brand {kind % 50}",
                }
        yield {
            "sku": sku,
            "attribute_set_code": attribute_set,
            "product_type": "configurable",
            "categories": f"Default Category/Department {kind % 20}/Aisle {kind % 200}",
            "product_websites": "base",
            "name": f"Model {group}",
            "description": f"<p>Model {group}</p>",
            "short_description": "<p>Short</p>",
            "product_online": "1",
            "tax_class_name": "Taxable Goods",
            "visibility": "Catalog, Search",
            "qty": "0",
            "is_in_stock": "1",
            "configurable_variations": "|".join(variations),
            "configurable_variation_labels": "color=Colour,size=Size",
        }
        yield {
            "sku": sku,
            "store_view_code": "french",
            "attribute_set_code": attribute_set,
            "product_type": "configurable",
            "name": f"Modèle {group}",
        }


def write_products_export(directory: Path, count: int, **options) -> Path:
    """A products file of ``count`` simple products in ``directory`` (``options``: those of
    ``product_rows``); returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PRODUCTS_FILE
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=PRODUCT_HEADER.split(","), restval="")
        writer.writeheader()
        writer.writerows(product_rows(count, **options))
    return path


if __name__ == "__main__":
    write_products_export(Path(sys.argv[2]), int(sys.argv[1]))
