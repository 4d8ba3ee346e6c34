"""Small directories in the layout of the OroCommerce demo, written by the tests themselves."""

import csv
from pathlib import Path

from comptoir.integration.oro import layouts

PRODUCT_COLUMNS = layouts.PRODUCTS.columns


def product_row(sku: str, **values: str) -> dict[str, str]:
    """A valid products row: an item at 10.00 in the 'Drills' category, ACME brand."""
    row = dict.fromkeys(PRODUCT_COLUMNS, "")
    row.update(
        sku=sku,
        name=f"Cordless drill {sku}",
        description="Drills holes.",
        category="Drills",
        price="10.00",
        unit="item",
        precision="0",
        type="simple",
        featured="0",
        new_arrival="0",
        brand_id="1",
    )
    row.update(values)
    return row


def write_csv(path: Path, columns, rows, *, bom: bool = False) -> Path:
    """Write ``rows`` (dicts, or lists of raw fields) under a header of ``columns``."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [row.get(column, "") for column in columns] if isinstance(row, dict) else row
            )
    return path


def write_oro_dir(directory: Path, products: list, *, bom: bool = False) -> Path:
    """A directory with one brand, the three demo price lists and the given product rows."""
    write_csv(directory / layouts.BRANDS.file_name, layouts.BRANDS.columns, [["ACME", "", ""]])
    write_csv(
        directory / layouts.PRICE_LISTS.file_name,
        layouts.PRICE_LISTS.columns,
        [[name, ""] for name in layouts.PRICED_LISTS],
    )
    write_csv(directory / layouts.PRODUCTS.file_name, PRODUCT_COLUMNS, products, bom=bom)
    return directory
