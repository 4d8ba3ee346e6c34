"""Product attribute values as data, as text in files and as buyers read them.

``AttributeValue`` is a value to give a product, typed as its attribute says. In files (imports,
exports, the API's ``value``) a value is one text: a number with a decimal point, a yes or no
as 1 or 0, a date as YYYY-MM-DD, option codes separated by commas, a measure as its amount and
unit ("1.5 KILOGRAM"). ``value_from_text`` reads that text and ``value_text`` writes it, so
an export imports back unchanged; ``display_text`` is what a buyer reads, in their language.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.catalog.attributes import (
    Attribute,
    AttributeOption,
    AttributeType,
    ProductAttributeValue,
)
from comptoir.core.errors import DomainError, excerpt
from comptoir.core.quantities import plain

# Digits 0-9 with an optional point and sign: no exponent, no thousands separators.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UNIT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

# What ``ProductAttributeValue.number`` holds.
NUMBER_DECIMALS = 6
NUMBER_WHOLE_DIGITS = 14
UNIT_MAX_LENGTH = 30

# How a buyer reads the units measures are written in (Akeneo's codes); others are shown as
# they are written.
UNIT_SYMBOLS = {
    "MILLIGRAM": "mg",
    "GRAM": "g",
    "KILOGRAM": "kg",
    "TON": "t",
    "OUNCE": "oz",
    "POUND": "lb",
    "MILLIMETER": "mm",
    "CENTIMETER": "cm",
    "METER": "m",
    "KILOMETER": "km",
    "INCH": "in",
    "FOOT": "ft",
    "MILLILITER": "ml",
    "LITER": "l",
    "SQUARE_METER": "m²",
    "CUBIC_METER": "m³",
    "WATT": "W",
    "KILOWATT": "kW",
    "VOLT": "V",
    "AMPERE": "A",
    "HERTZ": "Hz",
    "MEGAHERTZ": "MHz",
    "GIGAHERTZ": "GHz",
    "SECOND": "s",
    "MILLISECOND": "ms",
    "MINUTE": "min",
    "HOUR": "h",
    "BYTE": "B",
    "KILOBYTE": "KB",
    "MEGABYTE": "MB",
    "GIGABYTE": "GB",
    "TERABYTE": "TB",
    "CELSIUS": "°C",
    "FAHRENHEIT": "°F",
    "DECIBEL": "dB",
}


@dataclass(frozen=True)
class AttributeValue:
    """A value to give a product: one of the typed parts set, as ``attribute``'s type says.

    A value with nothing set removes the value the product had.
    """

    attribute: Attribute
    language: str = ""
    text: str = ""
    number: Decimal | None = None
    boolean: bool | None = None
    date: datetime.date | None = None
    unit: str = ""
    options: tuple[AttributeOption, ...] = ()

    @property
    def is_empty(self) -> bool:
        return (
            not self.text
            and self.number is None
            and self.boolean is None
            and self.date is None
            and not self.options
        )


def value_from_text(
    attribute: Attribute,
    text: str,
    *,
    options: Mapping[str, AttributeOption],
    language: str = "",
    unit: str = "",
) -> AttributeValue:
    """Read ``text`` as a value of ``attribute``; an empty text is an empty value.

    ``options`` are the attribute's options by code in lower case. A measure's ``unit`` may
    come apart from its amount (Akeneo's "weight-unit" column); without one, the unit written
    after the amount, else the attribute's default unit.
    """
    kind = attribute.type
    text = text.strip()
    if not text:
        return AttributeValue(attribute, language)
    if kind in (AttributeType.TEXT, AttributeType.TEXTAREA):
        return AttributeValue(attribute, language, text=text)
    if kind == AttributeType.NUMBER:
        return AttributeValue(attribute, language, number=read_number(attribute, text))
    if kind == AttributeType.METRIC:
        amount, _space, written_unit = text.partition(" ")
        unit = unit.strip() or written_unit.strip() or attribute.unit
        if not unit:
            raise DomainError(
                f"'{excerpt(text)}' has no unit, and {attribute.code} has no default unit; "
                f"write the amount and its unit, as in '1.5 KILOGRAM'",
                code="attribute_value_unit_missing",
            )
        if not _UNIT.fullmatch(unit) or len(unit) > UNIT_MAX_LENGTH:
            raise DomainError(
                f"'{excerpt(unit)}' is not a unit; write a unit code such as KILOGRAM or INCH",
                code="attribute_value_unit_invalid",
            )
        number = read_number(attribute, amount.strip())
        return AttributeValue(attribute, language, number=number, unit=unit.upper())
    if kind == AttributeType.BOOLEAN:
        if text.lower() not in {"1", "0", "true", "false"}:
            raise DomainError(
                f"'{excerpt(text)}' is not a yes or no; write 1 for yes and 0 for no",
                code="attribute_value_boolean_invalid",
            )
        return AttributeValue(attribute, language, boolean=text.lower() in {"1", "true"})
    if kind == AttributeType.DATE:
        return AttributeValue(attribute, language, date=_read_date(text))
    if kind in (AttributeType.SELECT, AttributeType.MULTISELECT):
        codes = [code.strip() for code in text.split(",") if code.strip()]
        if kind == AttributeType.SELECT and len(codes) > 1:
            raise DomainError(
                f"'{excerpt(text)}' names {len(codes)} options; {attribute.code} takes one",
                code="attribute_value_one_option",
            )
        chosen = dict.fromkeys(_option(attribute, code, options) for code in codes)
        return AttributeValue(attribute, language, options=tuple(chosen))
    raise DomainError(
        f"{attribute.code} is a price: its values are prices in a price list, imported as prices",
        code="attribute_value_is_price",
    )


def read_number(attribute: Attribute, text: str) -> Decimal:
    if not _NUMBER.fullmatch(text):
        hint = " with a decimal point and no thousands separator" if "," in text else ""
        raise DomainError(
            f"'{excerpt(text)}' is not a number; write it{hint} as in 12.5",
            code="attribute_value_number_invalid",
        )
    number = Decimal(text)
    if -number.normalize().as_tuple().exponent > NUMBER_DECIMALS:
        raise DomainError(
            f"'{excerpt(text)}' has more than {NUMBER_DECIMALS} decimals",
            code="attribute_value_number_invalid",
        )
    if abs(number) >= 10**NUMBER_WHOLE_DIGITS:
        raise DomainError(
            f"'{excerpt(text)}' is too large: at most {NUMBER_WHOLE_DIGITS} digits before the "
            "point",
            code="attribute_value_number_invalid",
        )
    return number


def _read_date(text: str) -> datetime.date:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            f"'{excerpt(text)}' is not a date; write it as YYYY-MM-DD",
            code="attribute_value_date_invalid",
        ) from None


def _option(
    attribute: Attribute, code: str, options: Mapping[str, AttributeOption]
) -> AttributeOption:
    option = options.get(code.lower())
    if option is None:
        known = sorted(option.code for option in options.values())
        listed = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        raise DomainError(
            f"'{excerpt(code)}' is not an option of {attribute.code}; "
            + (f"its options: {listed}" if known else "it has no options yet"),
            code="attribute_value_unknown_option",
        )
    return option


def value_text(value: ProductAttributeValue) -> str:
    """The value as it is written in files: the text ``value_from_text`` reads back."""
    kind = value.attribute.type
    if kind in (AttributeType.TEXT, AttributeType.TEXTAREA):
        return value.text
    if kind == AttributeType.NUMBER:
        return _number_text(value.number)
    if kind == AttributeType.METRIC:
        return f"{_number_text(value.number)} {value.unit}".strip()
    if kind == AttributeType.BOOLEAN:
        return "" if value.boolean is None else "1" if value.boolean else "0"
    if kind == AttributeType.DATE:
        return value.date.isoformat() if value.date else ""
    return ",".join(option.code for option in _sorted_options(value))


def display_text(value: ProductAttributeValue, language: str) -> str:
    """The value as a buyer reads it: options labelled in ``language``, numbers, dates and
    yes or no written in the active language (the same one, in a request)."""
    kind = value.attribute.type
    if kind in (AttributeType.TEXT, AttributeType.TEXTAREA):
        return value.text
    if kind in (AttributeType.NUMBER, AttributeType.METRIC):
        if value.number is None:
            return ""
        number = formats.number_format(plain(value.number), use_l10n=True)
        if kind == AttributeType.NUMBER:
            return number
        return f"{number} {UNIT_SYMBOLS.get(value.unit, value.unit)}".strip()
    if kind == AttributeType.BOOLEAN:
        return "" if value.boolean is None else _("Yes") if value.boolean else _("No")
    if kind == AttributeType.DATE:
        return formats.date_format(value.date, "DATE_FORMAT", use_l10n=True) if value.date else ""
    return ", ".join(option.label_in(language) for option in _sorted_options(value))


def _number_text(number: Decimal | None) -> str:
    return "" if number is None else str(plain(number))


def _sorted_options(value: ProductAttributeValue) -> list[AttributeOption]:
    return sorted(value.options.all(), key=lambda option: (option.sort_order, option.code))
