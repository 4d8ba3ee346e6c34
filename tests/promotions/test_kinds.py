"""Each kind of promotion, its scope and its date window, on a real cart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from comptoir.accounts.models import CustomerGroup
from comptoir.ordering.queries import current_shopping_list_for, priced_shopping_list
from comptoir.promotions.models import Promotion, PromotionKind
from tests import factories
from tests.promotions.conftest import fill_cart

pytestmark = pytest.mark.django_db


def cart_totals(customer_user):
    return priced_shopping_list(current_shopping_list_for(customer_user)).totals


def discounts_by_line(totals):
    return {line.product.sku: line.discount_total for line in totals.lines}


def test_percentage_off_each_line_is_taken_from_the_row_total(shop):
    factories.promotion("Ten off", kind=PromotionKind.LINE_PERCENTAGE, value=Decimal("10"))
    fill_cart(shop["buyer"], ("LAMP-1", 3), ("CABLE-1", "0.5"))

    totals = cart_totals(shop["buyer"])

    assert discounts_by_line(totals) == {"LAMP-1": Decimal("6.00"), "CABLE-1": Decimal("0.06")}
    assert totals.discount_total == Decimal("6.06")
    assert totals.total == Decimal("54.57")
    assert [(d.label, d.amount) for d in totals.line_discounts] == [
        ("Ten off", Decimal("6.00")),
        ("Ten off", Decimal("0.06")),
    ]


def test_amount_off_each_line_never_takes_a_line_below_zero(shop):
    factories.promotion(
        "Five off", kind=PromotionKind.LINE_FIXED, value=Decimal("5"), currency="USD"
    )
    fill_cart(shop["buyer"], ("LAMP-1", 1), ("BULB-1", 1))

    totals = cart_totals(shop["buyer"])

    assert discounts_by_line(totals) == {"LAMP-1": Decimal("5.00"), "BULB-1": Decimal("2.50")}
    assert totals.total == Decimal("15.00")


def test_amount_off_in_another_currency_does_not_apply(shop):
    factories.promotion("Euro off", kind=PromotionKind.LINE_FIXED, value=5, currency="EUR")
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    assert cart_totals(shop["buyer"]).discount_total == Decimal(0)


def test_order_percentage_is_spread_over_lines_in_proportion_and_adds_up(shop):
    factories.promotion("Third off", kind=PromotionKind.ORDER_PERCENTAGE, value=Decimal("33.33"))
    fill_cart(shop["buyer"], ("LAMP-1", 1), ("BULB-1", 1), ("CABLE-1", "0.01"))

    totals = cart_totals(shop["buyer"])

    # 33.33 % of 22.51 is 7.502583, rounded to 7.50 once for the order.
    assert [(d.label, d.amount, d.line_key) for d in totals.order_discounts] == [
        ("Third off", Decimal("7.50"), None)
    ]
    shares = [line.order_discount_share for line in totals.lines]
    assert shares == [Decimal("6.66"), Decimal("0.84"), Decimal("0.00")]
    assert sum(shares) == Decimal("7.50")
    assert totals.total == Decimal("15.01")


def test_order_percentage_is_taken_after_line_promotions(shop):
    factories.promotion("Lamps half price", value=Decimal(50), products=[shop["lamp"]])
    factories.promotion("Ten off the order", kind=PromotionKind.ORDER_PERCENTAGE, value=10)
    fill_cart(shop["buyer"], ("LAMP-1", 2), ("CHAIR-1", 1))

    totals = cart_totals(shop["buyer"])

    # Lines: 40.00 - 20.00 and 99.90; the order's 10 % is of 119.90.
    assert totals.discount_total == Decimal("20.00") + Decimal("11.99")
    assert totals.total == Decimal("107.91")


def test_order_amount_off_covers_only_lines_in_scope_and_is_capped_at_them(shop):
    factories.promotion(
        "Fifty off lighting",
        kind=PromotionKind.ORDER_FIXED,
        value=Decimal("50"),
        currency="USD",
        categories=[shop["lighting"]],
    )
    fill_cart(shop["buyer"], ("LAMP-1", 1), ("BULB-1", 2), ("CHAIR-1", 1))

    totals = cart_totals(shop["buyer"])

    assert discounts_by_line(totals) == {
        "LAMP-1": Decimal("20.00"),
        "BULB-1": Decimal("5.00"),
        "CHAIR-1": Decimal(0),
    }
    assert totals.total == Decimal("99.90")


def test_buy_ten_get_one_free_of_the_same_product(shop):
    factories.promotion(
        "11 for 10",
        kind=PromotionKind.BUY_X_GET_Y,
        buy_quantity=10,
        get_quantity=1,
        products=[shop["bulb"]],
    )
    fill_cart(shop["buyer"], ("BULB-1", 23), ("LAMP-1", 11))

    totals = cart_totals(shop["buyer"])

    # 23 bulbs hold two groups of 11: two bulbs are free; lamps are not in scope.
    assert discounts_by_line(totals) == {"BULB-1": Decimal("5.00"), "LAMP-1": Decimal(0)}


def test_buy_ten_get_one_free_needs_the_whole_group(shop):
    factories.promotion(
        "11 for 10", kind=PromotionKind.BUY_X_GET_Y, buy_quantity=10, get_quantity=1
    )
    fill_cart(shop["buyer"], ("BULB-1", 10))

    assert cart_totals(shop["buyer"]).discount_total == Decimal(0)


def test_buy_lamps_get_bulbs_free_as_many_as_are_in_the_cart(shop):
    factories.promotion(
        "A bulb with every two lamps",
        kind=PromotionKind.BUY_X_GET_Y,
        buy_quantity=2,
        get_quantity=1,
        get_product=shop["bulb"],
        products=[shop["lamp"]],
    )
    fill_cart(shop["buyer"], ("LAMP-1", 7), ("BULB-1", 2))

    totals = cart_totals(shop["buyer"])

    # Seven lamps earn three bulbs, but only two are in the cart.
    assert discounts_by_line(totals) == {"LAMP-1": Decimal(0), "BULB-1": Decimal("5.00")}


def test_buy_lamps_get_bulbs_gives_nothing_without_bulbs(shop):
    factories.promotion(
        "A bulb with every two lamps",
        kind=PromotionKind.BUY_X_GET_Y,
        buy_quantity=2,
        get_quantity=1,
        get_product=shop["bulb"],
        products=[shop["lamp"]],
    )
    fill_cart(shop["buyer"], ("LAMP-1", 7))

    assert cart_totals(shop["buyer"]).discount_total == Decimal(0)


def test_free_shipping_takes_off_the_flat_rate(shop, settings):
    settings.COMPTOIR_SHIPPING_FLAT_RATE = Decimal("12.50")
    factories.promotion("Free shipping on chairs", kind="free_shipping", products=[shop["chair"]])
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    without = cart_totals(shop["buyer"])
    fill_cart(shop["buyer"], ("CHAIR-1", 1))

    with_chair = cart_totals(shop["buyer"])

    assert (without.shipping, without.shipping_discount, without.total) == (
        Decimal("12.50"),
        Decimal(0),
        Decimal("32.50"),
    )
    assert (with_chair.shipping, with_chair.shipping_discount, with_chair.shipping_total) == (
        Decimal("12.50"),
        Decimal("12.50"),
        Decimal(0),
    )
    assert [(d.label, d.amount) for d in with_chair.shipping_discounts] == [
        ("Free shipping on chairs", Decimal("12.50"))
    ]
    assert with_chair.total == Decimal("119.90")


def test_company_scope_covers_its_subsidiaries_but_not_others(shop):
    factories.promotion("Acme deal", value=10, companies=[shop["acme"]])
    for customer_user in (shop["buyer"], shop["east_buyer"], shop["other"]):
        fill_cart(customer_user, ("LAMP-1", 1))

    discounts = [
        cart_totals(customer_user).discount_total
        for customer_user in (shop["buyer"], shop["east_buyer"], shop["other"])
    ]

    assert discounts == [Decimal("2.00"), Decimal("2.00"), Decimal(0)]


def test_customer_group_scope(shop):
    resellers = CustomerGroup.objects.create(name="Resellers")
    shop["globex"].customer_group = resellers
    shop["globex"].save()
    factories.promotion("Reseller deal", value=10, customer_groups=[resellers])
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    fill_cart(shop["other"], ("LAMP-1", 1))

    assert cart_totals(shop["other"]).discount_total == Decimal("2.00")
    assert cart_totals(shop["buyer"]).discount_total == Decimal(0)


def test_category_scope_covers_subcategories(shop):
    factories.promotion("Lighting deal", value=10, categories=[shop["lighting"]])
    fill_cart(shop["buyer"], ("LAMP-1", 1), ("BULB-1", 2), ("CHAIR-1", 1))

    totals = cart_totals(shop["buyer"])

    assert discounts_by_line(totals) == {
        "LAMP-1": Decimal("2.00"),
        "BULB-1": Decimal("0.50"),
        "CHAIR-1": Decimal(0),
    }


def test_date_window_includes_its_start_and_excludes_its_end(shop):
    now = timezone.now()
    factories.promotion("Past", value=10, starts_at=now - timedelta(days=9), ends_at=now)
    factories.promotion("Current", value=20, starts_at=now - timedelta(seconds=1))
    factories.promotion("Future", value=30, starts_at=now + timedelta(days=1))
    factories.promotion("Inactive", value=40, is_active=False)
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    totals = cart_totals(shop["buyer"])

    assert [d.label for d in totals.discounts] == ["Current"]


def test_percentages_above_a_hundred_together_are_capped_at_the_row_total(shop):
    factories.promotion("Sixty", value=60, priority=1)
    factories.promotion("Fifty", value=50, priority=2)
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    totals = cart_totals(shop["buyer"])

    # The promotion ranked last gives up what is over the row total.
    assert [(d.label, d.amount) for d in totals.discounts] == [
        ("Sixty", Decimal("12.00")),
        ("Fifty", Decimal("8.00")),
    ]
    assert totals.total == Decimal(0)


def test_exclusive_promotion_is_the_only_one_applied(shop):
    factories.promotion("Small", value=5, priority=1)
    factories.promotion("Exclusive", value=20, priority=50, is_exclusive=True)
    factories.promotion("Another exclusive", value=30, priority=60, is_exclusive=True)
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    assert [d.label for d in cart_totals(shop["buyer"]).discounts] == ["Exclusive"]


def test_stop_further_processing_keeps_out_higher_priority_numbers_only(shop):
    factories.promotion("First", value=5, priority=1)
    factories.promotion("Stopper", value=10, priority=2, stops_further=True)
    factories.promotion("Same rank", value=1, priority=2)
    factories.promotion("Later", value=20, priority=3)
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    labels = [d.label for d in cart_totals(shop["buyer"]).discounts]

    assert labels == ["First", "Stopper", "Same rank"]


def test_a_promotion_that_takes_nothing_off_does_not_stop_others(shop):
    factories.promotion(
        "Chairs only", value=10, priority=1, stops_further=True, products=[shop["chair"]]
    )
    factories.promotion("Lamps", value=10, priority=2, products=[shop["lamp"]])
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    assert [d.label for d in cart_totals(shop["buyer"]).discounts] == ["Lamps"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": PromotionKind.LINE_PERCENTAGE, "value": Decimal(120)}, "value"),
        ({"kind": PromotionKind.LINE_PERCENTAGE, "value": None}, "value"),
        ({"kind": PromotionKind.ORDER_FIXED, "value": Decimal(5), "currency": "XYZ"}, "currency"),
        ({"kind": PromotionKind.BUY_X_GET_Y, "buy_quantity": 10}, "get_quantity"),
    ],
)
def test_promotion_checks_say_which_field_to_fix(fields, field):
    promotion = Promotion(name="Broken", **fields)

    with pytest.raises(ValidationError) as error:
        promotion.full_clean()

    assert field in error.value.message_dict
