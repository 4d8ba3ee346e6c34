"""How the storefront writes money and quantities for the active language, in pages and messages.

The API keeps machine formats (``api.formats``); the storefront starts from the same digits and
writes them the way the buyer's language does, with the CLDR data that Babel ships: 1,139.88 in
English is 1 139,88 in French.
"""

from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberPattern, get_decimal_symbol, parse_pattern
from django.conf import settings
from django.utils import translation

from comptoir.api.formats import money_text
from comptoir.core.quantities import plain

# English pages write the ISO code after the number, as B2B price lists do: "$" alone does not
# tell US from Canadian dollars. Other languages take their CLDR currency format, whose symbols
# already tell them apart ("$US", "$CA" in French).
_CURRENCY_PATTERNS = {"en": "#,##0.00 ¤¤"}


def active_locale() -> Locale:
    """The Babel locale of the active language (the site's default language when none is)."""
    return _locale_of(translation.get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=32)
def _locale_of(language: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


@lru_cache(maxsize=128)
def _with_decimals(pattern: str, decimals: int) -> NumberPattern:
    """The number pattern ``pattern`` made to write exactly ``decimals`` decimals."""
    fixed = parse_pattern(pattern)
    fixed.frac_prec = (decimals, decimals)
    return fixed


def _money_digits(value: Decimal, currency: str) -> tuple[Decimal, int]:
    """``value`` with the currency's decimals, or more if the price has more, and their count."""
    digits = Decimal(money_text(value, currency))
    return digits, max(0, -digits.as_tuple().exponent)


def format_amount(value: Decimal, currency: str) -> str:
    """``value`` without its currency, grouped by thousands: 1,139.88 in English."""
    locale = active_locale()
    digits, decimals = _money_digits(value, currency)
    return _with_decimals(locale.decimal_formats[None].pattern, decimals).apply(digits, locale)


def format_money(value: Decimal, currency: str) -> str:
    """``value`` in ``currency``: "1,139.88 USD" in English, "1 139,88 $US" in French."""
    locale = active_locale()
    digits, decimals = _money_digits(value, currency)
    pattern = (
        _CURRENCY_PATTERNS.get(locale.language) or locale.currency_formats["standard"].pattern
    )
    written = _with_decimals(pattern, decimals).apply(
        digits, locale, currency=currency, currency_digits=False
    )
    # A shopping list without a price list has no currency: its zero stands alone.
    return written.strip()


def format_quantity(value: Decimal) -> str:
    """``value`` without trailing zeros or thousands separators: 2.500 is 2.5, or 2,5 in French.

    Without separators, a quantity written in a form field reads back as the same number.
    """
    return parse_pattern("0.###").apply(
        plain(value), active_locale(), decimal_quantization=False, group_separator=False
    )


def read_quantity(text: str) -> str:
    """What a buyer typed, with the active language's decimal comma read as a point.

    "2,5" on the French storefront is 2.5. Anything else is left as typed for the quantity
    service to judge and explain.
    """
    symbol = get_decimal_symbol(active_locale())
    if symbol != "." and "." not in text and text.count(symbol) == 1:
        return text.replace(symbol, ".")
    return text
