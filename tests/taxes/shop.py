"""A seller in France with French and German VAT rates, products of each tax code, and buyers
in France and Germany; shared by the tax and invoice tests."""

from decimal import Decimal

from comptoir.accounts.models import Address
from comptoir.ordering.services import add_to_shopping_list, place_order
from tests import factories


def make_tax_shop() -> dict:
    standard = factories.product_tax_code("standard", is_default=True)
    reduced = factories.product_tax_code("reduced")
    zero = factories.product_tax_code("zero")
    factories.tax_rate("20", code="standard", label="TVA")
    factories.tax_rate("5.5", code="reduced", label="TVA")
    factories.tax_rate("0", code="zero", label="TVA")
    factories.tax_rate("10", code="standard", label="TVA", postcode="20*")
    factories.tax_rate("19", country="DE", code="standard", label="MwSt")
    factories.tax_rate("7", country="DE", code="reduced", label="MwSt")
    factories.tax_rate("0", country="DE", code="zero", label="MwSt")

    euros = factories.price_list("Euros", currency="EUR")
    drill = factories.product("DRILL-1", name="Drill")
    book = factories.product("BOOK-1", name="Manual", tax_code=reduced)
    voucher = factories.product("VOUCHER-1", name="Training voucher", tax_code=zero)
    factories.price(euros, drill, "49.99")
    factories.price(euros, book, "9.99")
    factories.price(euros, voucher, "120.00")

    paris = factories.company("Atelier Paris", with_address=False, vat_number="FR12345678901")
    paris_office = factories.address(
        paris, country="FR", postal_code="75001", city="Paris", is_default_shipping=True
    )
    ajaccio = factories.address(paris, country="FR", postal_code="20000", city="Ajaccio")
    berlin = factories.company("Werkstatt Berlin", with_address=False, vat_number="DE123456789")
    berlin_office = factories.address(
        berlin, country="DE", postal_code="10115", city="Berlin", is_default_shipping=True
    )
    for company in (paris, berlin):
        factories.assign(euros, company=company)
    return {
        "codes": {"standard": standard, "reduced": reduced, "zero": zero},
        "products": {"drill": drill, "book": book, "voucher": voucher},
        "paris": paris,
        "paris_office": paris_office,
        "ajaccio": ajaccio,
        "berlin": berlin,
        "berlin_office": berlin_office,
        "paris_buyer": factories.customer_user(paris, "buyer@atelier.example"),
        "berlin_buyer": factories.customer_user(berlin, "buyer@werkstatt.example"),
    }


def fill_cart(customer_user, *lines) -> None:
    """Put (sku, quantity) lines in ``customer_user``'s cart."""
    for sku, quantity in lines:
        add_to_shopping_list(customer_user=customer_user, sku=sku, quantity=Decimal(quantity))


def order_cart(customer_user, address: Address | None = None):
    address = (
        address
        or Address.objects.filter(company=customer_user.company, is_default_shipping=True).get()
    )
    return place_order(
        customer_user=customer_user, billing_address_id=address.pk, shipping_address_id=address.pk
    )
