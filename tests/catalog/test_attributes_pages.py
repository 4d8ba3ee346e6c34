"""A product's attribute values and variants on its storefront page and in the API, in the
reader's language."""

import pytest
from django.urls import reverse

from tests import factories
from tests.catalog.shirts import make_shirts

pytestmark = pytest.mark.django_db


def test_the_product_page_lists_the_values_and_the_variants_in_french(client):
    make_shirts()

    response = client.get(
        reverse("storefront:product", args=["TEE-B-S"]), HTTP_ACCEPT_LANGUAGE="fr"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<dt>Couleur</dt>" in page
    assert "<dd>Bleu</dd>" in page
    assert "<dt>Matière</dt>" in page
    assert "<dd>Coton</dd>" in page
    assert "<dd>180,5 g</dd>" in page
    assert '<th scope="col">Couleur</th><th scope="col">Size</th>' in page
    assert f'<a href="{reverse("storefront:product", args=["TEE-R-L"])}">TEE-R-L</a>' in page
    assert "<strong>TEE-B-S</strong>" in page


def test_a_product_without_values_has_neither_section(client):
    factories.product("PLAIN-1", name="Plain")

    response = client.get(reverse("storefront:product", args=["PLAIN-1"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="attributes-heading"' not in page
    assert 'id="variants-heading"' not in page


def test_the_api_gives_a_product_its_family_values_and_model_in_the_request_language(client):
    shirts = make_shirts()
    shirts.weight.is_shown_to_buyers = False
    shirts.weight.save()

    response = client.get("/api/v1/products/tee-b-m", HTTP_ACCEPT_LANGUAGE="fr")

    body = response.json()
    assert response.status_code == 200
    assert body["family"] == "shirts"
    assert body["attributes"] == [
        {
            "code": "color",
            "name": "Couleur",
            "type": "select",
            "locale": None,
            "value": "blue",
            "display": "Bleu",
        },
        {
            "code": "size",
            "name": "Size",
            "type": "select",
            "locale": None,
            "value": "m",
            "display": "M",
        },
        {
            "code": "material",
            "name": "Matière",
            "type": "text",
            "locale": "fr",
            "value": "Coton",
            "display": "Coton",
        },
    ]
    assert body["product_model"] == {
        "code": "tee",
        "name": "Tee",
        "axes": [{"code": "color", "name": "Couleur"}, {"code": "size", "name": "Size"}],
        "variants": [
            {"sku": "TEE-B-S", "name": "Tee blue s", "axes": {"color": "blue", "size": "s"}},
            {"sku": "TEE-B-M", "name": "Tee blue m", "axes": {"color": "blue", "size": "m"}},
            {"sku": "TEE-R-L", "name": "Tee red l", "axes": {"color": "red", "size": "l"}},
        ],
    }


def test_the_api_gives_a_product_without_family_empty_attributes_and_no_model(client):
    factories.product("PLAIN-1")

    body = client.get("/api/v1/products/PLAIN-1").json()

    assert (body["family"], body["attributes"], body["product_model"]) == (None, [], None)


def test_the_back_office_shows_attributes_families_models_and_a_product_values(admin_client):
    shirts = make_shirts()

    pages = [
        reverse("admin:catalog_attribute_change", args=[shirts.color.pk]),
        reverse("admin:catalog_attributeoption_change", args=[shirts.options["blue"].pk]),
        reverse("admin:catalog_productfamily_changelist"),
        reverse("admin:catalog_productmodel_changelist"),
        reverse("admin:catalog_product_change", args=[shirts.blue_m.pk]),
        reverse("admin:catalog_category_change", args=[shirts.blue_m.category_id]),
    ]

    assert [admin_client.get(page).status_code for page in pages] == [200] * len(pages)
    assert "Couleur" in admin_client.get(pages[0]).content.decode()
