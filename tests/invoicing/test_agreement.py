"""Property: for any cart, the cart's totals, the order placed from it and the order's invoice
agree to the cent, line by line and rate by rate, and no amount is negative."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.invoicing.services import issue_invoice
from comptoir.ordering.queries import (
    current_shopping_list_for,
    priced_shopping_list,
    shopping_list_totals,
)
from comptoir.ordering.services import add_to_shopping_list, place_order
from comptoir.promotions.models import Promotion, PromotionKind
from tests import factories

pytestmark = pytest.mark.django_db

# (country, postcode, VAT number): France, Corsica at its own rate, Germany under reverse
# charge or paying German VAT, and the United States without any rate.
PLACES = [
    ("FR", "75001", ""),
    ("FR", "20000", "FR12345678901"),
    ("DE", "10115", "DE123456789"),
    ("DE", "10115", ""),
    ("US", "62701", ""),
]
CODES = [None, "standard", "reduced", "zero"]

prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(2000), places=4)
lines = st.lists(
    st.tuples(prices, st.integers(min_value=1, max_value=250), st.sampled_from(CODES)),
    min_size=1,
    max_size=5,
)
promotions = st.lists(
    st.tuples(
        st.sampled_from([PromotionKind.LINE_PERCENTAGE, PromotionKind.ORDER_PERCENTAGE]),
        st.decimals(min_value=Decimal("0.5"), max_value=Decimal(100), places=1),
    ),
    max_size=2,
)


@pytest.fixture
def rates():
    factories.product_tax_code("standard", is_default=True)
    factories.product_tax_code("reduced")
    factories.product_tax_code("zero")
    for country, code, rate in (
        ("FR", "standard", "20"),
        ("FR", "reduced", "5.5"),
        ("FR", "zero", "0"),
        ("DE", "standard", "19"),
        ("DE", "reduced", "7"),
    ):
        factories.tax_rate(rate, country=country, code=code)
    factories.tax_rate("10", country="FR", code="standard", postcode="20*")


@pytest.fixture
def django_settings(settings):
    """pytest-django's ``settings``, renamed beside hypothesis's ``settings``."""
    return settings


def money_fields(source) -> tuple:
    return (
        source.subtotal,
        source.discount_total,
        source.shipping_total,
        source.tax_total,
        source.total,
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cart=lines,
    offers=promotions,
    place=st.sampled_from(PLACES),
    exempt=st.booleans(),
    rounding=st.sampled_from(["line", "total"]),
    shipping=st.sampled_from(["0", "9.90", "0.05"]),
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_cart_order_and_invoice_totals_agree_and_none_is_negative(
    rates, django_settings, cart, offers, place, exempt, rounding, shipping, currency
):
    django_settings.COMPTOIR_TAX_ROUNDING = rounding
    django_settings.COMPTOIR_SHIPPING_FLAT_RATE = Decimal(shipping)
    country, postcode, vat_number = place
    company = factories.company(
        with_address=False,
        vat_number=vat_number,
        tax_code=factories.customer_tax_code("exempt") if exempt else None,
    )
    address = factories.address(company, country=country, postal_code=postcode)
    price_list = factories.price_list(f"List {company.pk}", currency=currency)
    factories.assign(price_list, company=company)
    buyer = factories.customer_user(company)
    for price, quantity, code in cart:
        tax_code = factories.product_tax_code(code) if code else None
        product = factories.product(tax_code=tax_code)
        factories.price(price_list, product, str(price))
        add_to_shopping_list(customer_user=buyer, sku=product.sku, quantity=quantity)
    for n, (kind, value) in enumerate(offers):
        promotion = Promotion.objects.create(
            name=f"{company.pk}-{n}", kind=kind, value=value, priority=n
        )
        promotion.companies.add(company)

    priced = priced_shopping_list(current_shopping_list_for(buyer))
    cart_totals = shopping_list_totals(priced, shipping_address=address)
    order = place_order(
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )
    invoice = issue_invoice(order=order)

    assert money_fields(order) == money_fields(cart_totals)
    assert money_fields(invoice) == money_fields(cart_totals)
    by_sku = {line.product.sku: line for line in cart_totals.lines}
    assert sorted((line.sku, line.tax_total) for line in order.lines.all()) == sorted(
        (sku, line.tax_total) for sku, line in by_sku.items()
    )
    assert sorted(
        (line.sku, line.net_total, line.tax_total) for line in invoice.lines.all()
    ) == sorted((sku, line.net, line.tax_total) for sku, line in by_sku.items())
    assert [(t.label, t.rate, t.base, t.amount) for t in invoice.tax_lines.all()] == [
        (t.label, t.rate, t.base, t.amount) for t in cart_totals.tax_lines
    ]
    assert cart_totals.tax_total == sum((t.amount for t in cart_totals.tax_lines), Decimal(0))
    amounts = [*money_fields(cart_totals)]
    for line in invoice.lines.all():
        amounts += [line.row_total, line.discount_total, line.net_total, line.tax_total]
    assert all(amount >= 0 for amount in amounts)
