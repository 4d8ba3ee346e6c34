"""Filters that write money and quantities the way the storefront shows them, in the active
language's format."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.translation import get_language

from comptoir.storefront.formats import format_amount, format_money, format_quantity

register = template.Library()


@register.filter
def amount(value: Decimal | None, currency: str) -> str:
    """The number of an amount, for a table whose currency stands in a column of its own."""
    return "" if value is None else format_amount(value, currency)


@register.filter
def money(value: Decimal | None, currency: str) -> str:
    """An amount with its currency: "1,139.88 USD", "1 139,88 $US"."""
    return "" if value is None else format_money(value, currency)


@register.filter
def quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros, readable back from a form field."""
    return "" if value is None else format_quantity(value)


@register.filter
def translated_name(record) -> str:
    """A category's (or an attribute's) name in the active language, from the translations
    loaded with it, else its default name."""
    return record.name_in(get_language() or settings.LANGUAGE_CODE)


@register.filter
def lines(value: str) -> list[str]:
    """The non-blank lines of a text, to show one per row."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


@register.simple_tag(takes_context=True)
def query_url(context, **changes) -> str:
    """The current query string with ``changes`` applied; a change to None drops the key."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"?{query.urlencode()}" if query else "?"
