"""Back office for who buys: staff logins apart from customer users, companies and their books.

Staff users and customer users share the ``User`` login model; the "Users" page lists staff
only, and customer logins are made and edited from the "Customer users" page, which ties each
one to its company and roles. Passwords are hashed with the first of ``PASSWORD_HASHERS``
(Argon2).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, SetPasswordMixin, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Count

# Registers the storefront access page and the registration requests.
from comptoir.accounts import access_admin, audit_admin  # noqa: F401
from comptoir.accounts.models import (
    Address,
    ApiToken,
    Company,
    CustomerGroup,
    CustomerRole,
    CustomerUser,
    PaymentTerm,
    User,
)
from comptoir.accounts.services import record_company_created
from comptoir.accounts.tokens import revoke_token
from comptoir.backoffice.admin import SalesRepAssignmentInline, shop_as_link
from comptoir.backoffice.scoping import AssignedCompaniesOnly
from comptoir.pricing.models import PriceListAssignment


def email_taken(email: str, *, except_user_id: int | None = None) -> bool:
    """Whether another login already uses ``email``, ignoring case."""
    return User.objects.filter(email__iexact=email).exclude(pk=except_user_id).exists()


class StaffUserCreationForm(AdminUserCreationForm):
    """Creates a staff login; the back office makes no customer users here."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")
        field_classes: dict = {}

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip()
        if email_taken(email):
            raise ValidationError(
                "A login with the e-mail address %(email)s already exists.",
                params={"email": email},
            )
        return email

    def save(self, commit=True):
        self.instance.is_staff = True
        return super().save(commit=commit)


class StaffUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip()
        if email_taken(email, except_user_id=self.instance.pk):
            raise ValidationError(
                "A login with the e-mail address %(email)s already exists.",
                params={"email": email},
            )
        return email


@admin.register(User)
class StaffUserAdmin(DjangoUserAdmin):
    """The seller's staff; customer logins live under "Customer users"."""

    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "is_staff", "is_superuser", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(customer_user__isnull=True)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Staff users", **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class CustomerUserForm(SetPasswordMixin, forms.ModelForm):
    """A customer user and its login in one form: e-mail, name, password, company, roles."""

    email = forms.EmailField(label="E-mail", max_length=254)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    is_active = forms.BooleanField(
        label="Active", required=False, initial=True, help_text="Off: the user cannot log in."
    )
    password1, password2 = SetPasswordMixin.create_password_fields()

    class Meta:
        model = CustomerUser
        fields = ("company", "roles")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.login
        if login is not None:
            self.initial.update(
                email=login.email,
                first_name=login.first_name,
                last_name=login.last_name,
                is_active=login.is_active,
            )
            for name in ("password1", "password2"):
                self.fields[name].required = False
            self.fields["password1"].help_text = "Leave both empty to keep the current password."

    @property
    def login(self) -> User | None:
        return self.instance.user if self.instance.user_id else None

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip()
        login = self.login
        if email_taken(email, except_user_id=login.pk if login else None):
            raise ValidationError(
                "A login with the e-mail address %(email)s already exists.",
                params={"email": email},
            )
        return email

    def clean(self):
        self.validate_passwords()
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        candidate = User(
            email=self.cleaned_data.get("email", ""),
            first_name=self.cleaned_data.get("first_name", ""),
            last_name=self.cleaned_data.get("last_name", ""),
        )
        self.validate_password_for_user(candidate)

    def apply_to_login(self) -> User:
        """The login with this form's e-mail, name, state and (if given) new password."""
        login = self.login or User()
        login.email = self.cleaned_data["email"]
        login.first_name = self.cleaned_data["first_name"]
        login.last_name = self.cleaned_data["last_name"]
        login.is_active = self.cleaned_data["is_active"]
        if self.cleaned_data.get("password1"):
            login.set_password(self.cleaned_data["password1"])
        return login


@admin.register(CustomerUser)
class CustomerUserAdmin(AssignedCompaniesOnly, admin.ModelAdmin):
    form = CustomerUserForm
    fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name", "is_active")}),
        ("Company", {"fields": ("company", "roles")}),
        ("Password", {"fields": ("password1", "password2")}),
    )
    list_display = (
        "email",
        "full_name",
        "company",
        "role_names",
        "is_active",
        "last_login",
        shop_as_link,
    )
    list_select_related = ("user", "company")
    list_filter = ("roles", "user__is_active", ("company", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__email", "user__first_name", "user__last_name", "company__name")
    ordering = ("user__email",)
    autocomplete_fields = ("company",)
    filter_horizontal = ("roles",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description="e-mail", ordering="user__email")
    def email(self, customer_user):
        return customer_user.user.email

    @admin.display(description="name")
    def full_name(self, customer_user):
        return f"{customer_user.user.first_name} {customer_user.user.last_name}".strip()

    @admin.display(description="roles")
    def role_names(self, customer_user):
        return ", ".join(role.name for role in customer_user.roles.all())

    @admin.display(description="active", boolean=True, ordering="user__is_active")
    def is_active(self, customer_user):
        return customer_user.user.is_active

    @admin.display(description="last login", ordering="user__last_login")
    def last_login(self, customer_user):
        return customer_user.user.last_login

    def save_model(self, request, obj, form, change):
        login = form.apply_to_login()
        login.save()
        obj.user = login
        super().save_model(request, obj, form, change)


class AddressFormSet(forms.BaseInlineFormSet):
    """A company has at most one default billing and one default shipping address."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for use, default in (
            ("billing", "is_default_billing"),
            ("shipping", "is_default_shipping"),
        ):
            defaults = [data for data in kept if data.get(default)]
            if len(defaults) > 1:
                raise ValidationError(f"Mark one address only as the default {use} address.")
            if defaults and not defaults[0].get(f"is_{use}"):
                raise ValidationError(
                    f"The default {use} address must be usable for {use}: tick 'is {use}'."
                )


class AddressInline(admin.StackedInline):
    model = Address
    formset = AddressFormSet
    extra = 0
    fields = (
        ("label", "name"),
        ("street", "street2"),
        ("city", "region", "postal_code", "country"),
        ("is_billing", "is_default_billing", "is_shipping", "is_default_shipping"),
    )


class SubsidiaryInline(AssignedCompaniesOnly, admin.TabularInline):
    """The companies under this one, shown for reference; each is edited on its own page."""

    model = Company
    fk_name = "parent"
    assigned_company_field = "id"
    verbose_name = "subsidiary"
    verbose_name_plural = "subsidiaries"
    fields = ("name", "customer_group", "payment_term", "tax_id")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class CompanyPriceListInline(admin.TabularInline):
    model = PriceListAssignment
    fields = ("price_list", "sort_order", "merge_allowed")
    autocomplete_fields = ("price_list",)
    extra = 0
    verbose_name = "price list assignment"
    verbose_name_plural = "price lists (lowest sort order first)"


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = (
            "name",
            "code",
            "parent",
            "customer_group",
            "payment_term",
            "tax_id",
            "tax_code",
            "vat_number",
        )

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        node = parent
        while node is not None and self.instance.pk is not None:
            if node.pk == self.instance.pk:
                raise ValidationError(
                    "A company cannot be the subsidiary of itself or of one of its subsidiaries."
                )
            node = node.parent
        return parent


@admin.register(Company)
class CompanyAdmin(AssignedCompaniesOnly, admin.ModelAdmin):
    form = CompanyForm
    assigned_company_field = "id"
    list_display = ("name", "code", "parent", "customer_group", "payment_term", "tax_id")
    list_select_related = ("parent", "customer_group", "payment_term")
    list_filter = ("customer_group", "payment_term", "tax_code")
    search_fields = ("name", "code", "tax_id", "vat_number")
    autocomplete_fields = ("parent", "customer_group", "payment_term")
    fieldsets = (
        (
            None,
            {"fields": ("name", "code", "parent", "customer_group", "payment_term", "created_at")},
        ),
        ("Taxes", {"fields": ("tax_id", "vat_number", "tax_code")}),
    )
    readonly_fields = ("created_at",)
    inlines = (AddressInline, CompanyPriceListInline, SubsidiaryInline, SalesRepAssignmentInline)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            record_company_created(obj)


class GroupPriceListInline(admin.TabularInline):
    model = PriceListAssignment
    fields = ("price_list", "sort_order", "merge_allowed")
    autocomplete_fields = ("price_list",)
    extra = 0
    verbose_name = "price list assignment"
    verbose_name_plural = "price lists (lowest sort order first)"


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "company_count")
    search_fields = ("name",)
    inlines = (GroupPriceListInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(company_count=Count("companies"))

    @admin.display(description="companies", ordering="company_count")
    def company_count(self, customer_group):
        return customer_group.company_count


@admin.register(PaymentTerm)
class PaymentTermAdmin(admin.ModelAdmin):
    list_display = ("label", "days")
    search_fields = ("label",)


@admin.register(CustomerRole)
class CustomerRoleAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(ApiToken)
class ApiTokenAdmin(AssignedCompaniesOnly, admin.ModelAdmin):
    """Tokens are created with ``comptoir token create``; here they can only be revoked."""

    assigned_company_field = "customer_user__company"

    list_display = (
        "prefix",
        "name",
        "customer_user",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_select_related = ("customer_user__user", "customer_user__company")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "name", "customer_user__user__email")
    fields = ("prefix", "name", "customer_user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description="Revoke the selected tokens", permissions=("revoke",))
    def revoke(self, request, queryset):
        active = list(queryset.filter(revoked_at__isnull=True).select_related("customer_user"))
        for api_token in active:
            revoke_token(api_token=api_token, acting_user=request.user)
        self.message_user(request, f"{len(active)} token(s) revoked.", messages.SUCCESS)
