"""What benchmarks stand on: their database, synthetic catalogs, and a fast bulk loader.

The loader is not the import (that is measured on its own): it writes a generated catalog
straight into the tables with COPY, so that a benchmark starts from a million prices in
seconds rather than measuring how they got there.
"""

import csv
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/comptoir_bench"
# Each generated product has 2.2 prices on average (a base price and tiers at 10 and 100).
PRICES_PER_PRODUCT = 2.2


def use_bench_database() -> None:
    """Point the settings at the benchmark database, creating it when it does not exist."""
    url = os.environ.get("COMPTOIR_BENCH_DATABASE_URL", DEFAULT_DATABASE)
    os.environ["DATABASE_URL"] = url
    if not url.startswith("postgres"):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def catalog_script() -> Path:
    configured = os.environ.get("COMPTOIR_BENCH_CATALOG_SCRIPT")
    script = (
        Path(configured) if configured else Path("..") / "shared" / "bench" / "make_catalog.py"
    )
    if not script.is_file():
        raise SystemExit(
            f"The catalog generator is not at {script}: set COMPTOIR_BENCH_CATALOG_SCRIPT to "
            "the path of make_catalog.py"
        )
    return script


def catalog(products: int) -> Path:
    """The directory of a generated catalog of ``products`` products, made once and kept."""
    from django.conf import settings

    directory = Path(settings.VAR_DIR) / "bench" / f"catalog-{products}"
    if not (directory / "PricingBundle__prices.csv").is_file():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(catalog_script()), str(directory), "--products", str(products)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(
            f"  catalog of {products:,} products written in {time.perf_counter() - started:.1f} s"
        )
    return directory


def reset_database() -> None:
    """Migrate, then empty every table of the catalog, prices and orders."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    tables = [
        table
        for table in connection.introspection.table_names()
        if table.split("_")[0] in ("catalog", "pricing", "ordering", "promotions", "taxes")
        or table.startswith("accounts_company")
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        else:
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def copy_rows(table: str, columns: Iterable[str], rows: Iterable[tuple]) -> int:
    """Write ``rows`` into ``table`` (COPY on PostgreSQL, batched INSERTs elsewhere)."""
    from django.db import connection

    columns = list(columns)
    names = ", ".join(f'"{column}"' for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        batch = []
        for row in rows:
            batch.append(tuple(str(v) if isinstance(v, Decimal) else v for v in row))
            count += 1
            if len(batch) == 10_000:
                cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch)
                batch = []
        if batch:
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch)
    return count


def _defaults(model, given: dict[str, object]) -> tuple[list[str], list[object]]:
    """The columns of ``model`` to write: those ``given``, and every other with its default."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.attname in given:
            values.append(given[field.attname])
        elif field.null:
            values.append(None)
        else:
            values.append(field.get_default())
    return columns, values


def load_catalog(directory: Path) -> dict[str, int]:
    """Units, categories, products with their primary unit, and the Default price list."""
    from django.db import transaction
    from django.utils import timezone

    from comptoir.catalog.models import Category, Product, ProductUnit, Unit
    from comptoir.pricing.models import Price, PriceList

    now = timezone.now()
    with transaction.atomic():
        units = {}
        for code, precision in (("item", 0), ("set", 0), ("piece", 0), ("kg", 3), ("m", 2)):
            units[code] = Unit.objects.create(code=code, label=code, default_precision=precision)
        categories: dict[str, int] = {}
        product_rows = []
        for row in _rows(directory / "ProductBundle__products.csv"):
            if row["category"] not in categories:
                categories[row["category"]] = Category.objects.create(name=row["category"]).pk
            product_rows.append(row)
        given_columns, _ = _defaults(Product, {})

        def products() -> Iterator[tuple]:
            for row in product_rows:
                _, values = _defaults(
                    Product,
                    {
                        "sku": row["sku"],
                        "name": row["name"],
                        "description": row["description"],
                        "is_enabled": True,
                        "is_featured": row["featured"] == "1",
                        "category_id": categories[row["category"]],
                        "weight_kg": Decimal(row["price"]) / 10,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
                yield tuple(values)

        copy_rows(Product._meta.db_table, given_columns, products())
        ids = dict(Product.objects.values_list("sku", "pk"))
        unit_columns, _ = _defaults(ProductUnit, {})

        def product_units() -> Iterator[tuple]:
            for row in product_rows:
                _, values = _defaults(
                    ProductUnit,
                    {
                        "product_id": ids[row["sku"]],
                        "unit_id": units[row["unit"]].pk,
                        "precision": int(row["precision"]),
                        "conversion_rate": Decimal(1),
                        "is_primary": True,
                        "is_sellable": True,
                    },
                )
                yield tuple(values)

        copy_rows(ProductUnit._meta.db_table, unit_columns, product_units())
        default = PriceList.objects.create(name="Default", currency="USD")
        price_columns = ("price_list_id", "product_id", "unit_id", "quantity", "value", "source")
        prices = copy_rows(
            Price._meta.db_table,
            price_columns,
            (
                (
                    default.pk,
                    ids[row["Product SKU"]],
                    units[row["Unit Code"]].pk,
                    Decimal(row["Quantity"]),
                    Decimal(row["Price"]),
                    "manual",
                )
                for row in _rows(directory / "PricingBundle__prices.csv")
            ),
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"products": len(ids), "prices": prices}
