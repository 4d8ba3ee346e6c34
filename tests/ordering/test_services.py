from datetime import UTC, datetime
from decimal import Decimal

import pytest

from comptoir.accounts.models import Address
from comptoir.core.errors import DomainError, InvalidQuantity, NotFound, NotOrderable
from comptoir.core.models import Event
from comptoir.ordering.models import Order, OrderSource
from comptoir.ordering.queries import priced_shopping_list
from comptoir.ordering.services import (
    AddressCopy,
    HistoricalOrder,
    HistoricalOrderLine,
    add_to_shopping_list,
    change_line_quantity,
    create_historical_orders,
    current_shopping_list,
    place_order,
    record_historical_order,
    remove_line,
    reorder,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """Two companies on one price list with tiers, a buyer in each, three products."""
    base = factories.price_list("Base")
    lamp = factories.product("LAMP-1", name="Lamp", extra_units=(("set", 0, Decimal(10), True),))
    cable = factories.product("CABLE-1", name="Cable", unit_code="m", precision=2)
    chair = factories.product("CHAIR-1", name="Chair")
    for quantity, value in (("1", "20.00"), ("10", "19.00")):
        factories.price(base, lamp, value, quantity=quantity)
    factories.price(base, lamp, "180.00", unit_code="set")
    factories.price(base, cable, "1.25")
    factories.price(base, chair, "99.90")
    acme, globex = factories.company("Acme"), factories.company("Globex")
    factories.assign(base, company=acme)
    factories.assign(base, company=globex)
    return {
        "lamp": lamp,
        "cable": cable,
        "chair": chair,
        "buyer": factories.customer_user(acme, "buyer@acme.example"),
        "other": factories.customer_user(globex, "buyer@globex.example"),
    }


def address_of(customer_user):
    return Address.objects.filter(company=customer_user.company).first()


def test_adding_the_same_product_and_unit_adds_to_the_line(shop):
    add_to_shopping_list(customer_user=shop["buyer"], sku="lamp-1 ", quantity=4)

    line = add_to_shopping_list(customer_user=shop["buyer"], sku="LAMP-1", quantity="8")

    assert line.quantity == Decimal(12)
    assert current_shopping_list(customer_user=shop["buyer"]).lines.count() == 1


def test_quantity_must_fit_the_unit_precision(shop):
    with pytest.raises(InvalidQuantity) as error:
        add_to_shopping_list(customer_user=shop["buyer"], sku="LAMP-1", quantity="1.5")

    assert "unit 'item' takes whole numbers" in error.value.message
    line = add_to_shopping_list(customer_user=shop["buyer"], sku="CABLE-1", quantity="2.75")
    assert line.quantity == Decimal("2.75")


def test_unit_not_sold_for_the_product_is_refused_naming_the_units(shop):
    with pytest.raises(NotOrderable) as error:
        add_to_shopping_list(customer_user=shop["buyer"], sku="LAMP-1", quantity=1, unit_code="kg")

    assert error.value.message == "SKU 'LAMP-1' is not sold in unit 'kg' (sold in: item, set)"


def test_unknown_sku_is_not_found(shop):
    with pytest.raises(NotFound) as error:
        add_to_shopping_list(customer_user=shop["buyer"], sku="NOPE", quantity=1)

    assert error.value.message == "SKU 'NOPE' not found"


def test_cart_is_priced_with_the_tier_for_the_quantity(shop):
    add_to_shopping_list(customer_user=shop["buyer"], sku="LAMP-1", quantity=12)
    add_to_shopping_list(customer_user=shop["buyer"], sku="LAMP-1", quantity=1, unit_code="set")

    priced = priced_shopping_list(current_shopping_list(customer_user=shop["buyer"]))

    assert [(pl.price.value, pl.row_total) for pl in priced.lines] == [
        (Decimal("19.0000"), Decimal("228.00")),
        (Decimal("180.0000"), Decimal("180.00")),
    ]
    assert priced.subtotal == Decimal("408.00")


def test_another_company_cannot_change_or_remove_a_line(shop):
    line = add_to_shopping_list(customer_user=shop["buyer"], sku="LAMP-1", quantity=2)

    with pytest.raises(NotFound):
        change_line_quantity(customer_user=shop["other"], line_id=line.pk, quantity=5)
    with pytest.raises(NotFound):
        remove_line(customer_user=shop["other"], line_id=line.pk)

    line.refresh_from_db()
    assert line.quantity == Decimal(2)


def test_placing_an_order_copies_prices_addresses_and_payment_term(shop):
    buyer = shop["buyer"]
    add_to_shopping_list(customer_user=buyer, sku="LAMP-1", quantity=12)
    add_to_shopping_list(customer_user=buyer, sku="CABLE-1", quantity="2.5")
    address = address_of(buyer)

    order = place_order(
        customer_user=buyer,
        billing_address_id=address.pk,
        shipping_address_id=address.pk,
        po_number=" PO-77 ",
        source=OrderSource.API,
    )

    assert order.number == "CO000001"
    assert (order.subtotal, order.total, order.currency) == (
        Decimal("231.13"),
        Decimal("231.13"),
        "USD",
    )
    assert (order.po_number, order.payment_term, order.source) == ("PO-77", "net 30", "api")
    assert order.shipping_address.street == address.street
    assert [
        (line.sku, line.quantity, line.unit_price, line.row_total) for line in order.lines.all()
    ] == [
        ("LAMP-1", Decimal("12.000"), Decimal("19.0000"), Decimal("228.0000")),
        ("CABLE-1", Decimal("2.500"), Decimal("1.2500"), Decimal("3.1300")),
    ]
    assert current_shopping_list(customer_user=buyer).lines.count() == 0
    assert Event.objects.get().payload == {
        "number": "CO000001",
        "company": "Acme",
        "total": "231.13",
        "currency": "USD",
    }


def test_order_numbers_follow_each_other(shop):
    buyer, address = shop["buyer"], address_of(shop["buyer"])
    numbers = []
    for _ in range(2):
        add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=1)
        order = place_order(
            customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
        )
        numbers.append(order.number)

    assert numbers == ["CO000001", "CO000002"]


def test_empty_cart_cannot_be_ordered(shop):
    address = address_of(shop["buyer"])

    with pytest.raises(NotOrderable) as error:
        place_order(
            customer_user=shop["buyer"],
            billing_address_id=address.pk,
            shipping_address_id=address.pk,
        )

    assert error.value.code == "empty_shopping_list"


def test_another_company_address_cannot_be_used(shop):
    add_to_shopping_list(customer_user=shop["buyer"], sku="CHAIR-1", quantity=1)
    foreign = address_of(shop["other"])

    with pytest.raises(NotFound):
        place_order(
            customer_user=shop["buyer"],
            billing_address_id=foreign.pk,
            shipping_address_id=foreign.pk,
        )


def test_disabled_product_in_the_cart_blocks_the_order_with_its_sku(shop):
    buyer, address = shop["buyer"], address_of(shop["buyer"])
    add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=1)
    shop["chair"].is_enabled = False
    shop["chair"].save()

    with pytest.raises(NotOrderable) as error:
        place_order(
            customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
        )

    assert error.value.message == (
        "Some lines cannot be ordered: CHAIR-1: this product is no longer sold"
    )


def test_reorder_adds_what_is_still_sold_and_names_the_discontinued_line(shop):
    buyer, address = shop["buyer"], address_of(shop["buyer"])
    add_to_shopping_list(customer_user=buyer, sku="LAMP-1", quantity=12)
    add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=2)
    order = place_order(
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )
    shop["chair"].is_enabled = False
    shop["chair"].save()

    report = reorder(customer_user=buyer, order_number=order.number)

    assert [(line.product.sku, line.quantity) for line in report.added] == [
        ("LAMP-1", Decimal(12))
    ]
    assert [(line.sku, reason) for line, reason in report.skipped] == [
        ("CHAIR-1", "SKU 'CHAIR-1' is no longer sold")
    ]


def test_another_company_cannot_reorder_an_order(shop):
    buyer, address = shop["buyer"], address_of(shop["buyer"])
    add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=1)
    order = place_order(
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )

    with pytest.raises(NotFound):
        reorder(customer_user=shop["other"], order_number=order.number)


def test_order_number_an_imported_order_already_has_is_skipped(shop):
    buyer, address = shop["buyer"], address_of(shop["buyer"])
    record_historical_order(
        number="CO000001",
        company=buyer.company,
        customer_user=None,
        status="closed",
        shipping_status="shipped",
        currency="USD",
        subtotal=Decimal("10.00"),
        total=Decimal("10.00"),
        created_at=datetime(2016, 1, 4, 9, tzinfo=UTC),
        lines=[],
    )
    add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=1)

    order = place_order(
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )

    assert order.number == "CO000002"
    assert Order.objects.get(number="CO000001").total == Decimal("10.00")


def test_historical_order_cannot_replace_an_order_placed_in_the_shop(shop):
    buyer, address = shop["buyer"], address_of(shop["buyer"])
    add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=1)
    placed = place_order(
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )

    with pytest.raises(DomainError) as error:
        record_historical_order(
            number=placed.number,
            company=shop["other"].company,
            customer_user=None,
            status="closed",
            shipping_status="shipped",
            currency="USD",
            subtotal=Decimal("1.00"),
            total=Decimal("1.00"),
            created_at=datetime(2016, 1, 4, 9, tzinfo=UTC),
            lines=[],
        )

    assert error.value.message == (
        "Order number 'CO000001' belongs to an order placed in this shop; "
        "give the historical order another number"
    )
    kept = Order.objects.get(number=placed.number)
    assert (kept.company, kept.total, kept.lines.count()) == (
        buyer.company,
        Decimal("99.90"),
        1,
    )


def historical(number: str, company, lines=(), **fields) -> dict:
    """What an historical order is made of, for ``HistoricalOrder`` and
    ``record_historical_order`` alike."""
    return {
        "number": number,
        "company": company,
        "customer_user": None,
        "status": "closed",
        "shipping_status": "shipped",
        "currency": "USD",
        "subtotal": Decimal("12.50"),
        "total": Decimal("12.50"),
        "created_at": datetime(2016, 1, 4, 9, tzinfo=UTC),
        "lines": list(lines),
        **fields,
    }


def test_historical_orders_created_together_are_as_one_recorded_alone(shop):
    buyer, lamp = shop["buyer"], shop["lamp"]
    lines = [
        HistoricalOrderLine(lamp, "LAMP-1", "Lamp", "item", Decimal("0.5"), Decimal("5.00")),
        HistoricalOrderLine(None, "", "Setup", "hour", Decimal(1), Decimal("10.00")),
    ]
    shipping = AddressCopy(street="1 Dock Road", city="Springfield", country="US")
    same = {"customer_user": buyer, "shipping_address": shipping}

    first, second = create_historical_orders(
        orders=[
            HistoricalOrder(**historical("H-1", buyer.company, lines, **same)),
            HistoricalOrder(**historical("H-2", shop["other"].company, po_number=" PO-7 ")),
        ]
    )
    alone, _, _ = record_historical_order(**historical("H-3", buyer.company, lines, **same))

    def facts(order: Order) -> tuple:
        order = Order.objects.get(pk=order.pk)
        return (
            order.company,
            order.placed_by,
            order.source,
            order.po_number,
            order.billing_address,
            order.shipping_address and order.shipping_address.one_line(),
            [
                (line.product_id, line.sku, line.quantity, line.row_total, line.tier_quantity)
                for line in order.lines.order_by("id")
            ],
        )

    assert (
        facts(first)
        == facts(alone)
        == (
            buyer.company,
            buyer.user,
            OrderSource.IMPORT,
            "",
            None,
            "1 Dock Road, Springfield, US",
            [
                (lamp.pk, "LAMP-1", Decimal("0.5"), Decimal("2.50"), None),
                (None, "", Decimal(1), Decimal("10.00"), None),
            ],
        )
    )
    assert (second.po_number, second.lines.count()) == ("PO-7", 0)


def test_historical_orders_with_a_number_the_shop_has_are_refused_whole(shop):
    company = shop["buyer"].company
    create_historical_orders(orders=[HistoricalOrder(**historical("H-1", company))])
    again = [HistoricalOrder(**historical(number, company)) for number in ("H-2", "H-1")]

    with pytest.raises(DomainError) as error:
        create_historical_orders(orders=again)

    assert error.value.message == (
        "Order number 'H-1' is taken; update that order, or give the historical order another "
        "number"
    )
    assert list(Order.objects.values_list("number", flat=True)) == ["H-1"]


def test_po_number_is_measured_without_its_surrounding_spaces(shop):
    buyer, address = shop["buyer"], address_of(shop["buyer"])
    add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=1)

    order = place_order(
        customer_user=buyer,
        billing_address_id=address.pk,
        shipping_address_id=address.pk,
        po_number="  " + "P" * 64 + "  ",
    )

    assert order.po_number == "P" * 64


@pytest.mark.parametrize(
    ("po_number", "customer_notes", "code", "message"),
    [
        ("P" * 65, "", "po_number_too_long", "The PO number is longer than 64 characters"),
        ("", "N" * 2001, "notes_too_long", "The notes are longer than 2000 characters"),
        (
            "PO\x0012",
            "",
            "nul_character",
            "The PO number cannot hold a NUL character (\\x00): remove it",
        ),
        (
            "",
            "a\x00b",
            "nul_character",
            "The notes cannot hold a NUL character (\\x00): remove it",
        ),
    ],
)
def test_po_number_and_notes_the_order_cannot_keep_are_refused_and_the_cart_kept(
    shop, po_number, customer_notes, code, message
):
    buyer, address = shop["buyer"], address_of(shop["buyer"])
    add_to_shopping_list(customer_user=buyer, sku="CHAIR-1", quantity=1)

    with pytest.raises(DomainError) as error:
        place_order(
            customer_user=buyer,
            billing_address_id=address.pk,
            shipping_address_id=address.pk,
            po_number=po_number,
            customer_notes=customer_notes,
        )

    assert (error.value.code, error.value.message) == (code, message)
    assert Order.objects.count() == 0
    assert current_shopping_list(customer_user=buyer).lines.count() == 1
