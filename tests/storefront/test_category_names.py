"""Category names in the reader's language on the catalog pages and in the API, with the
default name where a category has none in that language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.catalog.models import Category, CategoryTranslation
from comptoir.catalog.queries import with_names_in
from tests import factories

pytestmark = pytest.mark.django_db


def name(category, language: str, text: str) -> None:
    CategoryTranslation.objects.create(category=category, language=language, name=text)


def test_a_french_reader_sees_the_category_names_in_french_on_every_catalog_page(client, shop):
    name(shop.tools, "fr", "Outils")
    name(shop.drills, "fr", "Perceuses")
    name(shop.drills, "de", "Bohrmaschinen")
    tools = reverse("storefront:category", args=[shop.tools.slug])
    drills = reverse("storefront:category", args=[shop.drills.slug])

    home = client.get(reverse("storefront:home"), HTTP_ACCEPT_LANGUAGE="fr")
    tools_page = client.get(tools, HTTP_ACCEPT_LANGUAGE="fr")
    drills_page = client.get(drills, HTTP_ACCEPT_LANGUAGE="fr")
    product_page = client.get(
        reverse("storefront:product", args=["DR-100"]), HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert f'<a href="{tools}">Outils</a>' in home.text
    assert f'<a href="{drills}">Perceuses</a>' in tools_page.text
    assert "<h1>Outils</h1>" in tools_page.text
    assert "<title>Perceuses · " in drills_page.text
    assert "<h1>Perceuses</h1>" in drills_page.text
    assert f'<li><a href="{tools}">Outils</a></li>' in drills_page.text
    assert '<li aria-current="page">Perceuses</li>' in drills_page.text
    assert (
        f'<li><a href="{tools}">Outils</a></li><li><a href="{drills}">Perceuses</a></li>'
        in product_page.text
    )
    for page in (home, tools_page, drills_page, product_page):
        assert "Tools" not in page.text
        assert "Bohrmaschinen" not in page.text


def test_a_category_without_a_name_in_french_keeps_its_default_name(client, shop):
    name(shop.tools, "fr", "Outils")
    name(shop.drills, "de", "Bohrmaschinen")

    response = client.get(
        reverse("storefront:category", args=[shop.drills.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert "<h1>Drills</h1>" in response.text
    assert ">Outils</a></li>" in response.text


def test_an_english_reader_sees_the_default_names(client, shop):
    name(shop.tools, "fr", "Outils")

    response = client.get(reverse("storefront:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert ">Tools</a></li>" in response.text
    assert "Outils" not in response.text


def test_a_name_for_a_region_serves_its_language_and_the_plain_language_comes_first(client, shop):
    # As the Akeneo import stores a "fr_FR" label.
    name(shop.tools, "fr-fr", "Outils (France)")
    name(shop.drills, "fr-fr", "Perceuses (France)")
    name(shop.drills, "fr", "Perceuses")

    response = client.get(
        reverse("storefront:category", args=[shop.drills.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert ">Outils (France)</a></li>" in response.text
    assert "<h1>Perceuses</h1>" in response.text


def test_a_buyer_who_chose_french_sees_french_names_whatever_the_browser_asks(acme_client, shop):
    name(shop.tools, "fr", "Outils")
    shop.acme_buyer.user.language = "fr"
    shop.acme_buyer.user.save(update_fields=["language"])

    response = acme_client.get(reverse("storefront:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert ">Outils</a></li>" in response.text


def test_the_api_names_categories_in_the_request_language(client, shop):
    name(shop.tools, "fr", "Outils")
    name(shop.drills, "fr", "Perceuses")

    categories = client.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="fr").json()
    products = client.get(
        "/api/v1/products", {"category": shop.drills.slug}, HTTP_ACCEPT_LANGUAGE="fr"
    ).json()
    product = client.get("/api/v1/products/DR-100", HTTP_ACCEPT_LANGUAGE="fr").json()
    in_english = client.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="en").json()

    assert [(category["slug"], category["name"]) for category in categories] == [
        ("tools", "Outils"),
        ("drills", "Perceuses"),
    ]
    assert [item["category"] for item in products["items"]] == [
        {"slug": "drills", "name": "Perceuses"}
    ]
    assert product["category"] == {"slug": "drills", "name": "Perceuses"}
    assert [category["name"] for category in in_english] == ["Tools", "Drills"]


def test_only_the_names_in_the_reader_language_are_loaded():
    tools = factories.category("Tools")
    for language, text in (("fr", "Outils"), ("fr-ca", "Outils (Canada)"), ("de", "Werkzeuge")):
        name(tools, language, text)

    (loaded,) = with_names_in(Category.objects.all(), "fr")

    assert sorted(translation.language for translation in loaded.translations.all()) == [
        "fr",
        "fr-ca",
    ]
    assert loaded.name_in("fr") == "Outils"
    assert loaded.name_in("fr-ca") == "Outils (Canada)"


def test_the_home_page_costs_the_same_queries_for_one_named_category_or_ten(client, shop):
    name(shop.tools, "fr", "Outils")
    url = reverse("storefront:home")
    with CaptureQueriesContext(connection) as one:
        client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    for n in range(9):
        category = factories.category(f"Category {n}")
        name(category, "fr", f"Catégorie {n}")
        name(category, "de", f"Kategorie {n}")

    with CaptureQueriesContext(connection) as ten:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")

    assert ">Catégorie 8</a></li>" in response.text
    assert len(ten) == len(one)


def test_the_api_lists_one_named_category_or_ten_in_the_same_queries(client, shop):
    name(shop.tools, "fr", "Outils")
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="fr")
        client.get("/api/v1/products", HTTP_ACCEPT_LANGUAGE="fr")
    for n in range(9):
        category = factories.category(f"Category {n}")
        name(category, "fr", f"Catégorie {n}")
        factories.product(f"EXTRA-{n}", category_name=category.name)

    with CaptureQueriesContext(connection) as ten:
        categories = client.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="fr").json()
        products = client.get("/api/v1/products", HTTP_ACCEPT_LANGUAGE="fr").json()

    assert len(categories) == 11
    assert {"slug": "category-8", "name": "Catégorie 8"} in [
        item["category"] for item in products["items"]
    ]
    assert len(ten) == len(one)
