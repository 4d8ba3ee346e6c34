"""The Akeneo import on the demo export: its categories, attributes and variants, in each
locale, and a second run that changes nothing."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from comptoir.catalog.attribute_queries import product_variants, shown_attribute_values
from comptoir.catalog.attributes import (
    Attribute,
    AttributeOption,
    ProductAttributeValue,
    ProductFamily,
    ProductModel,
)
from comptoir.catalog.models import Category, CategoryTranslation, Product
from comptoir.catalog.queries import orderable_products
from comptoir.integration.akeneo.importer import import_akeneo_directory
from comptoir.pricing.models import Price, PriceList
from tests.integration.akeneo_files import AKENEO_DEMO_DIR

pytestmark = [pytest.mark.django_db, pytest.mark.akeneo]


@pytest.fixture
def akeneo_dir() -> Path:
    """The Akeneo demo export beside the project (``../shared``), or a skip."""
    if not AKENEO_DEMO_DIR.is_dir():
        pytest.skip(f"the Akeneo demo files are not at {AKENEO_DEMO_DIR}")
    return AKENEO_DEMO_DIR


def row_counts() -> dict[str, int]:
    models = (
        Category,
        CategoryTranslation,
        Attribute,
        AttributeOption,
        ProductFamily,
        ProductModel,
        Product,
        ProductAttributeValue,
        PriceList,
        Price,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_catalog_imports_with_its_categories_attributes_and_variants(akeneo_dir):
    report = import_akeneo_directory(akeneo_dir)

    assert report.errors == []
    assert row_counts() == {
        "Category": 66,
        "CategoryTranslation": 195,
        "Attribute": 71,
        "AttributeOption": 121,
        "ProductFamily": 17,
        "ProductModel": 81,
        "Product": 1239,
        "ProductAttributeValue": 6563,
        "PriceList": 2,
        "Price": 200,
    }
    assert list(
        Category.objects.filter(parent__isnull=True).order_by("slug").values_list("slug", "name")
    ) == [
        ("audio_video", "Audio and Video"),
        ("cameras", "Cameras"),
        ("clothes", "Clothes"),
        ("master_accessories", "Accessories"),
        ("master_men", "Men"),
        ("master_women", "Women"),
        ("office", "Office"),
        ("print_scan", "Print and scan"),
        ("tvs_projectors", "TVs and projectors"),
    ]
    assert_names_and_values_in_each_locale()
    assert_variants_under_their_models()
    assert_prices_in_a_list_per_currency(report)


def assert_names_and_values_in_each_locale():
    tvs = Category.objects.prefetch_related("translations").get(slug="tvs_projectors")
    color = Attribute.objects.prefetch_related("translations").get(code="color")
    summer = AttributeOption.objects.prefetch_related("translations").get(code="summer_2016")
    tee = Product.objects.get(sku="Tshirt-divided-blue-s")
    with translation.override("fr"):
        french = {value.code: value.display for value in shown_attribute_values(tee, "fr")}
    variant_names = dict(
        tee.attribute_values.filter(attribute__code="variation_name").values_list(
            "language", "text"
        )
    )

    assert [tvs.name_in(language) for language in ("en", "fr", "de")] == [
        "TVs and projectors",
        "Téléviseurs et projecteurs",
        "TVs und projectoren",
    ]
    assert [color.name_in(language) for language in ("en", "fr", "de")] == [
        "Color",
        "Couleur",
        "Color",
    ]
    assert [summer.label_in(language) for language in ("en", "fr", "de")] == [
        "Summer 2016",
        "Eté 2016",
        "Summer 2016",
    ]
    # The family's label attribute is the product's name, not listed again with its values.
    assert variant_names == {
        "en-us": "Cotton t-shirt with a round neck Divided blue",
        "fr-fr": "T-shirt en coton avec un col rond Divided bleu",
    }
    assert "variation_name" not in french
    assert (french["color"], french["size"], french["weight"]) == ("Bleu", "S", "700 g")
    assert (tee.name, tee.category.slug, tee.family.code) == (
        "Cotton t-shirt with a round neck Divided blue",
        "tshirts",
        "clothing",
    )


def assert_variants_under_their_models():
    jacket = Product.objects.get(sku="1111111111")
    apollon = ProductModel.objects.get(code="apollon")
    variants = product_variants(jacket, "en", visible=orderable_products())
    # products.csv names this model "Model-tshirt-divided-blue": codes match ignoring case.
    divided = ProductModel.objects.get(code="model-tshirt-divided-blue")

    assert Product.objects.filter(product_model__isnull=False).count() == 240
    assert ProductModel.objects.filter(parent__isnull=False).count() == 31
    assert (jacket.product_model.code, jacket.name) == ("amor", "Heritage jacket navy")
    assert variants.axes == [("color", "Color"), ("size", "Size")]
    assert [(variant.sku, variant.axis_display) for variant in variants.variants] == [
        ("1111111113", ["Blue", "M"]),
        ("1111111112", ["Blue", "XL"]),
        ("1111111111", ["Blue", "XXL"]),
    ]
    assert list(apollon.axes.values_list("code", flat=True)) == ["color"]
    sub_model = apollon.children.get(code="apollon_blue")
    assert list(sub_model.axes.values_list("code", flat=True)) == ["size"]
    assert divided.variants.count() == 4


def assert_prices_in_a_list_per_currency(report):
    euros = PriceList.objects.get(name="Akeneo price EUR")
    tee = Product.objects.get(sku="Tshirt-divided-blue-s")

    assert (euros.currency, euros.prices.count()) == ("EUR", 187)
    assert [(price.price_list.name, price.value) for price in tee.prices.order_by("pk")] == [
        ("Akeneo price EUR", Decimal("19.0000")),
        ("Akeneo price USD", Decimal("19.0000")),
    ]
    assert (
        "products.csv:1: column price-EUR: the prices go to the price list 'Akeneo price EUR', "
        "assigned to no one yet: assign it to the website, customer groups or companies for "
        "buyers to see them"
    ) in [str(problem) for problem in report.warnings]


def test_importing_the_demo_twice_changes_nothing(akeneo_dir):
    import_akeneo_directory(akeneo_dir)
    before = row_counts()

    again = import_akeneo_directory(akeneo_dir)

    assert again.changed == 0
    assert again.errors == []
    assert row_counts() == before


def test_the_command_imports_the_channel_asked_for(akeneo_dir):
    out = StringIO()

    call_command("import", "akeneo", str(akeneo_dir), "--channel", "print", stdout=out)

    printer = Product.objects.get(sku="13871461")
    assert "Import summary" in out.getvalue()
    # Rich text is kept as plain text: the tags go, the words stay.
    assert printer.description.startswith("Streamlined Reliability\\nA smart, reliable option")
    assert list(
        printer.attribute_values.filter(attribute__code="description").values_list(
            "language", flat=True
        )
    ) == ["en-us"]


def test_an_unknown_channel_stops_the_import_before_anything_is_written(akeneo_dir):
    with pytest.raises(CommandError) as refused:
        call_command("import", "akeneo", str(akeneo_dir), "--channel", "web", stdout=StringIO())

    assert str(refused.value) == (
        "channels.csv has no channel 'web'; import one of: ecommerce, mobile, print"
    )
    assert Category.objects.count() == 0
