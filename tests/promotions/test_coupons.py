"""Coupon codes: entering them, their limits, and their redemption when an order is placed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.core.errors import DomainError, NotFound
from comptoir.ordering.queries import current_shopping_list_for, priced_shopping_list
from comptoir.promotions.models import AppliedCoupon, Coupon, CouponRedemption
from comptoir.promotions.services import (
    CouponRefused,
    apply_coupon,
    generate_coupons,
    remove_coupon,
)
from tests import factories
from tests.promotions.conftest import fill_cart, order_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def welcome(shop):
    """A 10 % promotion that needs a coupon, and its code WELCOME10."""
    promotion = factories.promotion("Welcome", value=Decimal(10), requires_coupon=True)
    return factories.coupon(promotion, "welcome10")


def cart_totals(customer_user):
    return priced_shopping_list(current_shopping_list_for(customer_user)).totals


def test_code_is_found_whatever_its_case_and_surrounding_spaces(shop, welcome):
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    apply_coupon(customer_user=shop["buyer"], code="  Welcome10 ")

    totals = cart_totals(shop["buyer"])
    assert welcome.code == "WELCOME10"
    assert [(d.label, d.amount, d.coupon_code) for d in totals.discounts] == [
        ("Welcome", Decimal("2.00"), "WELCOME10")
    ]
    assert [(c.code, c.applied) for c in totals.coupons] == [("WELCOME10", True)]


def test_promotion_needing_a_coupon_does_not_apply_without_it(shop, welcome):
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    assert cart_totals(shop["buyer"]).discount_total == Decimal(0)


def test_entering_a_code_twice_keeps_it_once(shop, welcome):
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    apply_coupon(customer_user=shop["buyer"], code="WELCOME10")
    apply_coupon(customer_user=shop["buyer"], code="welcome10")

    assert AppliedCoupon.objects.count() == 1
    assert cart_totals(shop["buyer"]).discount_total == Decimal("2.00")


def test_unknown_code_is_refused_saying_so(shop, welcome):
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    with pytest.raises(CouponRefused) as error:
        apply_coupon(customer_user=shop["buyer"], code="welcome-10")

    assert error.value.message == "No coupon has the code 'WELCOME-10': check how it is written."
    assert not AppliedCoupon.objects.exists()


def test_expired_and_future_codes_are_refused_with_their_date(shop, welcome):
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    promotion = welcome.promotion
    promotion.starts_at = timezone.now() - timedelta(days=30)
    promotion.ends_at = timezone.now() - timedelta(days=1)
    promotion.save()

    with pytest.raises(CouponRefused) as expired:
        apply_coupon(customer_user=shop["buyer"], code="WELCOME10")
    promotion.starts_at = timezone.now() + timedelta(days=1)
    promotion.ends_at = None
    promotion.save()
    with pytest.raises(CouponRefused) as future:
        apply_coupon(customer_user=shop["buyer"], code="WELCOME10")

    assert expired.value.message.startswith("Coupon 'WELCOME10' expired on ")
    assert future.value.message.startswith("Coupon 'WELCOME10' is valid from ")


def test_disabled_code_is_refused(shop, welcome):
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    welcome.is_active = False
    welcome.save()

    with pytest.raises(CouponRefused) as error:
        apply_coupon(customer_user=shop["buyer"], code="WELCOME10")

    assert error.value.message == "Coupon 'WELCOME10' is no longer valid."


def test_code_for_another_company_is_refused(shop, welcome):
    welcome.promotion.companies.set([shop["globex"]])
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    with pytest.raises(CouponRefused) as error:
        apply_coupon(customer_user=shop["buyer"], code="WELCOME10")

    assert error.value.message == "Coupon 'WELCOME10' is not valid for your company."


def test_code_on_an_empty_cart_asks_for_products_first(shop, welcome):
    with pytest.raises(CouponRefused) as error:
        apply_coupon(customer_user=shop["buyer"], code="WELCOME10")

    assert error.value.code == "empty_cart"


def test_code_covering_nothing_in_the_cart_is_kept_with_a_note(shop):
    chairs = factories.promotion(
        "Chairs", value=10, requires_coupon=True, products=[shop["chair"]]
    )
    factories.coupon(chairs, "CHAIRS")
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    apply_coupon(customer_user=shop["buyer"], code="chairs")

    totals = cart_totals(shop["buyer"])
    assert totals.discount_total == Decimal(0)
    assert [(c.code, c.usable, c.applied, c.message) for c in totals.coupons] == [
        ("CHAIRS", True, False, "Coupon 'CHAIRS' does not apply to the lines in your cart.")
    ]


def test_code_kept_out_by_an_exclusive_promotion_says_which(shop, welcome):
    factories.promotion("Clearance", value=30, is_exclusive=True)
    fill_cart(shop["buyer"], ("LAMP-1", 1))

    apply_coupon(customer_user=shop["buyer"], code="WELCOME10")

    totals = cart_totals(shop["buyer"])
    assert [d.label for d in totals.discounts] == ["Clearance"]
    assert totals.coupons[0].message == "Coupon 'WELCOME10' cannot be combined with 'Clearance'."


def test_removing_a_code_takes_its_discount_off(shop, welcome):
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    apply_coupon(customer_user=shop["buyer"], code="WELCOME10")

    remove_coupon(customer_user=shop["buyer"], code=" welcome10")

    assert cart_totals(shop["buyer"]).discount_total == Decimal(0)
    with pytest.raises(DomainError) as error:
        remove_coupon(customer_user=shop["buyer"], code="WELCOME10")
    assert error.value.message == "Coupon 'WELCOME10' is not on this shopping list."


def test_another_companys_shopping_list_is_not_found(shop, welcome):
    fill_cart(shop["other"], ("LAMP-1", 1))
    their_list = current_shopping_list_for(shop["other"])

    with pytest.raises(NotFound):
        apply_coupon(customer_user=shop["buyer"], code="WELCOME10", shopping_list_id=their_list.pk)


def test_placing_the_order_redeems_the_code_and_records_the_discount(shop, welcome):
    fill_cart(shop["buyer"], ("LAMP-1", 2))
    apply_coupon(customer_user=shop["buyer"], code="WELCOME10")

    order = order_cart(shop["buyer"])

    welcome.refresh_from_db()
    assert welcome.times_used == 1
    redemption = CouponRedemption.objects.get()
    assert (redemption.order, redemption.customer_user) == (order, shop["buyer"])
    assert [(r.label, r.coupon_code, r.amount) for r in order.applied_promotions.all()] == [
        ("Welcome", "WELCOME10", Decimal("4.00"))
    ]
    assert order.total == Decimal("36.00")
    assert not AppliedCoupon.objects.exists()


def test_a_code_used_up_cannot_be_entered_again(shop, welcome):
    welcome.usage_limit = 1
    welcome.save()
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    apply_coupon(customer_user=shop["buyer"], code="WELCOME10")
    order_cart(shop["buyer"])
    fill_cart(shop["colleague"], ("LAMP-1", 1))

    with pytest.raises(CouponRefused) as error:
        apply_coupon(customer_user=shop["colleague"], code="WELCOME10")

    assert error.value.message == "Coupon 'WELCOME10' has been used as many times as it may be."


def test_the_limit_per_user_counts_each_users_orders(shop, welcome):
    welcome.usage_limit_per_user = 1
    welcome.save()
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    apply_coupon(customer_user=shop["buyer"], code="WELCOME10")
    order_cart(shop["buyer"])
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    fill_cart(shop["colleague"], ("LAMP-1", 1))

    with pytest.raises(CouponRefused) as error:
        apply_coupon(customer_user=shop["buyer"], code="WELCOME10")
    apply_coupon(customer_user=shop["colleague"], code="WELCOME10")

    assert error.value.message == "You have used coupon 'WELCOME10' as many times as you may."
    assert cart_totals(shop["colleague"]).discount_total == Decimal("2.00")


def test_an_order_with_a_code_used_up_meanwhile_is_refused_and_nothing_changes(shop, welcome):
    welcome.usage_limit = 1
    welcome.save()
    for customer_user in (shop["buyer"], shop["colleague"]):
        fill_cart(customer_user, ("LAMP-1", 1))
        apply_coupon(customer_user=customer_user, code="WELCOME10")
    order_cart(shop["buyer"])

    with pytest.raises(CouponRefused) as error:
        order_cart(shop["colleague"])

    assert error.value.message == (
        "Coupon 'WELCOME10' has been used as many times as it may be. "
        "Remove the coupon from your cart to order."
    )
    assert CouponRedemption.objects.count() == 1
    assert current_shopping_list_for(shop["colleague"]).lines.count() == 1


def test_generated_codes_are_distinct_and_ready_to_use(shop):
    promotion = factories.promotion("Trade show", value=15, requires_coupon=True)

    coupons = generate_coupons(promotion=promotion, count=25, prefix="show-", usage_limit=1)

    codes = {coupon.code for coupon in coupons}
    assert len(codes) == 25 == Coupon.objects.filter(promotion=promotion).count()
    assert all(code.startswith("SHOW-") and len(code) == 13 for code in codes)
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    apply_coupon(customer_user=shop["buyer"], code=coupons[0].code.lower())
    assert cart_totals(shop["buyer"]).discount_total == Decimal("3.00")


def test_generating_too_many_codes_is_refused(shop):
    promotion = factories.promotion("Trade show", value=15, requires_coupon=True)

    with pytest.raises(DomainError) as error:
        generate_coupons(promotion=promotion, count=0)

    assert error.value.message == "Make between 1 and 10000 codes at a time."
