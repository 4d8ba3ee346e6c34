"""Back office for who may come in: the storefront access mode and the registration requests.

Both pages write through the services of ``accounts.access`` and ``accounts.registrations``,
which audit every change, so that the back office and ``comptoir access`` behave the same.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.accounts.access import (
    check_basic_auth_credentials,
    clear_basic_auth,
    gate_is_set,
    set_access_mode,
    set_basic_auth,
    storefront_access_row,
)
from comptoir.accounts.models import RegistrationRequest, RegistrationStatus, StorefrontAccess
from comptoir.accounts.registrations import (
    REQUEST_FIELDS,
    approve_registration_request,
    reject_registration_request,
)
from comptoir.core.errors import DomainError


class StorefrontAccessForm(forms.ModelForm):
    """The mode, the pilot's members and the gate; the gate's password is only ever written."""

    new_gate_password = forms.CharField(
        label=_("Gate password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored hashed. Leave empty to keep the current password."),
    )
    remove_gate = forms.BooleanField(
        label=_("Remove the gate"),
        required=False,
        help_text=_("Let visitors in without the basic-auth username and password."),
    )

    class Meta:
        model = StorefrontAccess
        fields = ("mode", "pilot_companies", "pilot_groups", "basic_auth_username")
        labels = {"basic_auth_username": _("Gate username")}
        widgets = {"mode": forms.RadioSelect}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_gate"):
            return cleaned
        username = cleaned.get("basic_auth_username", "")
        password = cleaned.get("new_gate_password", "")
        if not username and not password and gate_is_set(self.instance):
            raise ValidationError(_("Tick 'Remove the gate' to let visitors in without it."))
        changed = username and username != self.instance.basic_auth_username
        if password or changed or (username and not gate_is_set(self.instance)):
            try:
                check_basic_auth_credentials(username, password)
            except DomainError as error:
                raise ValidationError(error.message) from None
        return cleaned


@admin.register(StorefrontAccess)
class StorefrontAccessAdmin(admin.ModelAdmin):
    """One page for the one row; saving applies at once to every web process."""

    form = StorefrontAccessForm
    list_display = ("__str__", "gate", "updated_at")
    fieldsets = (
        (None, {"fields": ("mode",)}),
        (
            _("Pilot"),
            {
                "fields": ("pilot_companies", "pilot_groups"),
                "description": _(
                    "In pilot mode only users of these companies (with their subsidiaries) and "
                    "of the companies in these customer groups may log in or use the API; the "
                    "others see a 'coming soon' page. Staff users always may."
                ),
            },
        ),
        (
            _("Basic-auth gate"),
            {
                "fields": ("gate", "basic_auth_username", "new_gate_password", "remove_gate"),
                "description": _(
                    "A username and password the browser asks for before any page, the back "
                    "office and the API included (API clients pass it with their token)."
                ),
            },
        ),
        (None, {"fields": ("updated_at",)}),
    )
    readonly_fields = ("gate", "updated_at")
    autocomplete_fields = ("pilot_companies", "pilot_groups")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # The list holds the one row, made on the first visit so that there is one to open.
        storefront_access_row()
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("gate"))
    def gate(self, access):
        return _("on") if gate_is_set(access) else _("off")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        set_access_mode(
            mode=data["mode"],
            companies=data["pilot_companies"],
            groups=data["pilot_groups"],
            actor=request.user,
        )
        if data["remove_gate"]:
            clear_basic_auth(actor=request.user)
        elif data["new_gate_password"]:
            set_basic_auth(
                username=data["basic_auth_username"],
                password=data["new_gate_password"],
                actor=request.user,
            )
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # ``save_model`` has set the pilot's members through the service, which audits them.
        pass


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Sent to the requester by e-mail."),
    )


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(admin.ModelAdmin):
    """Companies asking for an account: approve (creates the company and invites its first
    administrator) or reject with a reason e-mailed to the requester."""

    list_display = ("company_name", "contact", "email", "created_at", "status", "decided_by")
    list_filter = ("status",)
    search_fields = ("company_name", "email", "first_name", "last_name", "tax_id")
    ordering = ("-created_at",)
    fieldsets = (
        (None, {"fields": REQUEST_FIELDS}),
        (
            _("Decision"),
            {"fields": ("status", "decided_by", "decided_at", "rejection_reason", "company")},
        ),
    )
    decision_fields = ("status", "decided_by", "decided_at", "rejection_reason", "company")
    actions = ("approve_requests", "reject_requests")

    def has_add_permission(self, request):
        # Requests come from the storefront's registration form.
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != RegistrationStatus.PENDING:
            return (*REQUEST_FIELDS, *self.decision_fields, "created_at")
        return (*self.decision_fields, "created_at")

    @admin.display(description=_("contact"), ordering="last_name")
    def contact(self, registration):
        return f"{registration.first_name} {registration.last_name}".strip()

    def has_decide_permission(self, request):
        return request.user.has_perm("accounts.change_registrationrequest")

    @admin.action(
        description=_("Approve: create the company and invite its administrator"),
        permissions=("decide",),
    )
    def approve_requests(self, request, queryset):
        approved = 0
        for registration in queryset.order_by("created_at"):
            try:
                approve_registration_request(
                    registration_request=registration,
                    actor=request.user,
                    site_url=request.build_absolute_uri("/"),
                )
            except DomainError as error:
                self.message_user(
                    request, f"{registration.company_name}: {error.message}", messages.ERROR
                )
            else:
                approved += 1
        if approved:
            self.message_user(
                request,
                ngettext(
                    "%(count)d request approved: the administrator is invited by e-mail.",
                    "%(count)d requests approved: each administrator is invited by e-mail.",
                    approved,
                )
                % {"count": approved},
                messages.SUCCESS,
            )

    @admin.action(description=_("Reject, with a reason sent by e-mail"), permissions=("decide",))
    def reject_requests(self, request, queryset):
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Reject registration requests"),
                "opts": self.model._meta,
                "registrations": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/accounts/registrationrequest/reject.html", context
            )

        rejected = 0
        for registration in queryset.order_by("created_at"):
            try:
                reject_registration_request(
                    registration_request=registration,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except DomainError as error:
                self.message_user(
                    request, f"{registration.company_name}: {error.message}", messages.ERROR
                )
            else:
                rejected += 1
        if rejected:
            self.message_user(
                request,
                ngettext(
                    "%(count)d request rejected: the requester is told why by e-mail.",
                    "%(count)d requests rejected: each requester is told why by e-mail.",
                    rejected,
                )
                % {"count": rejected},
                messages.SUCCESS,
            )
        return None
