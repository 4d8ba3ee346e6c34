"""``import_akeneo_directory``: load an Akeneo export directory, step by step in dependency order.

1. the channel (channels.csv): the root of its category tree, and which scoped values to take;
2. the channel's category tree (every tree without channels.csv), its root left out, each
   category with its labels in every locale;
3. attribute groups, then attributes of the types Comptoir has (the identifier attribute is the
   SKU; images and files are left out), then the options of select and multiselect attributes;
4. families with their attributes, and family variants (the axes of each level);
5. product models: top models, then sub-models;
6. products, the variants of their model if they have one, with their category, attribute
   values in every locale, and prices in a price list per price attribute and currency.

Every write goes through the catalog's and pricing's services, so importing the same directory
twice leaves the second run with nothing to change.
"""

import logging
from pathlib import Path

from comptoir.core.errors import DomainError
from comptoir.integration.akeneo import layouts, products, structure
from comptoir.integration.akeneo.run import AkeneoImport
from comptoir.integration.csvfiles import Progress
from comptoir.integration.report import ImportReport

logger = logging.getLogger(__name__)


def import_akeneo_directory(
    directory: Path | str,
    *,
    channel: str = layouts.DEFAULT_CHANNEL,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an Akeneo export directory; return what was done and every problem found.

    ``channel`` is the Akeneo channel whose category tree and scoped values (a description
    written for the web shop) are imported.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise DomainError(f"'{directory}' is not a directory", code="not_a_directory")
    if not any((directory / layout.file_name).is_file() for layout in layouts.ALL_FILES):
        expected = ", ".join(layout.file_name for layout in layouts.ALL_FILES)
        raise DomainError(
            f"'{directory}' holds none of the Akeneo export files ({expected})",
            code="not_an_akeneo_directory",
        )
    run = AkeneoImport(directory=directory, channel=channel.strip(), progress=progress)
    structure.read_channel(run)

    structure.import_categories(run)
    groups = structure.import_attribute_groups(run)
    structure.import_attributes(run, groups)
    structure.import_attribute_options(run)
    structure.import_families(run)
    structure.read_family_variants(run)
    products.import_product_models(run)
    products.import_products(run)

    logger.info(
        "Akeneo directory %s imported: %s records changed, %s rejected",
        directory,
        run.report.changed,
        run.report.rejected,
    )
    return run.report
