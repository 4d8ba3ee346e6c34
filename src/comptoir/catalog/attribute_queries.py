"""Reads of what describes a product, for its page and the API: its attribute values in the
reader's language, and the other variants of its product model."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from comptoir.catalog.attribute_values import display_text, value_text
from comptoir.catalog.attributes import (
    Attribute,
    AttributeOption,
    AttributeOptionTranslation,
    AttributeTranslation,
    ProductAttributeValue,
    ProductModel,
)
from comptoir.catalog.languages import best_language, translations_in
from comptoir.catalog.models import Product


@dataclass(frozen=True)
class ShownValue:
    """One attribute of a product as a reader sees it."""

    code: str
    name: str
    type: str
    language: str
    value: str
    display: str


def _options(language: str) -> Prefetch:
    """The options of values, with their labels in ``language``."""
    translations = translations_in("translations", AttributeOptionTranslation, language)
    return Prefetch("options", queryset=AttributeOption.objects.prefetch_related(translations))


def shown_attribute_values(product: Product, language: str) -> list[ShownValue]:
    """The values of ``product`` shown to buyers, each in ``language`` if it is written in it
    (else in the site's default language), by attribute group and attribute order."""
    values = (
        ProductAttributeValue.objects.filter(product=product, attribute__is_shown_to_buyers=True)
        .select_related("attribute__group")
        .prefetch_related(
            translations_in("attribute__translations", AttributeTranslation, language),
            _options(language),
        )
    )
    by_attribute: dict[int, dict[str, ProductAttributeValue]] = {}
    for value in values:
        by_attribute.setdefault(value.attribute_id, {})[value.language] = value

    chosen = []
    for languages in by_attribute.values():
        picked = (
            languages.get("")
            or languages.get(best_language(languages, language) or "")
            or languages.get(best_language(languages, settings.LANGUAGE_CODE) or "")
        )
        if picked is not None:
            chosen.append(picked)
    chosen.sort(key=lambda value: _attribute_order(value.attribute))
    return [
        ShownValue(
            code=value.attribute.code,
            name=value.attribute.name_in(language),
            type=value.attribute.type,
            language=value.language,
            value=value_text(value),
            display=display_text(value, language),
        )
        for value in chosen
    ]


def _attribute_order(attribute: Attribute) -> tuple:
    group = attribute.group
    return (
        group is None,
        group.sort_order if group else 0,
        group.code.lower() if group else "",
        attribute.sort_order,
        attribute.code.lower(),
    )


@dataclass(frozen=True)
class Variant:
    """A variant of a product model: its SKU and name, its value of each axis as files write
    it (by axis code), and as a reader sees it (in the order of the axes, empty for none)."""

    sku: str
    name: str
    axis_values: dict[str, str]
    axis_display: list[str]
    is_current: bool


@dataclass(frozen=True)
class Variants:
    """The variants of a product's model, and the axes (code and name) they differ by."""

    model: ProductModel
    axes: list[tuple[str, str]]
    variants: list[Variant]


def product_variants(
    product: Product, language: str, *, visible: QuerySet[Product]
) -> Variants | None:
    """The variants of the model ``product`` is a variant of, among the ``visible`` products
    (those the reader may see), itself included; None for a product that is not a variant.

    A variant under a sub-model differs from the other variants of the top model by the axes
    of both (a colour, then a size).
    """
    if product.product_model_id is None:
        return None
    model = ProductModel.objects.select_related("parent").get(pk=product.product_model_id)
    root = model.root
    axes = sorted(
        Attribute.objects.filter(axis_of_models__in={model.pk, root.pk})
        .select_related("group")
        .prefetch_related(translations_in("translations", AttributeTranslation, language))
        .distinct(),
        key=_attribute_order,
    )
    variants = visible.filter(
        Q(product_model=root) | Q(product_model__parent=root)
    ).prefetch_related(
        Prefetch(
            "attribute_values",
            queryset=ProductAttributeValue.objects.filter(attribute__in=axes)
            .select_related("attribute")
            .prefetch_related(_options(language)),
        )
    )
    by_axis = []
    for variant in variants:
        values = {value.attribute_id: value for value in variant.attribute_values.all()}
        by_axis.append((variant, [values.get(axis.pk) for axis in axes]))
    by_axis.sort(key=lambda pair: ([_value_order(value) for value in pair[1]], pair[0].sku))
    return Variants(
        model=root,
        axes=[(axis.code, axis.name_in(language)) for axis in axes],
        variants=[
            Variant(
                sku=variant.sku,
                name=variant.name,
                axis_values={value.attribute.code: value_text(value) for value in values if value},
                axis_display=[display_text(value, language) if value else "" for value in values],
                is_current=variant.pk == product.pk,
            )
            for variant, values in by_axis
        ],
    )


def _value_order(value: ProductAttributeValue | None) -> tuple:
    """Where a variant comes by one axis: by option order, number or yes/no; none last."""
    if value is None:
        return (1, 0, "")
    options = sorted(value.options.all(), key=lambda option: (option.sort_order, option.code))
    if options:
        return (0, options[0].sort_order, options[0].code.lower())
    if value.number is not None:
        return (0, value.number, value.unit)
    return (0, int(bool(value.boolean)), "")
