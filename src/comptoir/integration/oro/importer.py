"""``import_oro_directory``: load an OroCommerce demo directory, step by step in dependency order.

1. units: OroCommerce's own (each, hour, item, kg, piece, set), which the files only name;
2. brands, numbered by their row: products point at them with ``brand_id``;
3. categories: one top-level category per leaf category the product rows name, with the
   plain text of the optional descriptions file;
4. price lists (in USD) and price attributes (MSRP, MAP);
5. products with their primary unit, their Default prices with tiers (``layouts.TIER_SHARES``)
   and their MSRP and MAP, in batches (``transfer.entities.catalog``); or, when the directory
   holds OroCommerce's price file (``layouts.PRICES_FILE``), the Default prices of that file;
6. additional units, the stock levels of ``layouts.INVENTORY_FILE`` when present, then the
   Wholesale and Partner C lists as price rules over Default (``layouts.RULE_SHARES``),
   computed at once;
7. customer groups and payment terms of the demo loader, then companies (a name
   "X - Y" is a subsidiary of X; groups from ``layouts.COMPANY_GROUPS``), customer users
   and their companies' address books;
8. price list assignments of the website, the customer groups and the companies;
9. the order history (see ``orders``).

Every write goes through the upsert services, so importing the same directory twice leaves the
second run with nothing to change.
"""

import logging
from pathlib import Path

from comptoir.core.errors import DomainError
from comptoir.integration.csvfiles import Progress
from comptoir.integration.oro import catalog, customers, layouts, orders
from comptoir.integration.oro.run import OroImport
from comptoir.integration.report import ImportReport

logger = logging.getLogger(__name__)


def import_oro_directory(
    directory: Path | str,
    *,
    password: str | None = None,
    payment_term: str = layouts.DEFAULT_PAYMENT_TERM,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an OroCommerce demo directory; return what was done and every problem found.

    ``password`` is set on every imported customer user (demos, tests); without it new users
    get an unusable password. ``payment_term`` is the label of the term companies get.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise DomainError(f"'{directory}' is not a directory", code="not_a_directory")
    if not any((directory / layout.file_name).is_file() for layout in layouts.ALL_FILES):
        expected = ", ".join(layout.file_name for layout in layouts.ALL_FILES)
        raise DomainError(
            f"'{directory}' holds none of the OroCommerce demo files ({expected})",
            code="not_an_oro_directory",
        )
    run = OroImport(
        directory=directory,
        password=password,
        payment_term_label=payment_term.strip(),
        progress=progress,
    )
    customers.check_payment_term(run)

    catalog.import_units(run)
    catalog.import_brands(run)
    catalog.import_categories(run)
    catalog.import_price_lists(run)
    catalog.import_price_attributes(run)
    catalog.import_products(run)
    catalog.import_prices(run)
    catalog.import_additional_units(run)
    catalog.import_inventory(run)
    catalog.import_price_rules(run)
    customers.import_customer_groups_and_payment_terms(run)
    customers.import_companies_users_and_addresses(run)
    customers.import_price_list_assignments(run)
    orders.import_orders(run)

    logger.info(
        "OroCommerce directory %s imported: %s records changed, %s rejected",
        directory,
        run.report.changed,
        run.report.rejected,
    )
    return run.report
