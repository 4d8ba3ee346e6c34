"""One run of the OroCommerce import: what it has loaded so far, and how a row is saved.

Every row goes through one transaction: it is imported whole or not at all, and a refused row
does not stop the others.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from comptoir.accounts.models import Company, CustomerUser, PaymentTerm
from comptoir.catalog.models import Brand, Category, Unit
from comptoir.integration.csvfiles import CsvLayout, Progress, Record, read_records
from comptoir.integration.oro import layouts
from comptoir.integration.report import ImportReport, Problem
from comptoir.integration.rows import Outcomes, save_row
from comptoir.pricing.models import PriceAttribute, PriceList

logger = logging.getLogger(__name__)


@dataclass
class OroImport:
    """One run of the import: where it reads, what it found so far, and its report."""

    directory: Path
    password: str | None = None
    payment_term_label: str = layouts.DEFAULT_PAYMENT_TERM
    progress: Progress | None = None
    report: ImportReport = field(default_factory=ImportReport)
    units: dict[str, Unit] = field(default_factory=dict)
    brands: dict[int, Brand] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    price_lists: dict[str, PriceList] = field(default_factory=dict)
    price_attributes: dict[str, PriceAttribute] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    payment_term: PaymentTerm | None = None
    order_owner: CustomerUser | None = None

    def records(self, layout: CsvLayout, entity: str, *, quiet: bool = False) -> Iterator[Record]:
        """The well-formed records of ``layout``'s file; none if the file is absent.

        ``quiet`` reads a file again without reporting what the first pass reported.
        """
        path = self.directory / layout.file_name
        if not path.is_file():
            if not quiet:
                self.report.entity(entity)
                self.report.warn(
                    Problem(file=layout.file_name, line=None, message="not found; step skipped")
                )
            return iter(())
        return read_records(
            path,
            layout,
            report=None if quiet else self.report,
            entity=entity,
            progress=self.progress,
        )

    def reject(self, entity: str, problems: list[Problem], *, quiet: bool = False) -> None:
        if not quiet:
            self.report.reject(entity, problems)

    def save_row(self, entity: str, record: Record, write: Callable[[], Outcomes]) -> bool:
        """Run ``write`` for ``record`` in one transaction and count what it did; a refused row
        is rejected as ``entity``."""
        return save_row(
            self.report, entity, file_name=record.file_name, line=record.line, write=write
        )
