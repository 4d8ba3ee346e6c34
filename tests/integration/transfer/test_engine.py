"""The import/export engine, shown on categories and on a grouped entity of the test's own."""

import csv
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from comptoir.catalog.models import Category
from comptoir.core.errors import DomainError
from comptoir.core.models import Event
from comptoir.core.records import CREATED
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Option, Row
from comptoir.integration.transfer.files import write_problems
from comptoir.integration.transfer.runner import run_export, run_import, write_template

pytestmark = pytest.mark.django_db


def write(tmp_path, text: str, name: str = "categories.csv", *, bom: bool = False):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def slugs() -> list[str]:
    return sorted(Category.objects.values_list("slug", flat=True))


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_the_one_the_header_uses(tmp_path, delimiter):
    rows = [["slug", "name", "parent"], ["tools", "Tools", ""], ["drills", "Drills", "tools"]]
    path = write(tmp_path, "\n".join(delimiter.join(row) for row in rows) + "\n")

    report = run_import(path, entity="categories")

    assert report.problems == []
    assert report.counts["categories"].created == 2
    assert Category.objects.get(slug="drills").parent.slug == "tools"


def test_excel_csv_with_byte_order_mark_semicolons_and_quoted_newlines(tmp_path):
    text = (
        'slug;name;description\r\nsaws;Saws;"Hand saws;\r\nand ""power"" saws"\r\nbad slug;X;\r\n'
    )
    path = write(tmp_path, text, bom=True)

    report = run_import(path, entity="categories")

    saws = Category.objects.get(slug="saws")
    assert saws.description == 'Hand saws;\r\nand "power" saws'
    # The bad record starts on physical line 4: the quoted newline is counted.
    assert messages(report) == [
        "categories.csv:4: column slug: 'bad slug' is not a slug; write lower-case letters, "
        "digits and hyphens, as in 'bad-slug'"
    ]


def test_good_rows_go_in_and_each_bad_row_is_reported_with_line_and_column(tmp_path):
    text = "slug,name,parent\nok,Fine,\nno-name,,\norphan,Orphan,missing\nalso-ok,Also fine,ok\n"
    path = write(tmp_path, text)

    report = run_import(path, entity="categories")

    assert slugs() == ["also-ok", "ok"]
    assert report.counts["categories"].rejected == 2
    assert messages(report) == [
        "categories.csv:3: column name: is empty",
        "categories.csv:4: column parent: no category has the slug 'missing'; put the parent's "
        "row before its children, or create it first",
    ]


def test_header_problems_stop_the_file_before_any_row(tmp_path):
    path = write(tmp_path, "slug,name,colour,name\nok,Fine,red,Fine\n")

    report = run_import(path, entity="categories")

    assert slugs() == []
    assert [(p.column, p.message.split(";")[0]) for p in report.problems] == [
        ("colour", "unknown column"),
        ("name", "appears twice in the header"),
    ]


def test_a_one_column_header_that_is_no_column_names_its_own_file(tmp_path):
    path = write(tmp_path, "hello world\nsome prose\n", name="prose.txt")

    report = run_import(path, entity="categories")

    assert [(p.file, p.line, p.column) for p in report.problems] == [
        ("prose.txt", 1, "hello world"),
        ("prose.txt", 1, "slug"),
    ]


def test_a_file_without_the_key_column_is_refused(tmp_path):
    path = write(tmp_path, "name\nFine\n")

    report = run_import(path, entity="categories")

    assert slugs() == []
    assert report.errors[0].column == "slug"
    assert report.errors[0].message.startswith("missing; expected columns: slug, name")


def test_validate_only_reports_what_would_happen_and_writes_nothing(tmp_path):
    Category.objects.create(slug="tools", name="Tools")
    text = (
        "slug,name,parent\ntools,Tools and more,\ndrills,Drills,tools\nbits,Bits,drills\nx y,,\n"
    )
    path = write(tmp_path, text)

    report = run_import(path, entity="categories", validate_only=True)

    counts = report.counts["categories"]
    assert (counts.created, counts.updated, counts.rejected) == (2, 1, 1)
    assert slugs() == ["tools"]
    assert Category.objects.get(slug="tools").name == "Tools"
    assert not Event.objects.filter(name="import_finished").exists()


def test_all_or_nothing_imports_nothing_when_a_row_is_refused(tmp_path):
    path = write(tmp_path, "slug,name,parent\nok,Fine,\norphan,Orphan,missing\n")

    report = run_import(path, entity="categories", all_or_nothing=True)

    assert slugs() == []
    assert report.warnings[0].message.startswith("nothing was imported")

    fixed = write(tmp_path, "slug,name,parent\nok,Fine,\norphan,Orphan,ok\n")
    report = run_import(fixed, entity="categories", all_or_nothing=True)

    assert report.problems == []
    assert slugs() == ["ok", "orphan"]


def test_a_row_the_database_refuses_is_reported_and_the_rest_of_its_batch_goes_in(tmp_path):
    # Two categories of one name under one parent: the database's constraint refuses the second.
    Category.objects.create(slug="root", name="Root")
    text = "slug,name,parent\nfirst,Same,root\nsecond,Same,root\nthird,Other,root\n"
    path = write(tmp_path, text)

    report = run_import(path, entity="categories")

    assert slugs() == ["first", "root", "third"]
    [problem] = report.errors
    assert (problem.line, problem.message.split(":")[0]) == (3, "could not be saved")


def test_same_file_twice_changes_nothing_the_second_time(tmp_path):
    path = write(tmp_path, "slug,name,parent,sort_order\ntools,Tools,,2\ndrills,Drills,tools,1\n")
    run_import(path, entity="categories")

    report = run_import(path, entity="categories")

    counts = report.counts["categories"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 2)


def test_a_partial_file_changes_only_the_columns_it_has(tmp_path):
    Category.objects.create(slug="tools", name="Tools", description="Keep me", sort_order=5)
    path = write(tmp_path, "slug,name\ntools,Tools & more\n")

    run_import(path, entity="categories")

    tools = Category.objects.get(slug="tools")
    assert (tools.name, tools.description, tools.sort_order) == ("Tools & more", "Keep me", 5)


TRICKY = [
    ("quotes", 'Say "hi", then leave'),
    ("newlines", "first line\nsecond line, with a comma"),
    ("greek", "Ελληνικά εργαλεία"),
    ("japanese", "日本語の工具"),
    ("formula", "=1+2"),
]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_then_import_gives_back_identical_data(tmp_path, suffix):
    root = Category.objects.create(slug="root", name="Root")
    for slug, text in TRICKY:
        Category.objects.create(slug=slug, name=text[:50], description=text, parent=root)
    before = list(Category.objects.values_list("slug", "name", "description", "parent__slug"))
    path = tmp_path / f"categories.{suffix}"

    assert run_export(path, entity="categories") == len(TRICKY) + 1
    Category.objects.exclude(pk=root.pk).delete()
    root.delete()
    report = run_import(path, entity="categories")

    assert report.problems == []
    after = Category.objects.values_list("slug", "name", "description", "parent__slug")
    assert set(after) == set(before)
    again = run_import(path, entity="categories")
    assert again.counts["categories"].unchanged == len(TRICKY) + 1


def test_xlsx_cells_are_written_as_text_so_a_formula_stays_text(tmp_path):
    Category.objects.create(slug="formula", name="=1+2", description="0012")
    path = tmp_path / "categories.xlsx"

    run_export(path, entity="categories")

    sheet = load_workbook(path).worksheets[0]
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("=1+2", "s")
    assert (sheet["D2"].value, sheet["D2"].data_type) == ("0012", "s")


def test_xlsx_numbers_are_read_as_typed_and_blank_rows_skipped(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Slug", "Name", "Sort_Order"])
    sheet.append(["tools", "Tools", 10])
    sheet.append([None, None, None])
    sheet.append(["saws", "Saws", 2.0])
    sheet.append(["bits", "Bits", 1, "stray"])
    path = tmp_path / "categories.xlsx"
    workbook.save(path)

    report = run_import(path, entity="categories")

    assert dict(Category.objects.values_list("slug", "sort_order")) == {"tools": 10, "saws": 2}
    assert messages(report) == ["categories.xlsx:5: 4 cells, expected 3 (slug, name, sort_order)"]


def test_a_file_that_is_not_an_xlsx_workbook_says_so(tmp_path):
    path = write(tmp_path, "slug,name\nx,X\n", name="categories.xlsx")

    report = run_import(path, entity="categories")

    assert "is not a readable XLSX workbook" in report.errors[0].message


def test_a_file_that_is_not_utf8_says_so_and_how_to_fix_it(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_bytes("slug,name\ncafe,Caf\xe9\n".encode("latin-1"))

    report = run_import(path, entity="categories")

    assert report.errors[0].line == 2
    assert "save the file as UTF-8" in report.errors[0].message


def test_an_unknown_entity_or_option_is_refused_before_reading(tmp_path):
    path = write(tmp_path, "slug,name\nx,X\n")

    with pytest.raises(DomainError, match="'widgets' is not an entity .* categories"):
        run_import(path, entity="widgets")
    with pytest.raises(DomainError, match="'mode' is not an option of categories imports"):
        run_import(path, entity="categories", options={"mode": "reset"})
    assert slugs() == []


def test_an_import_records_that_it_finished(tmp_path):
    path = write(tmp_path, "slug,name\nx,X\nbad slug,Y\n")

    run_import(path, entity="categories")

    event = Event.objects.get(name="import_finished")
    assert event.payload["counts"]["categories"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert event.payload["errors"] == 1


def test_the_error_report_lists_line_column_severity_and_message(tmp_path):
    report = run_import(write(tmp_path, "slug,name\nBad,X\n"), entity="categories")
    target = tmp_path / "errors.csv"

    assert write_problems(report.problems, target) == 1
    with target.open(newline="", encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == [
            {
                "line": "2",
                "column": "slug",
                "severity": "error",
                "message": "'Bad' is not a slug; write lower-case letters, digits and hyphens, "
                "as in 'bad'",
            }
        ]


def test_the_template_holds_the_columns_and_an_example_row(tmp_path):
    path = tmp_path / "template.csv"

    write_template(path, entity="categories")

    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0] == ["slug", "name", "name_fr", "parent", "description", "sort_order"]
    assert rows[1][:3] == ["office-chairs", "Office chairs", "Chaises de bureau"]
    assert run_import(path, entity="categories", validate_only=True).errors[0].column == "parent"


class Baskets(Entity):
    """A grouped entity of the test's own: a basket's rows make one parent category and its
    children, written only when every row of the basket is good."""

    name = "baskets"
    label = "Baskets"
    key = ("basket", "item")
    group = "basket"
    group_label = "basket"
    batch_size = 2
    columns = (Column("basket", "", required=True), Column("item", "", required=True))
    options = (Option("prefix", "", default="b"),)

    def parse(self, fields: Fields, run: ImportRun):
        item = fields.text("item", required=True)
        if item.startswith("!"):
            fields.error("item", "an item cannot start with !")
        return (fields.text("basket"), item)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        for row in rows:
            basket, item = row.data
            parent, _ = Category.objects.get_or_create(
                slug=f"{run.option('prefix')}-{basket}", defaults={"name": basket}
            )
            Category.objects.create(slug=f"{basket}-{item}", name=item, parent=parent)
            run.done(row, CREATED)

    def export(self, options) -> Iterator[dict[str, str]]:
        return iter(())


def test_a_grouped_record_goes_in_whole_or_not_at_all(tmp_path):
    text = "basket,item\n1,a\n1,b\n1,c\n2,a\n2,!b\n2,c\n3,a\n3,a\n4,a\n"
    path = write(tmp_path, text, name="baskets.csv")

    report = run_import(path, entity=Baskets(), options={"prefix": "p"})

    # Basket 1 spans a batch boundary and goes in whole; basket 2 has a bad row and none of it
    # goes in; basket 3's second row breaks the database's constraint: all of basket 3 is out.
    assert slugs() == ["1-a", "1-b", "1-c", "4-a", "p-1", "p-4"]
    assert messages(report)[:3] == [
        "baskets.csv:6: column item: an item cannot start with !",
        "baskets.csv:5: not imported: line 6 of the same basket has errors",
        "baskets.csv:7: not imported: line 6 of the same basket has errors",
    ]
    assert [(p.line, p.message.split(":")[0]) for p in report.problems[3:]] == [
        (8, "could not be saved"),
        (9, "could not be saved"),
    ]
    assert report.counts["baskets"].rejected == 5


def test_the_command_imports_writes_the_error_report_and_fails_on_errors(tmp_path, capsys):
    path = write(tmp_path, "slug;name\nok;Fine\nBad;X\n")
    errors = tmp_path / "errors.csv"

    with pytest.raises(CommandError, match="1 record rejected"):
        call_command("import", str(path), "--type", "categories", "--errors", str(errors))

    assert slugs() == ["ok"]
    assert "Bad" in errors.read_text(encoding="utf-8")
    out = capsys.readouterr().out
    assert "categories" in out and "Import summary" in out


def test_the_command_asks_for_the_type_and_names_the_choices(tmp_path):
    path = write(tmp_path, "slug,name\nok,Fine\n")

    with pytest.raises(
        CommandError, match="categories.csv' holds with --type, one of: .*categories"
    ):
        call_command("import", str(path))


def test_export_command_writes_the_file_and_a_template(tmp_path, capsys):
    Category.objects.create(slug="tools", name="Tools")

    call_command("export", str(tmp_path / "out.csv"), "--type", "categories")
    call_command("export", str(tmp_path / "template.xlsx"), "--type", "categories", "--template")

    assert "1 row of categories written to " in capsys.readouterr().out
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1].startswith("tools,")
    assert load_workbook(tmp_path / "template.xlsx").worksheets[0]["A1"].value == "slug"


def test_export_command_refuses_a_file_name_that_says_neither_csv_nor_xlsx(tmp_path):
    with pytest.raises(CommandError, match="does not end in .csv or .xlsx"):
        call_command("export", str(tmp_path / "out.pdf"), "--type", "categories")

    assert not (tmp_path / "out.pdf").exists()


def test_a_binary_file_named_csv_is_said_not_to_be_text(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_bytes(bytes(range(1, 128)) * 3)

    report = run_import(path, entity="categories")

    assert slugs() == []
    [problem] = report.errors
    assert problem.message.startswith("is not a text file (its first line holds control")
