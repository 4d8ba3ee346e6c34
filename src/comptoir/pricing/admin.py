"""Back office for prices: price lists with their chain assignments and rules, tier prices,
MSRP and MAP, market indexes and their values, and "why this price"."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from comptoir.accounts.models import Company
from comptoir.catalog.models import Product
from comptoir.catalog.queries import product_by_sku
from comptoir.core.errors import DomainError
from comptoir.core.quantities import parse_quantity
from comptoir.pricing.explain import explain_price
from comptoir.pricing.index_files import import_index_values
from comptoir.pricing.models import (
    MarketIndex,
    MarketIndexValue,
    Price,
    PriceList,
    PriceListAssignment,
    PriceRule,
)
from comptoir.pricing.rules import RuleError, check_rule
from comptoir.pricing.services import (
    change_index_value,
    delete_index_values,
    delete_price_rule,
    delete_prices,
    record_index_values,
    save_market_index,
    save_price_list,
    save_price_rule,
    save_prices_by_hand,
)
from comptoir.pricing.tasks import schedule_rebuild


class PriceListAssignmentInline(admin.TabularInline):
    """Where the list sits in buyers' chains; with neither company nor group, the website's."""

    model = PriceListAssignment
    fields = ("company", "customer_group", "sort_order", "merge_allowed")
    autocomplete_fields = ("company", "customer_group")
    extra = 0
    verbose_name = "assignment"
    verbose_name_plural = (
        "assignments (company, customer group, or neither for the default website)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company", "customer_group")


class PriceRuleInline(admin.TabularInline):
    """The list's rules, read here; each is edited on its own page, where it is checked."""

    model = PriceRule
    fields = ("name", "priority", "formula", "is_active")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "currency",
        "is_active",
        "active_from",
        "active_until",
        "price_count",
        "rule_count",
        "assignment_count",
    )
    list_filter = ("is_active", "currency")
    search_fields = ("name",)
    fields = ("name", "currency", "is_active", "active_from", "active_until")
    inlines = (PriceListAssignmentInline, PriceRuleInline)
    actions = ("rebuild_prices",)

    def get_urls(self):
        return [
            path(
                "explain/",
                self.admin_site.admin_view(self.explain_view),
                name="pricing_explain",
            ),
            *super().get_urls(),
        ]

    def explain_view(self, request):
        """Why a company pays what it pays: the same explanation as the API's."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ExplainForm(request.GET or None)
        explanation = None
        if form.is_valid():
            product: Product = form.cleaned_data["product"]
            unit = form.cleaned_data["unit"].strip() or (
                product.primary_unit.unit.code if product.primary_unit else ""
            )
            try:
                explanation = explain_price(
                    company=form.cleaned_data["company"],
                    product=product,
                    unit=unit,
                    quantity=form.cleaned_data["quantity"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
        context = {
            **self.admin_site.each_context(request),
            "title": "Why this price",
            "form": form,
            "explanation": explanation,
            "opts": self.model._meta,
        }
        return render(request, "admin/pricing/explain.html", context)

    @admin.action(description="Compute again the prices rules give (with dependent lists)")
    def rebuild_prices(self, request, queryset):
        schedule_rebuild(list_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            f"A rebuild of {queryset.count()} price lists and the lists computed from them is "
            "queued.",
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        # Renamed, the list's name changes in the formulas of the rules reading it.
        save_price_list(obj)

    @admin.display(description="rules", ordering="rule_count")
    def rule_count(self, price_list):
        return price_list.rule_count

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                price_count=Count("prices", distinct=True),
                rule_count=Count("rules", distinct=True),
                assignment_count=Count("assignments", distinct=True),
            )
        )

    @admin.display(description="prices", ordering="price_count")
    def price_count(self, price_list):
        return price_list.price_count

    @admin.display(description="assignments", ordering="assignment_count")
    def assignment_count(self, price_list):
        return price_list.assignment_count


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    """Every tier of every list, for finding one price; products show theirs inline."""

    list_display = ("product", "price_list", "unit", "quantity", "value", "source", "rule")
    list_select_related = ("product", "price_list", "unit", "rule")
    list_filter = ("price_list", "source")
    search_fields = ("product__sku", "product__name")
    autocomplete_fields = ("price_list", "product", "unit")
    fields = ("price_list", "product", "unit", "quantity", "value", "source", "rule")
    readonly_fields = ("source", "rule")

    def save_model(self, request, obj, form, change):
        save_prices_by_hand([obj])

    def delete_model(self, request, obj):
        delete_prices([obj])

    def delete_queryset(self, request, queryset):
        delete_prices(queryset)


class PriceRuleForm(forms.ModelForm):
    class Meta:
        model = PriceRule
        fields = (
            "price_list",
            "name",
            "is_active",
            "priority",
            "formula",
            "categories",
            "brands",
            "sku_pattern",
            "featured_only",
            "condition",
            "unit",
            "quantity",
            "round_step",
            "round_ending",
            "round_direction",
        )
        widgets = {"formula": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def _post_clean(self):
        # The instance holds the form's values from here on: check the rule as saved.
        super()._post_clean()
        if self.errors or self.instance.price_list_id is None:
            return
        try:
            check_rule(self.instance)
        except RuleError as error:
            fields = {"invalid_condition": "condition", "invalid_sku_pattern": "sku_pattern"}
            self.add_error(fields.get(error.code, "formula"), error.message)


@admin.register(PriceRule)
class PriceRuleAdmin(admin.ModelAdmin):
    form = PriceRuleForm
    list_display = ("name", "price_list", "priority", "formula", "is_active", "price_count")
    list_select_related = ("price_list",)
    list_filter = ("price_list", "is_active")
    search_fields = ("name", "formula")
    autocomplete_fields = ("price_list", "categories", "brands", "unit")
    fieldsets = (
        (None, {"fields": ("price_list", "name", "is_active", "priority", "formula")}),
        (
            "Products",
            {"fields": ("categories", "brands", "sku_pattern", "featured_only", "condition")},
        ),
        ("What it gives", {"fields": ("unit", "quantity")}),
        ("Rounding", {"fields": ("round_step", "round_ending", "round_direction")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(price_count=Count("prices"))

    @admin.display(description="prices given", ordering="price_count")
    def price_count(self, rule):
        return rule.price_count

    def save_model(self, request, obj, form, change):
        # Categories and brands are set by save_related; the rebuild runs after commit.
        save_price_rule(obj)

    def delete_model(self, request, obj):
        delete_price_rule(obj)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            delete_price_rule(rule)


class MarketIndexValueInline(admin.TabularInline):
    model = MarketIndexValue
    fields = ("effective_at", "value", "recorded_at")
    readonly_fields = ("recorded_at",)
    extra = 1
    ordering = ("-effective_at",)


class IndexFileForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with the columns index, effective_at, value (a date YYYY-MM-DD or a "
        "moment YYYY-MM-DDTHH:MM); nothing is recorded when a row is wrong."
    )


@admin.register(MarketIndex)
class MarketIndexAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "current_value", "prices_follow")
    search_fields = ("code", "name")
    inlines = (MarketIndexValueInline,)
    change_list_template = "admin/pricing/marketindex/change_list.html"

    @admin.display(description="value now")
    def current_value(self, index):
        value = (
            index.values.filter(effective_at__lte=timezone.now())
            .order_by("-effective_at")
            .values_list("value", flat=True)
            .first()
        )
        return "-" if value is None else value

    def save_model(self, request, obj, form, change):
        save_market_index(obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not MarketIndexValue:
            return super().save_formset(request, form, formset, change)
        values = formset.save(commit=False)
        delete_index_values(formset.deleted_objects)
        for value in values:
            if value.pk is not None:
                change_index_value(value)
        record_index_values(
            form.instance, [(v.effective_at, v.value) for v in values if v.pk is None]
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_values),
                name="pricing_marketindex_import",
            ),
            *super().get_urls(),
        ]

    def import_values(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IndexFileForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as directory:
                target = Path(directory) / Path(upload.name).name
                with target.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                report = import_index_values(target)
            if not report.errors:
                counts = report.counts["index values"]
                self.message_user(
                    request,
                    f"{counts.created} values recorded, {counts.updated} replaced, "
                    f"{counts.unchanged} unchanged; prices are being rebuilt.",
                    messages.SUCCESS,
                )
                return redirect("admin:pricing_marketindex_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import index values",
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return render(request, "admin/pricing/marketindex/import.html", context)


class ExplainForm(forms.Form):
    company = forms.ModelChoiceField(Company.objects.order_by("name"))
    sku = forms.CharField(label="SKU")
    unit = forms.CharField(required=False, help_text="Empty: the product's primary unit.")
    quantity = forms.CharField(initial="1")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["product"] = product_by_sku(cleaned["sku"])
            cleaned["quantity"] = parse_quantity(cleaned["quantity"])
        except DomainError as error:
            raise ValidationError(error.message) from None
        return cleaned
