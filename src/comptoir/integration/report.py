"""What an import did: per entity, how many records were created, updated, left unchanged or
rejected, and every problem met, each with its file, line and column."""

import io
from dataclasses import dataclass, field, replace
from typing import Literal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from comptoir.core.records import UpsertStatus

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in an input file, where it is, and what to do about it."""

    file: str
    line: int | None
    message: str
    column: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = f" column {self.column}:" if self.column else ""
        return f"{where}:{column} {self.message}"


@dataclass
class EntityCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportReport:
    """Counts by entity, in the order the entities were first met, and the problems found."""

    counts: dict[str, EntityCounts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def entity(self, name: str) -> EntityCounts:
        return self.counts.setdefault(name, EntityCounts())

    def count(self, entity: str, status: UpsertStatus, amount: int = 1) -> None:
        counts = self.entity(entity)
        setattr(counts, status, getattr(counts, status) + amount)

    def reject(self, entity: str, problems: list[Problem]) -> None:
        """One record of ``entity`` was not imported, for ``problems``."""
        self.entity(entity).rejected += 1
        self.problems.extend(problems)

    def file_error(self, entity: str, problem: Problem) -> None:
        """A problem with a whole file: none of its records were imported."""
        self.entity(entity)
        self.problems.append(problem)

    def warn(self, problem: Problem) -> None:
        self.problems.append(replace(problem, severity="warning"))

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]

    @property
    def rejected(self) -> int:
        return sum(counts.rejected for counts in self.counts.values())

    @property
    def changed(self) -> int:
        return sum(counts.created + counts.updated for counts in self.counts.values())


# Errors, and warnings, shown on a screen: a file of a million bad rows would bury it.
PROBLEMS_SHOWN = 200


def render_summary(
    report: ImportReport, *, color: bool, counts: bool = True, all_of_them: str = ""
) -> str:
    """The counts per entity as a table (unless not ``counts``), then the errors and the
    warnings, each on a line of its own, up to ``PROBLEMS_SHOWN`` of each; ``all_of_them``
    says where the others are to be read."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, width=120, highlight=False)
    if counts:
        table = Table(title="Import summary", title_justify="left")
        table.add_column("entity")
        for column in ("created", "updated", "unchanged", "rejected"):
            table.add_column(column, justify="right")
        for entity, done in report.counts.items():
            rejected = f"[red]{done.rejected}[/red]" if done.rejected else "0"
            table.add_row(
                entity, str(done.created), str(done.updated), str(done.unchanged), rejected
            )
        console.print(table)
    for title, problems, style in (
        ("Errors", report.errors, "red"),
        ("Warnings", report.warnings, "yellow"),
    ):
        if problems:
            console.print(f"[bold {style}]{title} ({len(problems)})[/bold {style}]")
            for problem in problems[:PROBLEMS_SHOWN]:
                console.print(escape(str(problem)), soft_wrap=True)
            if len(problems) > PROBLEMS_SHOWN:
                more = len(problems) - PROBLEMS_SHOWN
                console.print(
                    escape(f"... and {more} more {title.lower()}{all_of_them}"), soft_wrap=True
                )
    return buffer.getvalue()
