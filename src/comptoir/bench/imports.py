"""Imports at scale, run with the commands a seller runs.

1. PostgreSQL: the generated catalog of a million products, its products and prices files,
   imported into an emptied database with ``comptoir import oro DIR`` (after
   ``comptoir import units.csv --type units`` for the unit "m", which the OroCommerce layout
   does not define);
2. SQLite: the same with 100,000 products;
3. the 100,000-product file alone, imported by Comptoir and by django-import-export (a
   ``ModelResource`` of the same columns, row by row as its admin imports), each into a new
   SQLite database, side by side.

Each import is a process of its own: its time, its processor time and its peak memory (the
largest resident set of the process, as the operating system counts it) are those of the
whole command, start-up included.
"""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from comptoir.bench import setup

TARGETS = {"seconds": 120.0, "megabytes": 500}
PRODUCTS_FILE = "ProductBundle__products.csv"
PRICES_FILE = "PricingBundle__prices.csv"
# The units of the generated catalog that OroCommerce's own do not include.
EXTRA_UNITS = "code,label,precision\nm,metre,2\n"


@dataclass(frozen=True)
class Measure:
    seconds: float
    processor_seconds: float
    peak_megabytes: float


def run(*, products: int, sqlite_products: int) -> None:
    from django.conf import settings

    work = Path(settings.VAR_DIR) / "bench" / "imports"
    work.mkdir(parents=True, exist_ok=True)
    units = work / "units.csv"
    units.write_text(EXTRA_UNITS, encoding="utf-8")

    print(
        f"imports (PostgreSQL, a catalog of {products:,} products and its prices; the unit 'm' "
        "imported first with comptoir import units.csv --type units)"
    )
    directory = _import_directory(setup.catalog(products), work / f"postgresql-{products}")
    setup.reset_database()
    _empty_outbox()
    environment = _environment(os.environ["DATABASE_URL"])
    _command(["import", str(units), "--type", "units"], environment)
    measure = _command(["import", "oro", str(directory)], environment)
    _report_import(measure, directory, _postgresql_counts(), target=True)

    print(f"imports (SQLite, a catalog of {sqlite_products:,} products and its prices)")
    small = setup.catalog(sqlite_products)
    directory = _import_directory(small, work / f"sqlite-{sqlite_products}")
    database = _new_sqlite(work / "comptoir.sqlite3", units)
    measure = _command(["import", "oro", str(directory)], _environment(database.url))
    _report_import(measure, directory, database.counts(), target=True)

    print(
        f"imports (SQLite, the {sqlite_products:,}-product file: Comptoir, django-import-export)"
    )
    directory = _import_directory(small, work / f"products-{sqlite_products}", prices=False)
    database = _new_sqlite(work / "comptoir-products.sqlite3", units)
    ours = _command(["import", "oro", str(directory)], _environment(database.url))
    _report_import(ours, directory, database.counts(), target=False)
    database = _new_sqlite(work / "django-import-export.sqlite3", units)
    theirs = _run(
        [
            sys.executable,
            "-m",
            "comptoir.bench.imports",
            "django-import-export",
            str(directory / PRODUCTS_FILE),
        ],
        _environment(database.url),
    )
    count = database.counts()["products"]
    print(
        f"  django-import-export: {count:,} products in {theirs.seconds:.1f} s "
        f"({count / theirs.seconds:,.0f} rows per second, {theirs.processor_seconds:.1f} s of "
        f"processor), peak memory {theirs.peak_megabytes:.0f} MB"
    )
    print(
        f"  Comptoir is {theirs.seconds / ours.seconds:.1f} times as fast on the same file "
        f"({ours.seconds:.1f} s against {theirs.seconds:.1f} s) and peaks at "
        f"{ours.peak_megabytes:.0f} MB against {theirs.peak_megabytes:.0f} MB"
    )


def _import_directory(catalog: Path, directory: Path, *, prices: bool = True) -> Path:
    """A directory holding the catalog's products file (and prices file): what is imported."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in (PRODUCTS_FILE, PRICES_FILE) if prices else (PRODUCTS_FILE,):
        link = directory / name
        if not link.exists():
            link.symlink_to((catalog / name).resolve())
    return directory


def _environment(database_url: str) -> dict[str, str]:
    """The environment of a seller's command: production settings, its own database."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "COMPTOIR_DEBUG": "0",
        "COMPTOIR_SECRET_KEY": os.environ.get("COMPTOIR_SECRET_KEY", "benchmarks-only"),
    }


def _command(arguments: list[str], environment: dict[str, str]) -> Measure:
    return _run([sys.executable, "-m", "comptoir", *arguments], environment)


# Runs a command as its child and writes the child's peak memory (kB) and processor seconds
# to a file. The benchmark cannot fork the command itself: a child's peak memory starts at the
# size of the process it was forked from, and this one holds a whole benchmark.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as measured:
    measured.write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run(arguments: list[str], environment: dict[str, str]) -> Measure:
    """Run a process to its end; what it took, as the operating system measured it."""
    with tempfile.TemporaryDirectory() as scratch:
        measured = Path(scratch) / "measured"
        started = time.perf_counter()
        finished = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(measured), *arguments],
            env=environment,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        if finished.returncode:
            print((finished.stdout + finished.stderr)[-4000:])
            raise SystemExit(
                f"{' '.join(arguments[2:])} failed (exit status {finished.returncode})"
            )
        peak, processor = measured.read_text().split()
    return Measure(
        seconds=seconds, processor_seconds=float(processor), peak_megabytes=int(peak) / 1024
    )


def _report_import(
    measure: Measure, directory: Path, counts: dict[str, int], *, target: bool
) -> None:
    rows = sum(_records(path) for path in directory.iterdir() if path.suffix == ".csv")
    written = f"{counts['products']:,} products"
    if counts.get("prices"):
        written += f" and {counts['prices']:,} prices"
    line = (
        f"  comptoir import oro: {rows:,} rows in {measure.seconds:.1f} s "
        f"({rows / measure.seconds:,.0f} rows per second, {measure.processor_seconds:.1f} s of "
        f"processor), peak memory {measure.peak_megabytes:.0f} MB; {written} in the database"
    )
    if target:
        fast = measure.seconds <= TARGETS["seconds"]
        small = measure.peak_megabytes <= TARGETS["megabytes"]
        line += (
            f" (targets {TARGETS['seconds']:.0f} s: {'ok' if fast else 'OVER TARGET'}, "
            f"{TARGETS['megabytes']} MB: {'ok' if small else 'OVER TARGET'})"
        )
    print(line)


def _records(path: Path) -> int:
    """Records of a generated CSV file (one a line, after the header)."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1


def _empty_outbox() -> None:
    """Drop the events earlier runs recorded, as an emptied database has none."""
    from comptoir.core.models import Event

    Event.objects.all().delete()


def _postgresql_counts() -> dict[str, int]:
    from comptoir.catalog.models import Product
    from comptoir.pricing.models import Price

    return {"products": Product.objects.count(), "prices": Price.objects.count()}


@dataclass(frozen=True)
class _SqliteDatabase:
    path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def counts(self) -> dict[str, int]:
        with sqlite3.connect(self.path) as connection:
            return {
                "products": connection.execute("SELECT COUNT(*) FROM catalog_product").fetchone()[
                    0
                ],
                "prices": connection.execute("SELECT COUNT(*) FROM pricing_price").fetchone()[0],
            }


def _new_sqlite(path: Path, units: Path) -> _SqliteDatabase:
    """A new SQLite database, migrated, with the generated catalog's extra units."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    database = _SqliteDatabase(path)
    environment = _environment(database.url)
    _command(["migrate", "--no-input", "--verbosity", "0"], environment)
    _command(["import", str(units), "--type", "units"], environment)
    return database


def import_with_django_import_export(path: Path) -> int:
    """Import the products of an OroCommerce products file with django-import-export, as its
    admin does (row by row, in one transaction); return how many rows it imported. The
    categories the file names are created first, as that library needs them."""
    import tablib
    from django.db.models.functions import Upper
    from import_export import fields, resources, widgets

    from comptoir.catalog.models import Category, Product, normalize_sku

    class ProductResource(resources.ModelResource):
        category = fields.Field(
            attribute="category",
            column_name="category",
            widget=widgets.ForeignKeyWidget(Category, field="name"),
        )
        featured = fields.Field(
            attribute="is_featured", column_name="featured", widget=widgets.BooleanWidget()
        )
        new_arrival = fields.Field(
            attribute="is_new_arrival", column_name="new_arrival", widget=widgets.BooleanWidget()
        )

        class Meta:
            model = Product
            import_id_fields = ("sku",)
            fields = (
                "sku",
                "name",
                "description",
                "information",
                "specifications",
                "category",
                "featured",
                "new_arrival",
            )
            skip_unchanged = True

        def get_instance(self, instance_loader, row):
            # By the index SKUs have (upper case), as the catalog finds them; a lookup on the
            # column as written would read the whole table for each row.
            return (
                Product.objects.annotate(key=Upper("sku"))
                .filter(key=normalize_sku(row["sku"]))
                .first()
            )

    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    for name in sorted(set(dataset["category"])):
        Category.objects.get_or_create(name=name)
    result = ProductResource().import_data(dataset, dry_run=False, use_transactions=True)
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit("django-import-export refused rows of the file")
    return result.totals["new"] + result.totals["update"] + result.totals["skip"]


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    if sys.argv[1:2] != ["django-import-export"] or len(sys.argv) != 3:
        raise SystemExit("usage: python -m comptoir.bench.imports django-import-export FILE")
    import_with_django_import_export(Path(sys.argv[2]))
