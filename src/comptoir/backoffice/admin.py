"""Back office for sales reps: who looks after which company, and the way to shop as a user.

A superuser assigns reps to companies (on the company's page, or here); a rep reads here the
list of its own companies, with links to their users and orders.
"""

from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import CustomerUser, SalesRepAssignment
from comptoir.backoffice.sales_reps import assign_sales_rep, unassign_sales_rep
from comptoir.ordering.models import Order

# The index lists, above the models, the staff pages that are no model's list (sync monitor).
admin.site.index_template = "admin/backoffice_index.html"


@admin.display(description=_("shop as"))
def shop_as_link(customer_user: CustomerUser) -> str:
    """A link to shop in the storefront as ``customer_user`` (asks to confirm first)."""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("storefront:shop_as", args=[customer_user.pk]),
        _("Shop as this user"),
    )


class SalesRepAssignmentFormSet(BaseInlineFormSet):
    """Saves through the sales rep services, so that the rep joins its group and the change is
    audited."""

    acting_user = None

    def save_new(self, form, commit=True):
        sales_rep = form.cleaned_data["sales_rep"]
        assign_sales_rep(company=self.instance, sales_rep=sales_rep, assigned_by=self.acting_user)
        return SalesRepAssignment.objects.get(company=self.instance, sales_rep=sales_rep)

    def save_existing(self, form, obj, commit=True):
        if "sales_rep" not in form.changed_data:
            return obj
        self.delete_existing(SalesRepAssignment.objects.get(pk=obj.pk), commit=commit)
        return self.save_new(form, commit=commit)

    def delete_existing(self, obj, commit=True):
        if commit:
            unassign_sales_rep(assignment=obj, unassigned_by=self.acting_user)


class SalesRepAssignmentInline(admin.TabularInline):
    """The staff users who look after a company, on the company's page."""

    model = SalesRepAssignment
    formset = SalesRepAssignmentFormSet
    fields = ("sales_rep", "created_at")
    readonly_fields = ("created_at",)
    extra = 0
    verbose_name = _("sales rep")
    verbose_name_plural = _("sales reps")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.acting_user = request.user
        return formset


@admin.register(SalesRepAssignment)
class SalesRepAssignmentAdmin(admin.ModelAdmin):
    """The companies each rep looks after; a rep who is not a superuser sees only its own."""

    list_display = ("company", "sales_rep", "created_at", "users_link", "orders_link")
    list_select_related = ("company", "sales_rep")
    list_filter = (("sales_rep", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("company__name", "sales_rep__email")
    fields = ("sales_rep", "company", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("company",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(sales_rep=request.user)

    def changelist_view(self, request, extra_context=None):
        title = _("Sales reps' companies") if request.user.is_superuser else _("Your companies")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        if change:
            unassign_sales_rep(
                assignment=SalesRepAssignment.objects.get(pk=obj.pk), unassigned_by=request.user
            )
        assign_sales_rep(company=obj.company, sales_rep=obj.sales_rep, assigned_by=request.user)
        saved = SalesRepAssignment.objects.get(company=obj.company, sales_rep=obj.sales_rep)
        obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request, obj):
        unassign_sales_rep(assignment=obj, unassigned_by=request.user)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("company", "sales_rep"):
            unassign_sales_rep(assignment=assignment, unassigned_by=request.user)

    @admin.display(description=_("users"))
    def users_link(self, assignment: SalesRepAssignment) -> str:
        url = reverse("admin:accounts_customeruser_changelist")
        return format_html(
            '<a href="{}?company__id__exact={}">{}</a>', url, assignment.company_id, _("Users")
        )

    @admin.display(description=_("orders"))
    def orders_link(self, assignment: SalesRepAssignment) -> str:
        url = reverse(f"admin:{Order._meta.app_label}_order_changelist")
        return format_html(
            '<a href="{}?company__id__exact={}">{}</a>', url, assignment.company_id, _("Orders")
        )
