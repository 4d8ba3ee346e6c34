"""Back office for taxes: product tax codes with their rates, customer tax codes, every rate."""

from django.contrib import admin
from django.db.models import Count

from comptoir.taxes.models import CustomerTaxCode, ProductTaxCode, TaxRate


class TaxRateInline(admin.TabularInline):
    """The rates of one product tax code, place by place."""

    model = TaxRate
    fk_name = "product_tax_code"
    fields = (
        "label",
        "rate",
        "country",
        "region",
        "postcode",
        "customer_tax_code",
        "valid_from",
        "valid_until",
    )
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer_tax_code")


@admin.register(ProductTaxCode)
class ProductTaxCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_default", "rate_count", "product_count")
    search_fields = ("code", "name")
    fields = ("code", "name", "is_default")
    inlines = (TaxRateInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                rate_count=Count("rates", distinct=True),
                product_count=Count("products", distinct=True),
            )
        )

    @admin.display(description="rates", ordering="rate_count")
    def rate_count(self, code):
        return code.rate_count

    @admin.display(description="products", ordering="product_count")
    def product_count(self, code):
        return code.product_count


@admin.register(CustomerTaxCode)
class CustomerTaxCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_exempt", "company_count")
    list_filter = ("is_exempt",)
    search_fields = ("code", "name")
    fields = ("code", "name", "is_exempt", "exemption_note")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(company_count=Count("companies"))

    @admin.display(description="companies", ordering="company_count")
    def company_count(self, code):
        return code.company_count


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    """Every rate; where several match an address, the most specific wins (``taxes.engine``)."""

    list_display = (
        "label",
        "rate",
        "country",
        "region",
        "postcode",
        "product_tax_code",
        "customer_tax_code",
        "valid_from",
        "valid_until",
    )
    list_select_related = ("product_tax_code", "customer_tax_code")
    list_filter = ("country", "product_tax_code", "customer_tax_code")
    search_fields = ("label", "country", "region", "postcode")
    autocomplete_fields = ("product_tax_code", "customer_tax_code")
    fieldsets = (
        (None, {"fields": ("label", "rate", "product_tax_code", "customer_tax_code")}),
        ("Where", {"fields": ("country", "region", "postcode")}),
        ("When", {"fields": ("valid_from", "valid_until")}),
    )
