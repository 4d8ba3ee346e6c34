"""Saving one row of a directory import (OroCommerce, Akeneo, Magento) in its own transaction.

Every row goes through one transaction: it is imported whole or not at all, and a refused row
does not stop the others.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, transaction

from comptoir.core.errors import DomainError
from comptoir.core.records import UpsertStatus
from comptoir.integration.report import ImportReport, Problem

logger = logging.getLogger(__name__)

Outcomes = list[tuple[str, UpsertStatus]]


class RowRefused(DomainError):
    """A row the import cannot take, with the column at fault."""

    code = "row_refused"

    def __init__(self, message: str, *, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


def save_row(
    report: ImportReport,
    entity: str,
    *,
    file_name: str,
    line: int,
    write: Callable[[], Outcomes],
) -> bool:
    """Run ``write`` for the row at ``line`` in one transaction and count what it did.

    A refusal (a domain error, or the database refusing a value) rolls the whole row back and
    rejects it as ``entity``.
    """
    try:
        with transaction.atomic():
            outcomes = write()
    except DomainError as error:
        column = error.column if isinstance(error, RowRefused) else None
        report.reject(
            entity, [Problem(file=file_name, line=line, column=column, message=error.message)]
        )
        return False
    except DatabaseError as error:
        logger.warning("%s line %s not saved: %s", file_name, line, error)
        report.reject(
            entity, [Problem(file=file_name, line=line, message=f"could not be saved: {error}")]
        )
        return False
    for name, status in outcomes:
        report.count(name, status)
    return True
