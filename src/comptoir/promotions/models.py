"""Promotions: discounts on lines, orders and shipping, the coupons that unlock them, and what
each order received.

Which promotions apply to a cart and how much they take off is worked out by
``promotions.engine`` and ``ordering.totals``; these models hold the rules and the record.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from comptoir.core.errors import DomainError
from comptoir.core.money import checked_currency


class PromotionKind(models.TextChoices):
    # ``value`` percent off each line in scope.
    LINE_PERCENTAGE = "line_percentage", "Percentage off each line"
    # ``value`` (in ``currency``) off each line in scope.
    LINE_FIXED = "line_fixed", "Amount off each line"
    # ``value`` percent off the lines in scope, taken as a whole after line promotions.
    ORDER_PERCENTAGE = "order_percentage", "Percentage off the order"
    # ``value`` (in ``currency``) off the lines in scope, taken as a whole.
    ORDER_FIXED = "order_fixed", "Amount off the order"
    # For every ``buy_quantity`` units bought, ``get_quantity`` units free: of the same
    # product, or of ``get_product`` when it is in the cart.
    BUY_X_GET_Y = "buy_x_get_y", "Buy X get Y free"
    # No shipping charge when a line in scope is in the cart.
    FREE_SHIPPING = "free_shipping", "Free shipping"


class DiscountLevel(models.TextChoices):
    # Off one line.
    LINE = "line", "Line"
    # Off the order, shared among its lines.
    ORDER = "order", "Order"
    # Off the shipping charge.
    SHIPPING = "shipping", "Shipping"


PERCENTAGE_KINDS = {PromotionKind.LINE_PERCENTAGE, PromotionKind.ORDER_PERCENTAGE}
FIXED_KINDS = {PromotionKind.LINE_FIXED, PromotionKind.ORDER_FIXED}


class Promotion(models.Model):
    """A discount, who it is for, what it covers, when, and how it combines with others.

    An empty scope means everyone (companies, groups) or everything (categories, products).
    """

    name = models.CharField(max_length=100, unique=True, help_text="For staff.")
    label = models.CharField(
        max_length=100,
        blank=True,
        help_text="What buyers read next to the discount; the name if left blank.",
    )
    kind = models.CharField(max_length=20, choices=PromotionKind)
    value = models.DecimalField(
        max_digits=19,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Percent for a percentage, amount for a fixed discount; unused otherwise.",
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="The currency of a fixed amount; carts in another currency do not get it.",
    )
    buy_quantity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Buy X get Y: units to buy (X)."
    )
    get_quantity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Buy X get Y: units given free (Y)."
    )
    get_product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Buy X get Y: the product given free; the product bought if left blank.",
    )
    companies = models.ManyToManyField(
        "accounts.Company",
        blank=True,
        related_name="+",
        help_text="For these companies and their subsidiaries.",
    )
    customer_groups = models.ManyToManyField(
        "accounts.CustomerGroup", blank=True, related_name="+", help_text="For these groups."
    )
    categories = models.ManyToManyField(
        "catalog.Category",
        blank=True,
        related_name="+",
        help_text="On products of these categories and their subcategories.",
    )
    products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", help_text="On these products."
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Not included.")
    is_active = models.BooleanField("active", default=True)
    requires_coupon = models.BooleanField(
        default=False, help_text="Applies only when one of its coupon codes is entered."
    )
    priority = models.PositiveIntegerField(
        default=100, help_text="Lower numbers are considered first."
    )
    is_exclusive = models.BooleanField(
        "exclusive",
        default=False,
        help_text="When it applies, no other promotion does; between exclusive promotions, the "
        "one considered first wins.",
    )
    stops_further = models.BooleanField(
        "stop further processing",
        default=False,
        help_text="When it applies, promotions with a higher priority number do not.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="promotion_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.kind in PERCENTAGE_KINDS and (
            self.value is None or not Decimal(0) < self.value <= 100
        ):
            errors["value"] = "Give a percentage above 0 and up to 100."
        if self.kind in FIXED_KINDS:
            if self.value is None or self.value <= 0:
                errors["value"] = "Give the amount taken off, above 0."
            try:
                self.currency = checked_currency(self.currency or "")
            except DomainError as error:
                errors["currency"] = f"{error.message}: a fixed amount needs its currency."
        if self.kind == PromotionKind.BUY_X_GET_Y:
            if not self.buy_quantity:
                errors["buy_quantity"] = "Give how many units must be bought (X), at least 1."
            if not self.get_quantity:
                errors["get_quantity"] = "Give how many units are free (Y), at least 1."
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The end must come after the start."
        if errors:
            raise ValidationError(errors)

    @property
    def shown_label(self) -> str:
        return self.label or self.name


class Coupon(models.Model):
    """A code that unlocks a promotion, with how often it may be used."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_-]+$", "Use letters, digits, hyphens and underscores only."
            )
        ],
        help_text="Stored in capitals without surrounding spaces; buyers may type it in any case.",
    )
    usage_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Orders it may be used on in all; no limit if blank."
    )
    usage_limit_per_user = models.PositiveIntegerField(
        null=True, blank=True, help_text="Orders each customer user may use it on."
    )
    times_used = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["promotion", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(usage_limit__isnull=True)
                | models.Q(times_used__lte=models.F("usage_limit")),
                name="coupon_used_within_its_limit",
            )
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalized_code(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        self.code = normalized_code(self.code)
        if not self.code:
            raise ValidationError({"code": "Give a code."})


def normalized_code(code: str) -> str:
    """A coupon code as stored: capitals, no surrounding spaces."""
    return (code or "").strip().upper()


class AppliedCoupon(models.Model):
    """A coupon code entered on a shopping list, kept until the list is ordered."""

    shopping_list = models.ForeignKey(
        "ordering.ShoppingList", on_delete=models.CASCADE, related_name="applied_coupons"
    )
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shopping_list", "coupon"], name="coupon_once_per_shopping_list"
            )
        ]

    def __str__(self):
        return f"{self.coupon} on {self.shopping_list_id}"


class CouponRedemption(models.Model):
    """A coupon used on an order; counted against its limits."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    order = models.ForeignKey(
        "ordering.Order", on_delete=models.CASCADE, related_name="coupon_redemptions"
    )
    customer_user = models.ForeignKey(
        "accounts.CustomerUser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    redeemed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-redeemed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["coupon", "order"], name="coupon_once_per_order")
        ]

    def __str__(self):
        return f"{self.coupon} on {self.order_id}"


class AppliedPromotion(models.Model):
    """A discount an order received, as it was when placed.

    Line and order promotions have one row per line they took something off (an order
    promotion's share of that line); the shipping discount has no line.
    """

    order = models.ForeignKey(
        "ordering.Order", on_delete=models.CASCADE, related_name="applied_promotions"
    )
    order_line = models.ForeignKey(
        "ordering.OrderLine",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="applied_promotions",
    )
    promotion = models.ForeignKey(
        Promotion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coupon_code = models.CharField(max_length=40, blank=True)
    level = models.CharField(
        max_length=10,
        choices=DiscountLevel,
    )
    label = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=19, decimal_places=4)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="applied_promotion_amount_positive"
            )
        ]

    def __str__(self):
        return f"{self.label}: {self.amount}"
