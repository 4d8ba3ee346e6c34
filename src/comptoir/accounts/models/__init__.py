"""Who buys and who may do what: companies, users, roles, access to the storefront, audit."""

from comptoir.accounts.models.access import (
    AccessMode,
    Invitation,
    LoginThrottle,
    RegistrationRequest,
    RegistrationStatus,
    StorefrontAccess,
)
from comptoir.accounts.models.audit import AuditEntry
from comptoir.accounts.models.companies import (
    Address,
    ApiToken,
    Company,
    CustomerGroup,
    CustomerUser,
    Department,
    PaymentTerm,
    SalesRepAssignment,
    User,
    UserManager,
)
from comptoir.accounts.models.roles import (
    AccessLevel,
    Action,
    CustomerRole,
    Resource,
    RolePermission,
)

__all__ = [
    "AccessLevel",
    "AccessMode",
    "Action",
    "Address",
    "ApiToken",
    "AuditEntry",
    "Company",
    "CustomerGroup",
    "CustomerRole",
    "CustomerUser",
    "Department",
    "Invitation",
    "LoginThrottle",
    "PaymentTerm",
    "RegistrationRequest",
    "RegistrationStatus",
    "Resource",
    "RolePermission",
    "SalesRepAssignment",
    "StorefrontAccess",
    "User",
    "UserManager",
]
