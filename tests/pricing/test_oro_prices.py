"""Prices of the OroCommerce demo: each company pays what its price list chain dictates."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from comptoir.accounts.models import CustomerUser
from comptoir.catalog.models import Product
from comptoir.integration.oro.catalog import demo_tiers
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.pricing.models import Price, PriceList, PriceRule
from comptoir.pricing.queries import price_for, price_list_chain


def buyer(email: str) -> CustomerUser:
    return CustomerUser.objects.select_related("company").get(
        user__email__iexact=email, roles__code="buyer"
    )


COMPANY_A_BUYER = "BrandaJSanborn@example.org"
WHOLESALER_B_BUYER = "MarleneSBradley@example.com"


def pays(customer_user: CustomerUser, sku: str, quantity: int) -> tuple[Decimal, str]:
    resolved = price_for(
        company=customer_user.company,
        product=Product.objects.get(sku=sku),
        unit="item",
        quantity=Decimal(quantity),
    )
    assert resolved is not None
    return resolved.value, resolved.price_list_name


@pytest.mark.django_db
@pytest.mark.oro
def test_buyers_of_company_a_and_wholesaler_b_pay_their_own_chain_for_0rt28(oro_dir):
    import_oro_directory(oro_dir)
    company_a, wholesaler_b = buyer(COMPANY_A_BUYER), buyer(WHOLESALER_B_BUYER)

    company_a_prices = [pays(company_a, "0RT28", quantity) for quantity in (1, 9, 10, 19, 20)]
    wholesaler_b_prices = [pays(wholesaler_b, "0RT28", quantity) for quantity in (1, 10, 20)]

    assert company_a_prices == [
        (Decimal("99.99"), "Default Price List"),
        (Decimal("99.99"), "Default Price List"),
        (Decimal("94.99"), "Default Price List"),
        (Decimal("94.99"), "Default Price List"),
        (Decimal("89.99"), "Default Price List"),
    ]
    assert wholesaler_b_prices == [
        (Decimal("89.99"), "Wholesale Price List"),
        (Decimal("85.49"), "Wholesale Price List"),
        (Decimal("80.99"), "Wholesale Price List"),
    ]


@pytest.mark.django_db
@pytest.mark.oro
def test_demo_chains_put_each_company_list_before_its_group_and_website_lists(oro_dir):
    import_oro_directory(oro_dir)

    chains = {
        customer_user.company.name: [
            (entry.price_list_name, entry.level, entry.merge_allowed)
            for entry in price_list_chain(customer_user.company)
        ]
        for customer_user in (buyer(COMPANY_A_BUYER), buyer(WHOLESALER_B_BUYER))
    }

    assert chains == {
        "Company A": [
            ("Default Price List", "company", True),
            ("Wholesale Price List", "company", True),
            ("Partner C Custom Price List", "group", True),
        ],
        "Wholesaler B": [
            ("Wholesale Price List", "company", True),
            ("Default Price List", "company", True),
            ("Partner C Custom Price List", "group", False),
        ],
    }


def test_demo_tiers_take_a_share_of_the_price_rounded_half_up_to_the_cent():
    # 10.05 x 0.95 = 9.5475 -> 9.55; 10.05 x 0.90 = 9.045 -> 9.05
    assert demo_tiers(Decimal("10.05")) == [
        (Decimal(1), Decimal("10.05")),
        (Decimal(10), Decimal("9.55")),
        (Decimal(20), Decimal("9.05")),
    ]


@pytest.mark.django_db
@pytest.mark.oro
def test_wholesale_and_partner_c_come_out_of_rules_over_default_to_the_cent(oro_dir):
    import_oro_directory(oro_dir)
    default = PriceList.objects.get(name="Default Price List")
    base = {
        (p.product_id, p.unit_id, p.quantity): p.value
        for p in Price.objects.filter(price_list=default)
    }
    assert len(base) == 61 * 3  # two of the 63 products have no price

    for list_name, share in (
        ("Wholesale Price List", "0.9"),
        ("Partner C Custom Price List", "0.8"),
    ):
        computed = Price.objects.filter(price_list__name=list_name)
        assert {p.source for p in computed} == {"rule"}
        got = {(p.product_id, p.unit_id, p.quantity): p.value for p in computed}
        expected = {
            slot: (value * Decimal(share)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            for slot, value in base.items()
        }
        assert got == expected
        rule = PriceRule.objects.get(price_list__name=list_name)
        assert rule.formula == f'pricelist["Default Price List"].price * {share}'
