"""One run of the Magento import: its options, how it reads a file, and how the rows it maps go
through the entities of the file imports or through services.

Most of a Magento row is mapped onto the columns of an entity (products, prices, companies...)
and imported by the same code as that entity's own files, so it is checked, upserted and
reported alike; the report names the Magento file, line and column. What no entity fits
(families, product models) is written through the catalog's services, one row per transaction.
"""

import csv
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from comptoir.core.errors import DomainError
from comptoir.integration.csvfiles import DELIMITERS, CsvLayout, Progress, Record, read_records
from comptoir.integration.magento.layouts import MagentoFile
from comptoir.integration.report import ImportReport, Problem
from comptoir.integration.rows import Outcomes, save_row
from comptoir.integration.transfer.base import Entity, ImportRun
from comptoir.integration.transfer.runner import import_records

logger = logging.getLogger(__name__)


# Lines a message lists before it stops.
LISTED_LINES = 10


@dataclass
class Lines:
    """Rows that share a remark: how many, and the first few lines, for one warning."""

    count: int = 0
    first: list[int] = field(default_factory=list)

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.first) < LISTED_LINES:
            self.first.append(line)

    def __str__(self) -> str:
        """ "1 row: line 4", "12 rows: lines 2, 3, 5, ..."."""
        shown = ", ".join(str(line) for line in self.first)
        if self.count > len(self.first):
            shown += ", ..."
        return f"1 row: line {shown}" if self.count == 1 else f"{self.count} rows: lines {shown}"


@dataclass
class MagentoImport:
    """One run of the import: where it reads, its checked options, and its report."""

    directory: Path
    currency: str
    weight_unit: str
    warehouse: str
    website: str
    # Store view code (lower case) -> language; customer group id -> name; tax class (lower
    # case) -> product tax code.
    languages: dict[str, str]
    customer_groups: dict[int, str]
    tax_classes: dict[str, str]
    progress: Progress | None = None
    report: ImportReport = field(default_factory=ImportReport)
    # Lines of each file whose row was refused: the later steps leave them out.
    refused: dict[str, set[int]] = field(default_factory=dict)

    def records(self, path: Path, layout: MagentoFile, *, quiet: bool) -> Iterator[Record]:
        """The well-formed records of ``path``, a file of ``layout``'s kind.

        The first reading (``quiet`` off) reports the columns the import does not read, in one
        warning, and the records that cannot be read; the later ones read the file silently.
        """
        header = read_header(path)
        if not quiet:
            ignored = [column for column in header if column not in layout.columns]
            if ignored:
                self.report.warn(
                    Problem(
                        file=path.name,
                        line=1,
                        message=f"columns not imported: {', '.join(ignored)}",
                    )
                )
        columns = tuple(dict.fromkeys([*header, *layout.columns]))
        return read_records(
            path,
            CsvLayout(file_name=path.name, columns=columns, required=layout.required),
            report=None if quiet else self.report,
            entity=layout.entity,
            progress=self.progress,
            delimiter=None,
        )

    def is_refused(self, record: Record) -> bool:
        return record.line in self.refused.get(record.file_name, ())

    def refuse(self, entity: str, problems: list[Problem]) -> None:
        """A record of ``entity`` is not imported, for ``problems``; later steps skip it."""
        self.report.reject(entity, problems)
        for problem in problems:
            if problem.line is not None:
                self.refused.setdefault(problem.file, set()).add(problem.line)

    def warn(self, file_name: str, line: int | None, message: str, column: str | None = None):
        self.report.warn(Problem(file=file_name, line=line, column=column, message=message))

    def import_entity(
        self,
        entity: Entity,
        records: Iterable[Record],
        *,
        file_name: str,
        columns: Mapping[str, str | None] | str,
        refusing: bool = False,
    ) -> None:
        """Import ``records`` (Magento rows in ``entity``'s columns) as a file of the entity.

        Each problem is reported in the Magento column ``columns`` maps the entity's column to
        (a column it does not map keeps its name), or in ``columns`` itself when it is a name.
        With ``refusing``, the rows the entity refuses are left out of the later steps.
        """
        if isinstance(columns, str):
            columns = dict.fromkeys((column.name for column in entity.columns), columns)
        step = ImportRun(entity=entity, file_name=file_name, options=entity.check_options({}))
        import_records(step, iter(records))
        for name, counts in step.report.counts.items():
            total = self.report.entity(name.replace("_", " "))
            total.created += counts.created
            total.updated += counts.updated
            total.unchanged += counts.unchanged
            total.rejected += counts.rejected
        previous = None
        for problem in step.report.problems:
            problem = replace(problem, column=columns.get(problem.column or "", problem.column))
            if problem == previous:
                # Several records of one row (its values) refused for one reason: said once.
                continue
            previous = problem
            self.report.problems.append(problem)
            if refusing and problem.severity == "error" and problem.line is not None:
                self.refused.setdefault(problem.file, set()).add(problem.line)

    def save_row(
        self, entity: str, file_name: str, line: int, write: Callable[[], Outcomes]
    ) -> bool:
        """Run ``write`` for the row at ``line`` in one transaction and count what it did; a
        refused row is rejected as ``entity``, and the other steps still read it."""
        return save_row(self.report, entity, file_name=file_name, line=line, write=write)


def read_header(path: Path) -> list[str]:
    """The column names of a file's header; none if it cannot be read (the reading of its
    records then says why)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        return []
    delimiter = max(DELIMITERS, key=first.count)
    try:
        row = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        return []
    return [cell.strip() for cell in row if cell.strip()]


def mapped_record(record: Record, values: dict[str, str]) -> Record:
    """A record at the place of ``record`` (a Magento row) holding an entity's ``values``."""
    return Record(
        file_name=record.file_name, line=record.line, number=record.number, values=values
    )


def digest(text: str) -> str:
    """Ten hexadecimal digits that stand for ``text`` in a code made of it."""
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def code_of(text: str, *, allowed: str, limit: int) -> str:
    """A code made of ``text``: each run of characters outside ``allowed`` (a regular
    expression class) becomes one underscore; a text that leaves nothing, or too long a
    code, ends with a digest of the text so that two texts keep two codes."""
    code = re.sub(f"[^{allowed}]+", "_", text.strip()).strip("_")
    if code and len(code) <= limit:
        return code
    return f"{code[: limit - 11]}_{digest(text)}" if code else digest(text)


def pairs_option(name: str, text: str) -> dict[str, str]:
    """The KEY:VALUE pairs of an option (``french:fr,german:de``), by key."""
    pairs = {}
    for written in text.split(","):
        if not written.strip():
            continue
        key, separator, value = written.partition(":")
        if not separator or not key.strip() or not value.strip():
            raise DomainError(
                f"'{written.strip()}' in the option {name} is not a KEY:VALUE pair; write pairs "
                "separated by commas, as french:fr,german:de",
                code="invalid_option",
            )
        pairs[key.strip()] = value.strip()
    return pairs
