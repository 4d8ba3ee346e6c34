"""Back office for buying: orders to read and move along, shopping lists to look into.

Orders are placed in the storefront, through the API or by an import, never here: staff read
them and change their status (through ``ordering.status_changes``, as the ERP does, so that
the change is kept and told to other systems); their lines, prices and addresses stay as they
were placed, and their shipping status follows the shipments the ERP sends.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from comptoir.backoffice.scoping import AssignedCompaniesOnly
from comptoir.core.errors import DomainError, InvalidInput
from comptoir.core.money import round_money
from comptoir.invoicing.models import InvoiceSource
from comptoir.invoicing.services import issue_invoice
from comptoir.ordering.models import (
    Order,
    OrderLine,
    OrderStatusChange,
    Shipment,
    ShoppingList,
    ShoppingListLine,
    StatusChangeSource,
)
from comptoir.ordering.status_changes import change_order_status, check_status_change


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


class ShipmentInline(admin.TabularInline):
    model = Shipment
    fields = ("number", "shipped_at", "carrier", "tracking_number", "tracking_url", "contents")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines__order_line")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("contents"))
    def contents(self, shipment):
        return "; ".join(
            f"{line.quantity.normalize():f} {line.order_line.unit_code} {line.order_line.sku}"
            for line in shipment.lines.all()
        )


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    fields = ("changed_at", "from_status", "to_status", "note", "source", "changed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("status history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderForm(forms.ModelForm):
    """The order's status, moved only as ``ordering.status_changes`` allows, with a note."""

    status_note = forms.CharField(
        label=_("note for the buyer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the status changes; the buyer reads it on the order's page."),
    )

    class Meta:
        model = Order
        fields = ("status",)

    def clean_status(self):
        status = self.cleaned_data["status"]
        try:
            check_status_change(Order.objects.get(pk=self.instance.pk), status)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from None
        return status


@admin.register(Order)
class OrderAdmin(AssignedCompaniesOnly, admin.ModelAdmin):
    form = OrderForm
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
        ("Status", {"fields": ("status", "status_note", "shipping_status")}),
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
        "shipping_status",
        "po_number",
        "payment_term",
        "customer_notes",
        "billing_address_text",
        "shipping_address_text",
        "subtotal_amount",
        "total_amount",
    )
    inlines = (OrderLineInline, ShipmentInline, OrderStatusChangeInline)
    actions = ("issue_invoices",)

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            change_order_status(
                order=obj,
                status=form.cleaned_data["status"],
                source=StatusChangeSource.BACK_OFFICE,
                changed_by=request.user.email,
                note=form.cleaned_data["status_note"],
            )

    @admin.action(description=_("Issue the invoices of the selected orders"))
    def issue_invoices(self, request, queryset):
        """Invoice each selected order that has no invoice yet; say why any could not be."""
        issued = []
        for order in queryset.order_by("pk"):
            if order.invoices.filter(source=InvoiceSource.SHOP).exists():
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
