import pytest
from django.core import mail

from comptoir.accounts.models import AuditEntry, CustomerRole, Invitation
from comptoir.accounts.tokens import create_token
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(shop):
    return shop["buyer"].company


@pytest.fixture
def admin(acme):
    return factories.customer_user(acme, "admin@acme.example", role=CustomerRole.ADMINISTRATOR)


@pytest.fixture
def admin_api(admin) -> ApiClient:
    return ApiClient(create_token(customer_user=admin, name="admin").key)


def test_a_user_lists_only_its_own_tokens(buyer_api, shop):
    colleague = factories.customer_user(shop["buyer"].company, "colleague@acme.example")
    create_token(customer_user=colleague, name="colleague's")
    create_token(customer_user=shop["other"], name="not theirs")

    response = buyer_api.get("/tokens")

    assert response.status_code == 200
    assert [(token["user"], token["name"]) for token in response.json()] == [
        ("buyer@acme.example", "tests")
    ]
    assert set(response.json()[0]) == {
        "prefix",
        "name",
        "user",
        "created_at",
        "last_used_at",
        "revoked_at",
    }


def test_an_administrator_lists_the_tokens_of_its_company_only(admin_api, shop):
    create_token(customer_user=shop["buyer"], name="ERP sync")
    create_token(customer_user=shop["other"], name="not theirs")

    response = admin_api.get("/tokens")

    assert sorted((token["user"], token["name"]) for token in response.json()) == [
        ("admin@acme.example", "admin"),
        ("buyer@acme.example", "ERP sync"),
    ]


def test_a_new_token_is_shown_once_and_works(buyer_api):
    response = buyer_api.post("/tokens", {"name": "ERP sync"})

    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "ERP sync"
    assert created["token"].startswith(created["prefix"])
    assert ApiClient(created["token"]).get("/me").json()["user"]["email"] == "buyer@acme.example"
    listed = [token for token in buyer_api.get("/tokens").json() if token["name"] == "ERP sync"]
    assert "token" not in listed[0]
    assert AuditEntry.objects.filter(action="api_token.created").count() == 1


def test_a_user_revokes_its_own_token(shop):
    kept = create_token(customer_user=shop["buyer"], name="kept")
    dropped = create_token(customer_user=shop["buyer"], name="dropped")
    api = ApiClient(kept.key)

    response = api.delete(f"/tokens/{dropped.api_token.prefix}")

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert ApiClient(dropped.key).get("/me").status_code == 401
    assert api.get("/me").status_code == 200
    entry = AuditEntry.objects.get(action="api_token.revoked")
    assert entry.actor == shop["buyer"].user
    assert entry.object_id == str(dropped.api_token.pk)


def test_a_buyer_cannot_revoke_a_colleagues_token(buyer_api, shop):
    colleague = factories.customer_user(shop["buyer"].company, "colleague@acme.example")
    theirs = create_token(customer_user=colleague)

    response = buyer_api.delete(f"/tokens/{theirs.api_token.prefix}")

    assert response.status_code == 404
    assert ApiClient(theirs.key).get("/me").status_code == 200


def test_an_administrator_revokes_the_token_of_a_user_it_manages(admin_api, admin, shop):
    theirs = create_token(customer_user=shop["buyer"])

    response = admin_api.delete(f"/tokens/{theirs.api_token.prefix}")

    assert response.status_code == 200
    assert ApiClient(theirs.key).get("/me").status_code == 401
    assert AuditEntry.objects.get(action="api_token.revoked").actor == admin.user


def test_another_companys_token_is_not_found(admin_api, shop):
    theirs = create_token(customer_user=shop["other"])

    response = admin_api.delete(f"/tokens/{theirs.api_token.prefix}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert ApiClient(theirs.key).get("/me").status_code == 200


def test_an_administrator_invites_by_api(admin_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            "/company/invitations",
            {"email": "new@acme.example", "first_name": "Noa", "last_name": "Martin"},
        )

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("email", "company", "roles", "status", "invited_by")} == {
        "email": "new@acme.example",
        "company": "Acme",
        "roles": ["buyer"],
        "status": "pending",
        "invited_by": "admin@acme.example",
    }
    assert [message.to for message in mail.outbox] == [["new@acme.example"]]
    assert "http://testserver/invitation/" in mail.outbox[0].body


def test_inviting_an_existing_account_is_a_conflict(admin_api):
    response = admin_api.post(
        "/company/invitations",
        {"email": "BUYER@acme.example", "first_name": "Pat", "last_name": "Again"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


def test_a_buyer_may_not_list_or_send_invitations(buyer_api):
    listing = buyer_api.get("/company/invitations")
    sending = buyer_api.post(
        "/company/invitations",
        {"email": "new@acme.example", "first_name": "Noa", "last_name": "Martin"},
    )

    assert listing.status_code == 403
    assert sending.status_code == 403
    assert Invitation.objects.count() == 0


def test_invitations_are_listed_resent_and_revoked(admin_api):
    first = admin_api.post(
        "/company/invitations",
        {"email": "new@acme.example", "first_name": "Noa", "last_name": "Martin"},
    ).json()

    resent = admin_api.post(f"/company/invitations/{first['id']}/resend")
    revoked = admin_api.delete(f"/company/invitations/{resent.json()['id']}")
    listed = admin_api.get("/company/invitations")

    assert resent.status_code == 201
    assert resent.json()["id"] != first["id"]
    assert revoked.status_code == 200
    assert [(item["id"], item["status"]) for item in listed.json()] == [
        (resent.json()["id"], "revoked"),
        (first["id"], "revoked"),
    ]


def test_another_companys_invitation_is_not_found(admin_api, other_api, shop):
    globex_admin = factories.customer_user(
        shop["other"].company, "admin@globex.example", role=CustomerRole.ADMINISTRATOR
    )
    theirs = ApiClient(create_token(customer_user=globex_admin).key).post(
        "/company/invitations",
        {"email": "new@globex.example", "first_name": "Kim", "last_name": "Lee"},
    )

    assert admin_api.delete(f"/company/invitations/{theirs.json()['id']}").status_code == 404
    resend = admin_api.post(f"/company/invitations/{theirs.json()['id']}/resend")
    assert resend.status_code == 404
    assert admin_api.get("/company/invitations").json() == []
