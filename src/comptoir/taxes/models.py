"""Taxes: what kind of goods a product is (product tax code), what kind of taxpayer a customer
is (customer tax code), and the rates that apply by place, kind of goods and kind of customer.

Which rate applies to a line is decided in ``taxes.engine``; the rule is written there.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from comptoir.core.countries import validate_country_code
from comptoir.core.errors import DomainError
from comptoir.taxes.postcodes import PostcodePattern, normalized_postcode

# Validators fill in their message with % (so a percent sign is doubled).
RATE_OUT_OF_RANGE = "A rate is a percentage from 0 to 100: write 20 for 20 %%."


class ProductTaxCode(models.Model):
    """A kind of goods taxed alike: "standard", "reduced", "zero"."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    is_default = models.BooleanField(
        "default",
        default=False,
        help_text="Products without a tax code are taxed under this code; one code at most.",
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_product_tax_code",
            )
        ]

    def __str__(self):
        return self.name or self.code


class CustomerTaxCode(models.Model):
    """A kind of customer taxed alike: "exempt" (a charity, a public body), "diplomat"."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    is_exempt = models.BooleanField(
        "exempt", default=False, help_text="Customers with this code pay no tax at all."
    )
    exemption_note = models.CharField(
        max_length=200,
        blank=True,
        help_text='Printed on exempt lines and invoices: "Exempt under article 262 of the CGI".',
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name or self.code


class TaxRate(models.Model):
    """A percentage charged on the goods of one product tax code shipped to a place.

    The place is a country, optionally narrowed to a region and a postcode pattern; the rate
    may be reserved to customers of one customer tax code, and may hold only between two dates.
    """

    label = models.CharField(max_length=50, help_text='As printed on invoices: "VAT", "TVA".')
    rate = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        validators=[
            MinValueValidator(Decimal(0), message=RATE_OUT_OF_RANGE),
            MaxValueValidator(Decimal(100), message=RATE_OUT_OF_RANGE),
        ],
        help_text="In percent: 20 for 20 %.",
    )
    product_tax_code = models.ForeignKey(
        ProductTaxCode, on_delete=models.PROTECT, related_name="rates"
    )
    customer_tax_code = models.ForeignKey(
        CustomerTaxCode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rates",
        help_text="Only for customers with this code; blank for every customer.",
    )
    country = models.CharField(
        max_length=2,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 code, e.g. FR.",
    )
    region = models.CharField(
        max_length=100,
        blank=True,
        help_text="As written in addresses, any case; blank for the whole country.",
    )
    postcode = models.CharField(
        max_length=40,
        blank=True,
        help_text="A postcode (75001), a prefix (75*) or a range (75000-75999); blank for all.",
    )
    valid_from = models.DateField(null=True, blank=True, help_text="Blank: since always.")
    valid_until = models.DateField(
        null=True, blank=True, help_text="The last day it applies; blank: until further notice."
    )

    class Meta:
        ordering = ["country", "region", "postcode", "product_tax_code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gte=0) & models.Q(rate__lte=100),
                name="tax_rate_between_0_and_100",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_until")),
                name="tax_rate_valid_from_before_until",
            ),
        ]

    def __str__(self):
        return f"{self.label} {self.rate.normalize():f} % {self.place_text()}"

    def clean(self):
        self.country = self.country.strip().upper()
        self.region = self.region.strip()
        self.postcode = normalized_postcode(self.postcode)
        try:
            PostcodePattern.parse(self.postcode)
        except DomainError as error:
            raise ValidationError({"postcode": error.message}) from None
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValidationError({"valid_until": "The last day comes before the first one."})

    def place_text(self) -> str:
        """Where it applies, as in "FR", "FR Corse" or "FR 20*"."""
        return " ".join(part for part in (self.country, self.region, self.postcode) if part)

    def postcode_pattern(self) -> PostcodePattern:
        return PostcodePattern.parse(self.postcode)
