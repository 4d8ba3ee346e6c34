"""Staff set catalog visibility in the back office, and the storefront follows at once."""

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.accounts.models import CustomerGroup, User
from comptoir.catalog.visibility import ProductVisibility
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))
    return client


def test_a_product_hidden_from_a_company_in_the_back_office_leaves_its_catalog(staff_client):
    lamp = factories.product("LAMP-1", name="Desk lamp")
    acme = factories.company("Acme")
    buyer = Client()
    buyer.force_login(factories.customer_user(acme).user)

    response = staff_client.post(
        reverse("admin:catalog_productvisibility_add"),
        {"product": lamp.pk, "company": acme.pk, "visibility": "hidden"},
    )

    assert response.status_code == 302
    assert buyer.get("/p/LAMP-1/").status_code == 404
    assert Client().get("/p/LAMP-1/").status_code == 200


def test_a_setting_for_a_company_and_a_group_at_once_is_sent_back_with_what_to_fix(
    staff_client,
):
    lamp = factories.product("LAMP-1")
    acme = factories.company("Acme")
    dealers = CustomerGroup.objects.create(name="Dealers")

    response = staff_client.post(
        reverse("admin:catalog_productvisibility_add"),
        {
            "product": lamp.pk,
            "company": acme.pk,
            "customer_group": dealers.pk,
            "visibility": "hidden",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Choose a company or a customer group, not both; leave both empty for a setting for "
        "everyone."
    ]
    assert not ProductVisibility.objects.exists()
