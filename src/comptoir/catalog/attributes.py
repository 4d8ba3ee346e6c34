"""What describes a product beyond its name: attributes and their options, the families that
group them, product models with the axes their variants differ by, and each product's values.

Codes (of attributes, options, families, models) are the keys imports and other systems name
records by; two codes that differ only by case are the same code. Names and labels a buyer
reads are held in the site's default language, with translations in others (see
``catalog.languages``).
"""

from django.db import models
from django.db.models.functions import Lower

from comptoir.catalog.languages import LANGUAGE_MAX_LENGTH, translation_for

CODE_MAX_LENGTH = 100


class AttributeType(models.TextChoices):
    TEXT = "text", "text"
    TEXTAREA = "textarea", "long text"
    NUMBER = "number", "number"
    BOOLEAN = "boolean", "yes or no"
    SELECT = "select", "one option"
    MULTISELECT = "multiselect", "several options"
    DATE = "date", "date"
    # Prices live in price lists, where the one price resolver reads them: an attribute of this
    # type has no product values of its own (an import sends them to a price list per currency).
    PRICE = "price", "price"
    METRIC = "metric", "measure with a unit"


OPTION_TYPES = (AttributeType.SELECT, AttributeType.MULTISELECT)


class AttributeGroup(models.Model):
    """A heading attributes are sorted under: marketing, technical, sizes..."""

    code = models.CharField(max_length=CODE_MAX_LENGTH)
    name = models.CharField(max_length=200)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [models.UniqueConstraint(Lower("code"), name="attribute_group_code_unique")]

    def __str__(self):
        return self.name


class Attribute(models.Model):
    """A property products of a family have: a colour, a weight, a release date."""

    code = models.CharField(max_length=CODE_MAX_LENGTH)
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=20, choices=AttributeType.choices)
    group = models.ForeignKey(
        AttributeGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attributes",
    )
    is_localizable = models.BooleanField(
        "localizable", default=False, help_text="Its values are written once per language."
    )
    unit = models.CharField(
        max_length=30,
        blank=True,
        help_text="A measure's default unit (KILOGRAM, INCH): the unit of a value given "
        "without one.",
    )
    sort_order = models.IntegerField(default=0)
    is_shown_to_buyers = models.BooleanField(
        "shown to buyers",
        default=True,
        help_text="Listed with its value on the product page and in the API's product details. "
        "Off for what the page already shows (the name, the description) and internal data.",
    )

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [models.UniqueConstraint(Lower("code"), name="attribute_code_unique")]

    def __str__(self):
        return self.code

    def name_in(self, language: str) -> str:
        """The name in ``language``, from the loaded translations, else the default name."""
        translation = translation_for(self.translations.all(), language)
        return translation.name if translation else self.name


class AttributeTranslation(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["attribute", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["attribute", "language"], name="attribute_translation_unique"
            )
        ]

    def __str__(self):
        return f"{self.attribute.code} [{self.language}]"


class AttributeOption(models.Model):
    """One of the values a select or multiselect attribute may take: "blue", "XL"."""

    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(max_length=CODE_MAX_LENGTH)
    label = models.CharField(max_length=255)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["attribute", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                "attribute", Lower("code"), name="attribute_option_code_unique"
            )
        ]

    def __str__(self):
        return f"{self.attribute.code}: {self.code}"

    def label_in(self, language: str) -> str:
        """The label in ``language``, from the loaded translations, else the default label."""
        translation = translation_for(self.translations.all(), language)
        return translation.label if translation else self.label


class AttributeOptionTranslation(models.Model):
    option = models.ForeignKey(
        AttributeOption, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH)
    label = models.CharField(max_length=255)

    class Meta:
        ordering = ["option", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language"], name="attribute_option_translation_unique"
            )
        ]

    def __str__(self):
        return f"{self.option} [{self.language}]"


class ProductFamily(models.Model):
    """A kind of product (cameras, shirts) and the attributes its products are described by."""

    code = models.CharField(max_length=CODE_MAX_LENGTH)
    name = models.CharField(max_length=255)
    attributes = models.ManyToManyField(Attribute, blank=True, related_name="families")
    label_attribute = models.ForeignKey(
        Attribute,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The attribute whose value is the name of the family's products.",
    )

    class Meta:
        ordering = ["name", "code"]
        verbose_name_plural = "product families"
        constraints = [models.UniqueConstraint(Lower("code"), name="product_family_code_unique")]

    def __str__(self):
        return self.name


class ProductModel(models.Model):
    """What the variants of a product share: a shirt whose variants differ by colour and size.

    A model may have sub-models (a shirt in blue, under the shirt) with products under them,
    two levels at most. A model's ``axes`` are the attributes its direct children differ by.
    """

    code = models.CharField(max_length=CODE_MAX_LENGTH)
    name = models.CharField(max_length=255)
    family = models.ForeignKey(
        ProductFamily, on_delete=models.PROTECT, related_name="product_models"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    axes = models.ManyToManyField(Attribute, related_name="axis_of_models")

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(Lower("code"), name="product_model_code_unique")]

    def __str__(self):
        return self.code

    @property
    def root(self) -> "ProductModel":
        return self.parent if self.parent is not None else self


class ProductAttributeValue(models.Model):
    """The value ``product`` has for ``attribute``, in ``language`` if it is localizable.

    One of the typed fields holds it, as the attribute's type says: ``text`` (text, long text),
    ``number`` (a number, or a measure's amount with its ``unit``), ``boolean``, ``date``, or
    ``options`` (a select has one, a multiselect any).
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="attribute_values"
    )
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    language = models.CharField(
        max_length=LANGUAGE_MAX_LENGTH,
        blank=True,
        help_text="The language of a localizable attribute's value; empty for the others.",
    )
    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    boolean = models.BooleanField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    options = models.ManyToManyField(AttributeOption, blank=True, related_name="values")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "attribute", "language"], name="product_attribute_value_unique"
            )
        ]

    def __str__(self):
        language = f" [{self.language}]" if self.language else ""
        return f"{self.product_id} {self.attribute_id}{language}"
