"""Reading quick order lines (SKU, quantity, optional unit) out of pasted text, CSV and XLSX.

Each reader yields one ``EnteredLine`` at a time, so a large file is never held whole; the
preview stops reading at ``MAX_LINES``. Pasted lines may be separated by tabs, semicolons,
commas or spaces, one separator per line; a decimal comma is read only where it cannot be a
separator (a line separated by tabs, semicolons or spaces, or a quoted CSV field).
"""

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _

from comptoir.core.errors import DomainError, excerpt

MAX_LINES = 5000
# The names a header may give each column, compared ignoring case and surrounding spaces.
HEADER_NAMES = {
    "sku": ("sku", "item", "item number", "product", "reference", "référence", "ref", "article"),
    "quantity": ("quantity", "qty", "quantité", "quantite", "menge", "amount"),
    "unit": ("unit", "uom", "unité", "unite", "einheit"),
}
_SPACES = re.compile(r"\s+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnreadableFile(DomainError):
    code = "unreadable_file"
    status = 422


@dataclass(frozen=True)
class EnteredLine:
    """One line as the buyer wrote it: its line number, its fields, and what was read."""

    number: int
    sku: str
    quantity: str
    unit: str = ""
    entered: str = ""
    # Set when the line's shape is wrong (no quantity, too many fields, ambiguous comma).
    problem: str = ""

    @property
    def text(self) -> str:
        return self.entered or "\t".join(field for field in (self.sku, self.quantity, self.unit))


def read_text(text: str) -> Iterator[EnteredLine]:
    """The lines of pasted text; blank lines and a header line are skipped."""
    first = True
    for number, raw in enumerate(io.StringIO(text), start=1):
        line = raw.strip()
        if not line:
            continue
        separator = next((s for s in ("\t", ";", ",") if s in line), None)
        if separator is None:
            fields = _SPACES.split(line)
        else:
            fields = [field.strip() for field in line.split(separator)]
        if first:
            first = False
            if header_columns(fields):
                continue
        yield entered_line(number, fields, entered=line, comma_is_decimal=separator != ",")


def entered_line(
    number: int, fields: list[str], *, entered: str, comma_is_decimal: bool
) -> EnteredLine:
    """The line made of ``fields`` (SKU, quantity, unit), or its problem."""
    while fields and not fields[-1]:
        fields = fields[:-1]
    sku = fields[0] if fields else ""
    quantity = fields[1] if len(fields) > 1 else ""
    unit = fields[2] if len(fields) > 2 else ""
    problem = ""
    if len(fields) > 3:
        if not comma_is_decimal and len(fields) == 4 and fields[2].isdigit():
            problem = ambiguous_comma(f"{fields[1]},{fields[2]}")
        else:
            problem = _(
                "Expected a SKU, a quantity and a unit, found %(count)s fields: '%(line)s'"
            ) % {"count": len(fields), "line": excerpt(entered)}
    elif not comma_is_decimal and len(fields) == 3 and unit.isdigit():
        problem = ambiguous_comma(f"{quantity},{unit}")
    elif not sku:
        problem = _("Give a SKU first on the line")
    elif not quantity:
        problem = _("Give a quantity after SKU '%(sku)s'") % {"sku": excerpt(sku)}
    elif comma_is_decimal and _DECIMAL_COMMA.fullmatch(quantity):
        quantity = quantity.replace(",", ".")
    return EnteredLine(
        number=number, sku=sku, quantity=quantity, unit=unit, entered=entered, problem=problem
    )


def ambiguous_comma(quantity: str) -> str:
    return _(
        "Quantity '%(quantity)s' is ambiguous on a line separated by commas: write "
        "'%(example)s', or separate the line with tabs or semicolons"
    ) % {"quantity": excerpt(quantity), "example": excerpt(quantity.replace(",", "."))}


def read_upload(name: str, handle: IO[bytes]) -> Iterator[EnteredLine]:
    """The lines of an uploaded CSV or XLSX file, told apart by its name or its first bytes."""
    start = handle.read(4)
    handle.seek(0)
    if name.lower().endswith((".xlsx", ".xlsm")) or start == b"PK\x03\x04":
        return read_xlsx(handle)
    return read_csv(handle)


def read_csv(handle: IO[bytes]) -> Iterator[EnteredLine]:
    """The lines of a CSV file: UTF-8 (with or without a byte-order mark) or Windows-1252, its
    delimiter guessed from the first line, quoted fields allowed."""
    sample = handle.read(64 * 1024)
    handle.seek(0)
    encoding = "utf-8-sig"
    try:
        sample.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A sample cut in the middle of a character is still UTF-8.
        if error.start < len(sample) - 3:
            encoding = "cp1252"
    text = codecs.getreader(encoding)(handle, errors="replace")
    first_line = sample.decode(encoding, errors="ignore").lstrip("\ufeff").partition("\n")[0]
    delimiter = max(("\t", ";", ",", "|"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    return read_rows(csv.reader(text, delimiter=delimiter), row_numbers=_csv_line_numbers)


def _csv_line_numbers(reader, index: int) -> int:
    return reader.line_num


def read_xlsx(handle: IO[bytes]) -> Iterator[EnteredLine]:
    """The lines of the first sheet of an XLSX workbook, read row by row."""
    from openpyxl import load_workbook  # loaded only by those who upload a workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile(
            _("The file is not an XLSX workbook (%(error)s): save it as .xlsx or .csv")
            % {"error": excerpt(str(error) or type(error).__name__)}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = ([cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True))
        yield from read_rows(rows, row_numbers=None)
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: 12.0 is "12", a float keeps its shortest decimal form."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def read_rows(rows: Iterable[list[str]], *, row_numbers) -> Iterator[EnteredLine]:
    """Lines out of rows of cells; a first row naming the columns says where each one is."""
    columns, first = {"sku": 0, "quantity": 1, "unit": 2}, True
    for index, row in enumerate(rows, start=1):
        number = row_numbers(rows, index) if row_numbers else index
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if first:
            first = False
            if header := header_columns(cells):
                columns = header
                continue
        fields = [
            cells[columns[name]] if name in columns and columns[name] < len(cells) else ""
            for name in ("sku", "quantity", "unit")
        ]
        entered = "; ".join(cell for cell in cells if cell)
        yield entered_line(number, fields, entered=entered, comma_is_decimal=True)


def header_columns(cells: list[str]) -> dict[str, int]:
    """Where a header row puts each column, by name; empty if the row names no SKU column or
    holds a number (then it is a line: "ITEM 2" orders two of the SKU "ITEM")."""
    if any(_NUMBER.fullmatch(cell.strip()) for cell in cells):
        return {}
    found = {}
    for position, cell in enumerate(cells):
        for name, names in HEADER_NAMES.items():
            if cell.strip().lower() in names and name not in found:
                found[name] = position
    return found if "sku" in found else {}


def lines_to_text(lines: Iterable[EnteredLine]) -> str:
    """``lines`` as pasted text, one tab-separated line each, to put back in the paste box."""
    return "\n".join(
        "\t".join(field for field in (line.sku, line.quantity, line.unit) if field)
        for line in lines
    )
