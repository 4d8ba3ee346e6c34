"""One run of the Akeneo import: what it has loaded so far, how it reads a file, and how a row
is saved.

Every row goes through one transaction: it is imported whole or not at all, and a refused row
does not stop the others.
"""

import csv
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from comptoir.catalog.attributes import (
    Attribute,
    AttributeOption,
    ProductFamily,
    ProductModel,
)
from comptoir.catalog.models import Category, Unit
from comptoir.integration.akeneo.layouts import AkeneoFile
from comptoir.integration.csvfiles import DELIMITERS, CsvLayout, Progress, Record, read_records
from comptoir.integration.report import ImportReport, Problem
from comptoir.integration.rows import Outcomes, save_row
from comptoir.pricing.models import PriceList

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttributeSpec:
    """An attribute of attributes.csv as the value columns need it: whether its columns carry a
    locale and a channel, and the Comptoir attribute it became (None until it is saved, and
    for good if it is skipped or refused: the attributes step reported why)."""

    code: str
    attribute: Attribute | None
    is_localizable: bool
    is_scopable: bool
    is_rich_text: bool
    # Left out on purpose: the identifier (the SKU), images, files, types Comptoir lacks.
    skipped: bool


@dataclass(frozen=True)
class FamilyVariant:
    """A family variant: the family of its models, and the axes of each of its two levels."""

    code: str
    family: ProductFamily
    axes: tuple[list[Attribute], list[Attribute]]


@dataclass
class AkeneoImport:
    """One run of the import: where it reads, what it found so far, and its report.

    Lookups are keyed by codes in lower case: Akeneo compares codes ignoring case.
    """

    directory: Path
    channel: str
    progress: Progress | None = None
    report: ImportReport = field(default_factory=ImportReport)
    # The codes of the roots of the channel's category tree; None when channels.csv does not
    # say (then every tree is imported).
    tree_roots: set[str] | None = None
    # Codes of every category of categories.csv, imported or not, and the imported ones.
    category_codes: set[str] = field(default_factory=set)
    categories: dict[str, Category] = field(default_factory=dict)
    identifier: str = "sku"
    attributes: dict[str, AttributeSpec] = field(default_factory=dict)
    options: dict[int, dict[str, AttributeOption]] = field(default_factory=dict)
    families: dict[str, ProductFamily] = field(default_factory=dict)
    family_variants: dict[str, FamilyVariant] = field(default_factory=dict)
    product_models: dict[str, ProductModel] = field(default_factory=dict)
    price_lists: dict[tuple[str, str], PriceList] = field(default_factory=dict)
    unit: Unit | None = None
    changed_products: list[int] = field(default_factory=list)

    def records(
        self,
        layout: AkeneoFile,
        entity: str,
        *,
        known: Callable[[str], bool] | None = None,
        quiet: bool = False,
    ) -> Iterator[Record]:
        """The well-formed records of ``layout``'s file; none if the file is absent.

        A column the file has that is not ``known`` (by default: not one of the layout's) is
        reported as not imported. ``quiet`` reads a file again without reporting what the first
        pass reported.
        """
        path = self.directory / layout.file_name
        if not path.is_file():
            if not quiet:
                self.report.entity(entity)
                self.report.warn(
                    Problem(file=layout.file_name, line=None, message="not found; step skipped")
                )
            return iter(())
        header = read_header(path)
        if not quiet:
            for column in header:
                if not (known or layout.knows)(column):
                    self.report.warn(
                        Problem(
                            file=layout.file_name,
                            line=1,
                            column=column,
                            message="is not a column Comptoir reads; its values are not imported",
                        )
                    )
        columns = tuple(dict.fromkeys([*header, *layout.columns]))
        return read_records(
            path,
            CsvLayout(file_name=layout.file_name, columns=columns, required=layout.required),
            report=None if quiet else self.report,
            entity=entity,
            progress=None if quiet else self.progress,
            delimiter=None,
        )

    def warn(self, record: Record, message: str, *, column: str | None = None) -> None:
        """Note something about ``record`` that did not stop it from being imported."""
        self.report.warn(_problem(record, message, column))

    def reject(self, entity: str, problems: list[Problem], *, quiet: bool = False) -> None:
        if not quiet:
            self.report.reject(entity, problems)

    def save_row(self, entity: str, record: Record, write: Callable[[], Outcomes]) -> bool:
        """Run ``write`` for ``record`` in one transaction and count what it did; a refused row
        is rejected as ``entity``."""
        return save_row(
            self.report, entity, file_name=record.file_name, line=record.line, write=write
        )


def read_header(path: Path) -> list[str]:
    """The column names of a file's header, with the delimiter the import will take; none if
    it cannot be read (the reading of the records then says why)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    delimiter = max(DELIMITERS, key=first.count)
    try:
        row = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        return []
    return [cell.strip() for cell in row if cell.strip()]


def _problem(record: Record, message: str, column: str | None) -> Problem:
    return Problem(file=record.file_name, line=record.line, column=column, message=message)


def split_codes(text: str) -> list[str]:
    """The codes of a comma-separated list, without blanks or repeats."""
    return list(dict.fromkeys(code.strip() for code in text.split(",") if code.strip()))
