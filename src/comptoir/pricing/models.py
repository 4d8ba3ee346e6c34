"""Price lists, their tier prices, and the chain that assigns them to buyers.

A buyer's prices come from the price lists assigned to its company, then to its customer
group, then to the default website, each level ordered by ``sort_order`` ascending: the
assignment with the lowest sort order has the highest priority, as in OroCommerce.
``pricing.queries.price_for`` merges that chain (see there for the rule).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
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

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Price(models.Model):
    """The price of one unit of a product, from ``quantity`` units up (a tier)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="prices")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
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

    class Meta:
        ordering = ["price_list", "product", "unit", "quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "unit", "quantity"], name="price_tier_unique"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="price_tier_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.price_list} / {self.unit} from {plain(self.quantity)}: {self.value}"


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
