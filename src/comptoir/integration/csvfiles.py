"""Streaming CSV reading for imports: one record at a time, each with the line it starts on.

Files are read as UTF-8, line by line (a byte-order mark is dropped), with quoted newlines
kept inside their field, so a record's line is the physical line where it starts, as an
editor shows it. The header is checked against the columns a file may have; a record with the
wrong number of fields, a quote never closed or bytes that are not UTF-8 are reported with
file and line and never stop the import with a traceback. ``Fields`` reads typed values out
of a record and notes every refused value with its column, so one pass reports all the
problems of a row."""

import codecs
import csv
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple, Protocol

from comptoir.core.errors import DomainError
from comptoir.integration.report import ImportReport, Problem

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
# The numbers most files hold: no sign, digits before the point.
_PLAIN_NUMBER = re.compile(r"(\d+)(?:\.(\d*))?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Characters no header of a text file holds: the file is binary (a PDF, an image, a workbook).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class CsvLayout:
    """The columns a file may have; ``required`` ones must be in its header."""

    file_name: str
    columns: tuple[str, ...]
    required: frozenset[str]
    # Other names a header may give a column (written in lower case), as another system's
    # export names it: "product sku" for "sku".
    aliases: tuple[tuple[str, str], ...] = ()
    # Columns a header may have beyond ``columns``, such as one per language: their patterns
    # as messages show them ("name_<language>"), and a function that gives the column a header
    # cell names, or None for a cell it does not know, and raises a DomainError saying what is
    # wrong with a cell it refuses.
    patterns: tuple[str, ...] = ()
    pattern_column: Callable[[str], str | None] | None = None

    def expected(self) -> str:
        return ", ".join((*self.columns, *self.patterns))

    def other_column(self, cell: str) -> tuple[str | None, str]:
        """The column a header cell that is none of ``columns`` and ``aliases`` names, or None
        and what is wrong with the cell."""
        if self.pattern_column is not None:
            try:
                column = self.pattern_column(cell)
            except DomainError as error:
                return None, error.message
            if column is not None:
                return column, ""
        return None, f"unknown column; expected columns: {self.expected()}"


class Record(NamedTuple):
    """One record of a file: the physical line it starts on, its place among the file's records
    (counting from 1, malformed ones included) and its values by column. A tuple: a file of
    millions of records makes one each."""

    file_name: str
    line: int
    number: int
    values: dict[str, str]


class Progress(Protocol):
    """Told how far the reading of a file has gone, to show it to a person."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...

    def stop(self) -> None: ...


def read_records(
    path: Path,
    layout: CsvLayout,
    *,
    report: ImportReport | None,
    entity: str,
    progress: Progress | None = None,
    delimiter: str | None = ",",
) -> Iterator[Record]:
    """Yield the records of ``path`` whose shape is right; report the others.

    ``delimiter`` None takes the one of comma, semicolon, tab and bar the header holds most.

    Problems go to ``report`` (a file-level problem under ``entity``, a malformed record as a
    rejected ``entity``). With ``report`` None they are skipped silently: a second pass over a
    file that a first pass already reported on.
    """
    name = layout.file_name
    with path.open("rb") as handle:
        lines: Iterator[str] = _Utf8Lines(handle)
        if delimiter is None:
            lines, delimiter = _guess_delimiter(lines)
        reader = csv.reader(lines, strict=True, delimiter=delimiter)
        if progress is not None:
            progress.start(name, _count_lines(path))
        try:
            header = _read_header(reader, layout, report=report, entity=entity)
            if header is None:
                return
            last_line, number = reader.line_num, 0
            if progress is not None:
                progress.advance(last_line)
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    _reject(report, entity, name, last_line + 1, _csv_error_text(error, reader))
                    last_line, number = reader.line_num, number + 1
                    continue
                except NotUtf8 as error:
                    _reject(report, entity, name, error.line, str(error))
                    return
                start, last_line = last_line + 1, reader.line_num
                if progress is not None:
                    progress.advance(last_line - start + 1)
                if not fields:
                    continue
                number += 1
                if len(fields) != len(header):
                    _reject(
                        report,
                        entity,
                        name,
                        start,
                        f"{len(fields)} fields, expected {len(header)} ({', '.join(header)})",
                    )
                    continue
                yield Record(
                    file_name=name,
                    line=start,
                    number=number,
                    values=dict(zip(header, fields, strict=True)),
                )
        finally:
            if progress is not None:
                progress.stop()


def read_column(
    path: Path, layout: CsvLayout, column: str, *, delimiter: str = ","
) -> Iterator[tuple[int, str]]:
    """The line and the value in ``column`` of each record of ``path`` whose shape is right,
    read quietly: a pass over one column of a file that another pass reads whole and reports
    on. Nothing when the file cannot be read or has no such column."""
    if not path.is_file():
        return
    with path.open("rb") as handle:
        reader = csv.reader(_Utf8Lines(handle), strict=True, delimiter=delimiter)
        try:
            header = _read_header(reader, layout, report=None, entity="")
        except NotUtf8:
            return
        if header is None or column not in header:
            return
        index, width, last_line = header.index(column), len(header), reader.line_num
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error:
                last_line = reader.line_num
                continue
            except NotUtf8:
                return
            start, last_line = last_line + 1, reader.line_num
            if len(fields) == width:
                yield start, fields[index]


DELIMITERS = (",", ";", "\t", "|")


def _guess_delimiter(lines: Iterator[str]) -> tuple[Iterator[str], str]:
    """The lines as they were, and the delimiter their first line holds most (comma if none)."""
    try:
        first = next(lines)
    except StopIteration:
        return lines, ","
    except NotUtf8 as error:
        return _raising(error), ","
    delimiter = max(DELIMITERS, key=first.count)
    return itertools.chain([first], lines), delimiter if first.count(delimiter) else ","


def _raising(error: Exception) -> Iterator[str]:
    raise error
    yield


class NotUtf8(ValueError):
    def __init__(self, line: int, error: UnicodeDecodeError) -> None:
        super().__init__(
            f"is not UTF-8 text (byte 0x{error.object[error.start]:02x}); "
            "save the file as UTF-8 and import it again"
        )
        self.line = line


class _Utf8Lines:
    """The physical lines of a binary file as text, decoded one by one so that a byte that is
    not UTF-8 is reported on its own line; a byte-order mark opening the file is dropped."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.line = 0

    def __iter__(self) -> "_Utf8Lines":
        return self

    def __next__(self) -> str:
        raw = next(self.handle)
        self.line += 1
        if self.line == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotUtf8(self.line, error) from None


def _read_header(
    reader, layout: CsvLayout, *, report: ImportReport | None, entity: str
) -> list[str] | None:
    name = layout.file_name
    try:
        raw = next(reader, None)
    except (csv.Error, NotUtf8) as error:
        _file_error(report, entity, name, f"the header cannot be read: {error}")
        return None
    if raw is None:
        _file_error(
            report, entity, name, f"the file is empty; expected columns: {layout.expected()}"
        )
        return None

    if any(_CONTROL.search(cell) for cell in raw):
        _file_error(
            report,
            entity,
            name,
            "is not a text file (its first line holds control characters); save the data as "
            f"CSV (UTF-8) or XLSX with the columns: {layout.expected()}",
        )
        return None
    by_lower = {column.lower(): column for column in layout.columns} | dict(layout.aliases)
    if len(raw) == 1:
        for separator, separators in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            cells = [cell.strip().lower() for cell in raw[0].split(separator)]
            if len(cells) > 1 and all(cell in by_lower for cell in cells):
                _file_error(
                    report,
                    entity,
                    layout.file_name,
                    f"the columns are separated by {separators}: save {layout.file_name} with "
                    f"commas between columns; expected columns: {layout.expected()}",
                )
                return None
    header: list[str] = []
    problems = []
    for cell in raw:
        column, message = by_lower.get(cell.strip().lower()), ""
        if column is None:
            column, message = layout.other_column(cell.strip())
        if column is None:
            problems.append((cell.strip(), message))
        elif column in header:
            problems.append((column, "appears twice in the header"))
        header.append(column or cell.strip())
    for column in layout.columns:
        if column in layout.required and column not in header:
            problems.append((column, f"missing; expected columns: {layout.expected()}"))
    if problems:
        for column, message in problems:
            _file_error(report, entity, name, message, column=column)
        return None
    return header


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def _csv_error_text(error: csv.Error, reader) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return (
            f"a quoted field that starts here is never closed (the file ends on line "
            f"{reader.line_num}); close the quote, or double a quote inside a field"
        )
    return f'malformed line: {text}; a quote inside a field is written twice ("")'


def _reject(report: ImportReport | None, entity: str, file_name: str, line: int, message: str):
    if report is not None:
        report.reject(entity, [Problem(file=file_name, line=line, message=message)])


def _file_error(
    report: ImportReport | None, entity: str, file_name: str, message: str, *, column=None
):
    if report is not None:
        report.file_error(entity, Problem(file=file_name, line=1, column=column, message=message))


class Fields:
    """Typed reads of one record's values; a refused value is noted with its column."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.problems: list[Problem] = []

    def error(self, column: str | None, message: str) -> None:
        self.problems.append(
            Problem(
                file=self.record.file_name, line=self.record.line, column=column, message=message
            )
        )

    def warning(self, column: str | None, message: str) -> Problem:
        return Problem(
            file=self.record.file_name,
            line=self.record.line,
            column=column,
            message=message,
            severity="warning",
        )

    def unique(self, seen: dict, key: object, column: str, what: str) -> None:
        """Note an error if ``key`` was in an earlier record of ``seen``; remember it if not."""
        if not key:
            return
        if key in seen:
            self.error(column, f"duplicates {what} on line {seen[key]}")
        else:
            seen[key] = self.record.line

    def raw(self, column: str) -> str:
        return self.record.values.get(column, "")

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        """The value with surrounding spaces dropped."""
        value = self.raw(column).strip()
        if "\x00" in value:
            # PostgreSQL cannot store it; SQLite would, and the two must hold the same data.
            self.error(column, "holds a NUL character (\\x00), which cannot be stored; remove it")
        elif required and not value:
            self.error(column, "is empty")
        elif max_length is not None and len(value) > max_length:
            self.error(column, f"is {len(value)} characters long; at most {max_length} fit")
        return value

    def decimal(
        self,
        column: str,
        *,
        required: bool = False,
        negative: bool = False,
        positive: bool = False,
        max_decimals: int | None = None,
        max_digits: int | None = None,
    ) -> Decimal | None:
        """A number written with a decimal point; None when empty and not required.

        ``max_digits`` and ``max_decimals`` are those of the column the number goes to: a number
        too large for it is refused here rather than by the database.
        """
        value = self.raw(column).strip()
        if not value:
            if required:
                self.error(column, "is empty; a number is needed")
            return None
        plain = _PLAIN_NUMBER.fullmatch(value)
        if plain is not None:
            return self._plain_decimal(column, value, plain, positive, max_decimals, max_digits)
        if not _NUMBER.fullmatch(value):
            self.error(column, _not_a_number(value))
            return None
        number = Decimal(value)
        if number < 0 and not negative:
            self.error(column, f"'{value}' is negative; write 0 or more")
        elif positive and number <= 0:
            self.error(column, f"'{value}' must be more than 0")
        elif max_decimals is not None and -number.normalize().as_tuple().exponent > max_decimals:
            self.error(column, f"'{value}' has more than {max_decimals} decimals")
        elif max_digits is not None and abs(number) >= 10 ** (max_digits - (max_decimals or 0)):
            whole_digits = max_digits - (max_decimals or 0)
            self.error(
                column, f"'{value}' is too large: at most {whole_digits} digits before the point"
            )
        else:
            return number
        return None

    def _plain_decimal(
        self,
        column: str,
        value: str,
        plain: re.Match,
        positive: bool,
        max_decimals: int | None,
        max_digits: int | None,
    ) -> Decimal | None:
        """``decimal`` for the common case, digits and a point, read from the text: a file of
        a million prices has two million of them."""
        number = Decimal(value)
        whole, fraction = plain.groups()
        if positive and not number:
            self.error(column, f"'{value}' must be more than 0")
        elif max_decimals is not None and fraction and len(fraction.rstrip("0")) > max_decimals:
            self.error(column, f"'{value}' has more than {max_decimals} decimals")
        elif max_digits is not None and len(whole.lstrip("0")) > (
            whole_digits := max_digits - (max_decimals or 0)
        ):
            self.error(
                column, f"'{value}' is too large: at most {whole_digits} digits before the point"
            )
        else:
            return number
        return None

    def integer(
        self, column: str, *, required: bool = False, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        """A whole number; None when empty and not required."""
        value = self.raw(column).strip()
        if not value:
            if required:
                self.error(column, "is empty; a whole number is needed")
            return None
        if not re.fullmatch(r"[+-]?\d+", value):
            self.error(column, f"'{value}' is not a whole number")
            return None
        number = int(value)
        if number < minimum or (maximum is not None and number > maximum):
            upper = "" if maximum is None else f" and at most {maximum}"
            self.error(column, f"'{value}' must be at least {minimum}{upper}")
            return None
        return number

    def boolean(self, column: str, *, default: bool = False) -> bool:
        """1 for yes, 0 for no; ``default`` when empty."""
        value = self.raw(column).strip()
        if not value:
            return default
        if value not in {"0", "1"}:
            self.error(column, f"'{value}' is not 0 or 1; write 1 for yes and 0 for no")
            return default
        return value == "1"

    def date(self, column: str) -> date | None:
        """A date written YYYY-MM-DD; None when empty."""
        value = self.raw(column).strip()
        if not value:
            return None
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.error(column, f"'{value}' is not a date; write it as YYYY-MM-DD")
            return None

    def choice(self, column: str, choices: dict[str, str], *, default: str | None = None) -> str:
        """One of ``choices`` (keys compared ignoring case), as the value it maps to."""
        value = self.raw(column).strip()
        if not value and default is not None:
            return default
        found = choices.get(value.lower())
        if found is None:
            self.error(column, f"'{value}' is not one of: {', '.join(choices)}")
            return default or ""
        return found

    def choices(self, column: str, allowed: tuple[str, ...]) -> set[str]:
        """A comma-separated subset of ``allowed`` (compared ignoring case)."""
        words = {word.strip().lower() for word in self.raw(column).split(",") if word.strip()}
        unknown = sorted(words - set(allowed))
        if unknown:
            self.error(
                column,
                f"'{', '.join(unknown)}' not understood; write any of: {', '.join(allowed)}",
            )
        return words & set(allowed)


def _not_a_number(value: str) -> str:
    if "," in value:
        if "." in value or value.count(",") > 1:
            plain = value.replace(",", "")
            return f"'{value}' is not a number; write it without thousands separators: {plain}"
        return f"'{value}' is not a number; write decimals with a point: {value.replace(',', '.')}"
    return f"'{value}' is not a number"
