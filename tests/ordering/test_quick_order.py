"""Quick order: messy pastes, CSV and XLSX files, the preview and adding many lines at once."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from comptoir.catalog.models import ProductUnit
from comptoir.core.errors import NotFound
from comptoir.ordering.models import ShoppingList
from comptoir.ordering.quick_order import add_quick_order_lines, preview_quick_order
from comptoir.ordering.quick_order_reading import (
    UnreadableFile,
    read_csv,
    read_text,
    read_upload,
)
from comptoir.ordering.services import add_to_shopping_list, current_shopping_list
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """A company on a price list with tiers, a buyer in it and in another company, products."""
    base = factories.price_list("Base")
    lamp = factories.product("LAMP-1", name="Lamp", extra_units=(("set", 0, Decimal(10), True),))
    cable = factories.product("CABLE-1", name="Cable", unit_code="m", precision=2)
    chair = factories.product("CHAIR-1", name="Chair")
    old = factories.product("OLD-1", name="Old lamp", is_enabled=False, substitute=lamp)
    for quantity, value in (("1", "20.00"), ("10", "19.00")):
        factories.price(base, lamp, value, quantity=quantity)
    factories.price(base, lamp, "180.00", unit_code="set")
    factories.price(base, cable, "1.25")
    factories.price(base, chair, "99.90")
    factories.price(base, old, "15.00")
    acme, globex = factories.company("Acme"), factories.company("Globex")
    factories.assign(base, company=acme)
    return {
        "buyer": factories.customer_user(acme, "buyer@acme.example"),
        "other": factories.customer_user(globex, "buyer@globex.example"),
    }


MESSY_PASTE = (
    "lamp-1\t4\n"
    "  cable-1 ; 2,5 ; m  \n"
    "CHAIR-1, 2\n"
    "\n"
    "LAMP-2 3\n"
    "old-1;1\n"
    "chair-1 1 kg\n"
    "LAMP-1 set 1\n"
    "Lamp-1 6 item   \n"
)


def primary_unit_of(sku):
    return ProductUnit.objects.get(product__sku=sku, is_primary=True)


def summary(report):
    return [
        (line.number, line.sku, line.product.sku if line.product else None, line.problem)
        for line in report.lines
    ]


def test_a_messy_paste_resolves_each_line_and_names_each_problem(shop):
    report = preview_quick_order(customer_user=shop["buyer"], entered=read_text(MESSY_PASTE))

    assert summary(report) == [
        (1, "lamp-1", "LAMP-1", ""),
        (2, "cable-1", "CABLE-1", ""),
        (3, "CHAIR-1", "CHAIR-1", ""),
        (5, "LAMP-2", None, "SKU 'LAMP-2' not found; did you mean 'LAMP-1'?"),
        (6, "old-1", "OLD-1", "SKU 'OLD-1' is no longer sold; order 'LAMP-1' instead"),
        (7, "chair-1", "CHAIR-1", "SKU 'CHAIR-1' is not sold in unit 'kg' (sold in: item)"),
        (8, "LAMP-1", "LAMP-1", "Quantity 'set' is not a number"),
        (9, "Lamp-1", "LAMP-1", ""),
    ]
    good = {line.number: line for line in report.orderable_lines}
    assert sorted(good) == [1, 2, 3]
    assert (good[1].quantity, good[1].unit_code, good[1].price.value) == (
        Decimal(10),
        "item",
        Decimal("19.00"),
    )
    assert good[1].merged_lines == [9]
    assert good[1].note == "Line 9 merged into this one"
    assert report.lines[-1].note == "Merged into line 1"
    assert (good[2].quantity, good[2].unit_code, good[2].row_total) == (
        Decimal("2.50"),
        "m",
        Decimal("3.13"),
    )
    assert report.subtotal == Decimal("190.00") + Decimal("3.13") + Decimal("199.80")
    assert report.currency == "USD"


def test_units_are_matched_by_code_or_label_ignoring_case():
    factories.unit("pc")
    product = factories.product("BOX-1", unit_code="pc")
    unit = product.units.get().unit
    unit.label = "Piece"
    unit.save()
    base = factories.price_list("Base")
    factories.price(base, product, "3.00")
    company = factories.company()
    factories.assign(base, company=company)
    buyer = factories.customer_user(company)

    report = preview_quick_order(
        customer_user=buyer, entered=read_text("box-1 2 PC\nBOX-1 3 pieces\nBOX-1 1 piece")
    )

    assert [line.problem for line in report.lines] == ["", "", ""]
    assert report.lines[0].quantity == Decimal(6)
    assert report.lines[0].merged_lines == [2, 3]


def test_a_comma_between_digits_on_a_comma_separated_line_is_ambiguous(shop):
    report = preview_quick_order(customer_user=shop["buyer"], entered=read_text("CABLE-1,2,5"))

    assert report.lines[0].problem == (
        "Quantity '2,5' is ambiguous on a line separated by commas: write '2.5', or separate "
        "the line with tabs or semicolons"
    )


def test_a_header_line_and_a_line_without_quantity(shop):
    report = preview_quick_order(
        customer_user=shop["buyer"], entered=read_text("SKU;Quantity;Unit\nCHAIR-1\n")
    )

    assert summary(report) == [(2, "CHAIR-1", None, "Give a quantity after SKU 'CHAIR-1'")]


def test_quantity_rules_apply_to_merged_lines(shop):
    chair_unit = primary_unit_of("CHAIR-1")
    chair_unit.quantity_increment = Decimal(2)
    chair_unit.save()

    report = preview_quick_order(
        customer_user=shop["buyer"], entered=read_text("CHAIR-1 1\nCHAIR-1 1\nchair-1 1\n")
    )

    assert report.lines[0].problem == (
        "SKU 'CHAIR-1' is sold in multiples of 2 item: order 2 or 4, not 3"
    )
    assert report.orderable_lines == []


def test_a_product_without_a_price_for_the_company_is_refused(shop):
    report = preview_quick_order(customer_user=shop["other"], entered=read_text("CHAIR-1 1"))

    assert report.lines[0].problem == ("SKU 'CHAIR-1' has no price for 1 item; ask your sales rep")


def test_a_csv_saved_by_excel_with_a_byte_order_mark_and_semicolons(shop):
    content = "\ufeffSku;Quantité;Unit\r\nLAMP-1;2;set\r\ncable-1;1,25;M\r\nNOPE;1;\r\n"

    lines = list(read_csv(io.BytesIO(content.encode("utf-8"))))
    report = preview_quick_order(customer_user=shop["buyer"], entered=lines)

    assert summary(report) == [
        (2, "LAMP-1", "LAMP-1", ""),
        (3, "cable-1", "CABLE-1", ""),
        (4, "NOPE", None, "SKU 'NOPE' not found"),
    ]
    assert report.lines[0].unit_code == "set"
    assert report.lines[0].row_total == Decimal("360.00")
    assert report.lines[1].quantity == Decimal("1.25")


def test_a_csv_in_windows_encoding_with_quoted_fields_and_columns_in_another_order(shop):
    content = 'Unit,Qty,Référence\r\nm,"3,5",CABLE-1\r\n,1,"CHAIR-1"\r\n'

    lines = list(read_upload("order.csv", io.BytesIO(content.encode("cp1252"))))
    report = preview_quick_order(customer_user=shop["buyer"], entered=lines)

    assert summary(report) == [(2, "CABLE-1", "CABLE-1", ""), (3, "CHAIR-1", "CHAIR-1", "")]
    assert report.lines[0].quantity == Decimal("3.50")


def test_a_real_xlsx_file(shop):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["SKU", "Quantity", "Unit"])
    sheet.append(["lamp-1 ", 12, None])
    sheet.append(["CABLE-1", 2.75, "m"])
    sheet.append([None, None, None])
    sheet.append(["CHAIR-1", 1.5, None])
    sheet.append(["GHOST", 1, None])
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)

    lines = list(read_upload("order.xlsx", content))
    report = preview_quick_order(customer_user=shop["buyer"], entered=lines)

    assert summary(report) == [
        (2, "lamp-1", "LAMP-1", ""),
        (3, "CABLE-1", "CABLE-1", ""),
        (
            5,
            "CHAIR-1",
            "CHAIR-1",
            "Quantity 1.5 has too many decimals: unit 'item' takes whole numbers",
        ),
        (6, "GHOST", None, "SKU 'GHOST' not found"),
    ]
    assert report.lines[0].price.value == Decimal("19.00")
    assert report.lines[1].quantity == Decimal("2.75")


def test_a_file_that_is_not_a_workbook_gets_a_message(shop):
    with pytest.raises(UnreadableFile) as error:
        list(read_upload("order.xlsx", io.BytesIO(b"not a workbook")))

    assert error.value.message.startswith("The file is not an XLSX workbook")


def test_lines_beyond_the_limit_are_not_read(shop, monkeypatch):
    monkeypatch.setattr("comptoir.ordering.quick_order.MAX_LINES", 3)

    report = preview_quick_order(customer_user=shop["buyer"], entered=read_text("CHAIR-1 1\n" * 5))

    assert [line.number for line in report.lines] == [1, 2, 3]
    assert report.truncated is True
    assert report.notes == ["Only the first 3 lines were read: split the rest into another order."]


def test_adding_a_quick_order_adds_the_good_lines_and_reports_the_others(shop):
    add_to_shopping_list(customer_user=shop["buyer"], sku="CHAIR-1", quantity=1)

    report = add_quick_order_lines(customer_user=shop["buyer"], entered=read_text(MESSY_PASTE))

    cart = current_shopping_list(customer_user=shop["buyer"])
    assert report.shopping_list == cart
    assert sorted(
        (line.product.sku, line.unit.code, line.quantity) for line in cart.lines.all()
    ) == [
        ("CABLE-1", "m", Decimal("2.50")),
        ("CHAIR-1", "item", Decimal(3)),
        ("LAMP-1", "item", Decimal(10)),
    ]
    assert [line.number for line in report.lines if line.added] == [1, 2, 3]
    assert len(report.problem_lines) == 4


def test_adding_counts_the_quantity_already_on_the_list_in_the_rules(shop):
    chair_unit = primary_unit_of("CHAIR-1")
    chair_unit.max_quantity = Decimal(5)
    chair_unit.save()
    add_to_shopping_list(customer_user=shop["buyer"], sku="CHAIR-1", quantity=4)

    report = add_quick_order_lines(customer_user=shop["buyer"], entered=read_text("CHAIR-1 2"))

    assert report.lines[0].problem == (
        "SKU 'CHAIR-1': order at most 5 item, not 6 (4 already on the list)"
    )
    cart = current_shopping_list(customer_user=shop["buyer"])
    assert cart.lines.get().quantity == Decimal(4)


def test_adding_to_a_named_list_of_another_company_is_not_found(shop):
    theirs = ShoppingList.objects.create(
        customer_user=shop["other"],
        company=shop["other"].company,
        name="Theirs",
        is_current=False,
    )

    with pytest.raises(NotFound):
        add_quick_order_lines(
            customer_user=shop["buyer"],
            entered=read_text("CHAIR-1 1"),
            shopping_list_id=theirs.pk,
        )

    assert theirs.lines.count() == 0


def test_a_first_line_holding_a_quantity_is_never_taken_for_a_header():
    lines = list(read_text("item 2 unit\nSKU;Qty\n"))

    assert [(line.number, line.sku, line.quantity, line.unit) for line in lines] == [
        (1, "item", "2", "unit"),
        (2, "SKU", "Qty", ""),
    ]
