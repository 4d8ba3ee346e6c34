"""Company administration pages: users, roles, departments, address book and audit log.

Every page acts as the logged-in customer user and calls ``accounts.administration``: a record
out of the user's reach answers 404, an action its roles do not grant answers 403 with a page
that says so. A form that is accepted redirects with a message; a refused one comes back with
the errors next to the fields and everything typed kept.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from comptoir.accounts.administration import addresses, departments, roles, users
from comptoir.accounts.administration.audit_log import audit_log_for
from comptoir.accounts.administration.common import COMPANY_WIDE, KEEP, level_name
from comptoir.accounts.models import Action, CustomerUser, Department, Resource
from comptoir.accounts.permissions import can, level_for
from comptoir.accounts.scoping import companies_visible_to
from comptoir.core.errors import DomainError, NotFound, PermissionDenied
from comptoir.storefront.buyers import acting_user, customer_required, next_url
from comptoir.storefront.company_forms import (
    NO_DEPARTMENT,
    AddressForm,
    AuditLogFilterForm,
    CustomerUserForm,
    DepartmentForm,
    RoleForm,
)

USERS, MANAGE_USERS = Resource.USERS, Action.MANAGE_USERS
# The pages of the section, and what a user's roles must grant to see each in the menu.
# A page belongs to the section whose route names start like its own.
SECTIONS = [
    ("company_users", "company_user", gettext_lazy("Users"), USERS, Action.VIEW),
    ("company_roles", "company_role", gettext_lazy("Roles"), USERS, MANAGE_USERS),
    (
        "company_departments",
        "company_department",
        gettext_lazy("Departments"),
        USERS,
        MANAGE_USERS,
    ),
    (
        "company_addresses",
        "company_address",
        gettext_lazy("Address book"),
        Resource.ADDRESSES,
        Action.VIEW,
    ),
    (
        "company_audit_log",
        "company_audit_log",
        gettext_lazy("Audit log"),
        Resource.AUDIT_LOG,
        Action.VIEW,
    ),
]


def administration_page(view: Callable) -> Callable:
    """A page for a logged-in customer user; out of reach is 404, not allowed is 403."""

    @wraps(view)
    def wrapper(request, *args, customer_user: CustomerUser, **kwargs):
        try:
            return view(request, *args, customer_user=customer_user, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from None
        except PermissionDenied as error:
            context = {"message": error.message}
            return page(request, customer_user, "forbidden.html", context, status=403)

    return customer_required(wrapper)


def page(request, customer_user: CustomerUser, template: str, context: dict, *, status=200):
    """Render a template of the section with its menu."""
    current = request.resolver_match.url_name if request.resolver_match else ""
    sections = [
        (reverse(f"storefront:{name}"), label, current.startswith(prefix))
        for name, prefix, label, resource, action in SECTIONS
        if can(customer_user, resource, action)
    ]
    return render(
        request,
        f"storefront/company/{template}",
        {**context, "sections": sections},
        status=status,
    )


def attempt[T](form, service: Callable[..., T], **arguments) -> T | None:
    """Call ``service`` for ``form``; a refusal it explains goes next to the field it is about
    (or above the form) and gives None, so that nothing typed is lost. A record out of reach
    still answers 404.
    """
    try:
        return service(**arguments)
    except NotFound:
        raise
    except DomainError as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, error.message)
        return None


def attempt_action(request, service: Callable, **arguments) -> bool:
    """Call ``service`` for a button; a refusal it explains becomes an error message."""
    try:
        service(**arguments)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as error:
        messages.error(request, error.message)
        return False
    return True


def paginated(request, items):
    return Paginator(items, settings.COMPTOIR_PAGE_SIZE).get_page(request.GET.get("page"))


def reaches(customer_user: CustomerUser, find: Callable[[], Any]) -> bool:
    """Whether ``find`` finds its record for ``customer_user``, rather than refusing."""
    try:
        find()
    except (NotFound, PermissionDenied):
        return False
    return True


def company_choices(customer_user: CustomerUser, resource: str, action: str) -> list:
    companies = companies_visible_to(customer_user, resource, action).order_by("name")
    return [(str(company.pk), company.name) for company in companies]


def chosen_id(value: str | None) -> int | None:
    return int(value) if value else None


# Users


@require_safe
@administration_page
def user_list(request, *, customer_user: CustomerUser):
    """The users the customer user may see, with their roles, department and status."""
    shown = paginated(request, users.customer_users_visible_to(customer_user))
    manageable = set()
    if can(customer_user, USERS, MANAGE_USERS):
        ids = [member.pk for member in shown]
        manageable = set(
            users.customer_users_visible_to(customer_user, action=MANAGE_USERS)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
    context = {
        "page": shown,
        "manageable": manageable,
        "may_invite": can(customer_user, USERS, Action.CREATE)
        or can(customer_user, USERS, MANAGE_USERS),
        "several_companies": companies_visible_to(customer_user, USERS).count() > 1,
    }
    return page(request, customer_user, "users.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@administration_page
def user_edit(request, customer_user_id: int, *, customer_user: CustomerUser):
    """A user's details, department and roles, as far as the customer user may change them."""
    member = users.customer_user_for(customer_user, customer_user_id)
    may_edit = reaches(
        customer_user, lambda: users.customer_user_for(customer_user, member.pk, Action.EDIT)
    )
    may_manage = reaches(
        customer_user, lambda: users.customer_user_for(customer_user, member.pk, MANAGE_USERS)
    )
    form_options = {
        "may_edit": may_edit,
        "departments": (
            departments.department_tree(
                departments.departments_visible_to(customer_user, MANAGE_USERS).filter(
                    company=member.company
                )
            )
            if may_manage
            else None
        ),
        "roles": users.assignable_roles(customer_user, member) if may_manage else None,
    }

    if request.method == "POST":
        if not (may_edit or may_manage):
            raise PermissionDenied(_("Your role does not allow you to change this user."))
        form = CustomerUserForm(request.POST, **form_options)
        if form.is_valid():
            data = form.cleaned_data
            changes: dict[str, Any] = {
                name: data[name] for name in ("email", "first_name", "last_name") if name in data
            }
            if "department" in form.fields:
                changes["department_id"] = chosen_id(data["department"])
            if "roles" in form.fields:
                changes["role_codes"] = data["roles"]
            saved = attempt(
                form,
                users.update_customer_user,
                customer_user=customer_user,
                customer_user_id=member.pk,
                acting_user=acting_user(request),
                **changes,
            )
            if saved is not None:
                messages.success(request, _("%(email)s saved.") % {"email": saved.email})
                return redirect("storefront:company_users")
    else:
        form = CustomerUserForm(
            initial={
                "email": member.user.email,
                "first_name": member.user.first_name,
                "last_name": member.user.last_name,
                "department": str(member.department_id or NO_DEPARTMENT),
                "roles": [role.code for role in member.roles.all()],
            },
            **form_options,
        )
    context = {
        "member": member,
        "form": form,
        "may_change": may_edit or may_manage,
        "may_disable": may_manage and member.pk != customer_user.pk,
    }
    return page(request, customer_user, "user_edit.html", context)


@require_POST
@administration_page
def user_disable(request, customer_user_id: int, *, customer_user: CustomerUser):
    """Disable a user: it can no longer log in, nor use its sessions or API tokens."""
    return set_active(request, customer_user, customer_user_id, active=False)


@require_POST
@administration_page
def user_enable(request, customer_user_id: int, *, customer_user: CustomerUser):
    """Let a disabled user log in again."""
    return set_active(request, customer_user, customer_user_id, active=True)


def set_active(request, customer_user: CustomerUser, customer_user_id: int, *, active: bool):
    member = users.customer_user_for(customer_user, customer_user_id)
    if attempt_action(
        request,
        users.enable_customer_user if active else users.disable_customer_user,
        customer_user=customer_user,
        customer_user_id=member.pk,
        acting_user=acting_user(request),
    ):
        done = _("%(email)s can log in again.") if active else _("%(email)s is disabled.")
        messages.success(request, done % {"email": member.email})
    return redirect(next_url(request, default=reverse("storefront:company_users")))


# Roles


@require_safe
@administration_page
def role_list(request, *, customer_user: CustomerUser):
    """The predefined roles and the custom roles of the companies the user manages."""
    context = {
        "roles": roles.roles_visible_to(customer_user),
        "may_compose": level_for(customer_user, USERS, MANAGE_USERS) >= COMPANY_WIDE,
    }
    return page(request, customer_user, "roles.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@administration_page
def role_create(request, *, customer_user: CustomerUser):
    """Compose a custom role: a name, and a level for each action on each resource."""
    roles.require_role_management(customer_user)
    companies = company_choices(customer_user, USERS, MANAGE_USERS)
    if request.method == "POST":
        form = RoleForm(request.POST, companies=companies)
        if form.is_valid():
            role = attempt(
                form,
                roles.create_role,
                customer_user=customer_user,
                name=form.cleaned_data["name"],
                grants=form.grants(),
                company_id=chosen_id(form.cleaned_data.get("company")),
                acting_user=acting_user(request),
            )
            if role is not None:
                messages.success(request, _("Role %(name)s created.") % {"name": role.name})
                return redirect("storefront:company_roles")
    else:
        form = RoleForm(companies=companies, initial={"company": str(customer_user.company_id)})
    return page(request, customer_user, "role_edit.html", {"form": form, "role": None})


@require_http_methods(["GET", "HEAD", "POST"])
@administration_page
def role_edit(request, role_id: int, *, customer_user: CustomerUser):
    """A role's grants: a predefined role is shown, a custom one can be changed."""
    role = roles.role_for(customer_user, role_id)
    may_change = (
        not role.is_predefined and level_for(customer_user, USERS, MANAGE_USERS) >= COMPANY_WIDE
    )
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("This role cannot be changed here."))
        form = RoleForm(request.POST)
        if form.is_valid():
            saved = attempt(
                form,
                roles.update_role,
                customer_user=customer_user,
                role_id=role.pk,
                name=form.cleaned_data["name"],
                grants=form.grants(),
                acting_user=acting_user(request),
            )
            if saved is not None:
                messages.success(request, _("Role %(name)s saved.") % {"name": saved.name})
                return redirect("storefront:company_roles")
    else:
        initial = {"name": role.name}
        for (resource, action), level in roles.grants_of_role(role).items():
            initial[RoleForm.grant_field(resource, action)] = level_name(level)
        form = RoleForm(initial=initial)
        if not may_change:
            for field in form.fields.values():
                field.disabled = True
    holders = role.customer_users.filter(
        pk__in=users.customer_users_visible_to(customer_user).values("pk")
    ).select_related("user")
    context = {"form": form, "role": role, "may_change": may_change, "holders": holders}
    return page(request, customer_user, "role_edit.html", context)


@require_POST
@administration_page
def role_delete(request, role_id: int, *, customer_user: CustomerUser):
    """Delete a custom role nobody holds."""
    role = roles.role_for(customer_user, role_id)
    if not attempt_action(
        request,
        roles.delete_role,
        customer_user=customer_user,
        role_id=role.pk,
        acting_user=acting_user(request),
    ):
        return redirect("storefront:company_role", role.pk)
    messages.success(request, _("Role %(name)s deleted.") % {"name": role.name})
    return redirect("storefront:company_roles")


# Departments


@require_http_methods(["GET", "HEAD", "POST"])
@administration_page
def department_list(request, *, customer_user: CustomerUser):
    """The department trees the user may see, and a form to add a department."""
    may_manage = can(customer_user, USERS, MANAGE_USERS)
    form = None
    if may_manage:
        options = department_form_options(customer_user)
        if request.method == "POST":
            form = DepartmentForm(request.POST, **options)
            if form.is_valid():
                parent_id = chosen_id(form.cleaned_data["parent"])
                department = attempt(
                    form,
                    departments.create_department,
                    customer_user=customer_user,
                    name=form.cleaned_data["name"],
                    parent_id=parent_id,
                    # Under a parent, the department is in the parent's company.
                    company_id=None if parent_id else chosen_id(form.cleaned_data.get("company")),
                    acting_user=acting_user(request),
                )
                if department is not None:
                    messages.success(
                        request, _("Department %(name)s added.") % {"name": department.name}
                    )
                    return redirect("storefront:company_departments")
        else:
            form = DepartmentForm(initial={"company": str(customer_user.company_id)}, **options)
    elif request.method == "POST":
        raise PermissionDenied(_("Your role does not allow you to manage departments."))
    tree = departments.department_tree(departments.departments_visible_to(customer_user))
    context = {"tree": tree, "form": form, "may_manage": may_manage}
    return page(request, customer_user, "departments.html", context)


def department_form_options(customer_user: CustomerUser, moving: Department | None = None) -> dict:
    """The parents a department may be put under, and whether it may be at the top; a
    department being moved may also stay where it is, even above the user's reach."""
    visible = departments.departments_visible_to(customer_user, MANAGE_USERS)
    company_wide = level_for(customer_user, USERS, MANAGE_USERS) >= COMPANY_WIDE
    if moving is None:
        return {
            "parents": departments.department_tree(visible),
            "top_label": _("At the top of the company") if company_wide else None,
            "companies": company_choices(customer_user, USERS, MANAGE_USERS),
        }
    visible = visible.filter(company=moving.company).exclude(pk__in=moving.subtree_ids())
    parents = departments.department_tree(visible)
    if moving.parent is not None and moving.parent_id not in {d.pk for d, _depth in parents}:
        parents.insert(0, (moving.parent, 0))
    return {
        "parents": parents,
        "top_label": (
            _("At the top of the company") if company_wide or moving.parent is None else None
        ),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@administration_page
def department_edit(request, department_id: int, *, customer_user: CustomerUser):
    """Rename a department or move it inside its company."""
    department = departments.department_for(customer_user, department_id, MANAGE_USERS)
    options = department_form_options(customer_user, moving=department)
    if request.method == "POST":
        form = DepartmentForm(request.POST, **options)
        if form.is_valid():
            parent_id = chosen_id(form.cleaned_data["parent"])
            saved = attempt(
                form,
                departments.update_department,
                customer_user=customer_user,
                department_id=department.pk,
                name=form.cleaned_data["name"],
                # A department may stay under a parent beyond the user's reach.
                parent_id=KEEP if parent_id == department.parent_id else parent_id,
                acting_user=acting_user(request),
            )
            if saved is not None:
                messages.success(request, _("Department %(name)s saved.") % {"name": saved.name})
                return redirect("storefront:company_departments")
    else:
        initial = {"name": department.name, "parent": str(department.parent_id or "")}
        form = DepartmentForm(initial=initial, **options)
    members = department.customer_users.select_related("user").order_by("user__email")
    context = {"department": department, "form": form, "members": members}
    return page(request, customer_user, "department_edit.html", context)


@require_POST
@administration_page
def department_delete(request, department_id: int, *, customer_user: CustomerUser):
    """Delete a department without users or departments under it."""
    department = departments.department_for(customer_user, department_id, MANAGE_USERS)
    if not attempt_action(
        request,
        departments.delete_department,
        customer_user=customer_user,
        department_id=department.pk,
        acting_user=acting_user(request),
    ):
        return redirect("storefront:company_department", department.pk)
    messages.success(request, _("Department %(name)s deleted.") % {"name": department.name})
    return redirect("storefront:company_departments")


# Address book


@require_safe
@administration_page
def address_list(request, *, customer_user: CustomerUser):
    """The address books the user may see, the defaults first."""
    context = {
        "page": paginated(request, addresses.addresses_visible_to(customer_user)),
        "may_create": can(customer_user, Resource.ADDRESSES, Action.CREATE),
        "may_edit": can(customer_user, Resource.ADDRESSES, Action.EDIT),
        "may_delete": can(customer_user, Resource.ADDRESSES, Action.DELETE),
        "several_companies": companies_visible_to(customer_user, Resource.ADDRESSES).count() > 1,
    }
    return page(request, customer_user, "addresses.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@administration_page
def address_create(request, *, customer_user: CustomerUser):
    """Add an address to the company's address book."""
    companies = company_choices(customer_user, Resource.ADDRESSES, Action.CREATE)
    if not companies:
        raise PermissionDenied(_("Your role does not allow you to add addresses."))
    if request.method == "POST":
        form = AddressForm(request.POST, companies=companies)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in addresses.ADDRESS_FIELDS}
            address = attempt(
                form,
                addresses.create_address,
                customer_user=customer_user,
                company_id=chosen_id(form.cleaned_data.get("company")),
                acting_user=acting_user(request),
                **values,
            )
            if address is not None:
                messages.success(request, _("Address added: %(address)s.") % {"address": address})
                return redirect("storefront:company_addresses")
    else:
        form = AddressForm(companies=companies, initial={"company": str(customer_user.company_id)})
    return page(request, customer_user, "address_edit.html", {"form": form, "address": None})


@require_http_methods(["GET", "HEAD", "POST"])
@administration_page
def address_edit(request, address_id: int, *, customer_user: CustomerUser):
    """Change an address of the address book."""
    address = addresses.address_for(customer_user, address_id, Action.EDIT)
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in addresses.ADDRESS_FIELDS}
            saved = attempt(
                form,
                addresses.update_address,
                customer_user=customer_user,
                address_id=address.pk,
                acting_user=acting_user(request),
                **values,
            )
            if saved is not None:
                messages.success(request, _("Address saved: %(address)s.") % {"address": saved})
                return redirect("storefront:company_addresses")
    else:
        form = AddressForm(
            initial={name: getattr(address, name) for name in addresses.ADDRESS_FIELDS}
        )
    context = {
        "form": form,
        "address": address,
        "may_delete": can(customer_user, Resource.ADDRESSES, Action.DELETE),
    }
    return page(request, customer_user, "address_edit.html", context)


@require_POST
@administration_page
def address_delete(request, address_id: int, *, customer_user: CustomerUser):
    """Remove an address from the address book."""
    address = addresses.address_for(customer_user, address_id, Action.DELETE)
    addresses.delete_address(
        customer_user=customer_user, address_id=address.pk, acting_user=acting_user(request)
    )
    messages.success(request, _("Address deleted: %(address)s.") % {"address": address})
    return redirect("storefront:company_addresses")


# Audit log


@require_safe
@administration_page
def audit_log(request, *, customer_user: CustomerUser):
    """Who changed what, when, with the values before and after; newest first."""
    filters = AuditLogFilterForm(request.GET)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    entries = audit_log_for(
        customer_user,
        action=wanted.get("action") or None,
        actor_email=wanted.get("actor") or None,
    )
    shown = paginated(request, entries)
    context = {
        "filters": filters,
        "page": shown,
        "rows": [(entry, changes_of(entry.before, entry.after)) for entry in shown],
    }
    return page(request, customer_user, "audit_log.html", context)


def changes_of(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """The values that differ between ``before`` and ``after``, as text: (name, was, is)."""
    before, after = before or {}, after or {}
    return [
        (name, shown_value(before.get(name)), shown_value(after.get(name)))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    ]


def shown_value(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items()) or "–"
    return str(value)
