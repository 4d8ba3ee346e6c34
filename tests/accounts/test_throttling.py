import logging
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from comptoir.accounts.models import LoginThrottle, User
from comptoir.accounts.throttling import account_key, address_key
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = factories.PASSWORD


def log_in(email: str, password: str, address: str = "192.0.2.10") -> User | None:
    request = RequestFactory().post("/login/", REMOTE_ADDR=address)
    return authenticate(request, username=email, password=password)


def fail(email: str, times: int, address: str = "192.0.2.10") -> None:
    for _ in range(times):
        assert log_in(email, "wrong password", address) is None


@pytest.fixture
def buyer():
    return factories.customer_user(factories.company(), "pat@acme.example")


def test_tenth_failed_login_locks_the_account_even_for_the_right_password(buyer, settings):
    settings.COMPTOIR_LOGIN_LOCK_MINUTES = 15

    fail("pat@acme.example", 10)

    assert log_in("pat@acme.example", PASSWORD) is None
    throttle = LoginThrottle.objects.get(key=account_key("pat@acme.example"))
    assert throttle.failures == 10
    remaining = throttle.locked_until - timezone.now()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)


def test_nine_failed_logins_leave_the_account_open(buyer):
    fail("pat@acme.example", 9)

    assert log_in("pat@acme.example", PASSWORD) == buyer.user


def test_the_lock_holds_for_every_spelling_of_the_email_and_every_address(buyer):
    fail("pat@acme.example", 10)

    assert log_in(" PAT@Acme.example ", PASSWORD, address="198.51.100.7") is None


def test_once_the_lock_passes_the_right_password_logs_in_and_the_count_starts_again(buyer):
    fail("pat@acme.example", 10)
    LoginThrottle.objects.filter(key=account_key("pat@acme.example")).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )

    assert log_in("pat@acme.example", PASSWORD) == buyer.user
    fail("pat@acme.example", 9)
    assert log_in("pat@acme.example", PASSWORD) == buyer.user


def test_a_failure_after_the_lock_passed_counts_as_the_first_of_a_new_row(buyer):
    fail("pat@acme.example", 10)
    LoginThrottle.objects.filter(key=account_key("pat@acme.example")).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )

    fail("pat@acme.example", 1)

    throttle = LoginThrottle.objects.get(key=account_key("pat@acme.example"))
    assert throttle.failures == 1
    assert throttle.locked_until is None


def test_a_successful_login_resets_the_account_count(buyer):
    fail("pat@acme.example", 9)

    assert log_in("pat@acme.example", PASSWORD) == buyer.user
    fail("pat@acme.example", 9)

    assert log_in("pat@acme.example", PASSWORD) == buyer.user


def test_unknown_emails_are_throttled_like_accounts(buyer):
    fail("nobody@acme.example", 10)

    throttle = LoginThrottle.objects.get(key=account_key("nobody@acme.example"))
    assert throttle.locked_until is not None


def test_an_address_failing_more_than_the_limit_is_refused_for_every_account(buyer, settings):
    settings.COMPTOIR_LOGIN_ADDRESS_LIMIT = 3
    for n in range(4):
        fail(f"guess{n}@acme.example", 1, address="203.0.113.5")

    assert log_in("pat@acme.example", PASSWORD, address="203.0.113.5") is None
    assert log_in("pat@acme.example", PASSWORD, address="203.0.113.6") == buyer.user


def test_an_address_at_the_limit_may_still_try(buyer, settings):
    settings.COMPTOIR_LOGIN_ADDRESS_LIMIT = 3
    for n in range(3):
        fail(f"guess{n}@acme.example", 1, address="203.0.113.5")

    assert log_in("pat@acme.example", PASSWORD, address="203.0.113.5") == buyer.user


def test_address_failures_spread_beyond_the_lock_window_do_not_add_up(buyer, settings):
    settings.COMPTOIR_LOGIN_ADDRESS_LIMIT = 3
    for n in range(3):
        fail(f"guess{n}@acme.example", 1, address="203.0.113.5")
    LoginThrottle.objects.filter(key=address_key("203.0.113.5")).update(
        last_failure_at=timezone.now() - timedelta(minutes=16)
    )

    fail("guess3@acme.example", 1, address="203.0.113.5")

    assert LoginThrottle.objects.get(key=address_key("203.0.113.5")).failures == 1
    assert log_in("pat@acme.example", PASSWORD, address="203.0.113.5") == buyer.user


def test_a_lock_is_logged_as_a_warning_with_its_key(buyer, caplog):
    with caplog.at_level(logging.WARNING, logger="comptoir.accounts.throttling"):
        fail("pat@acme.example", 10)

    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1
    assert warnings[0].startswith("logins locked for email:pat@acme.example until ")


def test_the_back_office_login_is_throttled_too(client):
    User.objects.create_superuser("boss@seller.example", PASSWORD)
    for _ in range(10):
        client.post(
            reverse("admin:login"), {"username": "boss@seller.example", "password": "wrong"}
        )

    response = client.post(
        reverse("admin:login"), {"username": "boss@seller.example", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
