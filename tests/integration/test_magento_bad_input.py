"""Broken rows and unusable input in Magento export files: each problem is reported with its
file, line and column, the row is left out whole, and the other rows go in."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.accounts.models import Address, Company, CustomerUser
from comptoir.catalog.attributes import ProductAttributeValue, ProductModel
from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError
from comptoir.integration.magento.importer import import_magento_directory
from comptoir.pricing.models import Price
from tests.integration.test_magento_import import (
    ADDRESS_HEADER,
    ADDRESSES,
    ADDRESSES_FILE,
    CUSTOMER_HEADER,
    CUSTOMERS,
    CUSTOMERS_FILE,
    OPTIONS,
    PRICING_FILE,
    PRODUCT_HEADER,
    PRODUCTS_FILE,
    TIER_HEADER,
    address,
    counts_of,
    customer,
    hoodie_variant,
    product,
    store_row,
    write_csv,
)

pytestmark = pytest.mark.django_db


def errors_of(report) -> list[str]:
    return [str(problem) for problem in report.errors]


def write_products(directory, rows):
    write_csv(directory / PRODUCTS_FILE, PRODUCT_HEADER, rows)


def hoodie(sku: str, variations: str, **values: str) -> dict[str, str]:
    return product(
        sku,
        attribute_set_code="Top",
        product_type="configurable",
        name=f"Hoodie {sku}",
        price="",
        configurable_variations=variations,
        **values,
    )


def test_a_row_with_a_bad_price_is_refused_whole_with_its_store_view_rows(tmp_path):
    write_products(
        tmp_path,
        [
            product("AB-1"),
            product("AB-2", price="12,50", additional_attributes="color=Red"),
            store_row("AB-2", "french", name="Produit AB-2"),
            product("AB-3", price="8.5"),
        ],
    )

    report = import_magento_directory(tmp_path, options=OPTIONS)

    assert errors_of(report) == [
        f"{PRODUCTS_FILE}:3: column price: '12,50' is not a number; write decimals with a "
        "point: 12.50"
    ]
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["AB-1", "AB-3"]
    assert not ProductAttributeValue.objects.exists()
    assert sorted(Price.objects.values_list("product__sku", "value")) == [
        ("AB-1", Decimal("10.0000")),
        ("AB-3", Decimal("8.5000")),
    ]
    assert counts_of(report)["products"] == (2, 0, 0, 1)


def test_each_bad_value_of_a_product_row_is_reported_in_its_column(tmp_path):
    write_products(
        tmp_path,
        [
            product(
                "AB-1",
                product_type="kit",
                product_online="0",
                weight="heavy",
                qty="1.2345",
                categories="Default Category//Bags",
                additional_attributes="Red,size=M",
            ),
            product("AB-2"),
        ],
    )

    report = import_magento_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS_FILE}:2: column product_type: 'kit' is not a product type; Magento's are "
        "simple, virtual, downloadable, configurable, bundle, grouped",
        f"{PRODUCTS_FILE}:2: column product_online: '0' is not 1 (enabled) or 2 (disabled)",
        f"{PRODUCTS_FILE}:2: column weight: 'heavy' is not a number",
        f"{PRODUCTS_FILE}:2: column qty: '1.2345' has more than 3 decimals",
        f"{PRODUCTS_FILE}:2: column categories: 'Default Category//Bags' has an empty category "
        "name; write each path from the root category, names separated by /, as Default "
        "Category/Gear/Bags",
        f"{PRODUCTS_FILE}:2: column additional_attributes: 'Red' is not code=value; write pairs "
        "separated by commas, as color=Red,size=M",
    ]
    assert list(Product.objects.values_list("sku", flat=True)) == ["AB-2"]


def test_a_configurable_product_naming_an_unknown_variation_is_refused_whole(tmp_path):
    write_products(
        tmp_path,
        [
            hoodie_variant("MH02-S-Blue", "Blue", "S"),
            hoodie(
                "MH02",
                "sku=MH02-S-Blue,color=Blue,size=S|sku=MH02-M-Blue,color=Blue,size=M",
            ),
        ],
    )

    report = import_magento_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS_FILE}:3: column configurable_variations: no product has the SKU "
        "MH02-M-Blue, in this file or in the catalog: import the variations first, or correct "
        "their SKUs"
    ]
    assert not ProductModel.objects.exists()
    assert Product.objects.get(sku="MH02-S-Blue").product_model is None
    assert counts_of(report)["product models"] == (0, 0, 0, 1)


def test_a_product_is_a_variation_of_one_configurable_product(tmp_path):
    write_products(
        tmp_path,
        [
            hoodie_variant("MH02-S-Blue", "Blue", "S"),
            hoodie("MH02", "sku=MH02-S-Blue,color=Blue,size=S"),
            hoodie("MH03", "sku=MH02-S-Blue,color=Blue,size=S"),
            hoodie("MH04", "sku=MH04-S-Blue,color=Blue|sku=MH04-M-Blue,size=M"),
        ],
    )

    report = import_magento_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS_FILE}:4: column configurable_variations: MH02-S-Blue is a variation of MH02 "
        "(line 3) already; a product is a variation of one configurable product",
        f"{PRODUCTS_FILE}:5: column configurable_variations: the variation MH04-M-Blue differs "
        "by size but MH04-S-Blue by color: the variations of a product differ by the same "
        "attributes",
    ]
    assert list(ProductModel.objects.values_list("code", flat=True)) == ["MH02"]


def test_a_store_view_row_of_an_unknown_product_is_refused(tmp_path):
    write_products(tmp_path, [product("AB-1"), store_row("ZZ-9", "french", name="Inconnu")])

    report = import_magento_directory(tmp_path, options=OPTIONS)

    assert errors_of(report) == [
        f"{PRODUCTS_FILE}:3: column sku: SKU 'ZZ-9' is not in the catalog"
    ]
    assert list(Product.objects.values_list("sku", flat=True)) == ["AB-1"]


def test_bad_tier_prices_are_refused_and_the_others_imported(tmp_path):
    write_products(tmp_path, [product("AB-1", price="20"), product("AB-2", price="")])
    tier = {
        "sku": "AB-1",
        "tier_price_website": "All Websites [USD]",
        "tier_price_customer_group": "ALL GROUPS",
        "tier_price_qty": "5",
        "tier_price": "18",
        "tier_price_value_type": "Fixed",
    }
    write_csv(
        tmp_path / PRICING_FILE,
        TIER_HEADER,
        [
            tier,
            {**tier, "tier_price_website": "All Websites [EUR]", "tier_price_qty": "10"},
            {
                **tier,
                "tier_price_qty": "10",
                "tier_price": "150",
                "tier_price_value_type": "Discount",
            },
            {**tier, "sku": "AB-2", "tier_price": "10", "tier_price_value_type": "Discount"},
            {**tier, "tier_price_qty": "20", "tier_price_value_type": "Percent"},
            {**tier, "tier_price_qty": "20", "tier_price": "15"},
        ],
    )

    report = import_magento_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRICING_FILE}:3: column tier_price_website: the prices are in EUR and the import's "
        "currency is USD; import with --option currency=EUR (a price list holds one currency)",
        f"{PRICING_FILE}:4: column tier_price: '150' is more than 100 percent off",
        f"{PRICING_FILE}:6: column tier_price_value_type: 'Percent' is not one of: fixed, "
        "discount",
        f"{PRICING_FILE}:5: column tier_price: a discount is taken off the price of SKU 'AB-2' "
        "on 'Magento', and it has none; import the products file with its price first",
    ]
    assert sorted(Price.objects.values_list("product__sku", "quantity", "value")) == [
        ("AB-1", Decimal("1.000"), Decimal("20.0000")),
        ("AB-1", Decimal("5.000"), Decimal("18.0000")),
        ("AB-1", Decimal("20.000"), Decimal("15.0000")),
    ]


def test_customers_and_addresses_that_cannot_be_imported_name_what_to_fix(tmp_path):
    write_csv(
        tmp_path / CUSTOMERS_FILE,
        CUSTOMER_HEADER,
        [*CUSTOMERS, customer("pat.example.com", "Pat", "Martin", "1")],
    )
    write_csv(
        tmp_path / ADDRESSES_FILE,
        ADDRESS_HEADER,
        [
            *ADDRESSES,
            address(
                "roni_cost@example.com",
                "5",
                city="Paris",
                country_id="FRA",
                street="1 rue de Rivoli",
            ),
            address(
                "roni_cost@example.com", "6", city="Nowhere", country_id="ZZ", street="1 Road"
            ),
            address(
                "pat.example.com", "7", city="Lyon", country_id="FR", street="2 quai Perrache"
            ),
        ],
    )

    report = import_magento_directory(tmp_path)

    assert errors_of(report) == [
        f"{ADDRESSES_FILE}:8: column country_id: 'FRA' is not a country code: write the "
        "country's two-letter code (ISO 3166-1), as in FR or US",
        f"{ADDRESSES_FILE}:9: column country_id: 'ZZ' is not the code of a country: write the "
        "country's two-letter code (ISO 3166-1), as in FR or US",
        f"{CUSTOMERS_FILE}:5: column email: 'pat.example.com' is not an e-mail address, as "
        "pat@example.com",
        f"{ADDRESSES_FILE}:10: column _email: no customer has the e-mail 'pat.example.com' on "
        "the website 'base', in the customers file or in the catalog; import the customer first",
    ]
    assert CustomerUser.objects.count() == 3
    assert Company.objects.count() == 2
    assert Address.objects.count() == 3


def test_options_and_directories_that_cannot_be_imported_say_what_to_fix(tmp_path):
    (tmp_path / "notes.txt").write_text("exported on Friday\n")

    with pytest.raises(DomainError) as no_export:
        import_magento_directory(tmp_path)
    write_products(tmp_path, [product("AB-1")])
    with pytest.raises(DomainError) as unknown_option:
        import_magento_directory(tmp_path, options={"channel": "web"})
    with pytest.raises(DomainError) as bad_pair:
        import_magento_directory(tmp_path, options={"store_languages": "french"})
    with pytest.raises(DomainError) as bad_unit:
        import_magento_directory(tmp_path, options={"weight_unit": "stone"})
    report = import_magento_directory(tmp_path)

    assert no_export.value.message == (
        f"'{tmp_path}' holds no file of a Magento export: products, advanced pricing, customers "
        "main file or customer addresses, as System > Export writes them"
    )
    assert unknown_option.value.message == (
        "'channel' is not an option of Magento imports (options: currency, store_languages, "
        "weight_unit, warehouse, website, customer_groups, tax_classes)"
    )
    assert bad_pair.value.message == (
        "'french' in the option store_languages is not a KEY:VALUE pair; write pairs separated "
        "by commas, as french:fr,german:de"
    )
    assert bad_unit.value.message == (
        "'stone' is not a value of the option weight_unit; write one of: kgs, lbs"
    )
    assert (
        "notes.txt: is not a Magento export Comptoir reads (products, advanced pricing, "
        "customers main file, customer addresses): not imported"
    ) in [str(problem) for problem in report.warnings]
    assert list(Product.objects.values_list("sku", flat=True)) == ["AB-1"]


def test_the_command_fails_when_rows_are_refused_and_lists_them(tmp_path):
    write_products(tmp_path, [product("AB-1", price="free")])

    out = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import", "magento", str(tmp_path), stdout=out)

    assert str(refused.value) == "1 record rejected, 1 error: see the list above"
    assert f"{PRODUCTS_FILE}:2: column price: 'free' is not a number" in out.getvalue()


def test_an_empty_file_is_an_error_naming_it_and_the_other_files_still_go_in(tmp_path):
    write_products(tmp_path, [product("AB-1")])
    (tmp_path / CUSTOMERS_FILE).write_bytes(b"")
    out = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import", "magento", str(tmp_path), stdout=out)

    assert str(refused.value) == "0 records rejected, 1 error: see the list above"
    assert (
        f"{CUSTOMERS_FILE}: is empty (0 bytes), so nothing can be read from it; export it "
        "again from System > Export, or take it out of the directory"
    ) in out.getvalue()
    assert list(Product.objects.values_list("sku", flat=True)) == ["AB-1"]


def test_a_directory_holding_only_an_empty_file_names_it(tmp_path):
    (tmp_path / PRODUCTS_FILE).write_bytes(b"")

    report = import_magento_directory(tmp_path)

    assert errors_of(report) == [
        f"{PRODUCTS_FILE}: is empty (0 bytes), so nothing can be read from it; export it again "
        "from System > Export, or take it out of the directory"
    ]


def test_a_products_file_of_only_its_header_says_it_holds_no_products(tmp_path):
    write_products(tmp_path, [])

    report = import_magento_directory(tmp_path)

    assert report.errors == []
    assert [str(problem) for problem in report.warnings] == [
        f"{PRODUCTS_FILE}: holds its header and no rows: no products in it, so nothing of it "
        "was imported"
    ]
    assert report.counts == {}
    assert not Product.objects.exists()
