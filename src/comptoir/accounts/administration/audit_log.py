"""Reading the audit log of the companies a customer user may see."""

from datetime import datetime

from django.db.models import Q, QuerySet

from comptoir.accounts.models import (
    Action,
    AuditEntry,
    CustomerUser,
    Resource,
)
from comptoir.accounts.permissions import require
from comptoir.accounts.scoping import visible_to


def audit_log_for(
    customer_user: CustomerUser,
    *,
    action: str | None = None,
    object_type: str | None = None,
    actor_email: str | None = None,
    company_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """The audit entries ``customer_user`` may read, newest first, narrowed by the filters
    given: ``action`` matches exactly ("customer_user.disabled") or names a kind of record
    ("customer_user"); ``until`` is excluded."""
    require(customer_user, Resource.AUDIT_LOG, Action.VIEW)
    entries = visible_to(
        customer_user,
        AuditEntry.objects.select_related("actor", "on_behalf_of__user", "company"),
    )
    if action:
        entries = entries.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor_email:
        entries = entries.filter(actor__email__iexact=actor_email.strip())
    if company_id is not None:
        entries = entries.filter(company_id=company_id)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    return entries.order_by("-created_at", "-id")
