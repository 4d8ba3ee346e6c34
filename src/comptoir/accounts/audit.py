"""Writing and reading the audit log; every service that changes a company's users, roles,
departments, addresses or access writes one entry per change, inside its transaction."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from comptoir.accounts.models import AuditEntry, Company, CustomerUser, User


def snapshot(instance: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` of ``instance``, as the audit log keeps them (ids for links)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(related) for related in getattr(instance, name).all())
        elif field.is_relation:
            related = getattr(instance, name)
            values[name] = None if related is None else str(related)
        else:
            values[name] = getattr(instance, name)
    return values


def record_audit(
    *,
    actor: User | None,
    company: Company | None,
    action: str,
    instance: Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    on_behalf_of: CustomerUser | None = None,
) -> AuditEntry | None:
    """Write one audit entry; nothing is written when ``before`` and ``after`` are equal.

    ``actor`` is the login that acted; when a sales rep acts as a customer user, ``actor`` is
    the rep and ``on_behalf_of`` the customer user.
    """
    if before is not None and before == after:
        return None
    return AuditEntry.objects.create(
        company=company,
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=action,
        object_type=instance._meta.model_name,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        before=before,
        after=after,
    )
