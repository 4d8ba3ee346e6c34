from decimal import Decimal

import pytest

from comptoir.integration.csvfiles import CsvLayout, Fields, Record, read_records
from comptoir.integration.report import ImportReport

LAYOUT = CsvLayout(
    file_name="things.csv", columns=("sku", "name", "price"), required=frozenset({"sku"})
)


def read(tmp_path, content: str | bytes) -> tuple[list[Record], ImportReport]:
    path = tmp_path / "things.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    report = ImportReport()
    records = list(read_records(path, LAYOUT, report=report, entity="things"))
    return records, report


def messages(report: ImportReport) -> list[str]:
    return [str(problem) for problem in report.problems]


def fields_of(**values: str) -> Fields:
    return Fields(Record(file_name="things.csv", line=7, number=6, values=values))


def test_byte_order_mark_is_dropped_from_the_first_column_name(tmp_path):
    content = "\ufeffsku,name,price\nAB-1,Drill,10\n".encode()

    records, report = read(tmp_path, content)

    assert report.problems == []
    assert records[0].values == {"sku": "AB-1", "name": "Drill", "price": "10"}


def test_each_record_carries_the_line_it_starts_on_across_quoted_newlines(tmp_path):
    content = 'sku,name,price\nAB-1,"Drill\nwith two\nlines",10\n\nAB-2,Saw,12\n'

    records, report = read(tmp_path, content)

    assert report.problems == []
    assert [(record.line, record.number) for record in records] == [(2, 1), (6, 2)]
    assert records[0].values["name"] == "Drill\nwith two\nlines"


def test_header_columns_may_come_in_any_order_and_any_case(tmp_path):
    records, report = read(tmp_path, "PRICE,Sku\n10,AB-1\n")

    assert report.problems == []
    assert records[0].values == {"price": "10", "sku": "AB-1"}


def test_unknown_column_is_a_file_error_on_line_1_listing_the_expected_columns(tmp_path):
    records, report = read(tmp_path, "sku,name,colour\nAB-1,Drill,red\n")

    assert records == []
    assert messages(report) == [
        "things.csv:1: column colour: unknown column; expected columns: sku, name, price"
    ]


def test_missing_required_column_is_a_file_error(tmp_path):
    records, report = read(tmp_path, "name,price\nDrill,10\n")

    assert records == []
    assert messages(report) == [
        "things.csv:1: column sku: missing; expected columns: sku, name, price"
    ]


def test_record_with_the_wrong_number_of_fields_is_rejected_with_its_line(tmp_path):
    records, report = read(tmp_path, "sku,name,price\nAB-1,Drill\nAB-2,Saw,12\n")

    assert [record.values["sku"] for record in records] == ["AB-2"]
    assert records[0].number == 2
    assert messages(report) == ["things.csv:2: 2 fields, expected 3 (sku, name, price)"]
    assert report.counts["things"].rejected == 1


def test_quote_never_closed_is_reported_on_the_line_it_opens(tmp_path):
    content = 'sku,name,price\nAB-1,Drill,10\nAB-2,"Saw,12\nAB-3,Hammer,8\n'

    records, report = read(tmp_path, content)

    assert [record.values["sku"] for record in records] == ["AB-1"]
    assert messages(report) == [
        "things.csv:3: a quoted field that starts here is never closed (the file ends on line "
        "4); close the quote, or double a quote inside a field"
    ]


def test_stray_quote_is_reported_and_the_next_records_are_read(tmp_path):
    content = 'sku,name,price\nAB-1,"Drill"x,10\nAB-2,Saw,12\n'

    records, report = read(tmp_path, content)

    assert [(record.line, record.values["sku"]) for record in records] == [(3, "AB-2")]
    assert messages(report) == [
        "things.csv:2: malformed line: ',' expected after '\"'; "
        'a quote inside a field is written twice ("")'
    ]


def test_bytes_that_are_not_utf8_are_reported_with_their_line(tmp_path):
    content = "sku,name,price\nAB-1,Drill,10\nAB-2,Sc\xe9,12\n".encode("latin-1")

    records, report = read(tmp_path, content)

    assert messages(report) == [
        "things.csv:3: is not UTF-8 text (byte 0xe9); save the file as UTF-8 and import it again"
    ]


def test_decimal_comma_is_refused_with_the_point_spelling():
    fields = fields_of(price="12,50")

    value = fields.decimal("price")

    assert value is None
    assert [str(problem) for problem in fields.problems] == [
        "things.csv:7: column price: '12,50' is not a number; write decimals with a point: 12.50"
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1,234.50", "'1,234.50' is not a number; write it without thousands separators: 1234.50"),
        ("-3", "'-3' is negative; write 0 or more"),
        ("abc", "'abc' is not a number"),
        ("1e3", "'1e3' is not a number"),
        ("NaN", "'NaN' is not a number"),
        ("1.23456", "'1.23456' has more than 4 decimals"),
    ],
)
def test_price_that_is_not_a_plain_positive_number_is_refused(raw, message):
    fields = fields_of(price=raw)

    fields.decimal("price", max_decimals=4)

    assert [problem.message for problem in fields.problems] == [message]


def test_decimal_with_a_point_is_read_exactly():
    fields = fields_of(price=" 12.50 ")

    assert fields.decimal("price") == Decimal("12.50")
    assert fields.problems == []


def test_boolean_other_than_0_or_1_is_refused():
    fields = fields_of(featured="yes")

    value = fields.boolean("featured")

    assert value is False
    assert [problem.message for problem in fields.problems] == [
        "'yes' is not 0 or 1; write 1 for yes and 0 for no"
    ]


def test_empty_required_text_is_refused():
    fields = fields_of(sku="  ")

    fields.text("sku", required=True)

    assert [str(problem) for problem in fields.problems] == ["things.csv:7: column sku: is empty"]


def test_date_must_be_written_year_month_day():
    fields = fields_of(shipBy="05/01/2016")

    fields.date("shipBy")

    assert [problem.message for problem in fields.problems] == [
        "'05/01/2016' is not a date; write it as YYYY-MM-DD"
    ]
