"""Company administration endpoints: users, roles, departments, addresses, audit log.

Handlers read the request and call ``accounts.administration``; every record is reached
through ``accounts.scoping``, so a record outside the caller's reach answers 404 exactly as a
missing one does, and an action the caller's roles do not grant answers 403
``permission_denied``.
"""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from comptoir.accounts.administration import addresses, departments, roles, users
from comptoir.accounts.administration.audit_log import audit_log_for
from comptoir.accounts.administration.common import KEEP, level_name
from comptoir.accounts.api import AddressOut
from comptoir.accounts.models import (
    Address,
    AuditEntry,
    Company,
    CustomerRole,
    CustomerUser,
    Department,
)
from comptoir.api.auth import acting_customer_user
from comptoir.api.errors import error_responses
from comptoir.api.pagination import PageInfo, PageQuery, page_of

router = Router()

AccessLevelName = Literal["own", "department", "company", "company_and_subsidiaries"]


class CompanyRef(Schema):
    id: int
    name: str


class DepartmentRef(Schema):
    id: int
    name: str


class CompanyUserOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    company: CompanyRef
    department: DepartmentRef | None
    roles: list[str] = Field(description="The codes of the user's roles.")
    is_active: bool = Field(description="False once disabled: the user can no longer log in.")
    created_at: datetime


class CompanyUserPage(PageInfo):
    items: list[CompanyUserOut]


class CompanyUserQuery(PageQuery):
    company_id: int | None = Field(None, description="Only the users of this company.")
    department_id: int | None = Field(None, description="Only the users of this department.")
    is_active: bool | None = Field(None, description="Only active (true) or disabled users.")


class CompanyUserPatch(Schema):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    department_id: int | None = Field(
        None, description="null takes the user out of its department; left out, it stays."
    )
    roles: list[str] | None = Field(None, description="Role codes; they replace the user's.")


class GrantIO(Schema):
    resource: str = Field(description='A resource, such as "orders".')
    action: str = Field(description='An action on it, such as "view".')
    level: AccessLevelName


class RoleOut(Schema):
    id: int
    code: str
    name: str
    is_predefined: bool
    company: CompanyRef | None = Field(description="The company of a custom role.")
    grants: list[GrantIO]


class RoleIn(Schema):
    name: str
    grants: list[GrantIO] = Field(default_factory=list)
    company_id: int | None = Field(
        None,
        description="A subsidiary whose users the caller manages; its own company if left out.",
    )


class RolePatch(Schema):
    name: str | None = None
    grants: list[GrantIO] | None = Field(None, description="They replace the role's grants.")


class DepartmentOut(Schema):
    id: int
    name: str
    company: CompanyRef
    parent_id: int | None
    user_count: int = Field(description="The users in this department itself.")


class DepartmentIn(Schema):
    name: str
    parent_id: int | None = Field(None, description="At the top of the tree if left out.")
    company_id: int | None = Field(
        None, description="For a top department: the caller's company if left out."
    )


class DepartmentPatch(Schema):
    name: str | None = None
    parent_id: int | None = Field(
        None, description="null moves the department to the top; left out, it stays."
    )


class AddressIn(Schema):
    label: str = ""
    name: str = Field("", description="The addressee.")
    street: str
    street2: str = ""
    city: str
    region: str = ""
    postal_code: str = ""
    country: str = Field(description="ISO 3166-1 alpha-2 code, e.g. US.")
    is_billing: bool = True
    is_shipping: bool = True
    is_default_billing: bool = Field(False, description="Takes the default from the others.")
    is_default_shipping: bool = Field(False, description="Takes the default from the others.")
    company_id: int | None = Field(
        None, description="A subsidiary's address book; the caller's company if left out."
    )


class AddressPatch(Schema):
    label: str | None = None
    name: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    is_billing: bool | None = None
    is_shipping: bool | None = None
    is_default_billing: bool | None = None
    is_default_shipping: bool | None = None


class CompanyAddressOut(AddressOut):
    company: CompanyRef


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    company: CompanyRef | None
    actor: str | None = Field(description="The e-mail of the login that made the change.")
    on_behalf_of: str | None = Field(
        description="The customer user a sales rep acted as, if one did."
    )
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditEntryPage(PageInfo):
    items: list[AuditEntryOut]


class AuditLogQuery(PageQuery):
    action: str | None = Field(
        None, description='An action ("customer_user.disabled") or a kind ("customer_user").'
    )
    object_type: str | None = Field(None, description='The kind of record, e.g. "address".')
    actor: str | None = Field(None, description="The e-mail of the login that acted.")
    company_id: int | None = None
    since: datetime | None = Field(None, description="From this moment on.")
    until: datetime | None = Field(None, description="Before this moment.")


# Users


@router.get("/company/users", response={200: CompanyUserPage, **error_responses(401, 403, 422)})
def list_company_users(request: HttpRequest, filters: Query[CompanyUserQuery]):
    """The customer users the caller may see: its own company's, or also its subsidiaries'."""
    members = users.customer_users_visible_to(
        acting_customer_user(request),
        company_id=filters.company_id,
        department_id=filters.department_id,
        is_active=filters.is_active,
    )
    items, info = page_of(members, filters)
    return {**info, "items": [company_user_out(member) for member in items]}


@router.get(
    "/company/users/{customer_user_id}",
    response={200: CompanyUserOut, **error_responses(401, 403, 404)},
)
def get_company_user(request: HttpRequest, customer_user_id: int):
    """One customer user, with its department and roles."""
    return company_user_out(
        users.customer_user_for(acting_customer_user(request), customer_user_id)
    )


@router.patch(
    "/company/users/{customer_user_id}",
    response={200: CompanyUserOut, **error_responses(401, 403, 404, 422)},
)
def update_company_user(request: HttpRequest, customer_user_id: int, payload: CompanyUserPatch):
    """Change a user's e-mail or names (edit users), department or roles (manage users)."""
    member = users.update_customer_user(
        customer_user=acting_customer_user(request),
        customer_user_id=customer_user_id,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        department_id=(
            payload.department_id if "department_id" in payload.model_fields_set else KEEP
        ),
        role_codes=payload.roles,
    )
    return company_user_out(member)


@router.post(
    "/company/users/{customer_user_id}/disable",
    response={200: CompanyUserOut, **error_responses(401, 403, 404)},
)
def disable_company_user(request: HttpRequest, customer_user_id: int):
    """Stop a user from logging in; its sessions and API tokens stop working too."""
    member = users.disable_customer_user(
        customer_user=acting_customer_user(request), customer_user_id=customer_user_id
    )
    return company_user_out(member)


@router.post(
    "/company/users/{customer_user_id}/enable",
    response={200: CompanyUserOut, **error_responses(401, 403, 404)},
)
def enable_company_user(request: HttpRequest, customer_user_id: int):
    """Let a disabled user log in again."""
    member = users.enable_customer_user(
        customer_user=acting_customer_user(request), customer_user_id=customer_user_id
    )
    return company_user_out(member)


# Roles


@router.get("/company/roles", response={200: list[RoleOut], **error_responses(401, 403)})
def list_roles(request: HttpRequest):
    """The predefined roles and the custom roles of the companies the caller manages."""
    return [role_out(role) for role in roles.roles_visible_to(acting_customer_user(request))]


@router.get("/company/roles/{role_id}", response={200: RoleOut, **error_responses(401, 403, 404)})
def get_role(request: HttpRequest, role_id: int):
    """One role with its grants."""
    return role_out(roles.role_for(acting_customer_user(request), role_id))


@router.post("/company/roles", response={201: RoleOut, **error_responses(401, 403, 404, 422)})
def create_role(request: HttpRequest, payload: RoleIn):
    """Make a custom role; nobody grants more than its own roles do."""
    customer_user = acting_customer_user(request)
    role = roles.create_role(
        customer_user=customer_user,
        name=payload.name,
        grants=grant_tuples(payload.grants),
        company_id=payload.company_id,
    )
    return Status(201, role_out(roles.role_for(customer_user, role.pk)))


@router.patch(
    "/company/roles/{role_id}", response={200: RoleOut, **error_responses(401, 403, 404, 422)}
)
def update_role(request: HttpRequest, role_id: int, payload: RolePatch):
    """Rename a custom role or replace its grants."""
    customer_user = acting_customer_user(request)
    role = roles.update_role(
        customer_user=customer_user,
        role_id=role_id,
        name=payload.name,
        grants=None if payload.grants is None else grant_tuples(payload.grants),
    )
    return role_out(roles.role_for(customer_user, role.pk))


@router.delete(
    "/company/roles/{role_id}", response={204: None, **error_responses(401, 403, 404, 409)}
)
def delete_role(request: HttpRequest, role_id: int):
    """Delete a custom role nobody holds."""
    roles.delete_role(customer_user=acting_customer_user(request), role_id=role_id)
    return Status(204, None)


# Departments


@router.get(
    "/company/departments", response={200: list[DepartmentOut], **error_responses(401, 403)}
)
def list_departments(request: HttpRequest):
    """The departments the caller may see, in tree order: each after its parent."""
    visible = departments.departments_visible_to(acting_customer_user(request))
    return [department_out(each) for each, _depth in departments.department_tree(visible)]


@router.get(
    "/company/departments/{department_id}",
    response={200: DepartmentOut, **error_responses(401, 403, 404)},
)
def get_department(request: HttpRequest, department_id: int):
    """One department."""
    return department_out(departments.department_for(acting_customer_user(request), department_id))


@router.post(
    "/company/departments", response={201: DepartmentOut, **error_responses(401, 403, 404, 422)}
)
def create_department(request: HttpRequest, payload: DepartmentIn):
    """Add a department under another, or at the top of a company's tree."""
    department = departments.create_department(
        customer_user=acting_customer_user(request),
        name=payload.name,
        parent_id=payload.parent_id,
        company_id=payload.company_id,
    )
    return Status(201, department_out(department))


@router.patch(
    "/company/departments/{department_id}",
    response={200: DepartmentOut, **error_responses(401, 403, 404, 422)},
)
def update_department(request: HttpRequest, department_id: int, payload: DepartmentPatch):
    """Rename a department, or move it inside its company."""
    department = departments.update_department(
        customer_user=acting_customer_user(request),
        department_id=department_id,
        name=payload.name,
        parent_id=payload.parent_id if "parent_id" in payload.model_fields_set else KEEP,
    )
    return department_out(department)


@router.delete(
    "/company/departments/{department_id}",
    response={204: None, **error_responses(401, 403, 404, 409)},
)
def delete_department(request: HttpRequest, department_id: int):
    """Delete a department without users or departments under it."""
    departments.delete_department(
        customer_user=acting_customer_user(request), department_id=department_id
    )
    return Status(204, None)


# Address book


@router.post(
    "/company/addresses", response={201: CompanyAddressOut, **error_responses(401, 403, 404, 422)}
)
def create_address(request: HttpRequest, payload: AddressIn):
    """Add an address to the company's address book."""
    values = payload.model_dump(exclude={"company_id"})
    address = addresses.create_address(
        customer_user=acting_customer_user(request), company_id=payload.company_id, **values
    )
    return Status(201, company_address_out(address))


@router.patch(
    "/company/addresses/{address_id}",
    response={200: CompanyAddressOut, **error_responses(401, 403, 404, 422)},
)
def update_address(request: HttpRequest, address_id: int, payload: AddressPatch):
    """Change an address; the fields left out keep their values."""
    address = addresses.update_address(
        customer_user=acting_customer_user(request),
        address_id=address_id,
        **payload.model_dump(exclude_none=True),
    )
    return company_address_out(address)


@router.delete(
    "/company/addresses/{address_id}", response={204: None, **error_responses(401, 403, 404)}
)
def delete_address(request: HttpRequest, address_id: int):
    """Remove an address from the address book; orders keep their copy."""
    addresses.delete_address(customer_user=acting_customer_user(request), address_id=address_id)
    return Status(204, None)


# Audit log


@router.get("/company/audit-log", response={200: AuditEntryPage, **error_responses(401, 403, 422)})
def list_audit_log(request: HttpRequest, filters: Query[AuditLogQuery]):
    """Who changed what in the companies the caller may see, newest first."""
    entries = audit_log_for(
        acting_customer_user(request),
        action=filters.action,
        object_type=filters.object_type,
        actor_email=filters.actor,
        company_id=filters.company_id,
        since=filters.since,
        until=filters.until,
    )
    items, info = page_of(entries, filters)
    return {**info, "items": [audit_entry_out(entry) for entry in items]}


def company_ref(company: Company | None) -> dict | None:
    return None if company is None else {"id": company.pk, "name": company.name}


def company_user_out(member: CustomerUser) -> dict:
    department = member.department
    return {
        "id": member.pk,
        "email": member.user.email,
        "first_name": member.user.first_name,
        "last_name": member.user.last_name,
        "company": company_ref(member.company),
        "department": None
        if department is None
        else {"id": department.pk, "name": department.name},
        "roles": sorted(role.code for role in member.roles.all()),
        "is_active": member.user.is_active,
        "created_at": member.created_at,
    }


def role_out(role: CustomerRole) -> dict:
    grants = roles.grants_of_role(role)
    return {
        "id": role.pk,
        "code": role.code,
        "name": role.name,
        "is_predefined": role.is_predefined,
        "company": company_ref(role.company),
        "grants": [
            {"resource": resource, "action": action, "level": level_name(grants[resource, action])}
            for resource, action in sorted(grants)
        ],
    }


def grant_tuples(grants: list[GrantIO]) -> list[tuple[str, str, str]]:
    return [(grant.resource, grant.action, grant.level) for grant in grants]


def department_out(department: Department) -> dict:
    # A list counts the users of every department in one query; one department counts its own.
    user_count = getattr(department, "user_count", None)
    return {
        "id": department.pk,
        "name": department.name,
        "company": company_ref(department.company),
        "parent_id": department.parent_id,
        "user_count": department.customer_users.count() if user_count is None else user_count,
    }


def company_address_out(address: Address) -> dict:
    return {
        **{name: getattr(address, name) for name in ("id", *addresses.ADDRESS_FIELDS)},
        "company": company_ref(address.company),
    }


def audit_entry_out(entry: AuditEntry) -> dict:
    return {
        "id": entry.pk,
        "created_at": entry.created_at,
        "company": company_ref(entry.company),
        "actor": entry.actor.email if entry.actor else None,
        "on_behalf_of": entry.on_behalf_of.email if entry.on_behalf_of else None,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
    }
