"""Throttling of failed logins, per account and per client address, kept in the database.

An account is locked for ``COMPTOIR_LOGIN_LOCK_MINUTES`` by its tenth failed login in a row;
during the lock even the right password is refused, and a successful login resets the count.
A client address that fails more than ``COMPTOIR_LOGIN_ADDRESS_LIMIT`` times, each failure
within the lock window of the one before, is refused for the length of that window: this
stops one address from trying a few passwords on each of many accounts.

The counts live in ``LoginThrottle`` rows so that every web process sees the same ones; rows
are locked while they change, so two logins at the same moment cannot both miss the tenth.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from comptoir.accounts.models import LoginThrottle
from comptoir.core.errors import DomainError

logger = logging.getLogger(__name__)

ACCOUNT_FAILURE_LIMIT = 10
_KEY_LENGTH = LoginThrottle._meta.get_field("key").max_length


class LoginLocked(DomainError):
    """Logins are refused for a while after too many failures."""

    code = "login_locked"
    status = 429


@dataclass(frozen=True)
class Lock:
    """A refusal in force: which key it holds and until when."""

    key: str
    until: datetime

    def message(self) -> str:
        minutes = max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))
        return ngettext(
            "Too many failed logins: logging in is blocked for %(minutes)d more minute. "
            "Try again then, or reset your password.",
            "Too many failed logins: logging in is blocked for %(minutes)d more minutes. "
            "Try again then, or reset your password.",
            minutes,
        ) % {"minutes": minutes}


def lock_window() -> timedelta:
    return timedelta(minutes=settings.COMPTOIR_LOGIN_LOCK_MINUTES)


def account_key(login: str) -> str:
    """The throttle key of the account that logs in with ``login`` (case ignored)."""
    return f"email:{login.strip().lower()}"[:_KEY_LENGTH]


def address_key(address: str) -> str:
    return f"address:{address}"[:_KEY_LENGTH]


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request comes from, as the web server saw it.

    ``X-Forwarded-For`` is not read: any client can send it, and a proxy in front of the site
    must set ``REMOTE_ADDR`` itself (gunicorn's ``--forwarded-allow-ips`` does).
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _keys(login: str, address: str | None) -> list[str]:
    keys = [account_key(login)]
    if address:
        keys.append(address_key(address))
    return keys


def current_lock(login: str, address: str | None) -> Lock | None:
    """The lock that refuses a login by ``login`` from ``address`` now, if there is one."""
    now = timezone.now()
    throttle = (
        LoginThrottle.objects.filter(key__in=_keys(login, address), locked_until__gt=now)
        .order_by("-locked_until")
        .first()
    )
    if throttle is None:
        return None
    return Lock(key=throttle.key, until=throttle.locked_until)


def check_login_allowed(login: str, address: str | None) -> None:
    """Raise ``LoginLocked`` if a lock refuses a login by ``login`` from ``address``."""
    lock = current_lock(login, address)
    if lock is not None:
        raise LoginLocked(lock.message())


def record_failure(login: str, address: str | None) -> Lock | None:
    """Count a failed login; returns the lock it set, if it was the failure that set one."""
    now = timezone.now()
    window = lock_window()
    new_lock = None

    with transaction.atomic():
        account = _throttle_for_update(account_key(login))
        if account.locked_until is not None and account.locked_until <= now:
            # The lock has passed: the count of failures in a row starts again.
            account.failures = 0
            account.locked_until = None
        account.failures += 1
        account.last_failure_at = now
        if account.failures >= ACCOUNT_FAILURE_LIMIT and account.locked_until is None:
            account.locked_until = now + window
            new_lock = Lock(key=account.key, until=account.locked_until)
        account.save(update_fields=["failures", "last_failure_at", "locked_until"])

        if address:
            origin = _throttle_for_update(address_key(address))
            lock_passed = origin.locked_until is not None and origin.locked_until <= now
            if (
                lock_passed
                or origin.last_failure_at is None
                or now - origin.last_failure_at > window
            ):
                origin.failures = 0
                origin.locked_until = None
            origin.failures += 1
            origin.last_failure_at = now
            if (
                origin.failures > settings.COMPTOIR_LOGIN_ADDRESS_LIMIT
                and origin.locked_until is None
            ):
                origin.locked_until = now + window
                new_lock = new_lock or Lock(key=origin.key, until=origin.locked_until)
            origin.save(update_fields=["failures", "last_failure_at", "locked_until"])

    if new_lock is not None:
        logger.warning(
            "logins locked for %s until %s after repeated failures", new_lock.key, new_lock.until
        )
    return new_lock


def record_success(login: str) -> None:
    """Reset the account's count of failed logins; the address's count stays."""
    LoginThrottle.objects.filter(key=account_key(login)).delete()


def _throttle_for_update(key: str) -> LoginThrottle:
    throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(key=key)
    return throttle
