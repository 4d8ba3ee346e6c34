"""The Magento import reads a products file a part at a time and writes each part in batches:
a file of many parts imports as a file of one, and the statements an import runs do not grow
with its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.accounts.models import Address, Company, CustomerUser
from comptoir.catalog.attributes import ProductModel
from comptoir.catalog.models import Product
from comptoir.integration.magento import customers, product_models, products
from comptoir.integration.magento.importer import import_magento_directory
from tests.integration.magento_files import write_products_export
from tests.integration.test_magento_bad_input import errors_of, hoodie, write_products
from tests.integration.test_magento_import import (
    OPTIONS,
    STORE_COUNTS,
    STORE_MESSAGES,
    counts_of,
    hoodie_variant,
    messages_of,
    values_of,
    write_store,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of two product records, of one configurable product and of one customer or
    address: every row meets the others only through what the import keeps between parts."""
    monkeypatch.setattr(products, "PART_SIZE", 2)
    monkeypatch.setattr(product_models, "MODELS_PART", 1)
    monkeypatch.setattr(customers, "PART_SIZE", 1)


def test_a_file_read_in_small_parts_imports_as_in_one(tmp_path, small_parts):
    write_store(tmp_path)

    report = import_magento_directory(tmp_path, options=OPTIONS)

    assert counts_of(report) == STORE_COUNTS
    assert messages_of(report) == STORE_MESSAGES
    variant = Product.objects.get(sku="MH01-XS-Orange")
    assert (variant.product_model.code, variant.category.slug, variant.information) == (
        "MH01",
        "men-tops-hoodies",
        "Fleece lined.",
    )
    assert values_of("MH01-XS-Orange") == {
        ("color", ""): "orange",
        ("size", ""): "xs",
        ("material", ""): "cotton,polyester",
    }
    assert values_of("24-MB01")["name", "fr"] == "Sac de sport Joust"
    assert sorted(Company.objects.values_list("code", "name", "customer_group__name")) == [
        ("ACME_CORP", "Acme Corp", "Wholesale"),
        ("RONI_COST_EXAMPLE.COM", "Veronica Costello", "General"),
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
            "company__code", "city", "is_default_billing", "is_default_shipping"
        )
    ) == [
        ("ACME_CORP", "Chicago", False, False),
        ("ACME_CORP", "Springfield", True, True),
        ("RONI_COST_EXAMPLE.COM", "Calder", True, True),
    ]


def test_a_variation_named_again_in_a_later_part_is_refused(tmp_path, small_parts):
    write_products(
        tmp_path,
        [
            hoodie_variant("MH02-S-Blue", "Blue", "S"),
            hoodie("MH02", "sku=MH02-S-Blue,color=Blue,size=S"),
            hoodie_variant("MH05-S-Blue", "Blue", "S"),
            hoodie("MH03", "sku=MH02-S-Blue,color=Blue,size=S"),
        ],
    )

    report = import_magento_directory(tmp_path)

    assert [error.split(": ", 1)[1] for error in errors_of(report)] == [
        "column configurable_variations: MH02-S-Blue is a variation of MH02 (line 3) "
        "already; a product is a variation of one configurable product"
    ]
    assert list(ProductModel.objects.values_list("code", flat=True)) == ["MH02"]


def queries_of_import(directory) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = import_magento_directory(directory)
    assert report.errors == []
    return len(queries)


def test_the_statements_an_import_runs_do_not_grow_with_its_products(tmp_path):
    # Each file has a group with special prices (every seventh), as the first one has.
    write_products_export(tmp_path / "first", 16, first=7, varied=False)
    import_magento_directory(tmp_path / "first")
    write_products_export(tmp_path / "few", 16, first=105, varied=False)
    write_products_export(tmp_path / "many", 128, first=203, varied=False)

    few = queries_of_import(tmp_path / "few")
    many = queries_of_import(tmp_path / "many")

    assert Product.objects.count() == 160
    assert ProductModel.objects.count() == 20
    assert many == few
