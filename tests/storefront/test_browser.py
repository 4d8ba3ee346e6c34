"""A Company A buyer orders on the real OroCommerce demo data, in Chromium at a phone's width.

Needs Debian's Chromium at /usr/bin/chromium; without it the test fails, unless
``COMPTOIR_SKIP_BROWSER=1`` says to skip it. Screenshots of the product page and the cart go to
the system's temporary directory.
"""

import os
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from comptoir.ordering.models import Order, ShoppingListLine

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
PHONE = {"width": 375, "height": 812}
PASSWORD = "browser-journey-password"
BUYER_EMAIL = "BrandaJSanborn@example.org"
SCREENSHOTS = Path(tempfile.gettempdir())

pytestmark = [pytest.mark.browser, pytest.mark.oro]


@pytest.fixture
def browser(monkeypatch):
    """Headless Chromium; a clear failure if it is not installed."""
    if os.environ.get("COMPTOIR_SKIP_BROWSER") == "1":
        pytest.skip("COMPTOIR_SKIP_BROWSER=1: the browser test is skipped")
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Debian's Chromium is not at {CHROMIUM}: install it (apt-get install chromium) "
            "or set COMPTOIR_SKIP_BROWSER=1 to skip the browser test",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test still reads the database.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        # The test's queries, made while Playwright runs, went through a connection of their
        # own; closed here, it does not hold the test database open when it is dropped.
        connections.close_all()
        chromium.close()


@pytest.fixture
def oro_shop(transactional_db, oro_dir):
    call_command("import", "oro", str(oro_dir), password=PASSWORD)


def test_company_a_buyer_searches_orders_on_account_and_reorders(browser, live_server, oro_shop):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    outside_requests = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url)
            else outside_requests.append(request.url)
        ),
    )

    page.goto("/login/")
    page.get_by_label("Email").fill(BUYER_EMAIL.lower())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".account-nav__company")).to_have_text("Company A")
    expect(page.locator(".site-header")).to_have_css("background-color", "rgb(31, 95, 139)")

    page.get_by_label("Search products").fill(" 0rt28 ")
    page.get_by_label("Search products").press("Enter")
    first_result = page.locator(".product-card").first
    expect(first_result.locator(".product-card__sku")).to_have_text("SKU 0RT28")
    expect(first_result.locator(".price__value")).to_have_text("99.99 USD")
    first_result.get_by_role("link").click()

    expect(page).to_have_url(f"{live_server.url}/p/0RT28/")
    expect(page.get_by_role("heading", level=1)).to_have_text("220 Lumen Rechargeable Headlamp")
    item_tiers = page.locator(".tier-table").filter(has_text="Per item").locator("tbody tr")
    assert [row.inner_text().split("\t") for row in item_tiers.all()] == [
        ["1", "99.99", "USD"],
        ["10", "94.99", "USD"],
        ["20", "89.99", "USD"],
    ]
    page.get_by_label("Quantity").fill("12")
    page.get_by_label("Unit").select_option("item")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".message--success")).to_have_text(
        "Added 12 item of 0RT28 to your cart (12 in all)."
    )
    expect(page.locator(".cart-link__count")).to_have_text("1")
    assert fits_the_screen(page)
    page.screenshot(path=SCREENSHOTS / "comptoir-product-375.png", full_page=True)

    page.locator(".cart-link").click()
    expect_cart_of_twelve_headlamps(page, expect)
    assert fits_the_screen(page)
    page.screenshot(path=SCREENSHOTS / "comptoir-cart-375.png", full_page=True)

    page.get_by_role("link", name="Check out").click()
    expect(page.locator(".payment-term")).to_have_text("Payment: net 30, on account")
    expect(page.locator("input[name=shipping_address]:checked")).to_have_count(1)
    expect(page.locator("input[name=billing_address]:checked")).to_have_count(1)
    page.get_by_label("PO number").fill("PO-HEADLAMPS-12")
    page.get_by_label("Notes").fill("Deliver to the loading dock.")
    page.get_by_role("button", name="Review the order").click()
    expect(page.locator(".review-po-number")).to_have_text("PO-HEADLAMPS-12")
    expect(page.locator(".lines__subtotal")).to_have_text("1,139.88 USD")
    page.get_by_role("button", name="Place order").click()

    number = page.locator(".confirmed-order-number").inner_text()
    order = Order.objects.get(number=number)
    assert (order.company.name, order.customer_user.email) == ("Company A", BUYER_EMAIL)
    assert (order.po_number, order.payment_term, order.total, order.currency) == (
        "PO-HEADLAMPS-12",
        "net 30",
        Decimal("1139.88"),
        "USD",
    )
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("0RT28", Decimal(12), Decimal("94.99"))
    ]
    expect(page.locator(".cart-link__count")).to_have_text("0")

    page.get_by_role("link", name="Orders", exact=True).click()
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {number}")
    expect(page.locator(".order-total")).to_have_text("1,139.88 USD")
    page.get_by_role("button", name="Reorder").click()

    expect(page).to_have_url(f"{live_server.url}/cart/")
    expect(page.locator(".message--success")).to_have_text(
        f"1 line of order {number} added to your cart at today's prices."
    )
    expect_cart_of_twelve_headlamps(page, expect)
    assert [
        (line.product.sku, line.quantity)
        for line in ShoppingListLine.objects.filter(
            shopping_list__customer_user=order.customer_user, shopping_list__is_current=True
        )
    ] == [("0RT28", Decimal(12))]
    assert outside_requests == []
    context.close()


def expect_cart_of_twelve_headlamps(page, expect) -> None:
    rows = page.locator(".lines tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".lines__sku")).to_have_text("SKU 0RT28")
    expect(rows.first.get_by_label("Quantity of 0RT28")).to_have_value("12")
    expect(rows.first.locator("td[data-label='Unit price']")).to_have_text("94.99 USD")
    expect(rows.first.locator("td[data-label='Total']")).to_have_text("1,139.88 USD")
    expect(page.locator(".lines__subtotal")).to_have_text("1,139.88 USD")


def fits_the_screen(page) -> bool:
    """Nothing sticks out sideways: the page scrolls only up and down on a phone."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
