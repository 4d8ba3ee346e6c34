"""Back office for what describes products: attribute groups, attributes with their options,
families, product models, and the translations of their names; and the inlines the category
and product pages add (translations, attribute values)."""

from django.contrib import admin
from django.db.models import Count

from comptoir.catalog.attributes import (
    Attribute,
    AttributeGroup,
    AttributeOption,
    AttributeOptionTranslation,
    AttributeTranslation,
    ProductAttributeValue,
    ProductFamily,
    ProductModel,
)
from comptoir.catalog.models import CategoryTranslation


class TranslationInline(admin.TabularInline):
    extra = 0
    verbose_name = "translation"
    verbose_name_plural = "translations (language codes such as fr or fr-fr)"


class CategoryTranslationInline(TranslationInline):
    model = CategoryTranslation
    fields = ("language", "name")


class AttributeTranslationInline(TranslationInline):
    model = AttributeTranslation
    fields = ("language", "name")


class AttributeOptionTranslationInline(TranslationInline):
    model = AttributeOptionTranslation
    fields = ("language", "label")


class AttributeOptionInline(admin.TabularInline):
    model = AttributeOption
    fields = ("code", "label", "sort_order")
    extra = 0
    show_change_link = True
    verbose_name_plural = "options (a select or multiselect attribute's; labels translated on "
    "each option's page)"


class ProductAttributeValueInline(admin.TabularInline):
    model = ProductAttributeValue
    fields = ("attribute", "language", "text", "number", "unit", "boolean", "date", "options")
    autocomplete_fields = ("attribute", "options")
    extra = 0
    verbose_name = "attribute value"
    verbose_name_plural = "attribute values (fill the field the attribute's type takes)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("attribute")


@admin.register(AttributeGroup)
class AttributeGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort_order")
    search_fields = ("code", "name")


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "type", "group", "is_localizable", "is_shown_to_buyers")
    list_select_related = ("group",)
    list_filter = ("type", "group", "is_localizable", "is_shown_to_buyers")
    search_fields = ("code", "name")
    fields = (
        "code",
        "name",
        "type",
        "group",
        "unit",
        "is_localizable",
        "is_shown_to_buyers",
        "sort_order",
    )
    inlines = (AttributeTranslationInline, AttributeOptionInline)


@admin.register(AttributeOption)
class AttributeOptionAdmin(admin.ModelAdmin):
    list_display = ("attribute", "code", "label", "sort_order")
    list_select_related = ("attribute",)
    list_filter = (("attribute", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("code", "label", "attribute__code")
    autocomplete_fields = ("attribute",)
    inlines = (AttributeOptionTranslationInline,)


@admin.register(ProductFamily)
class ProductFamilyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "label_attribute", "product_count")
    list_select_related = ("label_attribute",)
    search_fields = ("code", "name")
    filter_horizontal = ("attributes",)
    autocomplete_fields = ("label_attribute",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, family):
        return family.product_count


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "family", "parent", "variant_count")
    list_select_related = ("family", "parent")
    list_filter = ("family",)
    search_fields = ("code", "name")
    autocomplete_fields = ("family", "parent", "axes")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(variant_count=Count("variants"))

    @admin.display(description="variants", ordering="variant_count")
    def variant_count(self, model):
        return model.variant_count
