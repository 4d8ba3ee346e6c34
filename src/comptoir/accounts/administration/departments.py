"""Departments: a tree of business units inside each company."""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from comptoir.accounts.administration.common import (
    COMPANY_WIDE,
    KEEP,
    MANAGE_USERS,
    USERS,
    InUse,
    InvalidValue,
    Keep,
    clean_text,
    company_for,
    listed_names,
    lock_company,
    record_change,
)
from comptoir.accounts.models import (
    Action,
    Company,
    CustomerUser,
    Department,
    User,
)
from comptoir.accounts.permissions import require
from comptoir.accounts.scoping import get_visible, visible_to
from comptoir.core.errors import PermissionDenied

logger = logging.getLogger(__name__)


def departments_visible_to(
    customer_user: CustomerUser, action: str = Action.VIEW
) -> QuerySet[Department]:
    """The departments ``customer_user`` may take ``action`` on, with how many users each
    holds."""
    require(customer_user, USERS, action)
    return (
        visible_to(customer_user, Department.objects.select_related("company", "parent"), action)
        .annotate(user_count=Count("customer_users"))
        .order_by("company__name", "name")
    )


def department_for(
    customer_user: CustomerUser, department_id: int, action: str = Action.VIEW
) -> Department:
    """One department ``customer_user`` may take ``action`` on."""
    require(customer_user, USERS, action)
    return get_visible(
        customer_user,
        Department.objects.select_related("company", "parent"),
        action,
        pk=department_id,
    )


def department_tree(departments: Iterable[Department]) -> list[tuple[Department, int]]:
    """``departments`` in tree order with their depth; one whose parent is not among them is
    a root."""
    departments = list(departments)
    ids = {department.pk for department in departments}
    children: dict[int | None, list[Department]] = {}
    for department in departments:
        parent = department.parent_id if department.parent_id in ids else None
        children.setdefault(parent, []).append(department)
    ordered: list[tuple[Department, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for department in sorted(
            children.get(parent, []), key=lambda d: (d.company.name, d.name.lower())
        ):
            ordered.append((department, depth))
            walk(department.pk, depth + 1)

    walk(None, 0)
    return ordered


def department_snapshot(department: Department) -> dict[str, Any]:
    """A department as the audit log keeps it."""
    return {
        "name": department.name,
        "parent": department.parent.name if department.parent else None,
    }


def create_department(
    *,
    customer_user: CustomerUser,
    name: str,
    parent_id: int | None = None,
    company_id: int | None = None,
    acting_user: User | None = None,
) -> Department:
    """Add a department under ``parent_id``, or at the top of a company's tree."""
    level = require(customer_user, USERS, MANAGE_USERS)
    name = clean_text(name, "name", _("The department's name"), 200, required=True)

    with transaction.atomic():
        if parent_id is None:
            _require_top_level(level)
            company = company_for(customer_user, company_id, USERS, MANAGE_USERS)
            parent = None
        else:
            parent = department_for(customer_user, parent_id, MANAGE_USERS)
            company = parent.company
            if company_id is not None and company_id != company.pk:
                raise InvalidValue(
                    _("The department %(parent)s belongs to %(company)s: choose a parent there.")
                    % {"parent": parent.name, "company": company.name},
                    field="parent",
                    code="department_other_company",
                )
        lock_company(company.pk)
        _check_department_name(company, parent, name)
        department = Department.objects.create(company=company, parent=parent, name=name)
        record_change(
            customer_user,
            acting_user,
            company,
            "department.created",
            department,
            None,
            department_snapshot(department),
        )

    logger.info("department %s created in %s by %s", name, company.name, customer_user.email)
    return department


def update_department(
    *,
    customer_user: CustomerUser,
    department_id: int,
    name: str | None = None,
    parent_id: int | None | Keep = KEEP,
    acting_user: User | None = None,
) -> Department:
    """Rename a department, or move it under another of its company (None: to the top)."""
    level = require(customer_user, USERS, MANAGE_USERS)
    name = clean_text(name, "name", _("The department's name"), 200, required=True)

    with transaction.atomic():
        department = department_for(customer_user, department_id, MANAGE_USERS)
        lock_company(department.company_id)
        before = department_snapshot(department)
        if parent_id is not KEEP:
            department.parent = _new_parent(customer_user, level, department, parent_id)
        if name is not None:
            department.name = name
        _check_department_name(department.company, department.parent, department.name, department)
        department.save(update_fields=["name", "parent"])
        after = department_snapshot(department)
        record_change(
            customer_user,
            acting_user,
            department.company,
            "department.updated",
            department,
            before,
            after,
        )

    if before != after:
        logger.info("department %s updated by %s", department.pk, customer_user.email)
    return department


def delete_department(
    *, customer_user: CustomerUser, department_id: int, acting_user: User | None = None
) -> None:
    """Delete a department that has no users and no departments under it."""
    require(customer_user, USERS, MANAGE_USERS)

    with transaction.atomic():
        department = department_for(customer_user, department_id, MANAGE_USERS)
        lock_company(department.company_id)
        members = list(department.customer_users.select_related("user").order_by("user__email"))
        if members:
            raise InUse(
                _("The department %(department)s has users: %(users)s. Move them first.")
                % {
                    "department": department.name,
                    "users": listed_names([m.email for m in members]),
                },
                code="department_has_users",
            )
        children = list(department.children.order_by("name").values_list("name", flat=True))
        if children:
            raise InUse(
                _(
                    "The department %(department)s has departments under it: %(children)s. "
                    "Move or delete them first."
                )
                % {"department": department.name, "children": listed_names(children)},
                code="department_has_children",
            )
        before = department_snapshot(department)
        record_change(
            customer_user,
            acting_user,
            department.company,
            "department.deleted",
            department,
            before,
            None,
        )
        department.delete()

    logger.info("department %s deleted by %s", before["name"], customer_user.email)


def _require_top_level(level: int) -> None:
    if level < COMPANY_WIDE:
        raise PermissionDenied(
            _(
                "You manage the users of your department only: choose a parent department "
                "among yours."
            )
        )


def _new_parent(
    customer_user: CustomerUser, level: int, department: Department, parent_id: int | None
) -> Department | None:
    if parent_id is None:
        _require_top_level(level)
        return None
    parent = department_for(customer_user, parent_id, MANAGE_USERS)
    if parent.company_id != department.company_id:
        raise InvalidValue(
            _("A department stays in its company: %(parent)s belongs to %(company)s.")
            % {"parent": parent.name, "company": parent.company.name},
            field="parent",
            code="department_other_company",
        )
    if parent.pk in department.subtree_ids():
        raise InvalidValue(
            _("%(department)s cannot move under %(parent)s, which is inside it.")
            % {"department": department.name, "parent": parent.name},
            field="parent",
            code="department_cycle",
        )
    return parent


def _check_department_name(
    company: Company,
    parent: Department | None,
    name: str,
    department: Department | None = None,
) -> None:
    siblings = Department.objects.filter(company=company, parent=parent, name__iexact=name)
    if department is not None:
        siblings = siblings.exclude(pk=department.pk)
    if siblings.exists():
        raise InvalidValue(
            _("A department named %(name)s is already there.") % {"name": name},
            field="name",
            code="department_name_taken",
        )
