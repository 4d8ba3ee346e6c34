"""The access modes seen from a browser and an API client: pilot, login required, the gate.

Each test switches the mode between requests, by the service or the command, and the next
request follows the new mode: nothing is restarted.
"""

import base64

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from comptoir.accounts.access import (
    clear_basic_auth,
    set_access_mode,
    set_basic_auth,
)
from comptoir.accounts.models import AccessMode, CustomerGroup, CustomerUser, User
from comptoir.accounts.tokens import create_token
from tests import factories

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-password"


def api(token: str | None = None, **headers) -> Client:
    """A client that sends ``token`` as a bearer token on every request."""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Client(headers=headers)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def log_in(client: Client, customer_user: CustomerUser, password: str = factories.PASSWORD):
    return client.post(
        reverse("storefront:login"), {"username": customer_user.email, "password": password}
    )


def user_of(company_name: str, role: str) -> CustomerUser:
    return CustomerUser.objects.get(company__name=company_name, roles__code=role)


@pytest.mark.oro
def test_pilot_keeps_out_companies_outside_it_until_it_ends(oro_dir):
    call_command("import", "oro", str(oro_dir), password=DEMO_PASSWORD)
    east_buyer = user_of("Company A - East Division", "buyer")
    wholesale_buyer = user_of("Wholesaler B", "buyer")
    east_token = create_token(customer_user=east_buyer).key
    wholesale_token = create_token(customer_user=wholesale_buyer).key
    call_command("access", "pilot", "--company", "company a")

    outsider, insider, guest = Client(), Client(), Client()
    refused_login = log_in(outsider, wholesale_buyer, DEMO_PASSWORD)
    coming_soon = outsider.get(refused_login.url)
    refused_call = api(wholesale_token).get("/api/v1/products")
    accepted_login = log_in(insider, east_buyer, DEMO_PASSWORD)
    insider_home = insider.get(reverse("storefront:home"))
    insider_call = api(east_token).get("/api/v1/products")
    guest_home = guest.get(reverse("storefront:home"))
    guest_call = api().get("/api/v1/products")

    assert refused_login.status_code == 302
    assert refused_login.url == reverse("storefront:coming_soon")
    assert "_auth_user_id" not in outsider.session
    assert coming_soon.status_code == 200
    assert "Coming soon" in coming_soon.text
    assert "your company is not in it yet" in coming_soon.text
    assert refused_call.status_code == 403
    assert refused_call.json()["code"] == "not_in_pilot"
    assert "Wholesaler B is not in it yet" in refused_call.json()["detail"]
    assert accepted_login.status_code == 302
    assert accepted_login.url == reverse("storefront:home")
    assert insider_home.status_code == 200
    assert insider_home.context["customer_user"] == east_buyer
    assert insider_call.status_code == 200
    assert guest_home.status_code == 302
    assert guest_home.url == reverse("storefront:coming_soon")
    assert guest_call.status_code == 401

    call_command("access", "open")

    reopened_login = log_in(outsider, wholesale_buyer, DEMO_PASSWORD)
    reopened_home = outsider.get(reverse("storefront:home"))
    reopened_call = api(wholesale_token).get("/api/v1/products")
    reopened_guest_home = guest.get(reverse("storefront:home"))
    reopened_guest_call = api().get("/api/v1/products")

    assert reopened_login.url == reverse("storefront:home")
    assert reopened_home.status_code == 200
    assert reopened_home.context["customer_user"] == wholesale_buyer
    assert reopened_call.status_code == 200
    assert reopened_guest_home.status_code == 200
    assert reopened_guest_call.status_code == 200


@pytest.fixture
def companies():
    """Acme with a subsidiary two levels down, Initech in the Partners group, and Globex."""
    acme = factories.company("Acme")
    acme_east = factories.company("Acme East", parent=acme)
    acme_east_north = factories.company("Acme East North", parent=acme_east)
    partners = CustomerGroup.objects.create(name="Partners")
    initech = factories.company("Initech", customer_group=partners)
    globex = factories.company("Globex")
    return {
        "acme": acme,
        "partners": partners,
        "acme_buyer": factories.customer_user(acme, "buyer@acme.example"),
        "north_buyer": factories.customer_user(acme_east_north, "buyer@north.acme.example"),
        "initech_buyer": factories.customer_user(initech, "buyer@initech.example"),
        "globex_buyer": factories.customer_user(globex, "buyer@globex.example"),
    }


def test_users_of_a_pilot_company_its_subsidiaries_and_its_groups_log_in(client, companies):
    set_access_mode(
        mode=AccessMode.PILOT, companies=[companies["acme"]], groups=[companies["partners"]]
    )

    for name in ("acme_buyer", "north_buyer", "initech_buyer"):
        response = log_in(client, companies[name])

        assert response.url == reverse("storefront:home"), name
        assert client.get(reverse("storefront:home")).status_code == 200
        client.post(reverse("storefront:logout"))


def test_logged_in_user_outside_the_pilot_is_logged_out_when_the_pilot_starts(client, companies):
    client.force_login(companies["globex_buyer"].user)
    before = client.get(reverse("storefront:orders"))

    set_access_mode(mode=AccessMode.PILOT, companies=[companies["acme"]])
    during = client.get(reverse("storefront:orders"))

    assert before.status_code == 200
    assert during.status_code == 302
    assert during.url == reverse("storefront:coming_soon")
    assert "_auth_user_id" not in client.session


def test_removing_a_company_from_the_pilot_applies_to_the_next_request(client, companies):
    set_access_mode(mode=AccessMode.PILOT, companies=[companies["acme"]])
    client.force_login(companies["acme_buyer"].user)
    inside = client.get(reverse("storefront:home"))

    set_access_mode(mode=AccessMode.PILOT, companies=[], groups=[companies["partners"]])
    outside = client.get(reverse("storefront:home"))

    assert inside.status_code == 200
    assert outside.status_code == 302
    assert outside.url == reverse("storefront:coming_soon")


def test_guest_in_pilot_sees_coming_soon_with_a_login_link_and_the_public_pages(client):
    set_access_mode(mode=AccessMode.PILOT)

    home = client.get(reverse("storefront:home"), follow=True)
    login_page = client.get(reverse("storefront:login"))
    registration = client.get(reverse("storefront:register"))
    password_reset = client.get(reverse("storefront:password_reset"))
    cart = client.get(reverse("storefront:cart"))

    assert home.redirect_chain == [(reverse("storefront:coming_soon"), 302)]
    assert "Coming soon" in home.text
    assert f'href="{reverse("storefront:login")}"' in home.text
    assert f'href="{reverse("storefront:register")}"' in home.text
    assert login_page.status_code == 200
    assert registration.status_code == 200
    assert password_reset.status_code == 200
    assert cart.url == reverse("storefront:coming_soon")


def test_coming_soon_page_leads_home_once_the_pilot_is_over(client):
    set_access_mode(mode=AccessMode.LOGIN_REQUIRED)

    response = client.get(reverse("storefront:coming_soon"))

    assert response.status_code == 302
    assert response.url == reverse("storefront:home")


def test_staff_reach_the_back_office_and_the_storefront_in_every_mode(client):
    staff = User.objects.create_superuser("admin@seller.example", factories.PASSWORD)
    client.force_login(staff)

    for mode in (AccessMode.LOGIN_REQUIRED, AccessMode.PILOT):
        set_access_mode(mode=mode)

        assert client.get("/admin/").status_code == 200, mode
        assert client.get(reverse("storefront:home")).status_code == 200, mode


def test_back_office_login_page_stays_reachable_in_pilot_mode(client):
    set_access_mode(mode=AccessMode.PILOT)

    response = client.get("/admin/login/")

    assert response.status_code == 200


def test_login_required_sends_guests_to_log_in_and_back(client, companies):
    set_access_mode(mode=AccessMode.LOGIN_REQUIRED)
    url = reverse("storefront:search") + "?q=drill"

    refused = client.get(url)
    login_page = client.get(refused.url)
    logged_in = client.post(
        refused.url,
        {"username": "buyer@globex.example", "password": factories.PASSWORD, "next": url},
    )
    after = client.get(url)

    assert refused.status_code == 302
    assert refused.url == reverse("storefront:login") + "?next=/search/%3Fq%3Ddrill"
    assert login_page.status_code == 200
    assert logged_in.url == url
    assert after.status_code == 200


def test_login_required_keeps_the_public_pages_open_to_guests(client):
    set_access_mode(mode=AccessMode.LOGIN_REQUIRED)

    for name in ("login", "register", "registration_received", "password_reset"):
        assert client.get(reverse(f"storefront:{name}")).status_code == 200, name
    language = client.post(reverse("set_language"), {"language": "fr", "next": "/login/"})
    assert language.status_code == 302
    assert language.url == "/login/"


def test_login_required_api_refuses_guests_and_serves_tokens(companies):
    token = create_token(customer_user=companies["globex_buyer"]).key
    set_access_mode(mode=AccessMode.LOGIN_REQUIRED)

    guest = api().get("/api/v1/products")
    customer = api(token).get("/api/v1/products")
    document = api().get("/api/v1/openapi.json")

    assert guest.status_code == 401
    assert guest["WWW-Authenticate"] == "Bearer"
    assert guest.json() == {
        "detail": "The shop is open to its customers only: send an API token as "
        "'Authorization: Bearer TOKEN'",
        "code": "not_authenticated",
    }
    assert customer.status_code == 200
    assert document.status_code == 200


def test_open_mode_serves_guests(client):
    set_access_mode(mode=AccessMode.OPEN)

    assert client.get(reverse("storefront:home")).status_code == 200
    assert api().get("/api/v1/products").status_code == 200


def test_pilot_api_refuses_a_revoked_token_with_the_api_message(companies):
    set_access_mode(mode=AccessMode.PILOT, companies=[companies["acme"]])

    response = api("cpt_not-a-token").get("/api/v1/products")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_basic_auth_gate_stands_in_front_of_every_page_until_removed(companies):
    token = create_token(customer_user=companies["acme_buyer"]).key
    set_basic_auth(username="preview", password="early-bird-42")

    no_credentials = Client().get(reverse("storefront:home"))
    wrong = Client(headers={"Authorization": basic("preview", "guess")}).get("/")
    right = Client(headers={"Authorization": basic("preview", "early-bird-42")})
    back_office = Client().get("/admin/login/")
    api_guest = api().get("/api/v1/products")
    api_with_token = api(token).get("/api/v1/products")

    assert no_credentials.status_code == 401
    assert no_credentials["WWW-Authenticate"] == 'Basic realm="Comptoir", charset="UTF-8"'
    assert wrong.status_code == 401
    assert right.get(reverse("storefront:home")).status_code == 200
    assert right.get(reverse("storefront:home")).status_code == 200
    assert back_office.status_code == 401
    assert api_guest.status_code == 401
    assert api_guest.json()["code"] == "basic_auth_required"
    assert api_with_token.status_code == 200

    clear_basic_auth()

    assert Client().get(reverse("storefront:home")).status_code == 200


def test_a_new_gate_password_refuses_the_old_one_at_once():
    set_basic_auth(username="preview", password="first-password")
    client = Client(headers={"Authorization": basic("preview", "first-password")})
    before = client.get("/")

    set_basic_auth(username="preview", password="second-password")
    after = client.get("/")

    assert before.status_code == 200
    assert after.status_code == 401


def test_gate_and_pilot_apply_together(companies):
    set_access_mode(mode=AccessMode.PILOT, companies=[companies["acme"]])
    set_basic_auth(username="preview", password="early-bird-42")
    client = Client(headers={"Authorization": basic("preview", "early-bird-42")})

    guest = client.get(reverse("storefront:home"))
    refused = log_in(client, companies["globex_buyer"])
    accepted = log_in(client, companies["acme_buyer"])

    assert guest.url == reverse("storefront:coming_soon")
    assert refused.url == reverse("storefront:coming_soon")
    assert accepted.url == reverse("storefront:home")
    assert client.get(reverse("storefront:home")).status_code == 200
