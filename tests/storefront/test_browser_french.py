"""A Company A buyer switches the storefront to French in Chromium and shops in French.

Needs Debian's Chromium, as ``test_browser.py`` does (``COMPTOIR_SKIP_BROWSER=1`` skips it). A
screenshot of the French product page goes to the system's temporary directory.
"""

import pytest

from comptoir.accounts.models import User
from tests.storefront.test_browser import (  # noqa: F401 (fixtures)
    BUYER_EMAIL,
    PASSWORD,
    PHONE,
    SCREENSHOTS,
    browser,
    fits_the_screen,
    oro_shop,
)

NBSP = "\u00a0"
NNBSP = "\u202f"

pytestmark = [pytest.mark.browser, pytest.mark.oro]


def test_buyer_switches_to_french_and_sees_french_labels_and_prices(
    browser,  # noqa: F811
    live_server,
    oro_shop,  # noqa: F811
):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill(BUYER_EMAIL.lower())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".account-nav__company")).to_have_text("Company A")

    page.get_by_role("button", name="Français").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".language-switcher__current")).to_have_text("Français")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("link", name="Commandes", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.get_by_label("Rechercher des produits").fill("0rt28")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    first_result = page.locator(".product-card").first
    expect(first_result.locator(".product-card__sku")).to_have_text("Réf. 0RT28")
    expect(first_result.locator(".price__value")).to_have_text(f"99,99{NBSP}$US")
    first_result.get_by_role("link").click()

    expect(page.get_by_role("heading", level=2, name="Votre prix")).to_be_visible()
    item_tiers = page.locator(".tier-table").filter(has_text="Par item").locator("tbody tr")
    assert [row.inner_text().split("\t") for row in item_tiers.all()] == [
        ["1", "99,99", "USD"],
        ["10", "94,99", "USD"],
        ["20", "89,99", "USD"],
    ]
    page.get_by_label("Quantité").fill("12")
    page.get_by_role("button", name="Ajouter au panier").click()
    expect(page.locator(".message--success")).to_have_text(
        f"Ajouté au panier{NBSP}: 12 item de 0RT28 (12 en tout)."
    )
    assert fits_the_screen(page)
    page.screenshot(path=SCREENSHOTS / "comptoir-product-fr-375.png", full_page=True)

    page.locator(".cart-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre panier")
    expect(page.locator(".lines__subtotal")).to_have_text(f"1{NNBSP}139,88{NBSP}$US")
    assert User.objects.get(email__iexact=BUYER_EMAIL).language == "fr"
    context.close()
