"""One run of the Magento import: its options, how it reads a file, and how the rows it maps go
through the entities of the file imports or through services.

Most of a Magento row is mapped onto the columns of an entity (products, prices, companies...)
and imported by the same code as that entity's own files, so it is checked, upserted and
reported alike; the report names the Magento file, line and column. What no entity fits
(families, product models) is written through the catalog's services, one row per transaction.
"""

import csv
import hashlib
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.db import connection, transaction

from comptoir.core.errors import DomainError
from comptoir.integration.csvfiles import DELIMITERS, CsvLayout, Progress, Record, read_records
from comptoir.integration.magento.layouts import MagentoFile
from comptoir.integration.report import ImportReport, Problem
from comptoir.integration.rows import Outcomes, save_row
from comptoir.integration.transfer.base import Entity, ImportRun
from comptoir.integration.transfer.bulk import fetch_in, insert_rows
from comptoir.integration.transfer.runner import import_records

logger = logging.getLogger(__name__)


# Lines a message lists before it stops.
LISTED_LINES = 10
# Keys a statement of ``KeptRows`` names at most.
KEPT_PART = 5000


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
        """Import ``records`` (Magento rows in ``entity``'s columns) as a file of the entity:
        a ``Step`` fed all of them at once."""
        step = Step(self, entity, file_name=file_name, columns=columns, refusing=refusing)
        step.feed(records)
        step.finish()

    def save_row(
        self, entity: str, file_name: str, line: int, write: Callable[[], Outcomes]
    ) -> bool:
        """Run ``write`` for the row at ``line`` in one transaction and count what it did; a
        refused row is rejected as ``entity``, and the other steps still read it."""
        return save_row(self.report, entity, file_name=file_name, line=line, write=write)


class Step:
    """The import of the records a Magento file maps onto an entity (products, prices...), as
    a file of the entity, fed a part of the file at a time: the steps of one file take each
    part in turn, so that a part's products are written before its prices and stock are.

    Each problem is reported in the Magento column ``columns`` maps the entity's column to (a
    column it does not map keeps its name), or in ``columns`` itself when it is a name, as
    soon as the part is written. With ``refusing``, the rows the entity refuses are left out
    of the later steps. ``counted_as`` names, by the entity's names, the report's entities
    to count under other names.
    """

    def __init__(
        self,
        run: MagentoImport,
        entity: Entity,
        *,
        file_name: str,
        columns: Mapping[str, str | None] | str,
        refusing: bool = False,
        counted_as: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(columns, str):
            columns = dict.fromkeys((column.name for column in entity.columns), columns)
        self.run = run
        self.entity = entity
        self.columns = columns
        self.refusing = refusing
        self.counted_as = dict(counted_as or {})
        self.continued = _Continued(entity)
        self.step = ImportRun(
            entity=self.continued, file_name=file_name, options=entity.check_options({})
        )
        self.previous: Problem | None = None

    def feed(self, records: Iterable[Record]) -> None:
        """Import ``records``, the next part of the file, and report what they met."""
        import_records(self.step, iter(records), from_file=False)
        self._report_problems()

    def finish(self) -> None:
        """The entity's end of a file (what needs the whole file read), and the counts."""
        if self.continued.started:
            with transaction.atomic():
                self.entity.finish(self.step)
            self.step.settle(written=True)
        self._report_problems()
        for name, counts in self.step.report.counts.items():
            total = self.run.report.entity(self.counted_as.get(name, name).replace("_", " "))
            total.created += counts.created
            total.updated += counts.updated
            total.unchanged += counts.unchanged
            total.rejected += counts.rejected

    def _report_problems(self) -> None:
        for problem in self.step.report.problems:
            column = self.columns.get(problem.column or "", problem.column)
            problem = replace(problem, column=column)
            if problem == self.previous:
                # Several records of one row (its values) refused for one reason: said once.
                continue
            self.previous = problem
            self.run.report.problems.append(problem)
            if self.refusing and problem.severity == "error" and problem.line is not None:
                self.run.refused.setdefault(problem.file, set()).add(problem.line)
        # Reported: the step keeps none, however long the file.
        self.step.report.problems.clear()


class _Continued:
    """An entity imported a part of a file at a time, each part by ``import_records``: its
    ``start`` runs before the first part only, and its ``finish`` is left to the step's end;
    in every other way, the entity itself."""

    def __init__(self, entity: Entity) -> None:
        self.entity = entity
        self.started = False

    def __getattr__(self, name: str):
        return getattr(self.entity, name)

    def start(self, run: ImportRun) -> None:
        if not self.started:
            self.started = True
            self.entity.start(run)

    def finish(self, run: ImportRun) -> None:
        """The end of a part, not of the file: nothing to do."""


class KeptRows:
    """Rows a run keeps by key between its readings of a file, in a temporary table of the
    database, as ``transfer.bulk.SeenKeys`` keeps keys: the run's memory stays the same
    whatever the size of the file. Every value is text."""

    def __init__(self, name: str, columns: tuple[str, ...]) -> None:
        self.name = f"magento_kept_{name}"
        self.table = connection.ops.quote_name(self.name)
        self.columns = columns

    def start(self) -> None:
        """Begin with no row kept (a table left by a run that failed is emptied)."""
        quote = connection.ops.quote_name
        columns = "".join(f", {quote(column)} text NOT NULL" for column in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.table} "
                f"(key text PRIMARY KEY{columns})"
            )
            cursor.execute(f"DELETE FROM {self.table}")

    def put(self, rows: Mapping[str, tuple[str, ...]]) -> None:
        """Keep ``rows`` (values by key), in place of any kept under the same keys."""
        if not rows:
            return
        keys = list(rows)
        with connection.cursor() as cursor:
            for start in range(0, len(keys), KEPT_PART):
                part = keys[start : start + KEPT_PART]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"DELETE FROM {self.table} WHERE key IN ({marks})", part)
        insert_rows(
            self.name, ("key", *self.columns), [(key, *values) for key, values in rows.items()]
        )

    def get(self, keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The values kept under each of ``keys`` that has some."""
        quote = connection.ops.quote_name
        columns = "".join(f", {quote(column)}" for column in self.columns)
        rows = fetch_in(f"SELECT key{columns} FROM {self.table} WHERE key {{in_values}}", keys)
        return {key: tuple(values) for key, *values in rows}

    def ordered(self, column: str) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every row kept, (key, values), in the order of ``column``'s text."""
        quote = connection.ops.quote_name
        columns = "".join(f", {quote(name)}" for name in self.columns)
        last = None
        while True:
            after = "" if last is None else f"WHERE {quote(column)} > %s "
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT key{columns} FROM {self.table} {after}"
                    f"ORDER BY {quote(column)} LIMIT {KEPT_PART}",
                    [] if last is None else [last],
                )
                rows = cursor.fetchall()
            for key, *values in rows:
                yield key, tuple(values)
            if len(rows) < KEPT_PART:
                return
            last = rows[-1][1 + self.columns.index(column)]

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


class KeptPart:
    """The rows ``kept`` holds under the keys a part of a file names, read at once, with what
    the part changes, written back by ``save``."""

    def __init__(self, kept: KeptRows, keys: Iterable[str]) -> None:
        self.kept = kept
        self.rows = kept.get(set(keys))
        self.changed: dict[str, tuple[str, ...]] = {}

    def get(self, key: str) -> tuple[str, ...] | None:
        return self.rows.get(key)

    def put(self, key: str, values: tuple[str, ...] = ()) -> None:
        self.rows[key] = self.changed[key] = values

    def save(self) -> None:
        self.kept.put(self.changed)
        self.changed = {}


def parts[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while part := list(itertools.islice(iterator, size)):
        yield part


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
