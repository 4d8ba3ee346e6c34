"""Money as ``Decimal``, rounded half-up to the currency's minor unit (ISO 4217)."""

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import list_currencies

from comptoir.core.errors import DomainError

# Minor units of the currencies that differ from the usual two decimals (ISO 4217).
_MINOR_UNITS = {
    "BHD": 3,
    "BIF": 0,
    "CLF": 4,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "RWF": 0,
    "TND": 3,
    "UGX": 0,
    "UYI": 0,
    "UYW": 4,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}


@cache
def _known_currencies() -> frozenset[str]:
    # The codes of the Unicode CLDR, which holds ISO 4217's current and historical currencies.
    return frozenset(list_currencies())


def checked_currency(code: str) -> str:
    """``code`` as an upper-case ISO 4217 currency code, or a ``DomainError`` saying why not."""
    currency = code.strip().upper()
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise DomainError(
            f"'{code.strip()}' is not a currency code: write three letters, as in USD",
            code="currency_invalid",
        )
    if currency not in _known_currencies():
        raise DomainError(
            f"'{currency}' is not an ISO 4217 currency code", code="currency_unknown"
        )
    return currency


def minor_units(currency: str) -> int:
    """Number of decimals of ``currency`` (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency.upper(), 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half-up to the minor unit of ``currency``."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)
