"""Background work of pricing: rebuilding the prices rules compute, after what they read changed.

``schedule_rebuild`` is what services call: the task is queued once the change is committed,
so a rebuild never runs inside the request that made it, and never sees uncommitted data.
"""

from collections.abc import Iterable

from django.db import transaction
from django.tasks import task

from comptoir.pricing import rules


@task
def rebuild_prices(
    list_ids: list[int] | None, product_ids: list[int] | None, dependents_only: bool
) -> list[str]:
    """Rebuild ``list_ids`` (every list with rules when None; only the lists depending on them
    with ``dependents_only``) and every list that depends on them, in dependency order, for
    ``product_ids`` or all products. Safe to run twice."""
    reports = rules.rebuild_lists(
        list_ids=list_ids, product_ids=product_ids, dependents_only=dependents_only
    )
    return [report.summary() for report in reports]


def schedule_rebuild(
    *,
    list_ids: Iterable[int] = (),
    product_ids: Iterable[int] | None = None,
    dependents_only: bool = False,
) -> None:
    """Queue a rebuild after the current transaction commits (see ``rebuild_prices``)."""
    list_ids = sorted(set(list_ids))
    product_ids = None if product_ids is None else sorted(set(product_ids))
    if not list_ids or product_ids == []:
        return
    transaction.on_commit(lambda: rebuild_prices.enqueue(list_ids, product_ids, dependents_only))


def schedule_product_rebuild(product_ids: Iterable[int]) -> None:
    """Queue a rebuild of every list with rules (found when it runs), for products whose
    values changed: a rule's condition or formula may read them."""
    product_ids = sorted(set(product_ids))
    if product_ids:
        transaction.on_commit(lambda: rebuild_prices.enqueue(None, product_ids, False))
