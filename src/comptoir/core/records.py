"""Create-or-update of one record, telling whether anything changed.

Every import and loader upserts through these helpers so that running the same input twice
writes nothing the second time: values are compared before anything is saved.
"""

from collections.abc import Mapping
from typing import Any, Literal

from django.db.models import Model, Q

UpsertStatus = Literal["created", "updated", "unchanged"]
CREATED: UpsertStatus = "created"
UPDATED: UpsertStatus = "updated"
UNCHANGED: UpsertStatus = "unchanged"


def assign_changes(instance: Model, values: Mapping[str, Any]) -> list[str]:
    """Set on ``instance`` each of ``values`` that differs from what it holds; return their names.

    A foreign key is compared by primary key, a decimal by value (12.5 equals 12.5000).
    """
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            current = getattr(instance, field.attname)
            wanted = value.pk if isinstance(value, Model) else value
        else:
            current = getattr(instance, name)
            wanted = value
        if current != wanted:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def save_changes(instance: Model, changed: list[str]) -> UpsertStatus:
    """Save the ``changed`` fields of ``instance`` (and its auto-now stamps), if there are any."""
    if not changed:
        return UNCHANGED
    stamps = [
        field.name
        for field in instance._meta.concrete_fields
        if getattr(field, "auto_now", False) and field.name not in changed
    ]
    instance.save(update_fields=[*changed, *stamps])
    return UPDATED


def upsert[M: Model](
    model: type[M], *, match: Q | Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[M, UpsertStatus]:
    """The row of ``model`` that ``match`` finds, set to ``values``, or a new one made of both.

    ``match`` is either plain field values, or a ``Q`` (then ``values`` must hold every field
    a new row needs). Call inside a transaction: the row found is locked until it ends.
    """
    condition = match if isinstance(match, Q) else Q(**match)
    instance = model._default_manager.select_for_update().filter(condition).order_by("pk").first()
    if instance is None:
        fields = {} if isinstance(match, Q) else dict(match)
        instance = model._default_manager.create(**{**fields, **values})
        return instance, CREATED
    return instance, save_changes(instance, assign_changes(instance, values))
