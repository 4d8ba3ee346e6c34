"""What an importable entity is: its columns, how a row is read, written and exported.

Each entity (products, prices, companies...) is a subclass of ``Entity`` registered by name.
The runner reads a file record by record, asks the entity to ``parse`` each one (typed values,
every refused value noted with its column), gathers the good rows in batches and hands each
batch to ``apply``, inside a transaction. ``apply`` looks up what the batch names in a few
queries, refuses the rows it cannot take, writes the rest and says, row by row, whether it was
created, updated or left unchanged. ``export`` yields the rows of the database in the same
columns, as text, so that an export imported again changes nothing.

A file may hold only some of the columns: an entity sets the values of the columns a record
has and leaves the others as they are (a new row takes their defaults). A text kept in several
languages has a column per language (``transfer.translations``).
"""

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from django.conf import settings

from comptoir.core.errors import DomainError
from comptoir.core.records import UpsertStatus
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.report import ImportReport, Problem


@dataclass(frozen=True)
class Column:
    """A column of an entity's files: its name, what to write in it, and an example."""

    name: str
    help: str
    example: str = ""
    # Must be in the header of every file of this entity (the business key, at least).
    required: bool = False
    # Other names a header may give it, as other systems' exports do ("Product SKU").
    aliases: tuple[str, ...] = ()
    # The column whose text this one holds in other languages, one column per language
    # ("name_fr", "name_de" for "name"); its own name is then the pattern, "name_<language>".
    translates: str = ""


@dataclass(frozen=True)
class Option:
    """A setting of an import run (``--option NAME=VALUE``), with its allowed values."""

    name: str
    help: str
    choices: tuple[str, ...] = ()
    default: str = ""


@dataclass
class Row:
    """A record that parsed: where it comes from and the entity's typed values for it."""

    record: Record
    data: Any

    @property
    def line(self) -> int:
        return self.record.line

    def has(self, column: str) -> bool:
        """Whether the file has ``column``: a partial file leaves the others untouched."""
        return column in self.record.values


class _Many(NamedTuple):
    """Rows done alike, counted together."""

    status: UpsertStatus
    amount: int


@dataclass
class ImportRun:
    """One import of one file: the entity, the run's options, and what happened so far."""

    entity: "Entity"
    file_name: str
    options: dict[str, str] = field(default_factory=dict)
    validate_only: bool = False
    report: ImportReport = field(default_factory=ImportReport)
    # Anything an entity keeps between batches (a lookup cache, the lists a reset emptied).
    state: dict[str, Any] = field(default_factory=dict)
    # What the batch being applied did; counted in the report once the batch is written.
    pending: list[tuple[str, "UpsertStatus | Problem | _Many"]] = field(default_factory=list)

    def option(self, name: str) -> str:
        return self.options.get(name, "")

    def done(self, row: Row, status: UpsertStatus, *, entity: str | None = None) -> None:
        self.pending.append((entity or self.entity.name, status))

    def done_many(self, entity: str, status: UpsertStatus, amount: int) -> None:
        """``amount`` rows of ``entity`` done with ``status``, written together in SQL."""
        self.pending.append((entity, _Many(status, amount)))

    def refuse(self, row: Row, message: str, *, column: str | None = None) -> None:
        """``row`` is not imported, for ``message``; nothing of it may be written."""
        problem = Problem(file=self.file_name, line=row.line, column=column, message=message)
        self.pending.append((self.entity.name, problem))

    def remark(self, row: Row, message: str, *, column: str | None = None) -> None:
        """A warning about ``row``, which is imported: reported if its batch is written."""
        problem = Problem(
            file=self.file_name, line=row.line, column=column, message=message, severity="warning"
        )
        self.pending.append((self.entity.name, problem))

    def settle(self, *, written: bool) -> None:
        """Count what the batch did if it was written; forget it if it was rolled back."""
        if written:
            counts: Counter[tuple[str, UpsertStatus]] = Counter()
            for name, outcome in self.pending:
                if isinstance(outcome, Problem) and outcome.severity == "warning":
                    self.report.warn(outcome)
                elif isinstance(outcome, Problem):
                    self.report.reject(name, [outcome])
                elif isinstance(outcome, _Many):
                    counts[name, outcome.status] += outcome.amount
                else:
                    counts[name, outcome] += 1
            for (name, status), amount in counts.items():
                self.report.count(name, status, amount)
        self.pending.clear()

    def warn(self, row: Row | None, message: str, *, column: str | None = None) -> None:
        line = None if row is None else row.line
        self.report.warn(Problem(file=self.file_name, line=line, column=column, message=message))


class Entity(ABC):
    """An importable and exportable kind of record; subclasses are registered by name."""

    name: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    # The columns that name a row (SKU, company code, e-mail): the upsert key.
    key: ClassVar[tuple[str, ...]]
    options: ClassVar[tuple[Option, ...]] = ()
    # Rows handed to ``apply`` at once.
    batch_size: ClassVar[int] = 1000
    # A column whose consecutive equal values make one record of several rows (an order's
    # number, one row per line): such rows are parsed, batched and refused together.
    group: ClassVar[str | None] = None
    group_label: ClassVar[str] = "record"

    def check_options(self, options: dict[str, str]) -> dict[str, str]:
        """The run's options with their defaults, or a DomainError naming what is wrong."""
        known = {option.name: option for option in self.options}
        for name in options:
            if name not in known:
                allowed = ", ".join(known) or "none"
                raise DomainError(
                    f"'{name}' is not an option of {self.name} imports (options: {allowed})",
                    code="unknown_option",
                )
        checked = {}
        for option in self.options:
            value = options.get(option.name, option.default).strip()
            if option.choices and value not in option.choices:
                raise DomainError(
                    f"'{value}' is not a value of the option {option.name}; "
                    f"write one of: {', '.join(option.choices)}",
                    code="invalid_option",
                )
            checked[option.name] = value
        return checked

    def start(self, run: ImportRun) -> None:  # noqa: B027 (most entities need nothing here)
        """Called once before the first batch, inside the run's transaction when it has one."""

    def check_columns(self, columns: frozenset[str], run: ImportRun) -> str | None:
        """What is wrong with a file of ``columns`` beyond a missing required column (checked
        with the header), or None; asked before the first record, and nothing is imported
        when it answers."""
        return None

    def finish(self, run: ImportRun) -> None:  # noqa: B027 (most entities need nothing here)
        """Called once after the last batch, in a transaction (the run's when it has one):
        work that needs the whole file read, such as removing what it did not name. What it
        refuses or counts goes to the report like a batch's."""

    @abstractmethod
    def parse(self, fields: Fields, run: ImportRun) -> Any:
        """The typed values of one record; refused values are noted on ``fields``."""

    @abstractmethod
    def apply(self, rows: list[Row], run: ImportRun) -> None:
        """Write a batch: for every row call ``run.done`` or ``run.refuse`` exactly once."""

    @abstractmethod
    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        """Every row, as text by column name, in a stable order (the key's)."""

    def export_columns(self, options: dict[str, str]) -> list[str]:
        """The columns of an export: each column, and a column per language any exported row
        has a text in for a column of texts in other languages."""
        names = []
        for column in self.columns:
            if column.translates:
                names.extend(f"{column.translates}_{code}" for code in self.languages(column))
            else:
                names.append(column.name)
        return names

    def languages(self, column: Column) -> list[str]:
        """The languages an export has a ``column`` (one that ``translates``) for."""
        return []

    def template_row(self) -> dict[str, str]:
        """The columns of a template and their examples, a column of texts in other languages
        in the site's first other language."""
        others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        row = {}
        for column in self.columns:
            if column.translates and others:
                row[f"{column.translates}_{others[0]}"] = column.example
            elif not column.translates:
                row[column.name] = column.example
        return row
