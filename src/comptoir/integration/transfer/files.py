"""Reading and writing an entity's files, CSV or XLSX, one record at a time.

CSV is read as UTF-8 (a byte-order mark is dropped) with the delimiter its header uses (comma,
semicolon, tab or bar) and quoted newlines kept in their field. XLSX is read from its first
sheet, in read-only mode, so neither holds more than a record in memory. Both are written with
every value as text: a SKU "00120" stays "00120" when a spreadsheet opens it.
"""

import csv
import datetime
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from comptoir.integration.csvfiles import CsvLayout, Progress, Record, read_records
from comptoir.integration.report import ImportReport, Problem

XLSX_SUFFIXES = (".xlsx", ".xlsm")
FORMATS = ("csv", "xlsx")


def file_format(path: Path | str) -> str:
    return "xlsx" if str(path).lower().endswith(XLSX_SUFFIXES) else "csv"


def read_table(
    path: Path,
    layout: CsvLayout,
    *,
    report: ImportReport,
    entity: str,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """The records of a CSV or XLSX file whose shape is right; the others go to ``report``."""
    if file_format(path) == "xlsx":
        return _read_xlsx(path, layout, report=report, entity=entity, progress=progress)
    return read_records(
        path, layout, report=report, entity=entity, progress=progress, delimiter=None
    )


def read_rows(
    rows: Iterable[dict[str, object]], layout: CsvLayout, *, report: ImportReport, entity: str
) -> Iterator[Record]:
    """Rows a program sent (the ERP API) as records, each row's index (from 0) as its line.

    A row names the columns it sets, as a file's header does, with the same names and aliases;
    a row with an unknown column, a required column missing or a value that is not text, a
    number, true/false or null (empty) is reported, column by column, and not imported.
    """
    by_lower = {column.lower(): column for column in layout.columns} | dict(layout.aliases)
    for index, row in enumerate(rows):
        values: dict[str, str] = {}
        named: set[str] = set()
        problems = []
        for name, value in row.items():
            column, message = by_lower.get(name.strip().lower()), ""
            if column is None:
                column, message = layout.other_column(name.strip())
            if column is None:
                problems.append((name, message))
            elif column in named:
                problems.append((column, "given twice (under two of its names)"))
            elif isinstance(value, dict | list):
                problems.append((column, "must be a text, a number, true or false, or null"))
            else:
                values[column] = _text(value)
            if column is not None:
                named.add(column)
        for column in layout.columns:
            if column in layout.required and column not in named:
                problems.append((column, f"missing; expected columns: {layout.expected()}"))
        if problems:
            report.reject(
                entity,
                [
                    Problem(file=layout.file_name, line=index, column=column, message=message)
                    for column, message in problems
                ],
            )
            continue
        yield Record(file_name=layout.file_name, line=index, number=index + 1, values=values)


def _read_xlsx(
    path: Path,
    layout: CsvLayout,
    *,
    report: ImportReport,
    entity: str,
    progress: Progress | None,
) -> Iterator[Record]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = layout.file_name
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        report.file_error(
            entity,
            Problem(
                file=name,
                line=None,
                message=f"is not a readable XLSX workbook ({error}); save it again as .xlsx "
                "or export it as CSV",
            ),
        )
        return
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None:
            report.file_error(
                entity,
                Problem(
                    file=name,
                    line=1,
                    message=f"the sheet is empty; expected columns: {layout.expected()}",
                ),
            )
            return
        header = _check_header([_text(cell) for cell in header_cells], layout, report, entity)
        if header is None:
            return
        if progress is not None:
            progress.start(name, sheet.max_row or 0)
        number = 0
        for line, cells in enumerate(rows, start=2):
            if progress is not None:
                progress.advance(1)
            values = [_text(cell) for cell in cells]
            if not any(values):
                continue
            number += 1
            extra = [value for value in values[len(header) :] if value]
            if extra:
                report.reject(
                    entity,
                    [
                        Problem(
                            file=name,
                            line=line,
                            message=f"{len(values)} cells, expected {len(header)} "
                            f"({', '.join(header)})",
                        )
                    ],
                )
                continue
            values += [""] * (len(header) - len(values))
            yield Record(
                file_name=name,
                line=line,
                number=number,
                values=dict(zip(header, values[: len(header)], strict=True)),
            )
    finally:
        if progress is not None:
            progress.stop()
        workbook.close()


def _check_header(
    cells: list[str], layout: CsvLayout, report: ImportReport, entity: str
) -> list[str] | None:
    while cells and not cells[-1]:
        cells.pop()
    by_lower = {column.lower(): column for column in layout.columns} | dict(layout.aliases)
    header: list[str] = []
    problems = []
    for cell in cells:
        column, message = by_lower.get(cell.strip().lower()), ""
        if column is None:
            column, message = layout.other_column(cell.strip())
        if column is None:
            problems.append((cell, message))
        elif column in header:
            problems.append((column, "appears twice in the header"))
        header.append(column or cell)
    for column in layout.columns:
        if column in layout.required and column not in header:
            problems.append((column, f"missing; expected columns: {layout.expected()}"))
    for column, message in problems:
        report.file_error(
            entity, Problem(file=layout.file_name, line=1, column=column, message=message)
        )
    return None if problems else header


def _text(value: object) -> str:
    """A cell as the text a person typed: 12 not 12.0, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat() if value.time() != datetime.time() else value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


class TableWriter:
    """Rows written one at a time to a CSV or XLSX file, in ``columns`` order."""

    def __init__(self, path: Path, columns: Iterable[str], *, format: str | None = None):
        self.path = Path(path)
        self.columns = list(columns)
        self.format = format or file_format(path)
        self.count = 0
        if self.format == "xlsx":
            from openpyxl import Workbook

            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet()
            self.sheet.append(self.columns)
        else:
            self.handle: TextIO = self.path.open("w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.handle)
            self.writer.writerow(self.columns)

    def write(self, row: dict[str, str]) -> None:
        values = [row.get(column, "") for column in self.columns]
        if self.format == "xlsx":
            self.sheet.append([_cell(self.sheet, value) for value in values])
        else:
            self.writer.writerow(values)
        self.count += 1

    def close(self) -> None:
        if self.format == "xlsx":
            self.workbook.save(self.path)
        else:
            self.handle.close()

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _cell(sheet, value: str):
    """An XLSX cell holding ``value`` as text, whatever it looks like (even "=1+2")."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def write_problems(problems: Iterable[Problem], path: Path) -> int:
    """The error report of a run: one CSV line per problem (line, column, severity, message)."""
    count = 0
    with TableWriter(path, ("line", "column", "severity", "message")) as writer:
        for problem in problems:
            writer.write(
                {
                    "line": "" if problem.line is None else str(problem.line),
                    "column": problem.column or "",
                    "severity": problem.severity,
                    "message": problem.message,
                }
            )
            count += 1
    return count
