"""Back office for prices: price lists with the chain assignments, tier prices, MSRP and MAP."""

from django.contrib import admin
from django.db.models import Count

from comptoir.pricing.models import Price, PriceAttribute, PriceList, PriceListAssignment


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


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("name", "currency", "is_active", "price_count", "assignment_count")
    list_filter = ("is_active", "currency")
    search_fields = ("name",)
    inlines = (PriceListAssignmentInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                price_count=Count("prices", distinct=True),
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

    list_display = ("product", "price_list", "unit", "quantity", "value")
    list_select_related = ("product", "price_list", "unit")
    list_filter = ("price_list",)
    search_fields = ("product__sku", "product__name")
    autocomplete_fields = ("price_list", "product", "unit")


@admin.register(PriceAttribute)
class PriceAttributeAdmin(admin.ModelAdmin):
    list_display = ("name", "field_name", "value_count")
    search_fields = ("name", "field_name")
    prepopulated_fields = {"field_name": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(value_count=Count("values"))

    @admin.display(description="products priced", ordering="value_count")
    def value_count(self, attribute):
        return attribute.value_count
