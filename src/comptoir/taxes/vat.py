"""EU member states and the shape of their VAT identification numbers.

Only the shape is checked (the country prefix and the digits or letters that follow it); whether
the number is registered is a question for the EU's VIES service, which the seller asks when
approving an account.
"""

import re

from django.core.exceptions import ValidationError

# What follows the prefix, per the formats the European Commission publishes for VIES.
_VAT_FORMATS = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d[0-9A-Z+*]\d{5}[A-W][A-I]?",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"\d{2,10}",
    "SE": r"\d{12}",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
}
# The VAT prefix is the country's ISO 3166-1 code except for Greece (GR), whose numbers start
# with EL.
_VAT_PREFIXES = {("GR" if prefix == "EL" else prefix): prefix for prefix in _VAT_FORMATS}
# ISO 3166-1 codes of the EU member states.
EU_MEMBER_STATES = frozenset(_VAT_PREFIXES)

# One valid-looking number per prefix, for error messages.
_VAT_EXAMPLES = {
    "AT": "ATU12345678",
    "BE": "BE0123456789",
    "BG": "BG123456789",
    "CY": "CY12345678X",
    "CZ": "CZ12345678",
    "DE": "DE123456789",
    "DK": "DK12345678",
    "EE": "EE123456789",
    "EL": "EL123456789",
    "ES": "ESX1234567X",
    "FI": "FI12345678",
    "FR": "FR12345678901",
    "HR": "HR12345678901",
    "HU": "HU12345678",
    "IE": "IE1234567WA",
    "IT": "IT12345678901",
    "LT": "LT123456789",
    "LU": "LU12345678",
    "LV": "LV12345678901",
    "MT": "MT12345678",
    "NL": "NL123456789B01",
    "PL": "PL1234567890",
    "PT": "PT123456789",
    "RO": "RO1234567",
    "SE": "SE123456789001",
    "SI": "SI12345678",
    "SK": "SK1234567890",
}
# Besides letters and digits, old Irish numbers hold + and *.
_VAT_CHARACTERS = re.compile(r"[A-Z0-9+*]+")
_VAT_PATTERNS = {prefix: re.compile(rf"(?:{body})") for prefix, body in _VAT_FORMATS.items()}


def is_eu_member(country: str) -> bool:
    return country.strip().upper() in EU_MEMBER_STATES


def vat_prefix(country: str) -> str | None:
    """The prefix of ``country``'s VAT numbers (EL for GR), or None outside the EU."""
    return _VAT_PREFIXES.get(country.strip().upper())


def normalized_vat_number(number: str) -> str:
    """``number`` upper-cased without the spaces, dots and dashes people write in it."""
    return re.sub(r"[\s.\-]", "", number).upper()


def is_vat_number_of(number: str, country: str) -> bool:
    """Whether ``number`` has the shape of a VAT number of the EU member state ``country``."""
    prefix = vat_prefix(country)
    if prefix is None:
        return False
    number = normalized_vat_number(number)
    return number.startswith(prefix) and bool(
        _VAT_PATTERNS[prefix].fullmatch(number[len(prefix) :])
    )


def validate_vat_number(number: str) -> None:
    """Refuse a number that starts with an EU prefix but has not that country's shape, a Greek
    number written with GR (its prefix is EL), and characters no VAT number holds; numbers of
    other countries (CHE-..., GB...) are taken as written."""
    normalized = normalized_vat_number(number)
    if not normalized:
        return
    if not _VAT_CHARACTERS.fullmatch(normalized):
        raise ValidationError(
            "'%(number)s' holds characters a VAT number does not: write its country prefix, "
            "then its letters and digits, as in DE123456789",
            params={"number": number},
            code="vat_number_invalid",
        )
    prefix = normalized[:2]
    if prefix == "GR":
        raise ValidationError(
            "'%(number)s': Greek VAT numbers start with EL, not GR; write it as in EL123456789",
            params={"number": number},
            code="vat_number_invalid",
        )
    if prefix not in _VAT_PATTERNS:
        return
    if not _VAT_PATTERNS[prefix].fullmatch(normalized[2:]):
        raise ValidationError(
            "'%(number)s' is not shaped like a %(prefix)s VAT number; write it as in %(example)s",
            params={"number": number, "prefix": prefix, "example": _VAT_EXAMPLES[prefix]},
            code="vat_number_invalid",
        )
