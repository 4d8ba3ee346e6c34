"""The storefront in English and French: labels, messages, money, numbers and dates; the language
switcher, and the language saved per user that wins over the browser's."""

import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

import comptoir
from comptoir.accounts.models import Address
from comptoir.ordering import services
from comptoir.ordering.models import Order, ShoppingListLine
from comptoir.storefront.formats import (
    format_amount,
    format_money,
    format_quantity,
    read_quantity,
)

# French writes a no-break space before a colon and inside « », a narrow one between thousands.
NBSP = "\u00a0"
NNBSP = "\u202f"
SOURCE_DIR = Path(comptoir.__file__).resolve().parent
FRENCH_CATALOG = SOURCE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def translated(message) -> bool:
    """Whether a catalog entry has every form translated and is not marked fuzzy."""
    forms = message.string if message.pluralizable else [message.string]
    return not message.fuzzy and all(forms)


def speaks(customer_user, language: str) -> None:
    customer_user.user.language = language
    customer_user.user.save(update_fields=["language"])


def cart_lines(customer_user) -> list[tuple[str, str, Decimal]]:
    return [
        (line.product.sku, line.unit.code, line.quantity)
        for line in ShoppingListLine.objects.filter(
            shopping_list__customer_user=customer_user, shopping_list__is_current=True
        ).order_by("id")
    ]


@pytest.mark.parametrize(
    ("language", "value", "currency", "expected"),
    [
        ("en", "1139.88", "USD", "1,139.88 USD"),
        ("en", "0.1234", "USD", "0.1234 USD"),
        ("fr", "1139.88", "USD", f"1{NNBSP}139,88{NBSP}$US"),
        ("fr", "94.9900", "USD", f"94,99{NBSP}$US"),
        ("fr", "0.1234", "USD", f"0,1234{NBSP}$US"),
        ("fr", "100", "EUR", f"100,00{NBSP}€"),
        ("fr", "1500.0000", "JPY", f"1{NNBSP}500{NBSP}JPY"),
    ],
)
def test_money_is_written_with_the_iso_code_in_english_and_the_cldr_form_in_french(
    language, value, currency, expected
):
    with translation.override(language):
        written = format_money(Decimal(value), currency)

    assert written == expected


def test_amounts_and_quantities_take_the_decimal_comma_in_french():
    with translation.override("fr"):
        written = (
            format_amount(Decimal("1139.88"), "USD"),
            format_quantity(Decimal("2.500")),
            format_quantity(Decimal("1500.000")),
        )

    # A quantity keeps no thousands separator, so that a form field reads it back unchanged.
    assert written == (f"1{NNBSP}139,88", "2,5", "1500")


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("fr", "2,5", "2.5"),
        ("fr", "2.5", "2.5"),
        ("fr", "1,000,5", "1,000,5"),
        ("en", "2,5", "2,5"),
    ],
)
def test_a_decimal_comma_is_read_as_a_point_only_where_the_language_writes_one(
    language, typed, read
):
    with translation.override(language):
        assert read_quantity(typed) == read


def test_a_buyer_who_saved_french_sees_the_product_page_in_french(client, shop):
    speaks(shop.acme_buyer, "fr")
    client.force_login(shop.acme_buyer.user)

    response = client.get(reverse("storefront:product", args=["DR-100"]))

    text = response.text
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in text
    assert '<h2 id="prices-heading">Votre prix</h2>' in text
    assert '<button type="submit" class="button">Ajouter au panier</button>' in text
    assert '<td class="number">100,00</td>' in text
    assert '<td class="number">95,00</td>' in text
    assert '<a class="cart-link" href="/cart/">Panier ' in text


def test_product_cards_show_french_prices(client, shop):
    speaks(shop.acme_buyer, "fr")
    client.force_login(shop.acme_buyer.user)

    response = client.get(reverse("storefront:category", args=[shop.tools.slug]))

    assert f'<span class="price__value">100,00{NBSP}$US</span>' in response.text
    assert "<p>3 produits</p>" in response.text


def test_a_french_buyer_adds_to_the_cart_with_a_decimal_comma_and_reads_french_messages(
    client, shop
):
    speaks(shop.acme_buyer, "fr")
    client.force_login(shop.acme_buyer.user)

    response = client.post(
        reverse("storefront:cart_add"),
        {"sku": "CB-7", "quantity": "2,5", "unit": "m"},
        follow=True,
    )

    assert messages_of(response) == [f"Ajouté au panier{NBSP}: 2,5 m de CB-7 (2,5 en tout)."]
    assert cart_lines(shop.acme_buyer) == [("CB-7", "m", Decimal("2.5"))]
    assert 'value="2,5"' in response.text
    assert f'<td class="number lines__subtotal">6,25{NBSP}$US</td>' in response.text


def test_a_quantity_with_too_many_decimals_is_refused_in_french(client, shop):
    speaks(shop.acme_buyer, "fr")
    client.force_login(shop.acme_buyer.user)

    response = client.post(
        reverse("storefront:cart_add"),
        {"sku": "DR-100", "quantity": "1,5", "unit": "item"},
        follow=True,
    )

    assert messages_of(response) == [
        f"La quantité 1,5 a trop de décimales{NBSP}: l'unité «{NBSP}item{NBSP}» "
        "ne se commande qu'en nombres entiers"
    ]
    assert cart_lines(shop.acme_buyer) == []


def test_the_checkout_page_counts_lines_and_states_the_payment_term_in_french(client, shop):
    services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="DR-100", quantity="12")
    speaks(shop.acme_buyer, "fr")
    client.force_login(shop.acme_buyer.user)

    response = client.get(reverse("storefront:checkout"))

    assert f'<p class="summary">1 ligne, sous-total 1{NNBSP}140,00{NBSP}$US</p>' in response.text
    assert f'<p class="payment-term">Paiement{NBSP}: net 30, sur compte</p>' in response.text


def test_the_orders_page_writes_dates_statuses_and_totals_in_french(client, shop):
    services.add_to_shopping_list(customer_user=shop.acme_buyer, sku="DR-100", quantity="12")
    address = Address.objects.get(company=shop.acme)
    order = services.place_order(
        customer_user=shop.acme_buyer,
        billing_address_id=address.pk,
        shipping_address_id=address.pk,
    )
    Order.objects.filter(pk=order.pk).update(created_at=datetime(2026, 3, 4, 10, 30, tzinfo=UTC))
    speaks(shop.acme_buyer, "fr")
    client.force_login(shop.acme_buyer.user)

    response = client.get(reverse("storefront:orders"))

    text = response.text
    assert '<td data-label="Passée le">4 mars 2026</td>' in text
    assert '<td data-label="Statut">Ouverte</td>' in text
    assert f'<td data-label="Total" class="number">1{NNBSP}140,00{NBSP}$US</td>' in text


def test_the_header_offers_the_other_language_as_a_button(client, shop):
    response = client.get(reverse("storefront:home"))

    assert (
        '<span class="language-switcher__current" lang="en" aria-current="true">English</span>'
        in response.text
    )
    assert (
        '<button type="submit" class="link-button" name="language" value="fr" lang="fr">'
        "Français</button>" in response.text
    )


def test_the_switcher_sets_the_language_cookie_and_goes_back_to_the_page(client, shop):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/search/?q=drill"})
    page = client.get(reverse("storefront:home"))

    assert (response.status_code, response["Location"]) == (302, "/search/?q=drill")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr">' in page.text
    assert '<button type="submit">Rechercher</button>' in page.text


def test_the_switcher_saves_the_choice_on_the_logged_in_user(acme_client, shop):
    acme_client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    shop.acme_buyer.user.refresh_from_db()
    assert shop.acme_buyer.user.language == "fr"


def test_the_switcher_ignores_a_language_the_shop_does_not_offer(acme_client, shop):
    acme_client.post(reverse("set_language"), {"language": "de", "next": "/"})
    page = acme_client.get(reverse("storefront:home"))

    shop.acme_buyer.user.refresh_from_db()
    assert shop.acme_buyer.user.language == ""
    assert '<html lang="en">' in page.text


def test_a_saved_language_wins_over_the_cookie_and_the_browser(client, shop):
    speaks(shop.acme_buyer, "fr")
    client.force_login(shop.acme_buyer.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("storefront:cart"), HTTP_ACCEPT_LANGUAGE="en")

    assert "<h1>Votre panier</h1>" in response.text


def test_without_a_saved_language_the_browser_language_applies(acme_client, shop):
    response = acme_client.get(reverse("storefront:cart"), HTTP_ACCEPT_LANGUAGE="fr")

    assert "<h1>Votre panier</h1>" in response.text


def test_every_message_of_the_french_catalog_is_translated_with_its_placeholders():
    with FRENCH_CATALOG.open("rb") as source:
        catalog = read_po(source)

    untranslated = [message.id for message in catalog if message.id and not translated(message)]
    placeholder_errors = [
        (message.id, [str(error) for error in errors]) for message, errors in catalog.check()
    ]
    assert untranslated == []
    assert placeholder_errors == []


def test_the_compiled_french_catalog_says_what_its_source_says():
    with FRENCH_CATALOG.open("rb") as source:
        source_catalog = read_po(source)
    with FRENCH_CATALOG.with_suffix(".mo").open("rb") as compiled:
        compiled_catalog = read_mo(compiled)

    def translations(catalog) -> dict:
        def key(text):
            return tuple(text) if isinstance(text, list | tuple) else text

        return {
            (message.context, key(message.id)): key(message.string)
            for message in catalog
            if message.id and translated(message)
        }

    assert translations(compiled_catalog) == translations(source_catalog)


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext is not installed: apt-get install gettext to check the catalog's coverage",
)
def test_every_string_marked_for_translation_has_its_french_translation(
    tmp_path, monkeypatch, settings
):
    # makemessages writes where it runs: it runs on a copy of the sources.
    copy = tmp_path / "comptoir"
    shutil.copytree(SOURCE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["fr"], add_location="file", verbosity=0)

    with (copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").open("rb") as source:
        catalog = read_po(source)
    untranslated = [message.id for message in catalog if message.id and not translated(message)]
    assert untranslated == []
