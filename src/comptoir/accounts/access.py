"""Who may use the storefront and the API: the access mode, the pilot and the basic-auth gate.

One ``StorefrontAccess`` row holds the switch. The storefront middleware reads it on every
request (one query), so a change made in the back office or on the command line applies at
once in every web process, without a restart. The pilot's companies and groups are cached per
process under the row's ``updated_at``, which every change moves forward.
"""

import base64
import binascii
import difflib
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from comptoir.accounts.audit import record_audit
from comptoir.accounts.models import (
    AccessMode,
    Company,
    CustomerGroup,
    CustomerUser,
    StorefrontAccess,
    User,
)
from comptoir.core.errors import DomainError

logger = logging.getLogger(__name__)

# The one row of StorefrontAccess; the back office offers no way to add another.
ACCESS_PK = 1
# How many names an error message proposes for a name it does not know.
CLOSE_NAMES = 5
# Verified basic-auth headers kept per process, so that the slow password hash runs once per
# browser rather than once per request.
VERIFIED_HEADERS_KEPT = 256


@dataclass(frozen=True)
class PilotMembers:
    """The ids of the companies and customer groups chosen for the pilot."""

    company_ids: frozenset[int]
    group_ids: frozenset[int]


_cache_lock = threading.Lock()
_pilot_members: dict[tuple[int, datetime], PilotMembers] = {}
_verified_headers: dict[tuple[int, datetime], set[str]] = {}


def storefront_access() -> StorefrontAccess:
    """The current access settings, in one query; open with no gate until someone sets them.

    A read never writes: until the row is first saved, an unsaved row with the defaults
    stands in for it.
    """
    return StorefrontAccess.objects.filter(pk=ACCESS_PK).first() or StorefrontAccess(pk=ACCESS_PK)


def storefront_access_row() -> StorefrontAccess:
    """The access row, created with the defaults if it does not exist yet (for the back
    office, which edits it)."""
    access, _created = StorefrontAccess.objects.get_or_create(pk=ACCESS_PK)
    return access


def gate_is_set(access: StorefrontAccess) -> bool:
    """Whether the basic-auth gate stands in front of the site."""
    return bool(access.basic_auth_username and access.basic_auth_password)


def access_facts(access: StorefrontAccess) -> dict[str, Any]:
    """The access settings as the audit log and ``comptoir access show`` present them; the
    gate's password never appears, even hashed."""
    saved = not access._state.adding
    return {
        "mode": access.mode,
        "pilot_companies": sorted(c.name for c in access.pilot_companies.all()) if saved else [],
        "pilot_groups": sorted(g.name for g in access.pilot_groups.all()) if saved else [],
        "basic_auth_username": access.basic_auth_username if gate_is_set(access) else "",
    }


def set_access_mode(
    *,
    mode: str,
    companies: Iterable[Company] | None = None,
    groups: Iterable[CustomerGroup] | None = None,
    actor: User | None = None,
) -> StorefrontAccess:
    """Switch the storefront to ``mode``; in pilot mode only users of the pilot's companies
    (and their subsidiaries) and of the companies in its groups may log in or use the API.

    ``companies`` and ``groups``, when given, replace the pilot's members; left out, the
    members stay as they are (kept outside pilot mode for the next pilot). ``actor`` is the
    staff user making the change, None on the command line. The change is audited.
    """
    if mode not in AccessMode.values:
        known = ", ".join(AccessMode.values)
        raise DomainError(
            _("Unknown access mode '%(mode)s' (known: %(known)s)")
            % {"mode": mode, "known": known},
            code="access_mode_unknown",
        )

    with transaction.atomic():
        access = _locked_row()
        before = access_facts(access)
        if companies is not None:
            access.pilot_companies.set(list(companies))
        if groups is not None:
            access.pilot_groups.set(list(groups))
        access.mode = mode
        # Saved last so that ``updated_at``, which keys the per-process caches, moves after
        # the pilot's members have changed.
        access.save()
        after = access_facts(access)
        record_audit(
            actor=actor,
            company=None,
            action="storefront_access.mode_changed",
            instance=access,
            before=before,
            after=after,
        )

    logger.info(
        "storefront access set to %s (companies: %s; groups: %s) by %s",
        mode,
        ", ".join(after["pilot_companies"]) or "none",
        ", ".join(after["pilot_groups"]) or "none",
        actor or "the command line",
    )
    return access


def check_basic_auth_credentials(username: str, password: str) -> None:
    """Refuse a basic-auth username or password a browser could not send."""
    if not username.strip():
        raise DomainError(_("The basic-auth gate needs a username"), code="gate_username_missing")
    if ":" in username:
        # The browser sends "username:password"; the first colon ends the username.
        raise DomainError(
            _("The basic-auth username cannot contain a colon (:)"), code="gate_username_colon"
        )
    if len(username.strip()) > StorefrontAccess._meta.get_field("basic_auth_username").max_length:
        raise DomainError(
            _("The basic-auth username is longer than 100 characters"),
            code="gate_username_too_long",
        )
    if not password:
        raise DomainError(_("The basic-auth gate needs a password"), code="gate_password_missing")


def set_basic_auth(*, username: str, password: str, actor: User | None = None) -> StorefrontAccess:
    """Put an HTTP basic-auth gate in front of the whole site (the API too); the password is
    stored hashed. Audited, without the password."""
    check_basic_auth_credentials(username, password)

    with transaction.atomic():
        access = _locked_row()
        before = {
            "basic_auth_username": access.basic_auth_username if gate_is_set(access) else "",
            "basic_auth_password": "set" if gate_is_set(access) else "",
        }
        access.basic_auth_username = username.strip()
        access.basic_auth_password = make_password(password)
        access.save()
        record_audit(
            actor=actor,
            company=None,
            action="storefront_access.basic_auth_set",
            instance=access,
            before=before,
            # A new password is a change even under the same username.
            after={
                "basic_auth_username": access.basic_auth_username,
                "basic_auth_password": "new",
            },
        )

    logger.info("basic-auth gate set for user %s by %s", username, actor or "the command line")
    return access


def clear_basic_auth(*, actor: User | None = None) -> StorefrontAccess:
    """Remove the basic-auth gate; audited if there was one."""
    with transaction.atomic():
        access = _locked_row()
        before = {"basic_auth_username": access.basic_auth_username if gate_is_set(access) else ""}
        access.basic_auth_username = ""
        access.basic_auth_password = ""
        access.save()
        entry = record_audit(
            actor=actor,
            company=None,
            action="storefront_access.basic_auth_cleared",
            instance=access,
            before=before,
            after={"basic_auth_username": ""},
        )

    if entry is not None:
        logger.info("basic-auth gate removed by %s", actor or "the command line")
    return access


def basic_auth_passes(access: StorefrontAccess, authorization: str) -> bool:
    """Whether an ``Authorization`` header carries the gate's username and password."""
    scheme, _space, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not gate_is_set(access):
        return False
    try:
        credentials = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    username, colon, password = credentials.partition(":")
    if not colon:
        return False

    version = (access.pk, access.updated_at)
    # A keyed digest, so that the memory of a process does not hold the password.
    digest = salted_hmac(
        "comptoir.basic-auth-gate", authorization.strip(), algorithm="sha256"
    ).hexdigest()
    with _cache_lock:
        if digest in _verified_headers.get(version, ()):
            return True

    # Both checks always run, so that the time taken does not tell which one failed.
    right_username = constant_time_compare(username, access.basic_auth_username)
    right_password = check_password(password, access.basic_auth_password)
    if not (right_username and right_password):
        return False
    with _cache_lock:
        verified = _verified_headers.setdefault(version, set())
        if len(verified) >= VERIFIED_HEADERS_KEPT:
            verified.clear()
        # Headers verified under an older version of the row are forgotten.
        for stale in [key for key in _verified_headers if key != version]:
            del _verified_headers[stale]
        verified.add(digest)
    return True


def pilot_members(access: StorefrontAccess) -> PilotMembers:
    """The companies and groups of the pilot, read once per version of the access row."""
    if access._state.adding:
        return PilotMembers(company_ids=frozenset(), group_ids=frozenset())
    version = (access.pk, access.updated_at)
    with _cache_lock:
        cached = _pilot_members.get(version)
    if cached is not None:
        return cached

    members = PilotMembers(
        company_ids=frozenset(access.pilot_companies.values_list("pk", flat=True)),
        group_ids=frozenset(access.pilot_groups.values_list("pk", flat=True)),
    )
    with _cache_lock:
        _pilot_members.clear()
        _pilot_members[version] = members
    return members


def may_enter(customer_user: CustomerUser, access: StorefrontAccess | None = None) -> bool:
    """Whether ``customer_user`` may log in and use the API under the current access mode.

    Outside pilot mode every customer user may. In pilot mode, a user of a chosen company or
    of one of its subsidiaries (at any depth), or of a company in a chosen customer group.
    """
    access = access if access is not None else storefront_access()
    if access.mode != AccessMode.PILOT:
        return True
    members = pilot_members(access)
    company = customer_user.company
    if company.customer_group_id is not None and company.customer_group_id in members.group_ids:
        return True

    # Walk up from the user's company: the pilot holds it if it holds one of its parents.
    seen: set[int] = set()
    company_id: int | None = company.pk
    parent_id: int | None = company.parent_id
    while company_id is not None and company_id not in seen:
        if company_id in members.company_ids:
            return True
        seen.add(company_id)
        company_id = parent_id
        if company_id is not None:
            parent_id = (
                Company.objects.filter(pk=company_id).values_list("parent_id", flat=True).first()
            )
    return False


def companies_named(names: Iterable[str]) -> list[Company]:
    """The companies with these names (ignoring case); an unknown name is an error that
    proposes close names."""
    return _named(
        Company,
        names,
        close=_("No company is named '%(name)s'; did you mean: %(names)s?"),
        none_close=_("No company is named '%(name)s', nor anything close"),
    )


def customer_groups_named(names: Iterable[str]) -> list[CustomerGroup]:
    """The customer groups with these names (ignoring case), as ``companies_named``."""
    return _named(
        CustomerGroup,
        names,
        close=_("No customer group is named '%(name)s'; did you mean: %(names)s?"),
        none_close=_("No customer group is named '%(name)s', nor anything close"),
    )


def _named(model, names: Iterable[str], *, close: str, none_close: str) -> list:
    wanted = {name.strip().lower(): name.strip() for name in names if name.strip()}
    if not wanted:
        return []
    all_names = list(model.objects.values_list("name", flat=True))
    by_lower = {name.lower(): name for name in all_names}

    problems = []
    for lowered, given in wanted.items():
        if lowered in by_lower:
            continue
        similar = difflib.get_close_matches(lowered, list(by_lower), n=CLOSE_NAMES, cutoff=0.6)
        containing = [name for name in by_lower if lowered in name and name not in similar]
        proposals = [by_lower[name] for name in [*similar, *containing][:CLOSE_NAMES]]
        if proposals:
            problems.append(close % {"name": given, "names": ", ".join(proposals)})
        else:
            problems.append(none_close % {"name": given})
    if problems:
        raise DomainError("; ".join(problems), code="unknown_name")

    exact = [by_lower[lowered] for lowered in wanted]
    return list(model.objects.filter(name__in=exact).order_by("name"))


def _locked_row() -> StorefrontAccess:
    storefront_access_row()
    return StorefrontAccess.objects.select_for_update().get(pk=ACCESS_PK)
