"""Back office for invoices: read them; the shop's are issued from orders (an action on the
order list), the ERP's come through its API, and neither is changed here."""

from django.contrib import admin

from comptoir.backoffice.scoping import AssignedCompaniesOnly
from comptoir.core.money import round_money
from comptoir.invoicing.models import Invoice, InvoiceLine, InvoiceTaxLine


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = (
        "sku",
        "product_name",
        "unit_code",
        "quantity",
        "unit_price",
        "row_total",
        "discount_total",
        "net_total",
        "tax_rate",
        "tax_total",
        "tax_note",
    )


class InvoiceTaxLineInline(ReadOnlyInline):
    model = InvoiceTaxLine
    fields = ("label", "rate", "base", "amount")
    verbose_name_plural = "tax per rate"


@admin.register(Invoice)
class InvoiceAdmin(AssignedCompaniesOnly, admin.ModelAdmin):
    list_display = (
        "number",
        "issued_at",
        "company",
        "order",
        "source",
        "payment_status",
        "due_at",
        "tax_amount",
        "total_amount",
    )
    list_select_related = ("company", "order")
    list_filter = ("source", "payment_status", ("company", admin.RelatedOnlyFieldListFilter))
    search_fields = ("number", "order__number", "company__name", "vat_number")
    date_hierarchy = "issued_at"
    fieldsets = (
        (None, {"fields": ("number", "issued_at", "issued_by", "order", "source")}),
        ("Payment", {"fields": ("payment_status", "due_at", "paid_at", "document_url")}),
        ("Customer", {"fields": ("company", "company_name", "vat_number")}),
        ("Addresses", {"fields": ("billing_address", "shipping_address")}),
        (
            "Totals",
            {
                "fields": (
                    "currency",
                    "subtotal",
                    "discount_total",
                    "shipping_total",
                    "tax_total",
                    "total",
                    "tax_notes",
                )
            },
        ),
    )
    inlines = (InvoiceLineInline, InvoiceTaxLineInline)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Invoice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="tax", ordering="tax_total")
    def tax_amount(self, invoice):
        return f"{round_money(invoice.tax_total, invoice.currency):,} {invoice.currency}"

    @admin.display(description="total", ordering="total")
    def total_amount(self, invoice):
        return f"{round_money(invoice.total, invoice.currency):,} {invoice.currency}"
