from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.accounts.administration.users import disable_customer_user
from comptoir.accounts.invitations import invitation_token, invite_customer_user
from comptoir.accounts.models import (
    ApiToken,
    AuditEntry,
    CustomerRole,
    CustomerUser,
    LoginThrottle,
    User,
)
from comptoir.accounts.scoping import visible_to
from comptoir.accounts.throttling import account_key
from comptoir.accounts.tokens import create_token
from tests import factories
from tests.api.conftest import ApiClient
from tests.mail import html_of, link_in, text_of

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase"


@pytest.fixture
def acme():
    return factories.company("Acme")


@pytest.fixture
def admin(acme):
    return factories.customer_user(acme, "admin@acme.example", role=CustomerRole.ADMINISTRATOR)


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin.user)
    return client


def invite_form(**fields):
    return {
        "email": "noa@acme.example",
        "first_name": "Noa",
        "last_name": "Martin",
        "company": "",
        "department": "",
        "roles": ["buyer"],
        "language": "",
        **fields,
    }


def test_invited_user_opens_the_account_from_the_email_and_loses_it_when_disabled(
    acme, admin, admin_client, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited_page = admin_client.post(
            reverse("storefront:invite_user"), invite_form(company=acme.pk)
        )
    [message] = smtp_server.to("noa@acme.example")
    invitation_path = urlsplit(link_in(message, "/invitation/")).path
    invitee = Client()
    form_page = invitee.get(invitation_path)
    opened = invitee.post(
        invitation_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    invited = CustomerUser.objects.get(user__email="noa@acme.example")
    made = invitee.post(reverse("storefront:account_tokens"), {"name": "ERP sync"})
    token_api = ApiClient(made.context["created"].key)
    token_worked = token_api.get("/me").status_code

    disable_customer_user(customer_user=admin, customer_user_id=invited.pk)

    assert invited_page.status_code == 302
    assert message["Subject"] == "Your account for Acme on Comptoir"
    inviter = admin.user.get_full_name()
    assert f"{inviter} invites you to order for Acme on Comptoir." in text_of(message)
    assert invitation_path in html_of(message)
    assert form_page.status_code == 200
    assert opened.status_code == 302
    assert opened["Location"] == reverse("storefront:home")
    assert token_worked == 200
    assert invitee.get(reverse("storefront:account")).status_code == 302
    login = Client().post(
        reverse("storefront:login"), {"username": "noa@acme.example", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200
    assert "_auth_user_id" not in login.client.session
    assert token_api.get("/me").status_code == 401
    steps = visible_to(admin, AuditEntry.objects.filter(object_id=str(invited.pk)))
    assert [(entry.action, entry.actor.email) for entry in steps.order_by("created_at", "id")] == [
        ("customer_user.invited", "admin@acme.example"),
        ("customer_user.invitation_accepted", "noa@acme.example"),
        ("customer_user.disabled", "admin@acme.example"),
    ]


def test_the_invite_page_is_refused_to_a_buyer(acme):
    buyer = factories.customer_user(acme, "buyer@acme.example")
    client = Client()
    client.force_login(buyer.user)

    assert client.get(reverse("storefront:invite_user")).status_code == 403
    assert client.post(reverse("storefront:invite_user"), invite_form()).status_code == 403
    assert not User.objects.filter(email="noa@acme.example").exists()


def test_the_invite_page_says_when_the_email_has_an_account(acme, admin_client):
    factories.customer_user(acme, "noa@acme.example")

    response = admin_client.post(
        reverse("storefront:invite_user"), invite_form(email="NOA@acme.example", company=acme.pk)
    )

    assert response.status_code == 200
    assert "NOA@acme.example already has an account" in response.text


def test_the_invitation_page_shows_the_password_rules(admin):
    invitation = invite_customer_user(
        customer_user=admin,
        email="noa@acme.example",
        first_name="Noa",
        last_name="Martin",
        role_codes=["buyer"],
        site_url="http://testserver",
    )
    path = reverse("storefront:accept_invitation", args=[invitation_token(invitation)])

    response = Client().post(path, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 200
    assert "This password is too short." in response.text
    assert User.objects.get(email="noa@acme.example").is_active is False


def test_a_used_invitation_link_explains_itself(admin):
    invitation = invite_customer_user(
        customer_user=admin,
        email="noa@acme.example",
        first_name="Noa",
        last_name="Martin",
        role_codes=["buyer"],
        site_url="http://testserver",
    )
    path = reverse("storefront:accept_invitation", args=[invitation_token(invitation)])
    Client().post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = Client().get(path)

    assert response.status_code == 410
    assert "This invitation has already been used" in response.text


def test_invitations_page_lists_and_withdraws(admin, admin_client):
    invitation = invite_customer_user(
        customer_user=admin,
        email="noa@acme.example",
        first_name="Noa",
        last_name="Martin",
        role_codes=["buyer"],
        site_url="http://testserver",
    )

    listed = admin_client.get(reverse("storefront:invitations"))
    withdrawn = admin_client.post(reverse("storefront:invitation_revoke", args=[invitation.pk]))

    assert "noa@acme.example" in listed.text
    assert withdrawn.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_a_new_token_is_shown_once(acme):
    buyer = factories.customer_user(acme, "buyer@acme.example")
    client = Client()
    client.force_login(buyer.user)

    made = client.post(reverse("storefront:account_tokens"), {"name": "ERP sync"})
    later = client.get(reverse("storefront:account_tokens"))

    key = made.context["created"].key
    assert key in made.text
    assert made["Cache-Control"] == "no-store"
    assert key not in later.text
    assert f"{key[:12]}…" in later.text


def test_a_buyer_revokes_its_token_but_not_a_colleagues(acme):
    buyer = factories.customer_user(acme, "buyer@acme.example")
    colleague = factories.customer_user(acme, "colleague@acme.example")
    own = create_token(customer_user=buyer).api_token
    theirs = create_token(customer_user=colleague).api_token
    client = Client()
    client.force_login(buyer.user)

    revoked = client.post(reverse("storefront:account_token_revoke", args=[own.prefix]))
    refused = client.post(reverse("storefront:account_token_revoke", args=[theirs.prefix]))

    assert revoked.status_code == 302
    assert refused.status_code == 404
    assert ApiToken.objects.get(pk=own.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_an_administrator_sees_and_revokes_the_tokens_of_its_users(acme, admin_client):
    buyer = factories.customer_user(acme, "buyer@acme.example")
    theirs = create_token(customer_user=buyer, name="ERP sync").api_token
    elsewhere = create_token(
        customer_user=factories.customer_user(factories.company("Globex"), "x@globex.example")
    ).api_token

    page = admin_client.get(reverse("storefront:account_tokens"))
    revoked = admin_client.post(reverse("storefront:account_token_revoke", args=[theirs.prefix]))
    refused = admin_client.post(
        reverse("storefront:account_token_revoke", args=[elsewhere.prefix])
    )

    assert "buyer@acme.example" in page.text and "x@globex.example" not in page.text
    assert revoked.status_code == 302
    assert refused.status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is not None


def test_password_reset_mails_a_link_that_sets_a_new_password(
    acme, smtp_server, django_capture_on_commit_callbacks
):
    buyer = factories.customer_user(acme, "buyer@acme.example")
    buyer.user.language = "fr"
    buyer.user.save()
    client = Client()

    sent = client.post(reverse("storefront:password_reset"), {"email": "BUYER@acme.example"})
    [message] = smtp_server.to("buyer@acme.example")
    link = urlsplit(link_in(message, "/password-reset/")).path
    form = client.get(link, follow=True)
    changed = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    second_use = Client().get(link, follow=True)

    assert sent["Location"] == reverse("storefront:password_reset_done")
    assert '<html lang="fr">' in html_of(message)
    assert changed["Location"] == reverse("storefront:password_reset_complete")
    buyer.user.refresh_from_db()
    assert buyer.user.check_password(NEW_PASSWORD) is True
    assert second_use.context["validlink"] is False


def test_password_reset_answers_the_same_for_unknown_and_inactive_accounts(acme, smtp_server):
    inactive = factories.customer_user(acme, "gone@acme.example")
    inactive.user.is_active = False
    inactive.user.save()
    client = Client()

    unknown = client.post(reverse("storefront:password_reset"), {"email": "who@acme.example"})
    disabled = client.post(reverse("storefront:password_reset"), {"email": "gone@acme.example"})

    assert unknown["Location"] == disabled["Location"] == reverse("storefront:password_reset_done")
    assert smtp_server.messages == []
    assert mail.outbox == []


def test_a_password_reset_ends_a_login_lock(acme):
    buyer = factories.customer_user(acme, "buyer@acme.example")
    client = Client()
    for _ in range(10):
        client.post(
            reverse("storefront:login"), {"username": "buyer@acme.example", "password": "wrong"}
        )
    client.post(reverse("storefront:password_reset"), {"email": "buyer@acme.example"})
    link = urlsplit(link_in_outbox()).path
    form = client.get(link, follow=True)

    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    login = client.post(
        reverse("storefront:login"), {"username": "buyer@acme.example", "password": NEW_PASSWORD}
    )

    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(buyer.user.pk)


def link_in_outbox() -> str:
    [message] = mail.outbox
    return next(word for word in message.body.split() if "/password-reset/" in word)


def test_the_tenth_failed_login_is_refused_with_the_right_password_until_the_lock_passes(
    acme, settings
):
    settings.COMPTOIR_LOGIN_LOCK_MINUTES = 15
    buyer = factories.customer_user(acme, "buyer@acme.example")
    client = Client()
    right = {"username": "buyer@acme.example", "password": factories.PASSWORD}
    for _ in range(9):
        client.post(reverse("storefront:login"), {**right, "password": "wrong"})

    tenth = client.post(reverse("storefront:login"), {**right, "password": "wrong"})
    locked = client.post(reverse("storefront:login"), right)
    LoginThrottle.objects.filter(key=account_key("buyer@acme.example")).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    passed = client.post(reverse("storefront:login"), right)

    assert "logging in is blocked for 15 more minutes" in tenth.text
    assert locked.status_code == 200
    assert "logging in is blocked for" in locked.text
    assert passed.status_code == 302
    assert client.session["_auth_user_id"] == str(buyer.user.pk)


def test_account_forms_refuse_a_post_without_the_csrf_token(acme):
    buyer = factories.customer_user(acme, "buyer@acme.example")
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer.user)

    made = client.post(reverse("storefront:account_tokens"), {"name": "ERP sync"})
    reset = client.post(reverse("storefront:password_reset"), {"email": "buyer@acme.example"})

    assert made.status_code == 403
    assert reset.status_code == 403
    assert ApiToken.objects.count() == 0


def test_my_account_shows_the_profile_and_its_links(acme):
    buyer = factories.customer_user(acme, "buyer@acme.example")
    client = Client()
    client.force_login(buyer.user)

    response = client.get(reverse("storefront:account"))

    assert response.status_code == 200
    assert "buyer@acme.example" in response.text
    assert reverse("storefront:account_tokens") in response.text
    assert reverse("storefront:password_change") in response.text
    assert reverse("storefront:invitations") not in response.text
