"""API tokens: made for a customer user, shown once, stored only as a SHA-256 hash.

A token is ``cpt_`` followed by 43 URL-safe random characters (256 bits). Its first
``PREFIX_LENGTH`` characters are kept in clear so that a person can tell tokens apart in the back
office and revoke one without ever seeing the whole of it again.

A customer user lists, makes and revokes its own tokens; a user who manages users lists and
revokes theirs too (``visible_tokens_for``, ``revoke_visible_token``). Making a token for
oneself and revoking any token are audited.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.audit import record_audit
from comptoir.accounts.models import Action, ApiToken, CustomerUser, User
from comptoir.accounts.scoping import get_visible, visible_to
from comptoir.core.errors import DomainError, NotFound, PermissionDenied

logger = logging.getLogger(__name__)

TOKEN_MARK = "cpt_"
PREFIX_LENGTH = 12
# Writing the last use on every request would turn each API read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedToken:
    """A new token: the stored row and the clear text, which exists only in this object."""

    api_token: ApiToken
    key: str


def hash_key(key: str) -> str:
    """The SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(key.encode()).hexdigest()


def customer_user_by_email(email: str) -> CustomerUser:
    """The customer user who logs in with ``email`` (case and surrounding spaces ignored)."""
    customer_user = (
        CustomerUser.objects.select_related("user", "company")
        .filter(user__email__iexact=email.strip())
        .first()
    )
    if customer_user is None:
        raise NotFound(f"No customer user has the e-mail '{email.strip()}'", code="unknown_user")
    return customer_user


def create_token(*, customer_user: CustomerUser, name: str = "") -> CreatedToken:
    """Make a token acting as ``customer_user``; its clear text is returned once, never stored."""
    if not customer_user.user.is_active:
        raise DomainError(
            f"The user {customer_user.email} is inactive: activate it before making a token",
            code="inactive_user",
        )
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise DomainError("The token name is longer than 100 characters", code="name_too_long")

    key = TOKEN_MARK + secrets.token_urlsafe(32)
    api_token = ApiToken.objects.create(
        customer_user=customer_user,
        name=name.strip(),
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
    )

    logger.info("API token %s created for %s", api_token.prefix, customer_user.email)
    return CreatedToken(api_token=api_token, key=key)


def authenticate_token(key: str) -> CustomerUser | None:
    """The customer user a token acts as; None if the token is unknown, revoked or its user
    inactive."""
    key = key.strip()
    if not key.startswith(TOKEN_MARK):
        return None
    api_token = (
        ApiToken.objects.select_related(
            "customer_user__user", "customer_user__company__payment_term"
        )
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if api_token is None or not api_token.customer_user.user.is_active:
        return None

    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.customer_user


def token_by_prefix(prefix: str) -> ApiToken:
    """The one token whose clear prefix starts with ``prefix``."""
    prefix = prefix.strip()
    if not prefix:
        raise DomainError("Give the first characters of the token to find it", code="no_prefix")
    matches = list(
        ApiToken.objects.select_related("customer_user__user").filter(prefix__startswith=prefix)[
            :2
        ]
    )
    if not matches:
        raise NotFound(f"No API token starts with '{prefix}'", code="unknown_token")
    if len(matches) > 1:
        raise DomainError(
            f"More than one API token starts with '{prefix}': give more characters",
            code="ambiguous_token",
        )
    return matches[0]


def revoke_token(
    *,
    api_token: ApiToken,
    customer_user: CustomerUser | None = None,
    acting_user: User | None = None,
) -> ApiToken:
    """Refuse ``api_token`` from now on; revoking it again keeps the first revocation time.

    ``customer_user`` is the customer user who revokes it (its owner or an administrator),
    ``acting_user`` the login acting for it or, with no customer user, the staff user; both
    are left out on the command line. The revocation is audited.
    """
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=api_token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        api_token.refresh_from_db(fields=["revoked_at"])
        if updated:
            record_audit(
                actor=acting_user or (customer_user.user if customer_user else None),
                on_behalf_of=customer_user if acting_user and customer_user else None,
                company=api_token.customer_user.company,
                action="api_token.revoked",
                instance=api_token,
                before={"revoked_at": None},
                after={"revoked_at": api_token.revoked_at},
            )

    if updated:
        logger.info("API token %s of %s revoked", api_token.prefix, api_token.customer_user)
    return api_token


def visible_tokens_for(customer_user: CustomerUser) -> QuerySet[ApiToken]:
    """The tokens ``customer_user`` may list: its own, and those of the users it manages."""
    return visible_to(customer_user, _tokens_with_owners(), Action.VIEW)


def create_own_token(
    *, customer_user: CustomerUser, name: str = "", acting_user: User | None = None
) -> CreatedToken:
    """Make a token acting as ``customer_user``, asked by that user itself; audited.

    A sales rep shopping as the user may not: the token would outlast the visit.
    """
    if acting_user is not None and acting_user.pk != customer_user.user_id:
        raise PermissionDenied(
            _(
                "A sales rep shopping for a customer cannot make API tokens for it: "
                "the customer makes its own"
            )
        )
    with transaction.atomic():
        created = create_token(customer_user=customer_user, name=name)
        record_audit(
            actor=acting_user or customer_user.user,
            on_behalf_of=customer_user if acting_user else None,
            company=customer_user.company,
            action="api_token.created",
            instance=created.api_token,
            after={"prefix": created.api_token.prefix, "name": created.api_token.name},
        )
    return created


def revoke_visible_token(
    *, customer_user: CustomerUser, prefix: str, acting_user: User | None = None
) -> ApiToken:
    """Revoke the token with this clear ``prefix``: one of the user's own, or one of a user it
    manages (users/manage_users); another company's token is not found."""
    api_token = get_visible(customer_user, _tokens_with_owners(), Action.VIEW, prefix=prefix)
    if api_token.customer_user_id != customer_user.pk:
        managed = visible_to(customer_user, ApiToken.objects, Action.MANAGE_USERS)
        if not managed.filter(pk=api_token.pk).exists():
            raise PermissionDenied(
                "Only an administrator who manages this user may revoke its tokens"
            )
    return revoke_token(api_token=api_token, customer_user=customer_user, acting_user=acting_user)


def _tokens_with_owners() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("customer_user__user", "customer_user__company")
