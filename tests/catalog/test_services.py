"""The catalog upserts: matching ignoring case and spaces, and writing only what changed."""

from decimal import Decimal

import pytest

from comptoir.catalog.models import Category, Product, ProductUnit, normalize_sku
from comptoir.catalog.services import (
    upsert_brand,
    upsert_category,
    upsert_product,
    upsert_product_unit,
    upsert_unit,
)
from comptoir.core.errors import DomainError
from comptoir.integration.transfer.entities.product_batches import find_products
from tests import factories

pytestmark = pytest.mark.django_db


def make_drill(**changes):
    values = {
        "sku": "AB-1",
        "name": "Cordless drill",
        "unit": factories.unit("item"),
        "description": "Drills holes.",
        "category": factories.category("Drills"),
    }
    return upsert_product(**{**values, **changes})


def test_product_is_created_with_its_primary_unit():
    product, status = make_drill(precision=0)

    assert status == "created"
    assert [
        (pu.unit.code, pu.precision, pu.conversion_rate, pu.is_primary)
        for pu in product.units.all()
    ] == [("item", 0, Decimal(1), True)]


def test_same_values_again_leave_the_product_unchanged_and_unwritten():
    product, _ = make_drill()
    stamp = Product.objects.get(pk=product.pk).updated_at

    again, status = make_drill()

    assert (again.pk, status) == (product.pk, "unchanged")
    assert Product.objects.get(pk=product.pk).updated_at == stamp


def test_sku_is_matched_ignoring_case_and_surrounding_spaces():
    product, _ = make_drill()

    same, status = make_drill(sku="  ab-1 ", name="Cordless drill 18V")

    assert (same.pk, status) == (product.pk, "updated")
    assert list(Product.objects.values_list("sku", "name")) == [("ab-1", "Cordless drill 18V")]


def test_a_sku_is_compared_in_the_case_the_database_compares_it():
    """A letter whose capital is two letters ("ß": "SS") is kept, as the database's UPPER,
    which its unique index on SKUs uses, keeps it."""
    product, _ = make_drill(sku="straße-1")

    same, status = make_drill(sku=" STRAßE-1 ", name="Cordless drill 18V")

    assert normalize_sku(" straße-1") == "STRAßE-1"
    assert (same.pk, status) == (product.pk, "updated")
    assert find_products(["STRAßE-1"]) == {"STRAßE-1": (product.pk, "STRAßE-1")}


def test_empty_sku_is_refused():
    with pytest.raises(DomainError, match="The SKU is empty"):
        make_drill(sku="   ")


def test_changing_the_primary_unit_replaces_it():
    product, _ = make_drill()
    upsert_product_unit(
        product=product, unit=factories.unit("set"), precision=0, conversion_rate=Decimal(10)
    )

    _, status = make_drill(unit=factories.unit("set"), precision=0)

    assert status == "updated"
    assert list(
        ProductUnit.objects.filter(product=product).values_list(
            "unit__code", "is_primary", "conversion_rate"
        )
    ) == [("set", True, Decimal(1))]


def test_precision_change_of_the_primary_unit_is_an_update():
    make_drill(unit=factories.unit("kg", 3), precision=1)

    _, status = make_drill(unit=factories.unit("kg", 3), precision=2)

    assert status == "updated"
    assert ProductUnit.objects.get().precision == 2


def test_additional_unit_is_created_then_left_unchanged():
    product, _ = make_drill()
    set_unit = factories.unit("set")

    _, first = upsert_product_unit(
        product=product, unit=set_unit, precision=0, conversion_rate=Decimal("10")
    )
    _, second = upsert_product_unit(
        product=product, unit=set_unit, precision=0, conversion_rate=Decimal("10.000000")
    )

    assert (first, second) == ("created", "unchanged")


def test_additional_unit_cannot_be_the_primary_unit():
    product, _ = make_drill()

    with pytest.raises(DomainError, match="'item' is already the primary unit of SKU 'AB-1'"):
        upsert_product_unit(
            product=product, unit=factories.unit("item"), precision=0, conversion_rate=Decimal(2)
        )


def test_category_is_matched_by_name_ignoring_case_under_its_parent():
    tools, _ = upsert_category(name="Tools", description="Hand and power tools.")

    same, status = upsert_category(name="TOOLS")
    child, child_status = upsert_category(name="Tools", parent=tools)

    assert (same.pk, status) == (tools.pk, "updated")
    assert same.description == "Hand and power tools."
    assert child_status == "created"
    assert child.pk != tools.pk


def test_categories_with_the_same_slug_get_distinct_slugs():
    first, _ = upsert_category(name="Drills")
    second, _ = upsert_category(name="Drills", parent=first)

    assert (first.slug, second.slug) == ("drills", "drills-2")
    assert Category.objects.count() == 2


def test_unit_keeps_its_label_when_none_is_given():
    upsert_unit(code="kg", label="kilogram", default_precision=3)

    unit, status = upsert_unit(code="KG", default_precision=3)

    assert (unit.code, unit.label, status) == ("kg", "kilogram", "unchanged")


def test_brand_is_matched_ignoring_case():
    brand, _ = upsert_brand(name="ACME")

    same, status = upsert_brand(name="acme")

    assert (same.pk, status) == (brand.pk, "updated")
