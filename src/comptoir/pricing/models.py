"""Price lists, their tier prices, and the chain that assigns them to buyers.

A buyer's prices come from the price lists assigned to its company, then to its customer
group, then to the default website, each level ordered by ``sort_order`` ascending: the
assignment with the lowest sort order has the highest priority, as in OroCommerce.
``pricing.queries.price_for`` merges that chain (see there for the rule).
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from comptoir.core.errors import DomainError
from comptoir.core.money import checked_currency
from comptoir.core.quantities import plain


def default_currency() -> str:
    return settings.COMPTOIR_DEFAULT_CURRENCY


def validate_currency(value: str) -> None:
    """Form validation of an ISO 4217 code, with the message of ``checked_currency``."""
    try:
        checked_currency(value)
    except DomainError as error:
        raise ValidationError(error.message, code=error.code) from None


class PriceList(models.Model):
    name = models.CharField(max_length=100, unique=True)
    currency = models.CharField(
        max_length=3, default=default_currency, validators=[validate_currency]
    )
    is_active = models.BooleanField("active", default=True)
    active_from = models.DateTimeField(
        null=True, blank=True, help_text="Empty: in effect as soon as it is active."
    )
    active_until = models.DateTimeField(
        null=True, blank=True, help_text="Empty: in effect until switched off. Not included."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_from__isnull=True)
                | models.Q(active_until__isnull=True)
                | models.Q(active_until__gt=models.F("active_from")),
                name="price_list_schedule_ordered",
                violation_error_message="A price list's 'active until' must come after its "
                "'active from'.",
            )
        ]

    def __str__(self):
        return self.name

    def in_effect_at(self, moment: datetime) -> bool:
        return (
            self.is_active
            and (self.active_from is None or self.active_from <= moment)
            and (self.active_until is None or moment < self.active_until)
        )


class PriceSource(models.TextChoices):
    MANUAL = "manual", "entered by hand"
    RULE = "rule", "computed by a rule"


class Price(models.Model):
    """The price of one unit of a product, from ``quantity`` units up (a tier)."""

    # Rebuilds write prices by the million, and the database checking each row's product and
    # unit would cost more than computing them: the database checks the price list only, and
    # the application keeps the rest (a product's prices go with it, a unit in use is kept).
    # The unique constraint's index serves lookups by price list.
    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="prices", db_index=False
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="prices", db_constraint=False
    )
    unit = models.ForeignKey(
        "catalog.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    quantity = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
        help_text="The tier: this price applies from this quantity up.",
    )
    value = models.DecimalField(
        max_digits=19, decimal_places=4, validators=[MinValueValidator(Decimal(0))]
    )
    source = models.CharField(
        max_length=10,
        choices=PriceSource,
        default=PriceSource.MANUAL,
        help_text="Prices entered by hand are never overwritten by rules.",
    )
    rule = models.ForeignKey(
        "PriceRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prices",
        db_constraint=False,
        db_index=False,
        help_text="The rule that computed this price.",
    )

    class Meta:
        ordering = ["price_list", "product", "unit", "quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "unit", "quantity"],
                name="price_tier_unique",
                violation_error_message="This price list already has a price for this product, "
                "unit and tier quantity: change that price instead (a price a rule computed "
                "becomes one entered by hand when changed).",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="price_tier_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.price_list} / {self.unit} from {plain(self.quantity)}: {self.value}"

    def clean(self):
        if (
            self.product_id
            and self.unit_id
            and not self.product.units.filter(unit_id=self.unit_id).exists()
        ):
            units = ", ".join(pu.unit.code for pu in self.product.units.select_related("unit"))
            raise ValidationError(
                {
                    "unit": f"{self.product.sku} does not come in this unit (it comes in: "
                    f"{units or 'none'}); add the unit to the product first"
                }
            )


class PriceListAssignment(models.Model):
    """Puts a price list in a buyer's chain: for a company, a customer group, or the website.

    With neither a company nor a group, the assignment is the default website's.
    """

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="assignments")
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="price_list_assignments",
    )
    customer_group = models.ForeignKey(
        "accounts.CustomerGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="price_list_assignments",
    )
    sort_order = models.IntegerField(
        default=100, help_text="Lower comes first: the lowest sort order has the highest priority."
    )
    merge_allowed = models.BooleanField(
        default=True,
        help_text="Off: this list's prices for a product are used only when no list before it "
        "priced the product, and then no later list adds to them.",
    )

    class Meta:
        ordering = ["company", "customer_group", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=True) | models.Q(customer_group__isnull=True),
                name="assignment_one_level",
            ),
            models.UniqueConstraint(
                fields=["price_list", "company"],
                condition=models.Q(company__isnull=False),
                name="assignment_unique_per_company",
            ),
            models.UniqueConstraint(
                fields=["price_list", "customer_group"],
                condition=models.Q(customer_group__isnull=False),
                name="assignment_unique_per_group",
            ),
            models.UniqueConstraint(
                fields=["price_list"],
                condition=models.Q(company__isnull=True, customer_group__isnull=True),
                name="assignment_unique_per_website",
            ),
        ]

    def __str__(self):
        return f"{self.price_list} for {self.level_label} (sort {self.sort_order})"

    @property
    def level_label(self) -> str:
        if self.company_id:
            return f"company {self.company}"
        if self.customer_group_id:
            return f"group {self.customer_group}"
        return "website"


class PriceAttribute(models.Model):
    """A named reference price kept beside the lists, such as MSRP or MAP."""

    name = models.CharField(max_length=50, unique=True)
    field_name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PriceAttributeValue(models.Model):
    attribute = models.ForeignKey(PriceAttribute, on_delete=models.CASCADE, related_name="values")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="price_attribute_values"
    )
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, default=default_currency)
    value = models.DecimalField(max_digits=19, decimal_places=4)

    class Meta:
        ordering = ["product", "attribute"]
        constraints = [
            models.UniqueConstraint(
                fields=["attribute", "product", "unit", "currency"],
                name="price_attribute_value_unique",
            )
        ]

    def __str__(self):
        return f"{self.attribute} {self.product_id}: {self.value} {self.currency}"


class RoundingDirection(models.TextChoices):
    NEAREST = "nearest", "to the nearest"
    UP = "up", "up"
    DOWN = "down", "down"


class PriceRule(models.Model):
    """Computes prices of ``price_list`` for the products its condition selects.

    The formula may read other price lists (``pricelist["Default"].price``), product values
    (``product.weight_kg``, ``product.msrp``) and market indexes (``index["COPPER"]``). When it
    reads price lists, the rule gives one price per unit and tier those lists have, unless
    ``unit`` or ``quantity`` fix them; otherwise one price per product, in ``unit`` (the
    product's primary unit when empty) from ``quantity`` (1 when empty). Of several rules
    giving the same product, unit and tier, the lowest priority number wins; a price entered
    by hand wins over every rule. ``pricing.rules`` applies them.
    """

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField("active", default=True)
    priority = models.IntegerField(default=100, help_text="Lower comes first.")
    formula = models.TextField(
        help_text='For example pricelist["Default"].price * 0.9, product.msrp * 0.85, '
        'index["COPPER"] * product.weight_kg * 1.2 + 3.'
    )
    categories = models.ManyToManyField(
        "catalog.Category",
        blank=True,
        related_name="+",
        help_text="Products in these categories or their subcategories; empty: any.",
    )
    brands = models.ManyToManyField(
        "catalog.Brand", blank=True, related_name="+", help_text="Empty: any brand."
    )
    sku_pattern = models.CharField(
        "SKU pattern",
        max_length=64,
        blank=True,
        help_text="* for any characters, ? for one, ignoring case: 'CU-*'. Empty: any SKU.",
    )
    featured_only = models.BooleanField("featured products only", default=False)
    condition = models.CharField(
        max_length=500,
        blank=True,
        help_text="A further condition on product values, such as product.weight_kg > 10.",
    )
    unit = models.ForeignKey(
        "catalog.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the units of the prices it reads, or the product's primary unit.",
    )
    quantity = models.DecimalField(
        "tier quantity",
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Empty: the tiers of the prices it reads, or 1.",
    )
    round_step = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text="Round to a multiple of this (0.05, 1, 10). Empty: the currency's minor unit.",
    )
    round_ending = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="With a step of 1, an ending of 0.99 gives prices such as 12.99.",
    )
    round_direction = models.CharField(
        max_length=10, choices=RoundingDirection, default=RoundingDirection.NEAREST
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["price_list", "priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "name"], name="price_rule_name_unique"),
            models.CheckConstraint(
                condition=models.Q(round_ending__isnull=True)
                | models.Q(round_step__isnull=False, round_ending__lt=models.F("round_step")),
                name="price_rule_ending_below_step",
                violation_error_message="A rounding ending needs a step and must be smaller "
                "than it (step 1, ending 0.99).",
            ),
        ]

    def __str__(self):
        return f"{self.price_list}: {self.name}"


class MarketIndex(models.Model):
    """A named series of dated values (copper price, an exchange rate) that formulas read."""

    code = models.CharField(
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_-]+$", 'Use letters, digits, "_" and "-" only, as in COPPER_LME.'
            )
        ],
        help_text='What formulas name: index["COPPER"]. Letters, digits, "_" and "-".',
    )
    name = models.CharField(max_length=100)
    unit = models.CharField(
        max_length=50, blank=True, help_text='What a value measures: "USD per kg".'
    )
    prices_follow = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the value that computed prices last read took effect.",
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "market indexes"

    def __str__(self):
        return self.code


class MarketIndexValue(models.Model):
    """The index's value from ``effective_at`` until the next value."""

    index = models.ForeignKey(MarketIndex, on_delete=models.CASCADE, related_name="values")
    effective_at = models.DateTimeField()
    value = models.DecimalField(max_digits=19, decimal_places=6)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["index", "-effective_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["index", "effective_at"], name="market_index_value_unique"
            )
        ]

    def __str__(self):
        return f"{self.index_id} {self.effective_at:%Y-%m-%d %H:%M}: {self.value}"


class PriceChange(models.Model):
    """One change of one tier price: kept so the price in force at any past moment is known.

    ``value`` is None when the price was removed. A log written by the million in rebuilds: its
    references are not checked by the database, and it keeps the ids of products, units and
    rules removed since.
    """

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    unit = models.ForeignKey(
        "catalog.Unit",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    value = models.DecimalField(max_digits=19, decimal_places=4, null=True)
    source = models.CharField(max_length=10, choices=PriceSource)
    rule = models.ForeignKey(
        PriceRule,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["price_list", "product", "changed_at"])]

    def __str__(self):
        return f"{self.price_list_id}/{self.product_id} {self.changed_at}: {self.value}"
