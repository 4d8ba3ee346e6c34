"""``import_magento_directory``: load the files of a Magento 2 export, unchanged.

The directory holds what System > Export writes, under any name: products
(``catalog_product``), advanced pricing, the customers main file and customer addresses. They
are imported in that order: products with their categories, attributes, families, variants,
prices and stock (see ``catalog`` and ``prices``), tier prices, then companies, customer users
and address books (see ``customers``). A file the import does not know is reported and left
alone.

Every row is checked before anything of it is written, and a row that cannot be imported is
reported by file, line and column while the others go in. Every write is an upsert keyed by
the records' business keys (SKU, category path, attribute code, price list, company code,
e-mail), so importing the same directory twice leaves the second run nothing to change.
"""

import logging
from pathlib import Path

from django.conf import settings

from comptoir.catalog.languages import normalize_language
from comptoir.core.errors import DomainError
from comptoir.core.money import checked_currency
from comptoir.integration.csvfiles import Progress
from comptoir.integration.magento import layouts
from comptoir.integration.magento.catalog import import_products_file
from comptoir.integration.magento.customers import import_customers
from comptoir.integration.magento.prices import import_advanced_pricing
from comptoir.integration.magento.run import MagentoImport, pairs_option, read_header
from comptoir.integration.report import ImportReport, Problem
from comptoir.taxes.models import ProductTaxCode

logger = logging.getLogger(__name__)


def import_magento_directory(
    directory: Path | str,
    *,
    options: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a Magento export directory; return what was done and every problem found.

    ``options`` are those of ``layouts.OPTIONS`` (``store_languages``, ``currency``...); a bad
    one raises a DomainError before anything is read.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise DomainError(f"'{directory}' is not a directory", code="not_a_directory")
    run = _start(directory, checked_options(options or {}), progress)
    files, unknown, empty = _files(directory)
    if not any(files.values()) and not empty:
        raise DomainError(
            f"'{directory}' holds no file of a Magento export: products, advanced pricing, "
            "customers main file or customer addresses, as System > Export writes them",
            code="not_a_magento_directory",
        )
    for path in empty:
        run.report.problems.append(
            Problem(
                file=path.name,
                line=None,
                message="is empty (0 bytes), so nothing can be read from it; export it again "
                "from System > Export, or take it out of the directory",
            )
        )
    for path in unknown:
        run.warn(
            path.name,
            None,
            "is not a Magento export Comptoir reads (products, advanced pricing, customers "
            "main file, customer addresses): not imported",
        )
    for layout in layouts.ALL_FILES:
        for path in [path for path in files[layout.kind] if not _has_rows(path)]:
            files[layout.kind].remove(path)
            run.warn(
                path.name,
                None,
                f"holds its header and no rows: no {layout.entity} in it, so nothing of it "
                "was imported",
            )

    for path in files[layouts.PRODUCTS.kind]:
        import_products_file(run, path)
    for path in files[layouts.ADVANCED_PRICING.kind]:
        import_advanced_pricing(run, path)
    customers, addresses = files[layouts.CUSTOMERS.kind], files[layouts.ADDRESSES.kind]
    if customers or addresses:
        import_customers(run, customers, addresses)

    logger.info(
        "Magento directory %s imported: %s records changed, %s rejected",
        directory,
        run.report.changed,
        run.report.rejected,
    )
    return run.report


def checked_options(options: dict[str, str]) -> dict[str, str]:
    """The run's options with their defaults, or a DomainError naming what is wrong."""
    known = {option.name: option for option in layouts.OPTIONS}
    for name in options:
        if name not in known:
            raise DomainError(
                f"'{name}' is not an option of Magento imports (options: {', '.join(known)})",
                code="unknown_option",
            )
    checked = {}
    for option in layouts.OPTIONS:
        value = options.get(option.name, option.default).strip()
        if option.choices and value not in option.choices:
            raise DomainError(
                f"'{value}' is not a value of the option {option.name}; write one of: "
                f"{', '.join(option.choices)}",
                code="invalid_option",
            )
        checked[option.name] = value
    return checked


def _start(directory: Path, options: dict[str, str], progress: Progress | None) -> MagentoImport:
    languages = {}
    for store_view, language in pairs_option(
        "store_languages", options["store_languages"]
    ).items():
        try:
            languages[store_view.lower()] = normalize_language(language)
        except DomainError as error:
            raise DomainError(
                f"The option store_languages: {error.message}", code="invalid_option"
            ) from None
    groups = dict(layouts.CUSTOMER_GROUPS)
    for group_id, name in pairs_option("customer_groups", options["customer_groups"]).items():
        if not group_id.isdigit():
            raise DomainError(
                f"'{group_id}' in the option customer_groups is not a group id; write ID:NAME "
                "pairs, as 4:Distributors",
                code="invalid_option",
            )
        groups[int(group_id)] = name
    tax_classes = {
        tax_class.lower(): code
        for tax_class, code in pairs_option("tax_classes", options["tax_classes"]).items()
    }
    known_codes = set(ProductTaxCode.objects.values_list("code", flat=True))
    for code in tax_classes.values():
        if code not in known_codes:
            raise DomainError(
                f"'{code}' in the option tax_classes is not a tax code; write one of: "
                f"{', '.join(sorted(known_codes)) or 'none yet'}",
                code="invalid_option",
            )
    return MagentoImport(
        directory=directory,
        currency=checked_currency(options["currency"] or settings.COMPTOIR_DEFAULT_CURRENCY),
        weight_unit=options["weight_unit"],
        warehouse=options["warehouse"],
        website=options["website"],
        languages=languages,
        customer_groups=groups,
        tax_classes=tax_classes,
        progress=progress,
    )


def _files(directory: Path) -> tuple[dict[str, list[Path]], list[Path], list[Path]]:
    """The files of ``directory`` by kind, in name order; those of no known kind; and those
    that are empty (0 bytes), whose kind cannot be known."""
    files: dict[str, list[Path]] = {layout.kind: [] for layout in layouts.ALL_FILES}
    unknown, empty = [], []
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.stat().st_size == 0:
            empty.append(path)
            continue
        header = read_header(path)
        layout = next((layout for layout in layouts.ALL_FILES if layout.matches(header)), None)
        if layout is None:
            unknown.append(path)
        else:
            files[layout.kind].append(path)
    return files, unknown, empty


def _has_rows(path: Path) -> bool:
    """Whether a file has a line of text after its header."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        handle.readline()
        return any(line.strip() for line in handle)
