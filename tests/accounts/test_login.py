import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError

from comptoir.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2():
    user = User.objects.create_user("Ann@Example.com", "a-long-passphrase")

    assert user.password.startswith("argon2$")


def test_login_by_email_ignores_case_and_surrounding_spaces():
    user = User.objects.create_user("Ann@Example.com", "a-long-passphrase")

    assert authenticate(username="  ann@EXAMPLE.com ", password="a-long-passphrase") == user
    assert authenticate(username="ann@example.com", password="wrong") is None
    assert authenticate(username="nobody@example.com", password="a-long-passphrase") is None


def test_two_users_cannot_share_an_email_in_different_case():
    User.objects.create_user("ann@example.com", "a-long-passphrase")

    with pytest.raises(IntegrityError):
        User.objects.create_user("ANN@example.com", "another-passphrase")


def test_inactive_user_cannot_log_in():
    User.objects.create_user("ann@example.com", "a-long-passphrase", is_active=False)

    assert authenticate(username="ann@example.com", password="a-long-passphrase") is None
