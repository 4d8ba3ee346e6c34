from dataclasses import dataclass
from decimal import Decimal

import pytest

from comptoir.accounts.models import Company, CustomerUser
from comptoir.catalog.models import Category, Product
from comptoir.pricing.models import PriceList
from tests import factories


@dataclass
class Shop:
    """Two companies on different price lists, a small category tree and three products."""

    tools: Category
    drills: Category
    drill: Product
    cable: Product
    gloves: Product
    default_list: PriceList
    acme: Company
    acme_buyer: CustomerUser
    globex: Company
    globex_buyer: CustomerUser


@pytest.fixture
def shop(db) -> Shop:
    tools = factories.category("Tools")
    drills = factories.category("Drills", parent=tools)
    drill = factories.product(
        "DR-100",
        name="Cordless Drill",
        category_name=None,
        description="A drill for masonry and wood.",
        information="Catalog page: 12\nTwo batteries included",
        specifications="Voltage: 18 V\nWeight: 1.6 kg",
        extra_units=(("set", 0, Decimal(5), True),),
        is_featured=True,
    )
    drill.category = drills
    drill.save()
    cable = factories.product(
        "CB-7", name="Copper Cable", unit_code="m", precision=2, category_name="Tools"
    )
    gloves = factories.product("AG-1", name="Work Gloves", category_name="Tools")

    default_list = factories.price_list("Default")
    factories.assign(default_list)
    factories.price(default_list, drill, "100.00")
    factories.price(default_list, drill, "95.00", quantity="10")
    factories.price(default_list, drill, "450.00", unit_code="set")
    factories.price(default_list, cable, "2.50")
    factories.price(default_list, gloves, "7.00")
    wholesale = factories.price_list("Wholesale")
    factories.price(wholesale, drill, "80.00")
    factories.price(wholesale, drill, "76.00", quantity="10")

    acme = factories.company("Acme")
    globex = factories.company("Globex")
    factories.assign(wholesale, company=globex)
    return Shop(
        tools=tools,
        drills=drills,
        drill=drill,
        cable=cable,
        gloves=gloves,
        default_list=default_list,
        acme=acme,
        acme_buyer=factories.customer_user(acme, "buyer@acme.example"),
        globex=globex,
        globex_buyer=factories.customer_user(globex, "buyer@globex.example"),
    )


@pytest.fixture
def acme_client(client, shop):
    client.force_login(shop.acme_buyer.user)
    return client


@pytest.fixture
def globex_client(client, shop):
    client.force_login(shop.globex_buyer.user)
    return client
