"""Every write of what describes products: attribute groups, attributes and their options,
families, product models and the values products hold, and the translations of their names.

As in ``catalog.services``, each function creates or updates records from the values it is
given, in one transaction, and returns ``"created"``, ``"updated"`` or ``"unchanged"``; values
are compared first, so a second call with the same values writes nothing. Codes are matched
ignoring case. ``translations`` map a language ("fr", "fr_FR") to a text: the record gets
exactly those (a blank text is none), and None leaves its translations as they are; with
``keep_other_translations`` the languages they do not name keep theirs, and a blank text
removes the one in its language.
"""

import dataclasses
import logging
import re
from collections.abc import Iterable, Mapping, Sequence

from django.db import models, transaction
from django.db.models import Q

from comptoir.catalog.attribute_values import UNIT_MAX_LENGTH, AttributeValue
from comptoir.catalog.attributes import (
    CODE_MAX_LENGTH,
    OPTION_TYPES,
    Attribute,
    AttributeGroup,
    AttributeOption,
    AttributeType,
    ProductAttributeValue,
    ProductFamily,
    ProductModel,
)
from comptoir.catalog.languages import normalize_language
from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError, excerpt
from comptoir.core.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    UpsertStatus,
    assign_changes,
    save_changes,
    upsert,
)

logger = logging.getLogger(__name__)

_CODE = re.compile(r"[A-Za-z0-9_]+")

# The types an axis may have: what tells variants apart is one clear value.
AXIS_TYPES = (AttributeType.SELECT, AttributeType.BOOLEAN, AttributeType.METRIC)


def checked_code(code: str, what: str) -> str:
    """``code`` without surrounding spaces, or an error saying how a code is written."""
    code = code.strip()
    if not code:
        raise DomainError(f"The {what} needs a code", code="code_missing")
    if not _CODE.fullmatch(code) or len(code) > CODE_MAX_LENGTH:
        raise DomainError(
            f"'{excerpt(code)}' is not a valid {what} code; write at most {CODE_MAX_LENGTH} "
            "letters, digits and underscores",
            code="code_invalid",
        )
    return code


def _checked_name(name: str, what: str, max_length: int) -> str:
    name = name.strip()
    if not name:
        raise DomainError(f"The {what} needs a name", code="name_missing")
    if len(name) > max_length:
        raise DomainError(
            f"The name of the {what} is {len(name)} characters long; at most {max_length} fit",
            code="name_too_long",
        )
    return name


def save_translations(
    translations: models.Manager,
    field: str,
    texts: Mapping[str, str] | None,
    *,
    keep_others: bool = False,
) -> bool:
    """Give the record whose ``translations`` these are exactly ``texts`` by language, in
    ``field`` (with ``keep_others``, only in the languages of ``texts``: a blank text removes
    one, the other languages keep theirs); True if anything was written. Call inside a
    transaction."""
    if texts is None:
        return False
    max_length = translations.model._meta.get_field(field).max_length
    wanted: dict[str, str] = {}
    removed: set[str] = set()
    for language, text in texts.items():
        text = text.strip()
        if not text:
            if keep_others:
                removed.add(normalize_language(language))
            continue
        if max_length is not None and len(text) > max_length:
            raise DomainError(
                f"The {field} in {language} is {len(text)} characters long; at most "
                f"{max_length} fit",
                code="translation_too_long",
            )
        wanted[normalize_language(language)] = text

    changed = False
    for translation in translations.select_for_update().order_by("pk"):
        text = wanted.pop(translation.language, None)
        if text is None and keep_others and translation.language not in removed:
            continue
        if text is None:
            translation.delete()
            changed = True
        elif save_changes(translation, assign_changes(translation, {field: text})) != UNCHANGED:
            changed = True
    for language, text in wanted.items():
        translations.create(language=language, **{field: text})
        changed = True
    return changed


def _with_translations(
    record: tuple[models.Model, UpsertStatus],
    texts: Mapping[str, str] | None,
    field: str,
    *,
    keep_others: bool = False,
) -> UpsertStatus:
    instance, status = record
    changed = save_translations(instance.translations, field, texts, keep_others=keep_others)
    return UPDATED if changed and status == UNCHANGED else status


def upsert_attribute_group(
    *, code: str, name: str, sort_order: int = 0
) -> tuple[AttributeGroup, UpsertStatus]:
    """Create or update the attribute group ``code``."""
    code = checked_code(code, "attribute group")
    name = _checked_name(name, f"attribute group {code}", 200)
    with transaction.atomic():
        return upsert(
            AttributeGroup,
            match=Q(code__iexact=code),
            values={"code": code, "name": name, "sort_order": sort_order},
        )


def upsert_attribute(
    *,
    code: str,
    name: str,
    type: str,
    group: AttributeGroup | None = None,
    is_localizable: bool = False,
    unit: str = "",
    sort_order: int = 0,
    is_shown_to_buyers: bool | None = None,
    translations: Mapping[str, str] | None = None,
    keep_other_translations: bool = False,
) -> tuple[Attribute, UpsertStatus]:
    """Create or update the attribute ``code``, with its name in other languages.

    ``unit`` is a measure's default unit. ``is_shown_to_buyers`` None keeps what the attribute
    has (shown, for a new one). Products that have values for it keep its type and whether it
    is localizable: their values would no longer fit.
    """
    code = checked_code(code, "attribute")
    name = _checked_name(name, f"attribute {code}", 255)
    if type not in AttributeType.values:
        raise DomainError(
            f"'{excerpt(type)}' is not an attribute type; write one of: "
            f"{', '.join(AttributeType.values)}",
            code="attribute_type_invalid",
        )
    unit = unit.strip().upper() if type == AttributeType.METRIC else ""
    if len(unit) > UNIT_MAX_LENGTH:
        raise DomainError(
            f"The unit of {code} is longer than {UNIT_MAX_LENGTH} characters",
            code="unit_too_long",
        )
    values: dict[str, object] = {
        "code": code,
        "name": name,
        "type": type,
        "group": group,
        "is_localizable": is_localizable,
        "unit": unit,
        "sort_order": sort_order,
    }
    if is_shown_to_buyers is not None:
        values["is_shown_to_buyers"] = is_shown_to_buyers

    with transaction.atomic():
        existing = (
            Attribute.objects.select_for_update().filter(code__iexact=code).order_by("pk").first()
        )
        if existing is not None:
            _check_attribute_change(existing, type=type, is_localizable=is_localizable)
        record = upsert(Attribute, match=Q(code__iexact=code), values=values)
        status = _with_translations(
            record, translations, "name", keep_others=keep_other_translations
        )
        attribute = record[0]
    if status != UNCHANGED:
        logger.debug("attribute %s %s", attribute.code, status)
    return attribute, status


def _check_attribute_change(attribute: Attribute, *, type: str, is_localizable: bool) -> None:
    if attribute.type != type and (
        attribute.values.exists() or (type not in OPTION_TYPES and attribute.options.exists())
    ):
        raise DomainError(
            f"{attribute.code} is a {attribute.type} attribute with values or options; it "
            f"cannot become a {type} attribute. Create an attribute with another code",
            code="attribute_type_fixed",
        )
    if attribute.is_localizable != is_localizable and attribute.values.exists():
        state = "localizable" if attribute.is_localizable else "not localizable"
        raise DomainError(
            f"{attribute.code} is {state} and products have values for it; it stays so. "
            "Create an attribute with another code",
            code="attribute_localizable_fixed",
        )


def upsert_attribute_option(
    *,
    attribute: Attribute,
    code: str,
    label: str,
    sort_order: int = 0,
    translations: Mapping[str, str] | None = None,
    keep_other_translations: bool = False,
) -> tuple[AttributeOption, UpsertStatus]:
    """Create or update the option ``code`` of a select or multiselect ``attribute``."""
    code = checked_code(code, "option")
    label = _checked_name(label, f"option {code} of {attribute.code}", 255)
    if attribute.type not in OPTION_TYPES:
        raise DomainError(
            f"{attribute.code} is a {attribute.type} attribute: only select and multiselect "
            "attributes have options",
            code="attribute_has_no_options",
        )
    with transaction.atomic():
        record = upsert(
            AttributeOption,
            match=Q(attribute=attribute, code__iexact=code),
            values={
                "attribute": attribute,
                "code": code,
                "label": label,
                "sort_order": sort_order,
            },
        )
        return record[0], _with_translations(
            record, translations, "label", keep_others=keep_other_translations
        )


def upsert_product_family(
    *,
    code: str,
    name: str,
    attributes: Iterable[Attribute],
    label_attribute: Attribute | None = None,
) -> tuple[ProductFamily, UpsertStatus]:
    """Create or update the family ``code``: exactly ``attributes`` describe its products, and
    ``label_attribute`` (one of them) gives their name."""
    code = checked_code(code, "family")
    name = _checked_name(name, f"family {code}", 255)
    attributes = list(attributes)
    if label_attribute is not None and label_attribute not in attributes:
        raise DomainError(
            f"The label attribute {label_attribute.code} of family {code} is not one of its "
            "attributes; add it to them",
            code="label_attribute_not_in_family",
        )
    with transaction.atomic():
        family, status = upsert(
            ProductFamily,
            match=Q(code__iexact=code),
            values={"code": code, "name": name, "label_attribute": label_attribute},
        )
        if _set_many(family.attributes, attributes) and status == UNCHANGED:
            status = UPDATED
    return family, status


def _set_many(related: models.Manager, wanted: Iterable[models.Model]) -> bool:
    """Make a many-to-many relation hold exactly ``wanted``; True if it changed."""
    wanted_ids = {instance.pk for instance in wanted}
    if set(related.values_list("pk", flat=True)) == wanted_ids:
        return False
    related.set(wanted_ids)
    return True


def upsert_product_model(
    *,
    code: str,
    name: str,
    family: ProductFamily,
    axes: Sequence[Attribute],
    parent: ProductModel | None = None,
) -> tuple[ProductModel, UpsertStatus]:
    """Create or update the product model ``code``, whose children differ by ``axes``.

    A model is at the top (``parent`` None) or under a top model of the same family: two
    levels at most; a model has either sub-models or variants of its own. The axes are
    attributes of the family that take one clear value (a select, a yes or no, a measure), the
    same in every language.
    """
    code = code.strip()
    if not code or len(code) > CODE_MAX_LENGTH:
        raise DomainError(
            f"A product model needs a code of 1 to {CODE_MAX_LENGTH} characters",
            code="code_invalid",
        )
    name = _checked_name(name, f"product model {code}", 255)
    _check_axes(code, family, axes)

    with transaction.atomic():
        model = ProductModel.objects.select_for_update().filter(code__iexact=code).first()
        if parent is not None:
            if model is not None and parent.pk == model.pk:
                raise DomainError(f"{code} cannot be its own parent", code="model_parent_self")
            if parent.parent_id is not None:
                raise DomainError(
                    f"The parent of {code}, {parent.code}, is itself under {parent.root.code}: "
                    "product models have two levels at most",
                    code="model_too_deep",
                )
            if (model is None or model.parent_id != parent.pk) and parent.variants.exists():
                raise DomainError(
                    f"Product model {parent.code} has variants of its own, so {code} cannot go "
                    "under it: a model has either sub-models or variants",
                    code="model_has_variants",
                )
            if parent.family_id != family.pk:
                raise DomainError(
                    f"{code} is of family {family.code} and its parent {parent.code} of family "
                    f"{parent.family.code}; a model and its sub-models have one family",
                    code="model_family_differs",
                )
        if model is not None:
            _check_model_change(model, family=family, parent=parent)
        model, status = upsert(
            ProductModel,
            match=Q(code__iexact=code),
            values={"code": code, "name": name, "family": family, "parent": parent},
        )
        if _set_many(model.axes, axes) and status == UNCHANGED:
            status = UPDATED
    return model, status


def _check_axes(code: str, family: ProductFamily, axes: Sequence[Attribute]) -> None:
    if not axes:
        raise DomainError(
            f"Product model {code} needs at least one axis: the attribute its variants differ by",
            code="model_axes_missing",
        )
    in_family = set(family.attributes.values_list("pk", flat=True))
    for axis in axes:
        if axis.pk not in in_family:
            raise DomainError(
                f"The axis {axis.code} of product model {code} is not an attribute of family "
                f"{family.code}",
                code="axis_not_in_family",
            )
        if axis.type not in AXIS_TYPES or axis.is_localizable:
            raise DomainError(
                f"{axis.code} cannot be an axis of product model {code}: an axis is a select, a "
                "yes or no or a measure, the same in every language",
                code="axis_type_invalid",
            )


def _check_model_change(
    model: ProductModel, *, family: ProductFamily, parent: ProductModel | None
) -> None:
    if model.family_id != family.pk and (model.variants.exists() or model.children.exists()):
        raise DomainError(
            f"Product model {model.code} has variants of family {model.family.code}; it keeps "
            "that family",
            code="model_family_fixed",
        )
    if parent is not None and model.children.exists():
        raise DomainError(
            f"Product model {model.code} has sub-models, so it cannot go under {parent.code}: "
            "product models have two levels at most",
            code="model_too_deep",
        )


def set_product_family(
    *, product: Product, family: ProductFamily | None, product_model: ProductModel | None = None
) -> UpsertStatus:
    """Give ``product`` its family and make it a variant of ``product_model`` (None: none).

    A variant is of its model's family, and goes under a model without sub-models.
    """
    if product_model is not None:
        if family is not None and family.pk != product_model.family_id:
            raise DomainError(
                f"SKU '{product.sku}' is of family {family.code} but its product model "
                f"{product_model.code} is of family {product_model.family.code}",
                code="variant_family_differs",
            )
        family = product_model.family
        if product.product_model_id != product_model.pk and product_model.children.exists():
            raise DomainError(
                f"Product model {product_model.code} has sub-models: SKU '{product.sku}' goes "
                "under one of them",
                code="model_has_sub_models",
            )
    with transaction.atomic():
        return save_changes(
            product, assign_changes(product, {"family": family, "product_model": product_model})
        )


def set_product_attribute_values(
    *, product: Product, values: Iterable[AttributeValue], replace: bool = False
) -> list[UpsertStatus]:
    """Give ``product`` the ``values``; an empty value removes the one it had.

    With ``replace`` the product loses the values not given (an import of whole products).
    Returns the status of each value given, then "updated" for each value removed by
    ``replace``.
    """
    values = [_checked_value(product, value) for value in values]
    statuses: list[UpsertStatus] = []
    with transaction.atomic():
        existing = {
            (value.attribute_id, value.language): value
            for value in ProductAttributeValue.objects.select_for_update()
            .filter(product=product)
            .prefetch_related("options")
            .order_by("pk")
        }
        new: list[tuple[ProductAttributeValue, AttributeValue]] = []
        given = set()
        for value in values:
            key = (value.attribute.pk, value.language)
            if key in given:
                language = f" in {value.language}" if value.language else ""
                raise DomainError(
                    f"SKU '{product.sku}' is given two values of {value.attribute.code}{language}",
                    code="attribute_value_twice",
                )
            given.add(key)
            current = existing.get(key)
            if value.is_empty:
                if current is not None:
                    current.delete()
                statuses.append(UNCHANGED if current is None else UPDATED)
            elif current is None:
                row = ProductAttributeValue(product=product, **_stored(value))
                new.append((row, value))
                statuses.append(CREATED)
            else:
                statuses.append(_update_value(current, value))
        if replace:
            for key, current in existing.items():
                if key not in given:
                    current.delete()
                    statuses.append(UPDATED)
        ProductAttributeValue.objects.bulk_create([row for row, _ in new])
        ProductAttributeValue.options.through.objects.bulk_create(
            ProductAttributeValue.options.through(
                productattributevalue_id=row.pk, attributeoption_id=option.pk
            )
            for row, value in new
            for option in value.options
        )
    return statuses


def _stored(value: AttributeValue) -> dict[str, object]:
    return {
        "attribute": value.attribute,
        "language": value.language,
        "text": value.text,
        "number": value.number,
        "boolean": value.boolean,
        "date": value.date,
        "unit": value.unit,
    }


def _update_value(current: ProductAttributeValue, value: AttributeValue) -> UpsertStatus:
    """Set ``current`` (its options loaded) to ``value``."""
    status = save_changes(current, assign_changes(current, _stored(value)))
    wanted = {option.pk for option in value.options}
    if {option.pk for option in current.options.all()} != wanted:
        current.options.set(wanted)
        status = UPDATED
    return status


def _checked_value(product: Product, value: AttributeValue) -> AttributeValue:
    """``value`` with its language in stored form, or an error saying why it cannot be given."""
    attribute = value.attribute
    if attribute.type == AttributeType.PRICE:
        raise DomainError(
            f"{attribute.code} is a price: prices are kept in price lists, import them as prices",
            code="attribute_value_is_price",
        )
    language = normalize_language(value.language) if value.language.strip() else ""
    if attribute.is_localizable and not language:
        raise DomainError(
            f"{attribute.code} is localizable: say which language its value of SKU "
            f"'{product.sku}' is in",
            code="attribute_value_language_missing",
        )
    if not attribute.is_localizable and language:
        raise DomainError(
            f"{attribute.code} is the same in every language: give its value of SKU "
            f"'{product.sku}' without a language",
            code="attribute_value_language_unexpected",
        )
    if attribute.type == AttributeType.SELECT and len(value.options) > 1:
        raise DomainError(
            f"{attribute.code} takes one option, not {len(value.options)}",
            code="attribute_value_one_option",
        )
    for option in value.options:
        if option.attribute_id != attribute.pk:
            raise DomainError(
                f"{option.code} is an option of another attribute than {attribute.code}",
                code="attribute_value_unknown_option",
            )
    if attribute.type == AttributeType.METRIC and value.number is not None and not value.unit:
        raise DomainError(
            f"The value of {attribute.code} for SKU '{product.sku}' needs a unit",
            code="attribute_value_unit_missing",
        )
    return dataclasses.replace(value, language=language)
