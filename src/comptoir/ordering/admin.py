"""Back office for buying: orders to read and move along, shopping lists to look into.

Orders are placed in the storefront, through the API or by an import, never here: staff read
them and change their status; their lines, prices and addresses stay as they were placed.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from comptoir.backoffice.scoping import AssignedCompaniesOnly
from comptoir.core.errors import DomainError
from comptoir.core.money import round_money
from comptoir.invoicing.services import issue_invoice
from comptoir.ordering.models import Order, OrderLine, ShoppingList, ShoppingListLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = (
        "sku",
        "product_name",
        "free_form_product",
        "unit_code",
        "quantity",
        "unit_price",
        "row_total",
        "price_list_name",
        "tier_quantity",
        "ship_by",
        "comment",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(AssignedCompaniesOnly, admin.ModelAdmin):
    list_display = (
        "number",
        "created_at",
        "company",
        "placed_by_email",
        "po_number",
        "status",
        "shipping_status",
        "source",
        "total_amount",
    )
    list_select_related = ("company", "customer_user__user")
    list_filter = (
        "status",
        "shipping_status",
        "source",
        ("company", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("number", "po_number", "company__name")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("number", "created_at", "company", "customer_user", "source")}),
        (_("Placed by"), {"fields": ("placed_by",)}),
        ("Status", {"fields": ("status", "shipping_status")}),
        ("Terms", {"fields": ("po_number", "payment_term", "customer_notes")}),
        ("Addresses", {"fields": ("billing_address_text", "shipping_address_text")}),
        ("Totals", {"fields": ("subtotal_amount", "total_amount")}),
    )
    readonly_fields = (
        "number",
        "created_at",
        "company",
        "customer_user",
        "placed_by",
        "source",
        "po_number",
        "payment_term",
        "customer_notes",
        "billing_address_text",
        "shipping_address_text",
        "subtotal_amount",
        "total_amount",
    )
    inlines = (OrderLineInline,)
    actions = ("issue_invoices",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Issue the invoices of the selected orders"))
    def issue_invoices(self, request, queryset):
        """Invoice each selected order that has no invoice yet; say why any could not be."""
        issued = []
        for order in queryset.order_by("pk"):
            if hasattr(order, "invoice"):
                continue
            try:
                issued.append(issue_invoice(order=order, issued_by=request.user))
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
        if issued:
            self.message_user(
                request,
                _("Invoices issued: %(numbers)s")
                % {"numbers": ", ".join(invoice.number for invoice in issued)},
                messages.SUCCESS,
            )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="placed by", ordering="customer_user__user__email")
    def placed_by_email(self, order):
        return order.customer_user.user.email if order.customer_user else ""

    @admin.display(description="subtotal")
    def subtotal_amount(self, order):
        return f"{round_money(order.subtotal, order.currency):,} {order.currency}"

    @admin.display(description="total", ordering="total")
    def total_amount(self, order):
        return f"{round_money(order.total, order.currency):,} {order.currency}"

    @admin.display(description="billing address")
    def billing_address_text(self, order):
        return order.billing_address.one_line() if order.billing_address else ""

    @admin.display(description="shipping address")
    def shipping_address_text(self, order):
        return order.shipping_address.one_line() if order.shipping_address else ""


class ShoppingListLineInline(admin.TabularInline):
    model = ShoppingListLine
    fields = ("product", "unit", "quantity", "notes", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "unit")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ShoppingList)
class ShoppingListAdmin(AssignedCompaniesOnly, admin.ModelAdmin):
    """Buyers' shopping lists, to help a buyer on the phone; buyers change them themselves."""

    list_display = ("name", "customer_user", "company", "is_current", "line_count", "updated_at")
    list_select_related = ("customer_user__user", "customer_user__company", "company")
    list_filter = ("is_current", ("company", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "customer_user__user__email", "company__name")
    fields = ("name", "customer_user", "company", "is_current", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (ShoppingListLineInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("lines"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="lines", ordering="line_count")
    def line_count(self, shopping_list):
        return shopping_list.line_count
