"""Forms of the account pages: they read what was typed; the account services judge it."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.emails import enqueue_email
from comptoir.accounts.invitations import NAME_MAX_LENGTH, assignable_roles
from comptoir.accounts.models import (
    AccessLevel,
    ApiToken,
    CustomerRole,
    CustomerUser,
    Department,
    Resource,
)
from comptoir.accounts.permissions import level_for
from comptoir.accounts.scoping import companies_visible_to, visible_to


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX_LENGTH)
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX_LENGTH)
    company = forms.TypedChoiceField(label=_("Company"), coerce=int)
    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(
        label=_("Language of the e-mail and the shop"),
        required=False,
        choices=[("", _("Their browser's language")), *settings.LANGUAGES],
    )

    def __init__(self, *args, customer_user: CustomerUser, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        companies = companies_visible_to(customer_user, Resource.USERS, action).order_by("name")
        self.fields["company"].choices = [(company.pk, company.name) for company in companies]
        self.initial.setdefault("company", customer_user.company_id)
        if len(self.fields["company"].choices) == 1:
            self.fields["company"].widget = forms.HiddenInput()
        departments = list(
            visible_to(
                customer_user, Department.objects.select_related("company"), action
            ).order_by("company__name", "name")
        )
        # A user who manages only its department invites into one of its departments.
        limited = level_for(customer_user, Resource.USERS, action) < AccessLevel.COMPANY
        self.fields["department"].required = limited
        self.fields["department"].choices = [
            *([] if limited else [("", _("No department"))]),
            *((department.pk, str(department)) for department in departments),
        ]
        if not departments:
            self.fields["department"].widget = forms.HiddenInput()
        self.fields["roles"].choices = [
            (role.code, role.name) for role in assignable_roles(customer_user.company)
        ]
        self.initial.setdefault("roles", [CustomerRole.BUYER])
        self.initial.setdefault("language", customer_user.user.language)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("ERP sync")}),
    )


class LocalizedPasswordResetForm(PasswordResetForm):
    """Django's reset form, writing in the user's language and sending through a task."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        context = {**context, "shop_name": settings.COMPTOIR_SHOP_NAME}
        enqueue_email("accounts/email/password_reset", context, user=context["user"])
