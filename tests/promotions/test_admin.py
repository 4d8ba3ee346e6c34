"""The back office for promotions and coupons."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from comptoir.accounts.models import User
from comptoir.promotions.models import Coupon, CouponRedemption, Promotion
from comptoir.promotions.services import apply_coupon
from tests import factories
from tests.promotions.conftest import fill_cart, order_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))
    return client


def test_promotion_list_shows_kind_priority_and_coupon_count(staff_client):
    promotion = factories.promotion("Spring", value=Decimal(10), priority=5)
    factories.coupon(promotion, "SPRING1")
    factories.coupon(promotion, "SPRING2")

    response = staff_client.get(
        reverse("admin:promotions_promotion_changelist"), {"kind__exact": "line_percentage"}
    )

    assert response.status_code == 200
    row = response.context["cl"].result_list.get()
    assert (row.name, row.priority, row.coupon_total) == ("Spring", 5, 2)


def test_staff_make_a_promotion_with_its_scope_in_the_back_office(staff_client, shop):
    response = staff_client.post(
        reverse("admin:promotions_promotion_add"),
        {
            "name": "Lighting week",
            "label": "Lighting week: 15 % off",
            "is_active": "on",
            "kind": "line_percentage",
            "value": "15",
            "categories": [shop["lighting"].pk],
            "priority": "100",
            "coupons-TOTAL_FORMS": "1",
            "coupons-INITIAL_FORMS": "0",
            "coupons-0-code": " light15 ",
            "coupons-0-usage_limit": "100",
            "coupons-0-is_active": "on",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    promotion = Promotion.objects.get(name="Lighting week")
    assert list(promotion.categories.all()) == [shop["lighting"]]
    assert list(promotion.coupons.values_list("code", "usage_limit")) == [("LIGHT15", 100)]


def test_a_percentage_over_a_hundred_is_refused_in_the_back_office(staff_client):
    response = staff_client.post(
        reverse("admin:promotions_promotion_add"),
        {
            "name": "Too much",
            "kind": "order_percentage",
            "value": "150",
            "priority": "100",
            "coupons-TOTAL_FORMS": "0",
            "coupons-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Give a percentage above 0 and up to 100." in response.text
    assert not Promotion.objects.exists()


def test_staff_make_coupon_codes_in_bulk(staff_client):
    promotion = factories.promotion("Trade show", value=Decimal(15), requires_coupon=True)
    changelist = reverse("admin:promotions_promotion_changelist")
    chosen = {"action": "make_coupons", ACTION_CHECKBOX_NAME: [promotion.pk]}

    form_page = staff_client.post(changelist, chosen)
    made = staff_client.post(
        changelist,
        {
            **chosen,
            "apply": "1",
            "count": "12",
            "prefix": "show-",
            "length": "6",
            "usage_limit": "1",
        },
    )

    assert form_page.status_code == 200
    assert "Make coupon codes for Trade show" in form_page.text
    assert made.status_code == 302
    codes = list(Coupon.objects.filter(promotion=promotion).values_list("code", "usage_limit"))
    assert len(codes) == 12
    assert all(
        code.startswith("SHOW-") and len(code) == 11 and limit == 1 for code, limit in codes
    )


def test_redemptions_are_listed_read_only(staff_client, shop):
    promotion = factories.promotion("Welcome", value=Decimal(10), requires_coupon=True)
    factories.coupon(promotion, "WELCOME")
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    apply_coupon(customer_user=shop["buyer"], code="WELCOME")
    order = order_cart(shop["buyer"])

    response = staff_client.get(reverse("admin:promotions_couponredemption_changelist"))

    assert response.status_code == 200
    assert [r.order for r in response.context["cl"].result_list] == [order]
    assert CouponRedemption.objects.count() == 1
    add = staff_client.get(reverse("admin:promotions_couponredemption_add"))
    assert add.status_code == 403


@pytest.fixture
def redeemed(shop):
    """The promotion 'Welcome' whose coupon WELCOME was used on one order."""
    promotion = factories.promotion("Welcome", value=Decimal(10), requires_coupon=True)
    factories.coupon(promotion, "WELCOME")
    fill_cart(shop["buyer"], ("LAMP-1", 1))
    apply_coupon(customer_user=shop["buyer"], code="WELCOME")
    order_cart(shop["buyer"])
    return promotion


def test_deleting_a_redeemed_promotion_says_to_switch_it_off_instead(staff_client, redeemed):
    delete_url = reverse("admin:promotions_promotion_delete", args=[redeemed.pk])

    response = staff_client.post(delete_url, {"post": "yes"}, follow=True)

    assert response.redirect_chain == [
        (reverse("admin:promotions_promotion_change", args=[redeemed.pk]), 302)
    ]
    assert [str(message) for message in response.context["messages"]] == [
        "Promotion 'Welcome' was redeemed on 1 order, which keep a record of it, so it cannot "
        "be deleted: switch it off (untick Active) or end it (set Ends at) instead."
    ]
    assert "permission" not in response.text
    assert Promotion.objects.filter(pk=redeemed.pk).exists()


def test_an_unused_promotion_is_deleted_as_usual(staff_client):
    promotion = factories.promotion("Never used", value=Decimal(5))
    factories.coupon(promotion, "NEVER")
    delete_url = reverse("admin:promotions_promotion_delete", args=[promotion.pk])

    confirm = staff_client.get(delete_url)
    deleted = staff_client.post(delete_url, {"post": "yes"})

    assert confirm.status_code == 200
    assert deleted.status_code == 302
    assert not Promotion.objects.exists()
    assert not Coupon.objects.exists()


def test_deleting_selected_promotions_keeps_the_redeemed_ones_and_says_why(staff_client, redeemed):
    unused = factories.promotion("Never used", value=Decimal(5))
    changelist = reverse("admin:promotions_promotion_changelist")
    chosen = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [redeemed.pk, unused.pk]}

    confirm = staff_client.post(changelist, chosen)
    done = staff_client.post(changelist, {**chosen, "post": "yes"}, follow=True)

    assert confirm.status_code == 200
    assert "permission" not in confirm.text
    assert [str(p) for p in confirm.context["queryset"]] == ["Never used"]
    assert "Promotion &#x27;Welcome&#x27; was redeemed on 1 order" in confirm.text
    assert "Successfully deleted 1 promotion." in [str(m) for m in done.context["messages"]]
    assert list(Promotion.objects.values_list("name", flat=True)) == ["Welcome"]


def test_deleting_a_redeemed_coupon_says_to_switch_it_off_instead(staff_client, redeemed):
    coupon = Coupon.objects.get(code="WELCOME")

    response = staff_client.post(
        reverse("admin:promotions_coupon_delete", args=[coupon.pk]), {"post": "yes"}, follow=True
    )

    assert [str(message) for message in response.context["messages"]] == [
        "Coupon 'WELCOME' was redeemed on 1 order, which keep a record of it, so it cannot be "
        "deleted: switch it off (untick Active) instead."
    ]
    assert Coupon.objects.filter(pk=coupon.pk).exists()


def test_the_promotion_list_offers_one_delete_action(staff_client):
    response = staff_client.get(reverse("admin:promotions_promotion_changelist"))

    choices = response.context["action_form"].fields["action"].choices
    assert [label for _name, label in choices if "Delete" in str(label)] == [
        "Delete selected promotions"
    ]
