"""The Magento importer on a small store written as Magento 2's System > Export writes it:
simple and configurable products with their variations, a translation per store view, tier
prices, customers and their addresses."""

import csv
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from comptoir.accounts.models import Address, Company, CustomerUser
from comptoir.catalog.attribute_services import upsert_attribute
from comptoir.catalog.attributes import (
    Attribute,
    AttributeType,
    ProductAttributeValue,
    ProductFamily,
    ProductModel,
)
from comptoir.catalog.models import Category, Product
from comptoir.catalog.services import upsert_product, upsert_unit
from comptoir.integration.magento.importer import import_magento_directory
from comptoir.inventory.models import StockLevel
from comptoir.pricing.models import Price, PriceList, PriceListAssignment
from comptoir.taxes.models import ProductTaxCode
from tests.integration.magento_files import PRODUCT_HEADER

pytestmark = pytest.mark.django_db

TIER_HEADER = (
    "sku,tier_price_website,tier_price_customer_group,tier_price_qty,tier_price,"
    "tier_price_value_type"
)
CUSTOMER_HEADER = (
    "email,_website,_store,confirmation,created_at,created_in,disable_auto_group_change,dob,"
    "firstname,gender,group_id,lastname,middlename,password_hash,prefix,rp_token,"
    "rp_token_created_at,store_id,suffix,taxvat,website_id,password"
)
ADDRESS_HEADER = (
    "_website,_email,_entity_id,city,company,country_id,fax,firstname,lastname,middlename,"
    "postcode,prefix,region,region_id,street,suffix,telephone,vat_id,vat_is_valid,"
    "vat_request_date,vat_request_id,vat_request_success,_address_default_billing_,"
    "_address_default_shipping_"
)

PRODUCTS_FILE = "catalog_product_20250131_101500.csv"
PRICING_FILE = "advanced_pricing_20250131_101512.csv"
CUSTOMERS_FILE = "customer_20250131_101530.csv"
ADDRESSES_FILE = "customer_address_20250131_101541.csv"


def write_csv(path: Path, header: str, rows: list[dict[str, str]]) -> None:
    """A file whose first line is ``header``, as Magento writes it, then ``rows``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header.split(","), restval="")
        writer.writeheader()
        writer.writerows(rows)


def product(sku: str, **values: str) -> dict[str, str]:
    """A default row of a simple product, in stock, in the Default attribute set."""
    return {
        "sku": sku,
        "attribute_set_code": "Default",
        "product_type": "simple",
        "product_websites": "base",
        "name": f"Product {sku}",
        "weight": "1",
        "product_online": "1",
        "tax_class_name": "Taxable Goods",
        "visibility": "Catalog, Search",
        "price": "10.000000",
        "url_key": sku.lower(),
        "created_at": "1/31/25, 10:00 AM",
        "qty": "100.0000",
        "is_in_stock": "1",
        **values,
    }


def store_row(sku: str, store_view: str, **values: str) -> dict[str, str]:
    """A store view row: what Magento writes for a product's values in one store view."""
    return {
        "sku": sku,
        "store_view_code": store_view,
        "attribute_set_code": "Top",
        "product_type": "simple",
        **values,
    }


def hoodie_variant(sku: str, color: str, size: str, **values: str) -> dict[str, str]:
    return product(
        sku,
        attribute_set_code="Top",
        name=f"Chaz Hoodie-{size}-{color}",
        price="52.000000",
        visibility="Not Visible Individually",
        additional_attributes=f"color={color},material=Cotton|Polyester,size={size}",
        **values,
    )


STORE_PRODUCTS = [
    hoodie_variant("MH01-XS-Black", "Black", "XS"),
    hoodie_variant("MH01-XS-Orange", "Orange", "XS", qty="12.0000"),
    hoodie_variant("MH01-S-Black", "Black", "S", qty="3.0000", is_in_stock="0"),
    product(
        "MH01",
        attribute_set_code="Top",
        product_type="configurable",
        categories="Default Category/Men/Tops/Hoodies,Default Category/Collections/New",
        name="Chaz Hoodie",
        description="<p>A <strong>warm</strong> hoodie.</p><p>Machine wash.</p>",
        short_description="<p>Fleece lined.</p>",
        price="",
        qty="0.0000",
        configurable_variations="sku=MH01-XS-Black,color=Black,size=XS|"
        "sku=MH01-XS-Orange,color=Orange,size=XS|sku=MH01-S-Black,color=Black,size=S",
        configurable_variation_labels="color=Colour,size=Size",
    ),
    store_row("MH01", "french", product_type="configurable", name="Sweat Chaz"),
    product(
        "24-MB01",
        attribute_set_code="Bag",
        categories="Default Category/Gear/Bags",
        name="Joust Duffle Bag",
        description="<p>The sporty Joust Duffle Bag, with room for everything.</p>",
        weight="2",
        price="34.000000",
        special_price="29.000000",
        qty="50.0000",
        additional_attributes="activity=Gym|Travel,strap_bags=Adjustable,"
        "features_bags=Audio pocket, laptop sleeve",
    ),
    store_row(
        "24-MB01",
        "french",
        attribute_set_code="Bag",
        name="Sac de sport Joust",
        description="<p>Le sac de sport Joust.</p>",
        url_key="sac-joust",
    ),
    store_row("24-MB01", "german", attribute_set_code="Bag", name="Joust Sporttasche"),
    product(
        "24-WG080",
        attribute_set_code="Bag",
        product_type="bundle",
        categories="Default Category/Gear",
        name="Sprite Yoga Companion Kit",
        price="",
    ),
    product("24-UG01", product_type="virtual", name="Gift wrapping", weight="", qty=""),
]

TIER_PRICES = [
    {
        "sku": "24-MB01",
        "tier_price_website": "All Websites [USD]",
        "tier_price_customer_group": "ALL GROUPS",
        "tier_price_qty": "5.0000",
        "tier_price": "31.000000",
        "tier_price_value_type": "Fixed",
    },
    {
        "sku": "24-MB01",
        "tier_price_website": "All Websites [USD]",
        "tier_price_customer_group": "Wholesale",
        "tier_price_qty": "10.0000",
        "tier_price": "15.000000",
        "tier_price_value_type": "Discount",
    },
    {
        "sku": "MH01-XS-Black",
        "tier_price_website": "All Websites [USD]",
        "tier_price_customer_group": "NOT LOGGED IN",
        "tier_price_qty": "2.0000",
        "tier_price": "40.000000",
        "tier_price_value_type": "Fixed",
    },
]


def customer(email: str, first_name: str, last_name: str, group_id: str, **values) -> dict:
    return {
        "email": email,
        "_website": "base",
        "_store": "default",
        "created_at": "2025-01-02 10:00:00",
        "created_in": "Default Store View",
        "firstname": first_name,
        "group_id": group_id,
        "lastname": last_name,
        "store_id": "1",
        "website_id": "1",
        **values,
    }


def address(email: str, entity_id: str, **values: str) -> dict[str, str]:
    return {"_website": "base", "_email": email, "_entity_id": entity_id, **values}


CUSTOMERS = [
    customer("roni_cost@example.com", "Veronica", "Costello", "1"),
    customer("jane@acme.example", "Jane", "Doe", "2", taxvat="12-3456789"),
    customer("john@acme.example", "John", "Smith", "2"),
]
ADDRESSES = [
    address(
        "roni_cost@example.com",
        "1",
        city="Calder",
        country_id="US",
        firstname="Veronica",
        lastname="Costello",
        postcode="49628-7978",
        region="Michigan",
        region_id="33",
        street="6146 Honey Bluff Parkway",
        telephone="(555) 229-3326",
        _address_default_billing_="1",
        _address_default_shipping_="1",
    ),
    address(
        "jane@acme.example",
        "2",
        city="Springfield",
        company="Acme Corp",
        country_id="US",
        firstname="Jane",
        lastname="Doe",
        postcode="62701",
        region="Illinois",
        street="1 Main Street\nBuilding B",
        _address_default_billing_="1",
        _address_default_shipping_="1",
    ),
    address(
        "john@acme.example",
        "3",
        city="Springfield",
        company="Acme Corp",
        country_id="US",
        firstname="John",
        lastname="Smith",
        postcode="62701",
        region="Illinois",
        street="1 Main Street\nBuilding B",
        _address_default_billing_="1",
        _address_default_shipping_="1",
    ),
    address(
        "john@acme.example",
        "4",
        city="Chicago",
        company="ACME  corp",
        country_id="us",
        firstname="John",
        lastname="Smith",
        postcode="60611",
        region="Illinois",
        street="9 Lake Shore Drive",
        _address_default_shipping_="1",
    ),
]

OPTIONS = {"store_languages": "french:fr"}


def write_store(
    directory: Path,
    *,
    products: list[dict[str, str]] = STORE_PRODUCTS,
    tier_prices: list[dict[str, str]] = TIER_PRICES,
    customers: list[dict[str, str]] = CUSTOMERS,
    addresses: list[dict[str, str]] = ADDRESSES,
) -> Path:
    write_csv(directory / PRODUCTS_FILE, PRODUCT_HEADER, products)
    write_csv(directory / PRICING_FILE, TIER_HEADER, tier_prices)
    write_csv(directory / CUSTOMERS_FILE, CUSTOMER_HEADER, customers)
    write_csv(directory / ADDRESSES_FILE, ADDRESS_HEADER, addresses)
    return directory


def counts_of(report) -> dict[str, tuple[int, int, int, int]]:
    return {
        name: (counts.created, counts.updated, counts.unchanged, counts.rejected)
        for name, counts in report.counts.items()
    }


def messages_of(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def values_of(sku: str) -> dict[tuple[str, str], str]:
    """A product's attribute values as text, by attribute code and language."""
    found = {}
    for value in ProductAttributeValue.objects.filter(product__sku=sku).prefetch_related(
        "options"
    ):
        options = sorted(option.code for option in value.options.all())
        found[value.attribute.code, value.language] = ",".join(options) or value.text
    return found


def test_a_store_imports_its_products_variants_prices_stock_and_customers(tmp_path):
    write_store(tmp_path)

    report = import_magento_directory(tmp_path, options=OPTIONS)

    assert report.errors == []
    assert sorted(Product.objects.values_list("sku", flat=True)) == [
        "24-MB01",
        "24-UG01",
        "MH01-S-Black",
        "MH01-XS-Black",
        "MH01-XS-Orange",
    ]
    assert sorted(Category.objects.values_list("slug", "parent__slug")) == [
        ("collections", None),
        ("collections-new", "collections"),
        ("gear", None),
        ("gear-bags", "gear"),
        ("men", None),
        ("men-tops", "men"),
        ("men-tops-hoodies", "men-tops"),
    ]
    bag = Product.objects.get(sku="24-MB01")
    assert (bag.name, bag.category.slug, bag.weight_kg, bag.is_enabled) == (
        "Joust Duffle Bag",
        "gear-bags",
        Decimal("0.9072"),
        True,
    )
    assert bag.description == "The sporty Joust Duffle Bag, with room for everything."
    assert bag.family.code == "Bag"
    assert bag.primary_unit.unit.code == "item"
    assert values_of("24-MB01") == {
        ("activity", ""): "gym,travel",
        ("strap_bags", ""): "Adjustable",
        ("features_bags", ""): "Audio pocket, laptop sleeve",
        ("name", "fr"): "Sac de sport Joust",
        ("description", "fr"): "Le sac de sport Joust.",
    }
    assert Attribute.objects.get(code="activity").type == AttributeType.MULTISELECT
    assert Attribute.objects.get(code="strap_bags").type == AttributeType.TEXT
    assert Attribute.objects.get(code="name").is_localizable is True

    hoodie = ProductModel.objects.get(code="MH01")
    assert hoodie.name == "Chaz Hoodie"
    assert hoodie.family.code == "Top"
    assert sorted(hoodie.axes.values_list("code", "type")) == [
        ("color", AttributeType.SELECT),
        ("size", AttributeType.SELECT),
    ]
    assert Attribute.objects.get(code="color").name == "Colour"
    variant = Product.objects.get(sku="MH01-XS-Orange")
    assert (variant.product_model, variant.family.code, variant.category.slug) == (
        hoodie,
        "Top",
        "men-tops-hoodies",
    )
    assert variant.description == "A warm hoodie.\n\nMachine wash."
    assert variant.information == "Fleece lined."
    assert values_of("MH01-XS-Orange") == {
        ("color", ""): "orange",
        ("size", ""): "xs",
        ("material", ""): "cotton,polyester",
    }
    assert sorted(
        ProductFamily.objects.get(code="Top").attributes.values_list("code", flat=True)
    ) == [
        "color",
        "description",
        "material",
        "name",
        "short_description",
        "size",
    ]

    base = PriceList.objects.get(name="Magento")
    assert sorted(
        Price.objects.filter(price_list=base).values_list("product__sku", "quantity", "value")
    ) == [
        ("24-MB01", Decimal("1.000"), Decimal("34.0000")),
        ("24-MB01", Decimal("5.000"), Decimal("31.0000")),
        ("24-UG01", Decimal("1.000"), Decimal("10.0000")),
        ("MH01-S-Black", Decimal("1.000"), Decimal("52.0000")),
        ("MH01-XS-Black", Decimal("1.000"), Decimal("52.0000")),
        ("MH01-XS-Orange", Decimal("1.000"), Decimal("52.0000")),
    ]
    assert list(
        Price.objects.filter(price_list__name="Magento Wholesale").values_list(
            "product__sku", "quantity", "value"
        )
    ) == [("24-MB01", Decimal("10.000"), Decimal("28.9000"))]
    assert list(
        Price.objects.filter(price_list__name="Magento special prices").values_list(
            "product__sku", "value"
        )
    ) == [("24-MB01", Decimal("29.0000"))]
    assert sorted(
        (assignment.price_list.name, assignment.level_label)
        for assignment in PriceListAssignment.objects.all()
    ) == [("Magento", "website"), ("Magento Wholesale", "group Wholesale")]
    assert sorted(
        StockLevel.objects.values_list("product__sku", "warehouse__code", "quantity")
    ) == [
        ("24-MB01", "default", Decimal("50.000")),
        ("MH01-S-Black", "default", Decimal("0.000")),
        ("MH01-XS-Black", "default", Decimal("100.000")),
        ("MH01-XS-Orange", "default", Decimal("12.000")),
    ]

    assert sorted(
        Company.objects.values_list("code", "name", "customer_group__name", "tax_id")
    ) == [
        ("ACME_CORP", "Acme Corp", "Wholesale", "12-3456789"),
        ("RONI_COST_EXAMPLE.COM", "Veronica Costello", "General", ""),
    ]
    assert sorted(
        (member.user.email, member.company.code, [role.code for role in member.roles.all()])
        for member in CustomerUser.objects.select_related("user", "company")
    ) == [
        ("jane@acme.example", "ACME_CORP", ["administrator"]),
        ("john@acme.example", "ACME_CORP", ["buyer"]),
        ("roni_cost@example.com", "RONI_COST_EXAMPLE.COM", ["administrator"]),
    ]
    assert sorted(
        Address.objects.values_list(
            "company__code",
            "name",
            "street",
            "street2",
            "city",
            "country",
            "is_default_billing",
            "is_default_shipping",
        )
    ) == [
        ("ACME_CORP", "Jane Doe", "1 Main Street", "Building B", "Springfield", "US", True, True),
        ("ACME_CORP", "John Smith", "9 Lake Shore Drive", "", "Chicago", "US", False, False),
        (
            "RONI_COST_EXAMPLE.COM",
            "Veronica Costello",
            "6146 Honey Bluff Parkway",
            "",
            "Calder",
            "US",
            True,
            True,
        ),
    ]


# What importing the store reports.
STORE_COUNTS = {
    "categories": (7, 0, 0, 0),
    "attributes": (9, 0, 0, 0),
    "attribute options": (8, 0, 0, 0),
    "families": (3, 0, 0, 0),
    "units": (1, 0, 0, 0),
    "products": (5, 0, 0, 0),
    "product attribute values": (14, 0, 7, 0),
    "product models": (1, 0, 0, 0),
    "variants": (0, 3, 0, 0),
    "price lists": (3, 0, 1, 0),
    "price list assignments": (2, 0, 1, 0),
    "prices": (8, 0, 0, 0),
    "warehouses": (1, 0, 0, 0),
    "inventory": (4, 0, 0, 0),
    "customer groups": (2, 0, 0, 0),
    "companies": (2, 0, 0, 0),
    "customer users": (3, 0, 0, 0),
    "addresses": (3, 0, 0, 0),
}
STORE_MESSAGES = [
    f"{PRODUCTS_FILE}:1: columns not imported: product_websites, visibility, url_key, "
    "meta_title, base_image, created_at, updated_at",
    f"{PRODUCTS_FILE}: column store_view_code: the store view german has no language, so "
    "its rows are not imported (1 row: line 9); give it one with --option "
    "store_languages=german:LANGUAGE",
    f"{PRODUCTS_FILE}: column product_type: bundle products are not imported: Comptoir has "
    "none; the products they hold are imported from their own rows (1 row: line 10)",
    f"{PRODUCTS_FILE}: column categories: a product in several categories goes in the "
    "deepest its row names (the first of those): a product is in one category in Comptoir "
    "(1 row: line 5)",
    f"{PRODUCTS_FILE}: column tax_class_name: the tax class 'Taxable Goods' has no tax "
    "code, so its products keep theirs, the default for new ones (5 rows: lines 2, 3, 4, "
    "7, 11); give it one with --option tax_classes='Taxable Goods:CODE'",
    f"{PRODUCTS_FILE}:1: column special_price: the special prices go to the price list "
    "'Magento special prices', assigned to no one yet: assign it to the website, customer "
    "groups or companies for buyers to get them",
    f"{PRICING_FILE}: column tier_price_customer_group: tier prices for NOT LOGGED IN are "
    "not imported: buyers log in to see prices (1 row: line 4)",
    f"{ADDRESSES_FILE}:1: columns not imported: _entity_id, fax, middlename, prefix, "
    "region_id, suffix, telephone, vat_id, vat_is_valid, vat_request_date, vat_request_id, "
    "vat_request_success",
    f"{CUSTOMERS_FILE}:1: columns not imported: _store, confirmation, created_at, "
    "created_in, disable_auto_group_change, dob, gender, middlename, password_hash, prefix, "
    "rp_token, rp_token_created_at, store_id, suffix, website_id, password",
]


def test_the_report_counts_each_entity_and_says_what_is_left_out(tmp_path):
    write_store(tmp_path)

    report = import_magento_directory(tmp_path, options=OPTIONS)

    assert counts_of(report) == STORE_COUNTS
    assert messages_of(report) == STORE_MESSAGES


def state() -> dict[str, list]:
    """What an import wrote, to compare two runs."""
    return {
        "products": sorted(
            Product.objects.values_list(
                "sku",
                "name",
                "description",
                "information",
                "category__slug",
                "family__code",
                "product_model__code",
                "weight_kg",
                "is_enabled",
                "updated_at",
            )
        ),
        "values": sorted(
            (sku, *key, text)
            for sku in Product.objects.values_list("sku", flat=True)
            for key, text in values_of(sku).items()
        ),
        "prices": sorted(
            Price.objects.values_list("price_list__name", "product__sku", "quantity", "value")
        ),
        "stock": sorted(StockLevel.objects.values_list("product__sku", "quantity", "updated_at")),
        "companies": sorted(Company.objects.values_list("code", "name", "customer_group__name")),
        "users": sorted(
            CustomerUser.objects.values_list("user__email", "company__code", "roles__code")
        ),
        "addresses": sorted(Address.objects.values_list("company__code", "street", "city")),
    }


def test_the_same_directory_twice_changes_nothing(tmp_path):
    write_store(tmp_path)
    import_magento_directory(tmp_path, options=OPTIONS)
    before = state()

    report = import_magento_directory(tmp_path, options=OPTIONS)

    assert state() == before
    assert report.errors == []
    assert report.changed == 0
    assert counts_of(report)["products"] == (0, 0, 5, 0)
    assert counts_of(report)["product attribute values"] == (0, 0, 21, 0)
    assert counts_of(report)["addresses"] == (0, 0, 3, 0)


def test_a_store_view_row_changed_since_updates_the_translations_of_its_product(tmp_path):
    write_store(tmp_path)
    import_magento_directory(tmp_path, options=OPTIONS)
    products = [
        store_row("24-MB01", "french", name="Sac Joust")
        if row.get("name") == "Sac de sport Joust"
        else row
        for row in STORE_PRODUCTS
    ]
    write_store(tmp_path, products=products)

    report = import_magento_directory(tmp_path, options=OPTIONS)

    assert counts_of(report)["product attribute values"] == (0, 2, 19, 0)
    assert values_of("24-MB01")["name", "fr"] == "Sac Joust"
    assert ("description", "fr") not in values_of("24-MB01")


def test_a_product_already_in_the_catalog_keeps_its_unit_and_an_attribute_its_type(tmp_path):
    unit, _ = upsert_unit(code="box")
    upsert_product(sku="24-MB01", name="Duffle", unit=unit, precision=0)
    upsert_attribute(code="strap_bags", name="Strap", type=AttributeType.SELECT)
    write_store(tmp_path)

    report = import_magento_directory(tmp_path, options=OPTIONS)

    assert report.errors == []
    bag = Product.objects.get(sku="24-MB01")
    assert (bag.name, bag.primary_unit.unit.code) == ("Joust Duffle Bag", "box")
    strap = Attribute.objects.get(code="strap_bags")
    assert (strap.name, strap.type) == ("Strap", AttributeType.SELECT)
    assert list(strap.options.values_list("code", "label")) == [("adjustable", "Adjustable")]
    assert values_of("24-MB01")["strap_bags", ""] == "adjustable"


def test_the_command_imports_a_magento_directory_with_its_options(tmp_path):
    write_store(tmp_path)
    out = StringIO()

    call_command(
        "import",
        "magento",
        str(tmp_path),
        "--option",
        "store_languages=french:fr",
        "--option",
        "weight_unit=kgs",
        stdout=out,
    )

    assert "Import summary" in out.getvalue()
    assert Product.objects.get(sku="24-MB01").weight_kg == Decimal("2.0000")
    assert values_of("24-MB01")["name", "fr"] == "Sac de sport Joust"


def test_options_map_tax_classes_customer_groups_and_the_website_priced(tmp_path):
    ProductTaxCode.objects.create(code="standard", name="Standard")
    tier = TIER_PRICES[0]
    write_store(
        tmp_path,
        tier_prices=[
            tier,
            {**tier, "tier_price_website": "base", "tier_price_qty": "10", "tier_price": "30"},
            {**tier, "tier_price_website": "wholesale", "tier_price_qty": "20"},
        ],
        customers=[
            customer("roni_cost@example.com", "Veronica", "Costello", "4"),
            customer("jane@acme.example", "Jane", "Doe", "7"),
        ],
        addresses=ADDRESSES[:2],
    )

    report = import_magento_directory(
        tmp_path,
        options={
            "tax_classes": "Taxable Goods:standard",
            "customer_groups": "4:Distributors",
            "website": "base",
        },
    )

    assert report.errors == []
    assert Product.objects.get(sku="24-MB01").tax_code.code == "standard"
    assert sorted(Company.objects.values_list("code", "customer_group__name")) == [
        ("ACME_CORP", None),
        ("RONI_COST_EXAMPLE.COM", "Distributors"),
    ]
    assert sorted(
        Price.objects.filter(product__sku="24-MB01", price_list__name="Magento").values_list(
            "quantity", "value"
        )
    ) == [
        (Decimal("1.000"), Decimal("34.0000")),
        (Decimal("5.000"), Decimal("31.0000")),
        (Decimal("10.000"), Decimal("30.0000")),
    ]
    assert [str(problem) for problem in report.warnings[-4:]] == [
        f"{PRICING_FILE}: column tier_price_website: tier prices of other websites than base "
        "are not imported (1 row: line 4)",
        f"{ADDRESSES_FILE}:1: columns not imported: _entity_id, fax, middlename, prefix, "
        "region_id, suffix, telephone, vat_id, vat_is_valid, vat_request_date, vat_request_id, "
        "vat_request_success",
        f"{CUSTOMERS_FILE}:1: columns not imported: _store, confirmation, created_at, "
        "created_in, disable_auto_group_change, dob, gender, middlename, password_hash, prefix, "
        "rp_token, rp_token_created_at, store_id, suffix, website_id, password",
        f"{CUSTOMERS_FILE}: column group_id: the customer group 7 has no name, so the companies "
        "of its customers get no group (1 row: line 3); name it with --option "
        "customer_groups=7:NAME",
    ]
