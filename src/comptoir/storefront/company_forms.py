"""Forms of the company administration pages: they read what the administrator typed; the
administration services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import Action, CustomerRole, Department, Resource
from comptoir.accounts.permissions import RESOURCE_ACTIONS

NO_DEPARTMENT = ""
# Short names of the access levels, for the selects of the role grid.
GRID_LEVELS = {
    "own": _("Own records"),
    "department": _("Department"),
    "company": _("Company"),
    "company_and_subsidiaries": _("+ subsidiaries"),
}


def department_choices(departments: list[tuple[Department, int]]) -> list[tuple[str, str]]:
    """Choices of a department select, indented to show the tree; each top department names
    its company when they are of several companies."""
    several = len({department.company_id for department, _depth in departments}) > 1
    return [
        (
            str(department.pk),
            "\u2003" * depth
            + (
                f"{department.name} ({department.company.name})"
                if several and not depth
                else department.name
            ),
        )
        for department, depth in departments
    ]


class CustomerUserForm(forms.Form):
    """A customer user's details; the department and roles only for those who manage it."""

    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args,
        may_edit: bool,
        departments: list[tuple[Department, int]] | None,
        roles: list[CustomerRole] | None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not may_edit:
            for name in ("email", "first_name", "last_name"):
                del self.fields[name]
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].choices = [
                (NO_DEPARTMENT, _("No department")),
                *department_choices(departments),
            ]
        if roles is None:
            del self.fields["roles"]
        else:
            self.fields["roles"].choices = [(role.code, role.name) for role in roles]


class RoleForm(forms.Form):
    """A custom role's name and, for each action a resource knows, the level it grants."""

    name = forms.CharField(label=_("Name"), max_length=100)
    company = forms.ChoiceField(label=_("Company"), required=False)

    def __init__(self, *args, companies: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies and len(companies) > 1:
            self.fields["company"].choices = companies
        else:
            del self.fields["company"]
        levels = [("", _("No access")), *GRID_LEVELS.items()]
        for resource, actions in RESOURCE_ACTIONS.items():
            for action in actions:
                self.fields[self.grant_field(resource, action)] = forms.ChoiceField(
                    label=f"{Action(action).label} · {Resource(resource).label}",
                    choices=levels,
                    required=False,
                )

    @staticmethod
    def grant_field(resource: str, action: str) -> str:
        return f"grant__{resource}__{action}"

    def grants(self) -> list[tuple[str, str, str]]:
        """The (resource, action, level name) the form grants."""
        return [
            (resource, action, self.cleaned_data[self.grant_field(resource, action)])
            for resource, actions in RESOURCE_ACTIONS.items()
            for action in actions
            if self.cleaned_data.get(self.grant_field(resource, action))
        ]

    def action_labels(self) -> list[str]:
        """The grid's column headings."""
        return [str(label) for label in Action.labels]

    def grid(self) -> list[tuple[str, list]]:
        """One row per resource: its label and, for every action, the field or None."""
        return [
            (
                Resource(resource).label,
                [
                    self[self.grant_field(resource, action)] if action in actions else None
                    for action in Action.values
                ],
            )
            for resource, actions in RESOURCE_ACTIONS.items()
        ]


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ChoiceField(label=_("Under"), required=False)
    company = forms.ChoiceField(
        label=_("Company"),
        required=False,
        help_text=_("For a department at the top of a company's tree."),
    )

    def __init__(
        self,
        *args,
        parents: list[tuple[Department, int]],
        top_label: str | None,
        companies: list[tuple[str, str]] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        top = [] if top_label is None else [("", top_label)]
        self.fields["parent"].choices = [*top, *department_choices(parents)]
        # Without the top of the tree to offer, a department goes under one of the user's.
        self.fields["parent"].required = top_label is None
        if companies and len(companies) > 1:
            self.fields["company"].choices = companies
        else:
            del self.fields["company"]


class AddressForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    name = forms.CharField(label=_("Addressee"), max_length=200, required=False)
    street = forms.CharField(label=_("Street"), max_length=200)
    street2 = forms.CharField(label=_("Street (second line)"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        help_text=_("Two letters, as in US."),
        widget=forms.TextInput(attrs={"size": 3, "autocomplete": "country"}),
    )
    is_billing = forms.BooleanField(label=_("Billing address"), required=False, initial=True)
    is_shipping = forms.BooleanField(label=_("Shipping address"), required=False, initial=True)
    is_default_billing = forms.BooleanField(label=_("Default billing address"), required=False)
    is_default_shipping = forms.BooleanField(label=_("Default shipping address"), required=False)
    company = forms.ChoiceField(label=_("Company"), required=False)

    def __init__(self, *args, companies: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies and len(companies) > 1:
            self.fields["company"].choices = companies
        else:
            del self.fields["company"]


class AuditLogFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Changes to"),
        required=False,
        choices=[
            ("", _("Everything")),
            ("customer_user", _("Users")),
            ("role", _("Roles")),
            ("department", _("Departments")),
            ("address", _("Addresses")),
            ("api_token", _("API tokens")),
            ("order", _("Orders")),
            ("shopping_list", _("Shopping lists")),
            ("sales_rep", _("Sales reps")),
        ],
    )
    actor = forms.CharField(label=_("By (e-mail)"), required=False, max_length=254)
