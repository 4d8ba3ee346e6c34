from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from comptoir.accounts.models import Address, CustomerRole, User
from comptoir.accounts.permissions import predefined_role
from comptoir.catalog.models import Product
from comptoir.ordering import services
from comptoir.ordering.models import Order, ShoppingListLine
from tests import factories


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def add(client, sku: str, quantity: str, unit: str = "item", next_url: str = ""):
    data = {"sku": sku, "quantity": quantity, "unit": unit}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("storefront:cart_add"), data, follow=True)


def cart_lines(customer_user) -> list[tuple[str, str, Decimal]]:
    return [
        (line.product.sku, line.unit.code, line.quantity)
        for line in ShoppingListLine.objects.filter(
            shopping_list__customer_user=customer_user, shopping_list__is_current=True
        ).order_by("id")
    ]


def test_adding_to_the_cart_goes_back_to_the_product_page_with_a_message(acme_client, shop):
    product_url = reverse("storefront:product", args=["DR-100"])

    response = add(acme_client, "DR-100", "12", next_url=product_url)

    assert response.redirect_chain == [(product_url, 302)]
    assert messages_of(response) == ["Added 12 item of DR-100 to your cart (12 in all)."]
    assert cart_lines(shop.acme_buyer) == [("DR-100", "item", Decimal(12))]


def test_cart_shows_lines_priced_by_the_resolver(acme_client, shop):
    add(acme_client, "DR-100", "12")
    add(acme_client, "CB-7", "2.5", unit="m")

    response = acme_client.get(reverse("storefront:cart"))

    priced = response.context["priced"]
    assert [
        (line.line.product.sku, line.price.value, line.row_total) for line in priced.lines
    ] == [
        ("DR-100", Decimal("95"), Decimal("1140.00")),
        ("CB-7", Decimal("2.5"), Decimal("6.25")),
    ]
    assert "1,140.00 USD" in response.text
    assert "1,146.25 USD" in response.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.5", "Quantity 1.5 has too many decimals: unit 'item' takes whole numbers"),
        ("1,5", "Quantity '1,5' is not a number: write decimals with a point, as in '1.5'"),
        ("0", "Quantity must be more than 0, got 0"),
        ("9" * 30, f"Quantity {'9' * 30} is too large: order less than 1000000000"),
    ],
)
def test_a_refused_quantity_is_explained_and_changes_nothing(acme_client, shop, typed, message):
    add(acme_client, "DR-100", "3")
    line = ShoppingListLine.objects.get(product=shop.drill)

    response = acme_client.post(
        reverse("storefront:cart_line_quantity", args=[line.pk]), {"quantity": typed}, follow=True
    )

    assert response.redirect_chain == [(reverse("storefront:cart"), 302)]
    assert messages_of(response) == [message]
    assert escape(message) in response.text
    assert cart_lines(shop.acme_buyer) == [("DR-100", "item", Decimal(3))]


def test_adding_an_over_precise_quantity_is_refused_with_the_units_precision(acme_client, shop):
    response = add(acme_client, "CB-7", "1.255", unit="m")

    assert messages_of(response) == [
        "Quantity 1.255 has too many decimals: unit 'm' takes at most 2 decimals"
    ]
    assert cart_lines(shop.acme_buyer) == []


def test_changing_and_removing_cart_lines(acme_client, shop):
    add(acme_client, "DR-100", "3")
    add(acme_client, "AG-1", "1")
    drill_line = ShoppingListLine.objects.get(product=shop.drill)
    gloves_line = ShoppingListLine.objects.get(product=shop.gloves)

    changed = acme_client.post(
        reverse("storefront:cart_line_quantity", args=[drill_line.pk]),
        {"quantity": "10"},
        follow=True,
    )
    removed = acme_client.post(
        reverse("storefront:cart_line_remove", args=[gloves_line.pk]), follow=True
    )

    assert messages_of(changed) == ["DR-100: quantity changed to 10 item."]
    assert messages_of(removed) == ["Line removed."]
    assert cart_lines(shop.acme_buyer) == [("DR-100", "item", Decimal(10))]


def test_cart_shows_each_lines_problem_and_offers_no_checkout(acme_client, shop):
    add(acme_client, "DR-100", "1")
    Product.objects.filter(pk=shop.drill.pk).update(is_enabled=False)

    response = acme_client.get(reverse("storefront:cart"))

    assert "this product is no longer sold" in response.text
    assert "Check out" not in response.text
    assert "Change or remove the lines marked above to check out." in response.text


def test_checkout_preselects_default_addresses_and_shows_the_payment_term(acme_client, shop):
    Address.objects.create(
        company=shop.acme, label="Depot", street="9 Dock Road", city="Tacoma", country="US"
    )
    add(acme_client, "DR-100", "1")

    response = acme_client.get(reverse("storefront:checkout"))

    default = Address.objects.get(company=shop.acme, label="Head office")
    assert response.context["form"].initial["shipping_address"] == default.pk
    assert response.context["form"].initial["billing_address"] == default.pk
    assert "Payment: net 30, on account" in response.text
    assert "9 Dock Road" in response.text


def test_checkout_reviews_then_places_the_order(acme_client, shop):
    address = Address.objects.get(company=shop.acme)
    add(acme_client, "DR-100", "12")

    reviewed = acme_client.post(
        reverse("storefront:checkout"),
        {
            "shipping_address": address.pk,
            "billing_address": address.pk,
            "po_number": " PO-4471 ",
            "customer_notes": "Leave at the dock.",
        },
        follow=True,
    )
    placed = acme_client.post(reverse("storefront:checkout_review"), follow=True)

    order = Order.objects.get()
    assert reviewed.redirect_chain == [(reverse("storefront:checkout_review"), 302)]
    assert "PO-4471" in reviewed.text
    assert "Payment: net 30, on account" in reviewed.text
    assert "1,140.00 USD" in reviewed.text
    assert placed.redirect_chain == [
        (reverse("storefront:order_confirmation", args=[order.number]), 302)
    ]
    assert f'<strong class="confirmed-order-number">{order.number}</strong>' in placed.text
    assert (order.po_number, order.payment_term, order.total) == (
        "PO-4471",
        "net 30",
        Decimal("1140.00"),
    )
    assert order.customer_notes == "Leave at the dock."
    assert cart_lines(shop.acme_buyer) == []


def test_place_order_sent_twice_places_one_order_and_shows_it_both_times(acme_client, shop):
    address = Address.objects.get(company=shop.acme)
    add(acme_client, "DR-100", "2")
    acme_client.post(
        reverse("storefront:checkout"),
        {"shipping_address": address.pk, "billing_address": address.pk},
    )
    first = acme_client.post(reverse("storefront:checkout_review"), follow=True)

    second = acme_client.post(reverse("storefront:checkout_review"), follow=True)

    order = Order.objects.get()
    confirmation = reverse("storefront:order_confirmation", args=[order.number])
    assert first.redirect_chain == second.redirect_chain == [(confirmation, 302)]
    assert messages_of(second) == [
        f"Order {order.number} was placed once; it is not placed again."
    ]


def test_place_order_long_after_the_last_order_with_an_empty_cart_goes_to_the_cart(
    acme_client, shop
):
    address = Address.objects.get(company=shop.acme)
    add(acme_client, "DR-100", "2")
    acme_client.post(
        reverse("storefront:checkout"),
        {"shipping_address": address.pk, "billing_address": address.pk},
    )
    acme_client.post(reverse("storefront:checkout_review"))
    Order.objects.update(created_at=timezone.now() - timedelta(hours=1))

    response = acme_client.post(reverse("storefront:checkout_review"), follow=True)

    assert response.redirect_chain[-1] == (reverse("storefront:cart"), 302)
    assert messages_of(response) == ["Your cart is empty."]


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(acme_client, shop):
    response = acme_client.get(reverse("storefront:checkout"), follow=True)

    assert response.redirect_chain == [(reverse("storefront:cart"), 302)]
    assert messages_of(response) == ["Your cart is empty."]


def test_review_without_the_first_step_goes_to_the_first_step(acme_client, shop):
    add(acme_client, "DR-100", "1")

    response = acme_client.get(reverse("storefront:checkout_review"))

    assert response.status_code == 302
    assert response.url == reverse("storefront:checkout")


def test_administrator_order_history_lists_the_companys_orders_newest_first(
    acme_client, shop, settings
):
    settings.COMPTOIR_PAGE_SIZE = 2
    shop.acme_buyer.roles.add(predefined_role(CustomerRole.ADMINISTRATOR))
    colleague = factories.customer_user(shop.acme)
    numbers = [
        place(shop.acme_buyer, "DR-100"),
        place(colleague, "AG-1"),
        place(colleague, "CB-7"),
    ]

    first_page = acme_client.get(reverse("storefront:orders"))
    second_page = acme_client.get(reverse("storefront:orders"), {"page": 2})

    shown = [order.number for order in first_page.context["page"]] + [
        order.number for order in second_page.context["page"]
    ]
    assert shown == list(reversed(numbers))


def test_order_detail_shows_lines_and_terms(acme_client, shop):
    number = place(shop.acme_buyer, "DR-100", quantity="12")

    response = acme_client.get(reverse("storefront:order", args=[number]))

    assert response.status_code == 200
    assert "12 item" in response.text
    assert "95.00 USD" in response.text
    assert "1,140.00 USD" in response.text
    assert "net 30, on account" in response.text


def test_reorder_fills_the_cart_and_names_each_line_it_could_not_add(acme_client, shop):
    number = place(shop.acme_buyer, "DR-100", "AG-1", quantity="2")
    Product.objects.filter(pk=shop.gloves.pk).update(is_enabled=False)

    response = acme_client.post(reverse("storefront:reorder", args=[number]), follow=True)

    assert response.redirect_chain == [(reverse("storefront:cart"), 302)]
    assert messages_of(response) == [
        f"1 line of order {number} added to your cart at today's prices.",
        "Not added: 2 item of AG-1: SKU 'AG-1' is no longer sold",
    ]
    assert cart_lines(shop.acme_buyer) == [("DR-100", "item", Decimal(2))]


def test_shopping_list_page_shows_the_buyers_list(acme_client, shop):
    line = services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="CB-7", quantity="4")

    response = acme_client.get(reverse("storefront:shopping_list", args=[line.shopping_list_id]))

    assert response.status_code == 200
    assert [pl.line.pk for pl in response.context["priced"].lines] == [line.pk]


@pytest.mark.parametrize(
    "url_name", ["storefront:cart", "storefront:checkout", "storefront:orders"]
)
def test_guests_are_sent_to_log_in_to_buy(client, shop, url_name):
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('storefront:login')}?next={url}"


def test_a_guest_adding_to_the_cart_logs_in_and_comes_back_to_the_product(client, shop):
    product_url = reverse("storefront:product", args=["DR-100"])

    response = client.post(
        reverse("storefront:cart_add"),
        {"sku": "DR-100", "quantity": "1", "unit": "item", "next": product_url},
    )

    assert response.url == f"{reverse('storefront:login')}?next={product_url}"
    assert ShoppingListLine.objects.count() == 0


def test_staff_without_a_customer_user_browse_like_guests(client, shop, settings):
    settings.COMPTOIR_GUEST_PRICES = False
    staff = User.objects.create_user("clerk@seller.example", factories.PASSWORD, is_staff=True)
    client.force_login(staff)

    product_page = client.get(reverse("storefront:product", args=["DR-100"]))
    cart = client.get(reverse("storefront:cart"))

    assert "Log in to see your prices" in product_page.text
    assert "This account does not buy for a company." in product_page.text
    assert cart.status_code == 302
    assert cart.url.startswith(reverse("storefront:login"))


def test_log_in_by_email_ignoring_case_and_log_out(client, shop):
    logged_in = client.post(
        reverse("storefront:login"),
        {"username": " Buyer@ACME.example ", "password": factories.PASSWORD},
    )
    home = client.get(reverse("storefront:home"))
    logged_out = client.post(reverse("storefront:logout"))

    assert logged_in.status_code == 302
    assert '<span class="account-nav__company">Acme</span>' in home.text
    assert logged_out.status_code == 302
    assert "_auth_user_id" not in client.session


def test_every_buying_page_renders_for_a_buyer(acme_client, shop):
    number = place(shop.acme_buyer, "DR-100")
    line = services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="CB-7", quantity="4")
    address = Address.objects.get(company=shop.acme)
    acme_client.post(
        reverse("storefront:checkout"),
        {"shipping_address": address.pk, "billing_address": address.pk},
    )
    urls = [
        reverse("storefront:cart"),
        reverse("storefront:shopping_list", args=[line.shopping_list_id]),
        reverse("storefront:checkout"),
        reverse("storefront:checkout_review"),
        reverse("storefront:orders"),
        reverse("storefront:order", args=[number]),
        reverse("storefront:order_confirmation", args=[number]),
    ]

    statuses = [acme_client.get(url).status_code for url in urls]

    assert statuses == [200] * len(urls)


def place(customer_user, *skus: str, quantity: str = "1") -> str:
    """Place an order of ``skus`` through the service, as the checkout does."""
    for sku in skus:
        services.add_to_shopping_list(customer_user=customer_user, sku=sku, quantity=quantity)
    address = Address.objects.get(company=customer_user.company)
    return services.place_order(
        customer_user=customer_user, billing_address_id=address.pk, shipping_address_id=address.pk
    ).number
