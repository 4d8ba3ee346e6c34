"""API tokens: made for a customer user, stored as a hash, refused once revoked."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.accounts.models import ApiToken
from comptoir.accounts.tokens import authenticate_token, create_token, revoke_token
from comptoir.core.errors import DomainError
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def run_token_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_only_the_hash_and_a_short_prefix_are_stored(shop):
    created = create_token(customer_user=shop["buyer"], name="ERP sync")

    stored = ApiToken.objects.get()
    assert created.key.startswith("cpt_")
    assert len(created.key) == 47
    assert stored.key_hash == hashlib.sha256(created.key.encode()).hexdigest()
    assert stored.prefix == created.key[:12]
    assert stored.name == "ERP sync"
    assert created.key not in {stored.key_hash, stored.prefix, stored.name}


def test_a_token_acts_as_its_customer_user_and_records_its_use(shop):
    created = create_token(customer_user=shop["buyer"])

    acting = authenticate_token(created.key)

    assert acting == shop["buyer"]
    assert ApiToken.objects.get().last_used_at is not None


def test_revoking_twice_keeps_the_first_time(shop):
    created = create_token(customer_user=shop["buyer"])
    first = revoke_token(api_token=created.api_token).revoked_at

    second = revoke_token(api_token=created.api_token).revoked_at

    assert second == first
    assert authenticate_token(created.key) is None


def test_no_token_is_made_for_an_inactive_user(shop):
    shop["buyer"].user.is_active = False
    shop["buyer"].user.save()

    with pytest.raises(DomainError) as refused:
        create_token(customer_user=shop["buyer"])

    assert refused.value.message == (
        "The user buyer@acme.example is inactive: activate it before making a token"
    )
    assert ApiToken.objects.count() == 0


def test_token_create_prints_a_token_that_works(shop):
    out, err = run_token_command("create", "  Buyer@ACME.example ", "--name", "ERP sync")

    token = out.strip()
    response = ApiClient(token).get("/me")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "buyer@acme.example"
    assert "shown only now" in err
    assert ApiToken.objects.get().name == "ERP sync"


def test_token_create_for_an_unknown_email_fails_clearly(shop):
    with pytest.raises(CommandError) as failed:
        run_token_command("create", "nobody@example.com")

    assert str(failed.value) == "No customer user has the e-mail 'nobody@example.com'"
    assert failed.value.returncode == 1
    assert ApiToken.objects.count() == 0


def test_token_revoke_by_prefix_stops_the_token(shop):
    created = create_token(customer_user=shop["buyer"])

    out, _ = run_token_command("revoke", created.api_token.prefix)

    assert out.startswith(f"Token {created.api_token.prefix}… of buyer@acme.example is revoked")
    assert ApiClient(created.key).get("/me").status_code == 401


def test_token_list_shows_prefixes_and_states(shop):
    kept = create_token(customer_user=shop["buyer"], name="shop sync")
    dropped = create_token(customer_user=shop["buyer"], name="old")
    revoke_token(api_token=dropped.api_token)
    create_token(customer_user=shop["other"], name="not theirs")

    out, _ = run_token_command("list", "buyer@acme.example")

    lines = sorted(out.splitlines())
    assert len(lines) == 2
    assert any(
        line.startswith(f"{kept.api_token.prefix}…  shop sync") and line.endswith("active")
        for line in lines
    )
    assert any(
        line.startswith(f"{dropped.api_token.prefix}…  old") and "revoked" in line
        for line in lines
    )
