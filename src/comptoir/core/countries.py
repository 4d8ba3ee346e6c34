"""Countries as ISO 3166-1 alpha-2 codes, checked against the Unicode CLDR's list."""

from functools import cache

from babel import Locale
from django.core.exceptions import ValidationError

# Codes the CLDR lists as territories that ISO 3166-1 does not assign to a country: codes it
# reserves for other uses (Ascension, the EU, the UN...) and codes left for private use. XK is
# kept although private-use: the EU, customs and carriers write Kosovo's addresses with it.
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code in use (and XK for Kosovo)."""
    return frozenset(
        code
        for code in Locale("en").territories
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def validate_country_code(value: str) -> None:
    """Refuse anything but the upper- or lower-case two-letter code of a country."""
    code = value.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValidationError(
            "'%(value)s' is not a country code: write the country's two-letter code "
            "(ISO 3166-1), as in FR or US",
            params={"value": value.strip()},
            code="country_invalid",
        )
    if code not in country_codes():
        raise ValidationError(
            "'%(value)s' is not the code of a country: write the country's two-letter code "
            "(ISO 3166-1), as in FR or US",
            params={"value": code},
            code="country_unknown",
        )
