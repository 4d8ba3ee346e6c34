"""What is sold: a category tree, products, and the units each product is sold in.

Attributes, families and product models (variants) are in ``catalog.attributes``.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.text import slugify

from comptoir.catalog.attributes import (  # noqa: F401
    Attribute,
    AttributeGroup,
    AttributeOption,
    AttributeOptionTranslation,
    AttributeTranslation,
    ProductAttributeValue,
    ProductFamily,
    ProductModel,
)
from comptoir.catalog.languages import LANGUAGE_MAX_LENGTH, translation_for
from comptoir.catalog.visibility import CategoryVisibility, ProductVisibility  # noqa: F401


def normalize_sku(sku: str) -> str:
    """The form two SKUs are compared in: surrounding spaces dropped, case ignored, as the
    database's UPPER compares them (its unique index on SKUs): a letter whose capital is two
    letters, as "ß" (SS), is kept as it is."""
    text = sku.strip()
    upper = text.upper()
    if len(upper) == len(text):
        return upper
    return "".join(letter if len(letter.upper()) != 1 else letter.upper() for letter in text)


class Category(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_name_unique_in_parent"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200] or "category"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("storefront:category", args=[self.slug])

    def ancestors(self) -> list["Category"]:
        """The path from the root down to this category's parent."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def name_in(self, language: str) -> str:
        """The name in ``language``, from the loaded translations, else the default name."""
        translation = translation_for(self.translations.all(), language)
        return translation.name if translation else self.name


class CategoryTranslation(models.Model):
    """A category's name in one language (see ``catalog.languages``)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["category", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "language"], name="category_translation_unique"
            )
        ]

    def __str__(self):
        return f"{self.category.slug} [{self.language}]"


class Brand(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A unit of quantity (item, set, kg); ``default_precision`` is how many decimals it takes."""

    code = models.SlugField(max_length=20, unique=True)
    label = models.CharField(max_length=50)
    default_precision = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Product(models.Model):
    sku = models.CharField(
        "SKU",
        max_length=64,
        help_text="Unique ignoring case and surrounding spaces; stored without the spaces.",
    )
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    information = models.TextField(blank=True)
    specifications = models.TextField(blank=True)
    is_enabled = models.BooleanField("enabled", default=True)
    is_featured = models.BooleanField("featured", default=False)
    is_new_arrival = models.BooleanField("new arrival", default=False)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    # The links most products leave empty are indexed where set only (Meta.indexes): a
    # catalog's import then keeps two indexes the fewer per product.
    brand = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        db_index=False,
    )
    substitute = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="substituted",
        help_text="Offered instead when this product is no longer sold.",
    )
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The shipping weight of one primary unit; price rules may read it.",
    )
    tax_code = models.ForeignKey(
        "taxes.ProductTaxCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        db_index=False,
        help_text="How the product is taxed; blank for the default product tax code.",
    )
    family = models.ForeignKey(
        ProductFamily,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        db_index=False,
        help_text="The kind of product, and so the attributes it is described by.",
    )
    product_model = models.ForeignKey(
        ProductModel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
        db_index=False,
        help_text="The model this product is a variant of; the model's axes say what sets it "
        "apart from the other variants.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(
                fields=[field], condition=models.Q(**{f"{field}__isnull": False}), name=name
            )
            for field, name in (
                ("brand", "product_brand_set"),
                ("substitute", "product_substitute_set"),
                ("tax_code", "product_tax_code_set"),
                ("family", "product_family_set"),
                ("product_model", "product_model_set"),
            )
        ]
        constraints = [
            models.UniqueConstraint(Upper("sku"), name="product_sku_unique_ignoring_case"),
            models.CheckConstraint(
                condition=~models.Q(sku="") & ~models.Q(sku__startswith=" "),
                name="product_sku_not_blank",
            ),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def save(self, *args, **kwargs):
        self.sku = self.sku.strip()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("storefront:product", args=[self.sku])

    @property
    def primary_unit(self) -> "ProductUnit | None":
        return next((pu for pu in self.units.all() if pu.is_primary), None)

    def sellable_units(self) -> list["ProductUnit"]:
        """Units the product is sold in, the primary unit first."""
        units = [pu for pu in self.units.all() if pu.is_sellable]
        return sorted(units, key=lambda pu: (not pu.is_primary, pu.unit.code))


class ProductUnit(models.Model):
    """A unit a product comes in: its precision and how many primary units it holds."""

    # Looked up by product through product_unit_unique, which opens with it.
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="units", db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    precision = models.PositiveSmallIntegerField(default=0)
    conversion_rate = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        default=Decimal(1),
        help_text="How many primary units one of this unit holds; 1 for the primary unit.",
    )
    is_primary = models.BooleanField(default=False)
    is_sellable = models.BooleanField("sellable", default=True)
    min_quantity = models.DecimalField(
        "minimum quantity",
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The least a line of this unit may hold. Empty: no minimum.",
    )
    max_quantity = models.DecimalField(
        "maximum quantity",
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The most a line of this unit may hold. Empty: no maximum.",
    )
    quantity_increment = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text="Quantities are multiples of this (a case of 6: 6). Empty: any quantity.",
    )

    class Meta:
        ordering = ["product", "-is_primary", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["product", "unit"], name="product_unit_unique"),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(is_primary=True),
                name="product_has_one_primary_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(conversion_rate__gt=0), name="product_unit_conversion_positive"
            ),
        ]

    def __str__(self):
        return f"{self.product.sku} / {self.unit.code}"
