"""What a customer user may see and do: roles that grant actions on resources at a level.

A role grants an action (view, place order...) on a resource (orders, users...) at an access
level. The levels only ever reach down the trees: own records, the user's department and those
under it, the user's company, or the company and its subsidiaries at any depth. A user holding
several roles gets, for each (resource, action), the widest level any of them grants.
``comptoir.accounts.scoping`` turns that into the records a user may see.
"""

from django.db import models


class AccessLevel(models.IntegerChoices):
    NONE = 0, "None"
    OWN = 1, "Own records"
    DEPARTMENT = 2, "Department and those under it"
    COMPANY = 3, "Company"
    COMPANY_AND_SUBSIDIARIES = 4, "Company and subsidiaries"


class Resource(models.TextChoices):
    ORDERS = "orders", "Orders"
    SHOPPING_LISTS = "shopping_lists", "Shopping lists"
    ADDRESSES = "addresses", "Addresses"
    USERS = "users", "Users"
    INVOICES = "invoices", "Invoices"
    QUOTES = "quotes", "Quotes"
    APPROVALS = "approvals", "Approvals"
    AUDIT_LOG = "audit_log", "Audit log"


class Action(models.TextChoices):
    VIEW = "view", "View"
    CREATE = "create", "Create"
    EDIT = "edit", "Edit"
    DELETE = "delete", "Delete"
    PLACE_ORDER = "place_order", "Place order"
    REORDER = "reorder", "Reorder"
    MANAGE_USERS = "manage_users", "Manage users"


class CustomerRole(models.Model):
    """A set of permissions; predefined roles have no company, custom ones belong to one."""

    ADMINISTRATOR = "administrator"
    BUYER = "buyer"
    VIEWER = "viewer"
    PREDEFINED = (ADMINISTRATOR, BUYER, VIEWER)

    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="custom_roles",
        help_text="Empty for the predefined roles every company can use.",
    )

    class Meta:
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(company__isnull=True),
                name="predefined_role_code_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "code"], name="role_code_unique_in_company"
            ),
        ]

    def __str__(self):
        return self.name if self.company_id is None else f"{self.name} ({self.company})"

    @property
    def is_predefined(self) -> bool:
        return self.company_id is None


class RolePermission(models.Model):
    """One grant of a role: ``action`` on ``resource`` at ``access_level``."""

    role = models.ForeignKey(CustomerRole, on_delete=models.CASCADE, related_name="permissions")
    resource = models.CharField(max_length=30, choices=Resource)
    action = models.CharField(max_length=30, choices=Action)
    access_level = models.PositiveSmallIntegerField(choices=AccessLevel)

    class Meta:
        ordering = ["role", "resource", "action"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "resource", "action"], name="role_permission_unique"
            )
        ]

    def __str__(self):
        return f"{self.role}: {self.action} {self.resource} ({self.get_access_level_display()})"
