"""Buying: shopping lists (the cart is the current one) and the orders placed from them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ShoppingListKind(models.TextChoices):
    # Lines gathered to be ordered once: the cart (the current list) and any named list.
    SHOPPING = "shopping", _("Shopping list")
    # A standing list of regularly bought items with their usual quantities; ordering it
    # copies its lines into the cart and leaves the list as it is.
    REQUISITION = "requisition", _("Requisition list")
    # The one list per user where "save for later" puts cart lines aside.
    SAVED_FOR_LATER = "saved_for_later", _("Saved for later")


class ShoppingList(models.Model):
    """A customer user's list of lines; the one marked current is the cart.

    The cart is the user's default list: adding without naming a list adds to it, and checkout
    orders it. Colleagues see and change a list as far as their roles reach (own, department,
    company), like any other record of the company.
    """

    customer_user = models.ForeignKey(
        "accounts.CustomerUser", on_delete=models.CASCADE, related_name="shopping_lists"
    )
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="shopping_lists"
    )
    name = models.CharField(max_length=100, default="Shopping list")
    is_current = models.BooleanField(default=True)
    kind = models.CharField(
        max_length=20, choices=ShoppingListKind, default=ShoppingListKind.SHOPPING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_current", "-updated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_user"],
                condition=models.Q(is_current=True),
                name="one_current_shopping_list_per_user",
            ),
            models.UniqueConstraint(
                fields=["customer_user"],
                condition=models.Q(kind="saved_for_later"),
                name="one_saved_for_later_list_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(is_current=False) | models.Q(kind="shopping"),
                name="the_cart_is_a_shopping_list",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.customer_user})"

    def get_absolute_url(self):
        return reverse("storefront:list", args=[self.pk])


class ShoppingListLine(models.Model):
    shopping_list = models.ForeignKey(ShoppingList, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shopping_list", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shopping_list", "product", "unit"], name="shopping_list_line_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="shopping_list_line_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} {self.unit_id} of {self.product_id}"


class OrderStatus(models.TextChoices):
    # Placed and not yet fulfilled; the seller may still change it.
    OPEN = "open", _("Open")
    # Fulfilled and invoiced: nothing more will happen to it.
    CLOSED = "closed", _("Closed")
    # Called off before fulfilment.
    CANCELLED = "cancelled", _("Cancelled")


class ShippingStatus(models.TextChoices):
    NOT_SHIPPED = "not_shipped", _("Not shipped")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")


class OrderSource(models.TextChoices):
    STOREFRONT = "storefront", "Storefront"
    API = "api", "API"
    IMPORT = "import", "Import"


class OrderAddress(models.Model):
    """A copy of an address as it was when the order was placed; the address book may change."""

    label = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200)
    street2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)

    def __str__(self):
        return self.one_line()

    def one_line(self) -> str:
        parts = [self.street, self.street2, self.city, self.region, self.postal_code, self.country]
        return ", ".join(part for part in parts if part)


class Order(models.Model):
    number = models.CharField(max_length=32, unique=True)
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="orders"
    )
    customer_user = models.ForeignKey(
        "accounts.CustomerUser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        help_text="Who placed it.",
    )
    status = models.CharField(max_length=20, choices=OrderStatus, default=OrderStatus.OPEN)
    shipping_status = models.CharField(
        max_length=20, choices=ShippingStatus, default=ShippingStatus.NOT_SHIPPED
    )
    source = models.CharField(max_length=20, choices=OrderSource, default=OrderSource.STOREFRONT)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(
        max_digits=19, decimal_places=4, help_text="The lines at their resolved prices."
    )
    discount_total = models.DecimalField(
        max_digits=19,
        decimal_places=4,
        default=Decimal(0),
        help_text="Promotions, on lines and order.",
    )
    shipping_total = models.DecimalField(
        max_digits=19,
        decimal_places=4,
        default=Decimal(0),
        help_text="Shipping after its discounts.",
    )
    tax_total = models.DecimalField(max_digits=19, decimal_places=4, default=Decimal(0))
    total = models.DecimalField(
        max_digits=19,
        decimal_places=4,
        help_text="Subtotal less discounts, plus shipping and tax: what the customer pays.",
    )
    tax_notes = models.TextField(
        blank=True,
        help_text="Why the order is taxed as it is, one mention a line: reverse charge, an "
        "exemption, the tax code and place that lack a rate.",
    )
    po_number = models.CharField("PO number", max_length=64, blank=True)
    customer_notes = models.TextField(blank=True)
    payment_term = models.CharField(
        max_length=50, blank=True, help_text='The company\'s payment term when placed: "net 30".'
    )
    billing_address = models.OneToOneField(
        OrderAddress, null=True, on_delete=models.PROTECT, related_name="+"
    )
    shipping_address = models.OneToOneField(
        OrderAddress, null=True, on_delete=models.PROTECT, related_name="+"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The login that placed it.",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("storefront:order", args=[self.number])

    def tax_note_list(self) -> list[str]:
        return [note for note in self.tax_notes.splitlines() if note]


# What ``discount_total`` means on an order line, its invoice line and the API alike.
LINE_DISCOUNT_TOTAL_HELP = (
    "Promotions on this line: its line promotions and its share of the order promotions; the "
    "row total less this is the line's net, the base of its tax."
)


class OrderLine(models.Model):
    """A line as ordered: product data is copied so history survives catalog changes."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField("SKU", max_length=64, blank=True)
    product_name = models.CharField(max_length=255)
    unit_code = models.CharField(max_length=20)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(max_digits=19, decimal_places=4)
    row_total = models.DecimalField(
        max_digits=19, decimal_places=4, help_text="Quantity times unit price, before discounts."
    )
    discount_total = models.DecimalField(
        max_digits=19,
        decimal_places=4,
        default=Decimal(0),
        help_text=LINE_DISCOUNT_TOTAL_HELP,
    )
    tax_total = models.DecimalField(max_digits=19, decimal_places=4, default=Decimal(0))
    price_list_name = models.CharField(max_length=100, blank=True)
    tier_quantity = models.DecimalField(
        max_digits=14, decimal_places=3, null=True, blank=True, default=Decimal(1)
    )
    free_form_product = models.CharField(
        max_length=255, blank=True, help_text="A line for something not in the catalog."
    )
    ship_by = models.DateField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.quantity} {self.unit_code} {self.sku or self.free_form_product}"


class OrderTaxLine(models.Model):
    """The lines (and shipping) of an order taxed at one rate: their base and their tax."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tax_lines")
    label = models.CharField(max_length=50)
    rate = models.DecimalField(max_digits=7, decimal_places=4, help_text="In percent.")
    base = models.DecimalField(max_digits=19, decimal_places=4)
    amount = models.DecimalField(max_digits=19, decimal_places=4)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.label} {self.rate.normalize():f} %"


class OrderNumberSequence(models.Model):
    """One row per prefix holding the last number handed out; taken under a row lock."""

    prefix = models.CharField(max_length=16, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}{self.last_value}"


class StatusChangeSource(models.TextChoices):
    BACK_OFFICE = "back_office", _("Back office")
    # The ERP's API: the status endpoint, or order rows it pushes.
    ERP = "erp", _("ERP")
    # An orders file imported from the command line, the back office or a file drop.
    IMPORT = "import", _("File import")


class OrderStatusChange(models.Model):
    """A change of an order's status, with the note that explains it to the buyer."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=OrderStatus)
    to_status = models.CharField(max_length=20, choices=OrderStatus)
    note = models.TextField(blank=True, help_text="Shown to the buyer on the order's page.")
    source = models.CharField(max_length=20, choices=StatusChangeSource)
    changed_by = models.CharField(
        max_length=150,
        help_text="The staff user's e-mail, the integration client's name or the imported "
        "file's name.",
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["order", "changed_at", "id"]

    def __str__(self):
        return f"{self.order_id}: {self.from_status} to {self.to_status}"


class Shipment(models.Model):
    """A parcel or delivery the ERP sent for an order: some of its lines, or all of them."""

    number = models.CharField(max_length=64, unique=True, help_text="The ERP's delivery number.")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    tracking_url = models.URLField(max_length=500, blank=True)
    shipped_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "shipped_at", "id"]

    def __str__(self):
        return self.number


class ShipmentLine(models.Model):
    """How much of an order line a shipment carries, in the unit the line was ordered in."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.RESTRICT, related_name="shipment_lines"
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=3)

    class Meta:
        ordering = ["shipment", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="shipment_line_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["shipment", "order_line"], name="shipment_line_unique"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} of {self.order_line}"
