import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_buyer_logs_in_with_the_email_in_any_case(client):
    buyer = factories.customer_user(factories.company(), "Pat@Acme.example")

    response = client.post(
        reverse("storefront:login"),
        {"username": " pat@ACME.example ", "password": factories.PASSWORD},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(buyer.user.pk)


def test_wrong_password_says_what_to_check_and_keeps_the_email(client):
    factories.customer_user(factories.company(), "pat@acme.example")

    response = client.post(
        reverse("storefront:login"), {"username": "pat@acme.example", "password": "wrong"}
    )

    assert response.status_code == 200
    assert "Check the password (it is case-sensitive)" in response.text
    assert 'value="pat@acme.example"' in response.text
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client):
    buyer = factories.customer_user(factories.company())
    client.force_login(buyer.user)

    response = client.post(reverse("storefront:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_offers_to_ask_for_an_account(client):
    response = client.get(reverse("storefront:login"))

    assert f'href="{reverse("storefront:register")}"' in response.text
