"""What the administration services share: errors, the audit step, locks and checks."""

from enum import Enum
from typing import Any, Final

from django.utils.translation import gettext as _

from comptoir.accounts.audit import record_audit
from comptoir.accounts.models import (
    AccessLevel,
    Action,
    Company,
    CustomerUser,
    Resource,
    User,
)
from comptoir.accounts.scoping import companies_visible_to
from comptoir.core.errors import DomainError, NotFound

USERS, MANAGE_USERS = Resource.USERS, Action.MANAGE_USERS
# Roles and root departments apply to a whole company: managing them takes at least this level.
COMPANY_WIDE = AccessLevel.COMPANY
# How access levels are written in grants, in the API and in the audit log.
LEVEL_NAMES: dict[str, int] = {
    level.name.lower(): level.value for level in AccessLevel if level != AccessLevel.NONE
}
# How many holders a refusal names before it says "and N more".
NAMED_HOLDERS = 5


class Keep(Enum):
    """An argument left out: the record keeps what it holds (None would clear it)."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


class InvalidValue(DomainError):
    """A value the service refuses; ``field`` names the input it came from."""

    status = 422

    def __init__(self, message: str, *, field: str, code: str) -> None:
        super().__init__(message, code=code)
        self.field = field


class InUse(DomainError):
    """The record is still used and cannot be removed as things stand."""

    code = "in_use"
    status = 409


def level_name(level: int) -> str:
    """An access level as grants write it: "own", "department", "company"..."""
    return AccessLevel(level).name.lower()


def user_managers(company_id: int) -> set[int]:
    """Ids of the company's active customer users whose roles let them manage users."""
    return set(
        CustomerUser.objects.filter(
            company_id=company_id,
            user__is_active=True,
            roles__permissions__resource=USERS,
            roles__permissions__action=MANAGE_USERS,
            roles__permissions__access_level__gt=AccessLevel.NONE,
        ).values_list("pk", flat=True)
    )


def keep_a_user_manager(company: Company, managers_before: set[int]) -> None:
    """Refuse a change that leaves ``company`` without a user manager when it had one."""
    if managers_before and not user_managers(company.pk):
        raise DomainError(
            _(
                "This would leave %(company)s without an active user who can manage users: "
                "give that right to another user first."
            )
            % {"company": company.name},
            code="last_user_manager",
        )


def record_change(
    customer_user: CustomerUser,
    acting_user: User | None,
    company: Company,
    action: str,
    instance: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Audit a change by ``customer_user``, or by ``acting_user`` on its behalf."""
    on_behalf = acting_user is not None and acting_user.pk != customer_user.user_id
    record_audit(
        actor=acting_user if on_behalf else customer_user.user,
        on_behalf_of=customer_user if on_behalf else None,
        company=company,
        action=action,
        instance=instance,
        before=before,
        after=after,
    )


def lock_company(company_id: int) -> None:
    """Hold the company's row until the transaction ends."""
    # One administration change at a time per company, so that two administrators disabling
    # each other cannot both pass the "last user manager" check, nor set two defaults.
    list(Company.objects.select_for_update().filter(pk=company_id).values_list("pk"))


def company_for(
    customer_user: CustomerUser, company_id: int | None, resource: str, action: str
) -> Company:
    """The company ``company_id`` if ``customer_user`` may act in it, else its own."""
    if company_id is None:
        return customer_user.company
    company = companies_visible_to(customer_user, resource, action).filter(pk=company_id).first()
    if company is None:
        raise NotFound(_("No company matches id %(id)s") % {"id": company_id})
    return company


def clean_text(
    value: str | None, field: str, label: str, max_length: int, *, required: bool = False
) -> str | None:
    """``value`` without surrounding spaces, checked for presence and length."""
    if value is None:
        return None
    value = value.strip()
    if required and not value:
        raise InvalidValue(
            _("%(field)s is required.") % {"field": label}, field=field, code=f"{field}_missing"
        )
    if len(value) > max_length:
        raise InvalidValue(
            _("%(field)s is longer than %(limit)s characters.")
            % {"field": label, "limit": max_length},
            field=field,
            code=f"{field}_too_long",
        )
    return value


def listed_names(names: list[str]) -> str:
    """The first few ``names`` in a sentence, and how many more there are."""
    shown = ", ".join(names[:NAMED_HOLDERS])
    if len(names) > NAMED_HOLDERS:
        return _("%(names)s and %(count)s more") % {
            "names": shown,
            "count": len(names) - NAMED_HOLDERS,
        }
    return shown
