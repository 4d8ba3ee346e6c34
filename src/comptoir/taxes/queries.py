"""Reads for taxes: everything the engine needs to tax one cart, order or invoice."""

from datetime import date

from django.db.models import Q

from comptoir.accounts.models import Address, Company
from comptoir.taxes.models import CustomerTaxCode, ProductTaxCode, TaxRate


def rates_in_force(country: str, day: date) -> list[TaxRate]:
    """Every rate for ``country`` that holds on ``day``, with their codes, in one query."""
    return list(
        TaxRate.objects.filter(country=country.strip().upper())
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related("product_tax_code", "customer_tax_code")
        .order_by("id")
    )


def product_tax_codes() -> dict[int, ProductTaxCode]:
    """Every product tax code by id (a short table, read whole in one query)."""
    return {code.pk: code for code in ProductTaxCode.objects.all()}


def customer_tax_code_of(company: Company) -> CustomerTaxCode | None:
    """``company``'s customer tax code; no query when it was loaded with the company."""
    if company.tax_code_id is None:
        return None
    return company.tax_code


def default_shipping_address_of(company: Company) -> Address | None:
    """Where ``company``'s goods go unless an order says otherwise: its default shipping
    address, else its first shipping address."""
    return (
        Address.objects.filter(company=company, is_shipping=True)
        .order_by("-is_default_shipping", "id")
        .first()
    )
