"""One run of the OroCommerce import: what it has loaded so far, and how a row is saved.

Every row goes through one transaction: it is imported whole or not at all, and a refused row
does not stop the others.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction

from comptoir.accounts.models import Company, CustomerUser, PaymentTerm
from comptoir.catalog.models import Brand, Category, Unit
from comptoir.core.errors import DomainError
from comptoir.core.records import UpsertStatus
from comptoir.integration.csvfiles import CsvLayout, Progress, Record, read_records
from comptoir.integration.oro import layouts
from comptoir.integration.report import ImportReport, Problem
from comptoir.pricing.models import PriceAttribute, PriceList

logger = logging.getLogger(__name__)

Outcomes = list[tuple[str, UpsertStatus]]


class RowRefused(DomainError):
    """A row the import cannot take, with the column at fault."""

    code = "row_refused"

    def __init__(self, message: str, *, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


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
        """Run ``write`` for ``record`` in one transaction and count what it did.

        A refusal (a domain error, or the database refusing a value) rolls the whole row back
        and rejects it as ``entity``.
        """
        try:
            with transaction.atomic():
                outcomes = write()
        except DomainError as error:
            column = error.column if isinstance(error, RowRefused) else None
            self.report.reject(entity, [_problem(record, error.message, column)])
            return False
        except DatabaseError as error:
            logger.warning("%s line %s not saved: %s", record.file_name, record.line, error)
            self.report.reject(entity, [_problem(record, f"could not be saved: {error}", None)])
            return False
        for name, status in outcomes:
            self.report.count(name, status)
        return True


def _problem(record: Record, message: str, column: str | None) -> Problem:
    return Problem(file=record.file_name, line=record.line, column=column, message=message)
