from decimal import Decimal

import pytest

from comptoir.accounts.models import Address
from comptoir.ordering.services import add_to_shopping_list, place_order
from tests import factories


@pytest.fixture
def shop():
    """One price list, two companies (Acme with a subsidiary) and products in two categories."""
    base = factories.price_list("Base")
    lighting = factories.category("Lighting")
    lamps = factories.category("Desk lamps", parent=lighting)
    lamp = factories.product("LAMP-1", name="Lamp", category_name=None)
    bulb = factories.product("BULB-1", name="Bulb", category_name=None)
    lamp.category, bulb.category = lamps, lighting
    lamp.save(update_fields=["category"])
    bulb.save(update_fields=["category"])
    cable = factories.product("CABLE-1", name="Cable", unit_code="m", precision=2)
    chair = factories.product("CHAIR-1", name="Chair")
    factories.price(base, lamp, "20.00")
    factories.price(base, bulb, "2.50")
    factories.price(base, cable, "1.25", quantity="0.01")
    factories.price(base, chair, "99.90")
    acme = factories.company("Acme")
    acme_east = factories.company("Acme East", parent=acme)
    globex = factories.company("Globex")
    for company in (acme, acme_east, globex):
        factories.assign(base, company=company)
    return {
        "lamp": lamp,
        "bulb": bulb,
        "cable": cable,
        "chair": chair,
        "lighting": lighting,
        "lamps": lamps,
        "acme": acme,
        "globex": globex,
        "buyer": factories.customer_user(acme, "buyer@acme.example"),
        "colleague": factories.customer_user(acme, "colleague@acme.example"),
        "east_buyer": factories.customer_user(acme_east, "buyer@east.example"),
        "other": factories.customer_user(globex, "buyer@globex.example"),
    }


def fill_cart(customer_user, *lines):
    """Put (sku, quantity) lines in ``customer_user``'s cart."""
    for sku, quantity in lines:
        add_to_shopping_list(customer_user=customer_user, sku=sku, quantity=Decimal(quantity))


def order_cart(customer_user):
    address = Address.objects.filter(company=customer_user.company).first()
    return place_order(
        customer_user=customer_user,
        billing_address_id=address.pk,
        shipping_address_id=address.pk,
    )
