"""Invoices: what an order costs, stated once and for good when the order is invoiced.

An invoice is issued by the shop or by the seller's ERP. The shop issues one invoice per order:
it copies the order's lines with their discounts and tax, the tax summed per rate, and the
customer's name, VAT number and addresses as they were that day; nothing on it changes
afterwards. Its figures come from ``ordering.totals.order_totals``, the computation the cart
and the order use, so they agree with the order to the cent.

A seller whose ERP invoices instead pushes its invoices through the ERP API: an order may then
have several (one per shipment, say), each with the ERP's number and totals, a due date, a
payment status the ERP keeps up to date, and a link to the ERP's document; they carry no
lines. An order is invoiced by the shop or by the ERP, never both.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comptoir.ordering.models import LINE_DISCOUNT_TOTAL_HELP


class InvoiceSource(models.TextChoices):
    SHOP = "shop", _("Shop")
    ERP = "erp", _("ERP")


class PaymentStatus(models.TextChoices):
    # Issued and not paid yet.
    OPEN = "open", _("Open")
    # Paid in full.
    PAID = "paid", _("Paid")


class Invoice(models.Model):
    number = models.CharField(max_length=32, unique=True)
    order = models.ForeignKey("ordering.Order", on_delete=models.PROTECT, related_name="invoices")
    source = models.CharField(max_length=10, choices=InvoiceSource, default=InvoiceSource.SHOP)
    payment_status = models.CharField(
        max_length=10,
        choices=PaymentStatus,
        blank=True,
        help_text="As the ERP last said; blank where payments are not followed here.",
    )
    due_at = models.DateField("due", null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    document_url = models.URLField(
        "document", max_length=500, blank=True, help_text="The ERP's copy of the invoice (PDF)."
    )
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="invoices"
    )
    customer_user = models.ForeignKey(
        "accounts.CustomerUser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
        help_text="Who placed the order.",
    )
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff user who issued it; blank when the shop did.",
    )
    currency = models.CharField(max_length=3)
    company_name = models.CharField(max_length=200)
    vat_number = models.CharField("VAT number", max_length=20, blank=True)
    billing_address = models.TextField(blank=True)
    shipping_address = models.TextField(blank=True)
    subtotal = models.DecimalField(max_digits=19, decimal_places=4)
    discount_total = models.DecimalField(max_digits=19, decimal_places=4)
    shipping_total = models.DecimalField(max_digits=19, decimal_places=4)
    tax_total = models.DecimalField(max_digits=19, decimal_places=4)
    total = models.DecimalField(max_digits=19, decimal_places=4)
    tax_notes = models.TextField(
        blank=True, help_text='Mentions the law asks for: "Reverse charge", an exemption.'
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(source="shop"), name="one_shop_invoice"
            )
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("storefront:invoice", args=[self.order.number])

    @property
    def net_total(self):
        return self.subtotal - self.discount_total


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "ordering.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField("SKU", max_length=64, blank=True)
    product_name = models.CharField(max_length=255)
    unit_code = models.CharField(max_length=20)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(max_digits=19, decimal_places=4)
    row_total = models.DecimalField(max_digits=19, decimal_places=4)
    discount_total = models.DecimalField(
        max_digits=19, decimal_places=4, help_text=LINE_DISCOUNT_TOTAL_HELP
    )
    net_total = models.DecimalField(
        max_digits=19, decimal_places=4, help_text="Row total less discounts: the tax base."
    )
    tax_rate = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="In percent."
    )
    tax_total = models.DecimalField(max_digits=19, decimal_places=4)
    tax_note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["invoice", "id"]

    def __str__(self):
        return f"{self.quantity} {self.unit_code} {self.sku or self.product_name}"


class InvoiceTaxLine(models.Model):
    """The lines (and shipping) taxed at one rate: their base and their tax."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="tax_lines")
    label = models.CharField(max_length=50)
    rate = models.DecimalField(max_digits=7, decimal_places=4, help_text="In percent.")
    base = models.DecimalField(max_digits=19, decimal_places=4)
    amount = models.DecimalField(max_digits=19, decimal_places=4)

    class Meta:
        ordering = ["invoice", "id"]

    def __str__(self):
        return f"{self.label} {self.rate.normalize():f} %"


class InvoiceNumberSequence(models.Model):
    """One row per prefix holding the last number handed out; taken under a row lock inside
    the transaction that issues the invoice, so numbers have no gaps."""

    prefix = models.CharField(max_length=16, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}{self.last_value}"
