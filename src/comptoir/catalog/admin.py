"""Back office for the catalog: the category tree, brands, units and products with their prices."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count

from comptoir.catalog.attribute_admin import CategoryTranslationInline, ProductAttributeValueInline
from comptoir.catalog.models import Brand, Category, Product, ProductUnit, Unit
from comptoir.catalog.visibility import CategoryVisibility, ProductVisibility
from comptoir.pricing.models import Price, PriceAttributeValue
from comptoir.pricing.services import delete_prices, save_prices_by_hand
from comptoir.pricing.tasks import schedule_product_rebuild


class ProductVisibilityInline(admin.TabularInline):
    model = ProductVisibility
    fields = ("company", "customer_group", "visibility")
    autocomplete_fields = ("company", "customer_group")
    extra = 0
    verbose_name = "visibility setting"
    verbose_name_plural = "visibility: the nearest setting wins; none means visible"


class CategoryVisibilityInline(ProductVisibilityInline):
    model = CategoryVisibility
    verbose_name_plural = "visibility: its products and subcategories follow it"


class VisibilityAdmin(admin.ModelAdmin):
    """Every visibility setting, to review what a company or group is shown or not."""

    list_display = ("subject", "audience", "visibility")
    list_filter = ("visibility", ("company", admin.RelatedOnlyFieldListFilter), "customer_group")
    autocomplete_fields = ("company", "customer_group")
    subject_field = ""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(self.subject_field, "company", "customer_group")
        )

    @admin.display(description="subject")
    def subject(self, setting):
        return getattr(setting, self.subject_field)


@admin.register(ProductVisibility)
class ProductVisibilityAdmin(VisibilityAdmin):
    fields = ("product", "company", "customer_group", "visibility")
    autocomplete_fields = ("product", "company", "customer_group")
    search_fields = ("product__sku", "product__name", "company__name", "customer_group__name")
    subject_field = "product"


@admin.register(CategoryVisibility)
class CategoryVisibilityAdmin(VisibilityAdmin):
    fields = ("category", "company", "customer_group", "visibility")
    autocomplete_fields = ("category", "company", "customer_group")
    search_fields = ("category__name", "company__name", "customer_group__name")
    subject_field = "category"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "sort_order", "product_count")
    list_select_related = ("parent",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "parent", "sort_order", "description")
    inlines = (CategoryTranslationInline, CategoryVisibilityInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, category):
        return category.product_count


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "default_precision")
    search_fields = ("code", "label")


class ProductUnitFormSet(forms.BaseInlineFormSet):
    """A product is sold in one primary unit; the others are counted in it."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        primaries = [data for data in kept if data.get("is_primary")]
        if len(primaries) != 1:
            raise ValidationError("Mark exactly one unit as the primary unit.")
        if primaries[0].get("conversion_rate") != 1:
            raise ValidationError("The primary unit's conversion rate must be 1.")


class ProductUnitInline(admin.TabularInline):
    model = ProductUnit
    formset = ProductUnitFormSet
    fields = ("unit", "is_primary", "precision", "conversion_rate", "is_sellable")
    autocomplete_fields = ("unit",)
    extra = 0


class PriceInline(admin.TabularInline):
    model = Price
    fields = ("price_list", "unit", "quantity", "value", "source")
    readonly_fields = ("source",)
    autocomplete_fields = ("price_list", "unit")
    extra = 0
    verbose_name = "price"
    verbose_name_plural = "prices (one row per price list, unit and tier)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("price_list", "unit")


class PriceAttributeValueInline(admin.TabularInline):
    model = PriceAttributeValue
    fields = ("attribute", "unit", "currency", "value")
    autocomplete_fields = ("unit",)
    extra = 0
    verbose_name = "reference price"
    verbose_name_plural = "reference prices (MSRP, MAP)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("attribute", "unit")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "category", "brand", "is_enabled", "is_featured")
    list_display_links = ("sku", "name")
    list_select_related = ("category", "brand")
    list_filter = ("is_enabled", "is_featured", "is_new_arrival", "category", "brand")
    search_fields = ("sku", "name")
    autocomplete_fields = ("category", "brand", "family", "product_model")
    fieldsets = (
        (None, {"fields": ("sku", "name", "category", "brand", "weight_kg")}),
        ("Family and variants", {"fields": ("family", "product_model")}),
        ("Shown to buyers", {"fields": ("is_enabled", "is_featured", "is_new_arrival")}),
        ("Taxes", {"fields": ("tax_code",)}),
        ("Texts", {"fields": ("description", "information", "specifications")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = ("created_at", "updated_at")
    inlines = (
        ProductUnitInline,
        PriceInline,
        PriceAttributeValueInline,
        ProductAttributeValueInline,
        ProductVisibilityInline,
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Price rules may read the product's values: its computed prices follow them.
        schedule_product_rebuild([obj.pk])

    def save_formset(self, request, form, formset, change):
        if formset.model is not Price:
            super().save_formset(request, form, formset, change)
            if formset.model is PriceAttributeValue and formset.has_changed():
                schedule_product_rebuild([form.instance.pk])
            return
        # Prices edited here are entered by hand: rules never overwrite them.
        prices = formset.save(commit=False)
        delete_prices(formset.deleted_objects)
        save_prices_by_hand(prices)
