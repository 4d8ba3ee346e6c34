"""Sales reps: staff users who look after companies, see their users and orders in the back
office and may shop in the storefront as one of their customer users.

Everything a rep does while shopping as a customer user is done by the buying services with
``acting_user`` set to the rep, so the order says who placed it and the audit log says the rep
acted on behalf of the user.
"""

import logging

from django.apps import apps as installed_apps
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.audit import record_audit
from comptoir.accounts.models import Company, CustomerUser, SalesRepAssignment, User
from comptoir.backoffice.scoping import assigned_company_ids
from comptoir.core.errors import DomainError, NotFound

logger = logging.getLogger(__name__)

SALES_REPS_GROUP = "Sales reps"
# The back office pages a sales rep reads: each is filtered to the rep's companies.
SALES_REP_VIEWABLE = (
    ("accounts", "company"),
    ("accounts", "address"),
    ("accounts", "auditentry"),
    ("accounts", "customeruser"),
    ("accounts", "salesrepassignment"),
    ("ordering", "order"),
    ("ordering", "orderline"),
    ("ordering", "shoppinglist"),
    ("ordering", "shoppinglistline"),
)


def install_sales_reps_group(apps=installed_apps) -> None:
    """Create the "Sales reps" group with its view permissions, or bring it up to date.

    Takes an app registry so that a migration can pass its historical one; the content types and
    permissions are made here if the ``post_migrate`` step has not made them yet.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    group, _created = group_model.objects.get_or_create(name=SALES_REPS_GROUP)
    permissions = []
    for app_label, model_name in SALES_REP_VIEWABLE:
        model = apps.get_model(app_label, model_name)
        content_type, _created = content_type_model.objects.get_or_create(
            app_label=app_label, model=model_name
        )
        permission, _created = permission_model.objects.get_or_create(
            content_type=content_type,
            codename=f"view_{model_name}",
            defaults={"name": f"Can view {model._meta.verbose_name_raw}"},
        )
        permissions.append(permission)
    group.permissions.add(*permissions)


def sales_reps_group() -> Group:
    """The "Sales reps" group, installed first if it is missing (a flushed test database)."""
    group = Group.objects.filter(name=SALES_REPS_GROUP).first()
    if group is None:
        install_sales_reps_group()
        group = Group.objects.get(name=SALES_REPS_GROUP)
    return group


def assign_sales_rep(*, company: Company, sales_rep: User, assigned_by: User | None) -> None:
    """Make ``sales_rep`` look after ``company``; the rep joins the "Sales reps" group."""
    if not sales_rep.is_staff:
        raise DomainError(
            _("%(email)s is not a staff user: only staff users can be sales reps")
            % {"email": sales_rep.email},
            code="not_staff",
        )

    with transaction.atomic():
        assignment, created = SalesRepAssignment.objects.get_or_create(
            sales_rep=sales_rep, company=company
        )
        sales_rep.groups.add(sales_reps_group())
        if created:
            record_audit(
                actor=assigned_by,
                company=company,
                action="sales_rep.assigned",
                instance=assignment,
                after={"sales_rep": sales_rep.email},
            )

    logger.info("sales rep %s assigned to %s", sales_rep.email, company)


def unassign_sales_rep(*, assignment: SalesRepAssignment, unassigned_by: User | None) -> None:
    """Stop ``assignment``'s rep looking after its company."""
    with transaction.atomic():
        record_audit(
            actor=unassigned_by,
            company=assignment.company,
            action="sales_rep.unassigned",
            instance=assignment,
            before={"sales_rep": assignment.sales_rep.email},
        )
        assignment.delete()

    logger.info("sales rep %s unassigned from %s", assignment.sales_rep, assignment.company)


def customer_user_for_sales_rep(sales_rep: User, customer_user_id: int) -> CustomerUser:
    """The customer user ``sales_rep`` may shop as, or ``NotFound`` (absent or not theirs).

    A superuser may shop as anyone; another staff user only as users of its companies. Nobody
    shops as a staff user or while not staff.
    """
    not_found = NotFound(
        _("No customer user %(id)s among your companies' users") % {"id": customer_user_id}
    )
    if not (sales_rep.is_authenticated and sales_rep.is_active and sales_rep.is_staff):
        raise not_found
    candidates = CustomerUser.objects.select_related("user", "company").filter(
        pk=customer_user_id, user__is_staff=False
    )
    company_ids = assigned_company_ids(sales_rep)
    if company_ids is not None:
        candidates = candidates.filter(company_id__in=company_ids)
    customer_user = candidates.first()
    if customer_user is None:
        raise not_found
    return customer_user


def start_shopping_as(*, sales_rep: User, customer_user_id: int) -> CustomerUser:
    """Check that ``sales_rep`` may shop as the customer user and record that it starts."""
    customer_user = customer_user_for_sales_rep(sales_rep, customer_user_id)
    if not customer_user.user.is_active:
        raise DomainError(
            _("%(email)s is disabled: enable the user before shopping as them")
            % {"email": customer_user.email},
            code="inactive_user",
        )

    record_audit(
        actor=sales_rep,
        company=customer_user.company,
        action="sales_rep.shopping_started",
        instance=customer_user,
        on_behalf_of=customer_user,
    )

    logger.info("sales rep %s shops as %s", sales_rep.email, customer_user.email)
    return customer_user


def stop_shopping_as(*, sales_rep: User, customer_user: CustomerUser) -> None:
    """Record that ``sales_rep`` no longer shops as ``customer_user``."""
    record_audit(
        actor=sales_rep,
        company=customer_user.company,
        action="sales_rep.shopping_stopped",
        instance=customer_user,
        on_behalf_of=customer_user,
    )

    logger.info("sales rep %s stops shopping as %s", sales_rep.email, customer_user.email)
