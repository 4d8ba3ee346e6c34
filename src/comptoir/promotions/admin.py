"""Back office for promotions: the rules, their coupon codes (made one by one or in bulk), and
the redemptions counted against the codes' limits."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.db.models import Count, QuerySet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from comptoir.core.errors import DomainError
from comptoir.promotions.models import Coupon, CouponRedemption, Promotion
from comptoir.promotions.services import generate_coupons


class KeepsRedeemedMixin:
    """Refuses to delete what coupon redemptions point to, saying what to do instead, and lets
    the rest be deleted; without it, deleting a redeemed promotion or coupon ends on Django's
    "your account doesn't have permission to delete coupon redemptions"."""

    redemptions_lookup: str
    instead: str

    def redeemed_counts(self, queryset: QuerySet) -> dict:
        """The number of orders each redeemed row of ``queryset`` was redeemed on."""
        redeemed = self.model.objects.filter(
            pk__in=list(queryset.values_list("pk", flat=True)),
            **{f"{self.redemptions_lookup}__isnull": False},
        )
        counted = redeemed.annotate(
            order_count=Count(f"{self.redemptions_lookup}__order", distinct=True)
        )
        return {row: row.order_count for row in counted}

    def refuse_redeemed(self, request, redeemed: dict) -> None:
        for row, count in redeemed.items():
            orders = "1 order" if count == 1 else f"{count} orders"
            self.message_user(
                request,
                f"{self.model._meta.verbose_name.capitalize()} '{row}' was redeemed on {orders}, "
                f"which keep a record of it, so it cannot be deleted: {self.instead}",
                level=messages.ERROR,
            )

    def delete_view(self, request, object_id, extra_context=None):
        row = self.get_object(request, unquote(object_id))
        if row is not None:
            redeemed = self.redeemed_counts(self.model.objects.filter(pk=row.pk))
            if redeemed:
                self.refuse_redeemed(request, redeemed)
                opts = self.model._meta
                return redirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
                )
        return super().delete_view(request, object_id, extra_context)

    # Named as Django's own action, so it takes that action's place (list it in ``actions``).
    @admin.action(
        permissions=["delete"], description=admin_actions.delete_selected.short_description
    )
    def delete_selected(self, request, queryset):
        """Django's "delete selected" on the rows never redeemed; the others are refused."""
        redeemed = self.redeemed_counts(queryset)
        self.refuse_redeemed(request, redeemed)
        unredeemed = queryset.exclude(pk__in=[row.pk for row in redeemed])
        if not unredeemed.exists():
            return None
        return admin_actions.delete_selected(self, request, unredeemed)


class CouponInline(admin.TabularInline):
    model = Coupon
    fields = ("code", "usage_limit", "usage_limit_per_user", "times_used", "is_active")
    readonly_fields = ("times_used",)
    extra = 0
    show_change_link = True


class GenerateCouponsForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=10000, initial=10, help_text="How many.")
    prefix = forms.CharField(
        max_length=20, required=False, help_text='Put before each code, e.g. "SHOW-".'
    )
    length = forms.IntegerField(
        min_value=4, max_value=20, initial=8, help_text="Random characters after the prefix."
    )
    usage_limit = forms.IntegerField(
        min_value=1, required=False, initial=1, help_text="Orders each code may be used on."
    )
    usage_limit_per_user = forms.IntegerField(
        min_value=1, required=False, help_text="Orders each customer user may use a code on."
    )


@admin.register(Promotion)
class PromotionAdmin(KeepsRedeemedMixin, admin.ModelAdmin):
    redemptions_lookup = "coupons__redemptions"
    instead = "switch it off (untick Active) or end it (set Ends at) instead."
    list_display = (
        "name",
        "kind",
        "value",
        "currency",
        "priority",
        "is_exclusive",
        "stops_further",
        "requires_coupon",
        "coupon_count",
        "starts_at",
        "ends_at",
        "is_active",
    )
    list_filter = ("is_active", "kind", "requires_coupon", "is_exclusive", "stops_further")
    search_fields = ("name", "label", "coupons__code")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("companies", "customer_groups", "categories", "products", "get_product")
    fieldsets = (
        (None, {"fields": ("name", "label", "is_active")}),
        (
            "Discount",
            {
                "fields": (
                    "kind",
                    "value",
                    "currency",
                    "buy_quantity",
                    "get_quantity",
                    "get_product",
                )
            },
        ),
        (
            "Scope (empty: everyone, everything)",
            {"fields": ("companies", "customer_groups", "categories", "products")},
        ),
        ("When", {"fields": ("starts_at", "ends_at")}),
        (
            "Combining",
            {"fields": ("priority", "is_exclusive", "stops_further", "requires_coupon")},
        ),
    )
    inlines = (CouponInline,)
    actions = ("delete_selected", "make_coupons")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(coupon_total=Count("coupons"))

    @admin.display(description="coupons", ordering="coupon_total")
    def coupon_count(self, promotion: Promotion) -> int:
        return promotion.coupon_total

    @admin.action(description="Make coupon codes for the selected promotion")
    def make_coupons(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, "Select one promotion to make its codes.", level=messages.ERROR
            )
            return None
        promotion = queryset.get()
        form = GenerateCouponsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                made = generate_coupons(promotion=promotion, **form.cleaned_data)
            except DomainError as error:
                self.message_user(request, error.message, level=messages.ERROR)
                return None
            self.message_user(
                request,
                f"{len(made)} codes made for {promotion.name}, such as {made[0].code}.",
                level=messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Make coupon codes for {promotion.name}",
            "promotion": promotion,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/promotions/promotion/make_coupons.html", context)


@admin.register(Coupon)
class CouponAdmin(KeepsRedeemedMixin, admin.ModelAdmin):
    redemptions_lookup = "redemptions"
    instead = "switch it off (untick Active) instead."
    actions = ("delete_selected",)
    list_display = (
        "code",
        "promotion",
        "times_used",
        "usage_limit",
        "usage_limit_per_user",
        "is_active",
        "created_at",
    )
    list_filter = ("is_active", "promotion")
    list_select_related = ("promotion",)
    search_fields = ("code", "promotion__name")
    autocomplete_fields = ("promotion",)
    readonly_fields = ("times_used", "created_at")


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(admin.ModelAdmin):
    """Redemptions are recorded when orders are placed; staff read them."""

    list_display = ("coupon", "order", "customer_user", "redeemed_at")
    list_filter = ("coupon__promotion",)
    list_select_related = ("coupon", "order", "customer_user__user")
    search_fields = ("coupon__code", "order__number", "customer_user__user__email")
    date_hierarchy = "redeemed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
