"""A Company A buyer pastes a quick order on a phone, previews it, adds it and checks out.

Runs on the OroCommerce demo data in Debian's Chromium, as ``test_browser`` does (and skips or
fails the same way without it).
"""

from decimal import Decimal

import pytest

from comptoir.accounts.models import Company
from comptoir.catalog.models import Product
from comptoir.ordering.models import Order
from comptoir.pricing.queries import price_for
from tests.storefront.test_browser import (  # noqa: F401 (fixtures)
    BUYER_EMAIL,
    PASSWORD,
    PHONE,
    browser,
    fits_the_screen,
    oro_shop,
)

pytestmark = [pytest.mark.browser, pytest.mark.oro]


def another_priced_product(company: Company) -> tuple[Product, Decimal]:
    """The first product by SKU, other than the headlamp, priced for two items of ``company``."""
    for product in Product.objects.filter(is_enabled=True).exclude(sku="0RT28").order_by("sku"):
        primary = product.primary_unit
        if primary is None or primary.unit.code != "item" or primary.precision:
            continue
        price = price_for(company=company, product=product, unit="item", quantity=Decimal(2))
        if price is not None:
            return product, price.value
    raise AssertionError("the demo data has no second product priced for Company A")


def test_a_buyer_pastes_previews_adds_to_the_cart_and_checks_out(browser, live_server, oro_shop):  # noqa: F811
    from playwright.sync_api import expect

    other, other_price = another_priced_product(Company.objects.get(name="Company A"))
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill(BUYER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".account-nav__company")).to_have_text("Company A")

    page.get_by_role("link", name="Quick order").click()
    page.get_by_role("textbox", name="Lines").fill(
        f"0rt28\t10\n {other.sku.lower()} ; 2 \nNO-SUCH-SKU 1\n0RT28 2 item\n"
    )
    page.get_by_role("button", name="Preview").click()

    rows = page.locator(".quick-order-preview tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0).locator("td[data-label='Quantity']")).to_have_text("12 item")
    expect(rows.nth(0).locator("td[data-label='Unit price']")).to_have_text("94.99 USD")
    expect(rows.nth(0)).to_contain_text("Line 4 merged into this one")
    expect(rows.nth(1)).to_contain_text(f"SKU {other.sku}")
    expect(rows.nth(2).locator(".line-problem")).to_have_text("SKU 'NO-SUCH-SKU' not found")
    expect(rows.nth(3)).to_contain_text("Merged into line 1")
    assert fits_the_screen(page)

    page.get_by_role("button", name="Add to list").click()
    expect(page.locator(".message--success")).to_have_text("Added 2 lines to your cart.")
    expect(page.locator(".message--error")).to_have_text(
        "1 line was not added: correct it below and add it again."
    )
    expect(page.get_by_role("textbox", name="Lines")).to_have_value("NO-SUCH-SKU\t1")
    expect(page.locator(".cart-link__count")).to_have_text("2")

    page.locator(".cart-link").click()
    page.get_by_role("link", name="Check out").click()
    page.get_by_label("PO number").fill("PO-QUICK-1")
    page.get_by_role("button", name="Review the order").click()
    page.get_by_role("button", name="Place order").click()

    number = page.locator(".confirmed-order-number").inner_text()
    order = Order.objects.get(number=number)
    assert (order.customer_user.email, order.po_number) == (BUYER_EMAIL, "PO-QUICK-1")
    assert sorted((line.sku, line.quantity, line.unit_price) for line in order.lines.all()) == (
        sorted([("0RT28", Decimal(12), Decimal("94.99")), (other.sku, Decimal(2), other_price)])
    )
    context.close()
