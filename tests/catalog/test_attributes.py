"""Attributes, options, families, product models and values: the services that write them and
the reads the product page and the API make of them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from comptoir.catalog.attribute_queries import product_variants, shown_attribute_values
from comptoir.catalog.attribute_services import (
    set_product_attribute_values,
    set_product_family,
    upsert_attribute,
    upsert_attribute_option,
    upsert_product_model,
)
from comptoir.catalog.attribute_values import AttributeValue, value_from_text, value_text
from comptoir.catalog.attributes import ProductAttributeValue, ProductModel
from comptoir.catalog.models import Category, Product
from comptoir.catalog.queries import orderable_products
from comptoir.catalog.services import upsert_category_by_slug
from comptoir.core.errors import DomainError
from tests import factories
from tests.catalog.shirts import make_shirts

pytestmark = pytest.mark.django_db


def test_an_attribute_is_saved_with_its_translations_and_a_second_call_writes_nothing():
    first = upsert_attribute(
        code="color", name="Color", type="select", translations={"fr_FR": "Couleur"}
    )

    second = upsert_attribute(
        code="color", name="Color", type="select", translations={"fr-fr": " Couleur "}
    )
    renamed = upsert_attribute(code="COLOR", name="Color", type="select")

    assert (first[1], second[1], renamed[1]) == ("created", "unchanged", "updated")
    assert second[0].pk == renamed[0].pk == first[0].pk
    assert list(first[0].translations.values_list("language", "name")) == [("fr-fr", "Couleur")]


def test_translations_not_given_again_are_removed():
    attribute, _ = upsert_attribute(
        code="size", name="Size", type="select", translations={"fr": "Taille", "de": "Größe"}
    )

    _, status = upsert_attribute(
        code="size", name="Size", type="select", translations={"fr": "Taille", "de": ""}
    )

    assert status == "updated"
    assert list(attribute.translations.values_list("language", flat=True)) == ["fr"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "The attribute needs a code"),
        (
            "main color",
            "'main color' is not a valid attribute code; write at most 100 letters, digits "
            "and underscores",
        ),
    ],
)
def test_a_bad_attribute_code_is_refused_with_how_to_write_one(code, message):
    with pytest.raises(DomainError) as refused:
        upsert_attribute(code=code, name="Color", type="select")

    assert refused.value.message == message


def test_an_unknown_type_is_refused_with_the_types_there_are():
    with pytest.raises(DomainError) as refused:
        upsert_attribute(code="color", name="Color", type="colour")

    assert refused.value.message == (
        "'colour' is not an attribute type; write one of: text, textarea, number, boolean, "
        "select, multiselect, date, price, metric"
    )


def test_an_attribute_products_have_values_for_keeps_its_type_and_localizable():
    shirts = make_shirts()

    with pytest.raises(DomainError) as retyped:
        upsert_attribute(code="color", name="Color", type="text")
    with pytest.raises(DomainError) as unlocalized:
        upsert_attribute(code="material", name="Material", type="text", is_localizable=False)

    assert retyped.value.code == "attribute_type_fixed"
    assert unlocalized.value.message == (
        "material is localizable and products have values for it; it stays so. Create an "
        "attribute with another code"
    )
    assert shirts.color.type == "select"


def test_only_select_and_multiselect_attributes_have_options():
    text, _ = upsert_attribute(code="note", name="Note", type="text")

    with pytest.raises(DomainError) as refused:
        upsert_attribute_option(attribute=text, code="a", label="A")

    assert refused.value.message == (
        "note is a text attribute: only select and multiselect attributes have options"
    )


@pytest.mark.parametrize(
    ("code", "type", "text", "unit", "expected"),
    [
        ("zoom", "number", " 12.50 ", "", {"number": Decimal("12.5")}),
        ("usb", "boolean", "1", "", {"boolean": True}),
        ("wifi", "boolean", "false", "", {"boolean": False}),
        ("released", "date", "2012-04-20", "", {"date": datetime.date(2012, 4, 20)}),
        ("weight", "metric", "1.5 KILOGRAM", "", {"number": Decimal("1.5"), "unit": "KILOGRAM"}),
        ("weight", "metric", "900", "gram", {"number": Decimal(900), "unit": "GRAM"}),
        ("weight", "metric", "900", "", {"number": Decimal(900), "unit": "KILOGRAM"}),
        ("note", "textarea", "Line 1\nLine 2\n", "", {"text": "Line 1\nLine 2"}),
    ],
)
def test_a_value_is_read_from_its_text_as_its_attribute_type_says(
    code, type, text, unit, expected
):
    attribute, _ = upsert_attribute(code=code, name=code, type=type, unit="KILOGRAM")

    value = value_from_text(attribute, text, options={}, unit=unit)

    assert {name: getattr(value, name) for name in expected} == expected


def test_option_codes_are_read_ignoring_case_and_once_each():
    tags, _ = upsert_attribute(code="tags", name="Tags", type="multiselect")
    options = {
        code: upsert_attribute_option(attribute=tags, code=code, label=code)[0]
        for code in ("eco", "new")
    }

    value = value_from_text(tags, "NEW, eco,new", options=options)

    assert value.options == (options["new"], options["eco"])


@pytest.mark.parametrize(
    ("type", "text", "message"),
    [
        (
            "number",
            "1,5",
            "'1,5' is not a number; write it with a decimal point and no thousands "
            "separator as in 12.5",
        ),
        ("number", "0.1234567", "'0.1234567' has more than 6 decimals"),
        ("boolean", "yes", "'yes' is not a yes or no; write 1 for yes and 0 for no"),
        ("date", "20/04/2012", "'20/04/2012' is not a date; write it as YYYY-MM-DD"),
        ("select", "green", "'green' is not an option of color; its options: blue, red"),
        ("select", "blue,red", "'blue,red' names 2 options; color takes one"),
        (
            "metric",
            "2 kilo grams",
            "'kilo grams' is not a unit; write a unit code such as KILOGRAM or INCH",
        ),
        (
            "price",
            "12 EUR",
            "color is a price: its values are prices in a price list, imported as prices",
        ),
    ],
)
def test_a_bad_value_text_says_what_to_write(type, text, message):
    attribute, _ = upsert_attribute(code="color", name="Color", type=type)
    options = {}
    if type == "select":
        for code in ("blue", "red"):
            option, _ = upsert_attribute_option(attribute=attribute, code=code, label=code)
            options[code] = option

    with pytest.raises(DomainError) as refused:
        value_from_text(attribute, text, options=options)

    assert refused.value.message == message


def test_values_are_written_once_then_left_unchanged():
    shirts = make_shirts()
    values = [
        AttributeValue(shirts.color, options=(shirts.options["red"],)),
        AttributeValue(shirts.material, "fr_FR", text="Lin"),
        AttributeValue(shirts.weight, number=Decimal("180.50"), unit="GRAM"),
    ]

    first = set_product_attribute_values(product=shirts.blue_m, values=values)
    second = set_product_attribute_values(product=shirts.blue_m, values=values)

    assert first == ["updated", "created", "unchanged"]
    assert second == ["unchanged", "unchanged", "unchanged"]
    assert shirts.blue_m.attribute_values.get(attribute=shirts.color).options.get().code == "red"


def test_an_empty_value_removes_one_and_replace_removes_those_not_given():
    shirts = make_shirts()

    emptied = set_product_attribute_values(
        product=shirts.blue_m, values=[AttributeValue(shirts.weight)]
    )
    replaced = set_product_attribute_values(
        product=shirts.blue_s,
        values=[AttributeValue(shirts.color, options=(shirts.options["blue"],))],
        replace=True,
    )

    assert emptied == ["updated"]
    assert replaced == ["unchanged", "updated", "updated", "updated", "updated"]
    assert sorted(
        ProductAttributeValue.objects.filter(product=shirts.blue_s).values_list(
            "attribute__code", flat=True
        )
    ) == ["color"]
    assert not shirts.blue_m.attribute_values.filter(attribute=shirts.weight).exists()


def test_a_localizable_value_needs_a_language_and_another_none():
    shirts = make_shirts()

    with pytest.raises(DomainError) as without:
        set_product_attribute_values(
            product=shirts.blue_m, values=[AttributeValue(shirts.material, text="Silk")]
        )
    with pytest.raises(DomainError) as with_one:
        set_product_attribute_values(
            product=shirts.blue_m,
            values=[AttributeValue(shirts.color, "fr", options=(shirts.options["red"],))],
        )

    assert without.value.message == (
        "material is localizable: say which language its value of SKU 'TEE-B-M' is in"
    )
    assert with_one.value.message == (
        "color is the same in every language: give its value of SKU 'TEE-B-M' without a language"
    )


def test_product_models_have_two_levels_at_most():
    shirts = make_shirts()

    with pytest.raises(DomainError) as too_deep:
        upsert_product_model(
            code="tee_blue_slim",
            name="Tee blue slim",
            family=shirts.family,
            axes=[shirts.size],
            parent=shirts.tee_blue,
        )

    assert too_deep.value.message == (
        "The parent of tee_blue_slim, tee_blue, is itself under tee: product models have two "
        "levels at most"
    )


def test_a_model_with_variants_of_its_own_takes_no_sub_model():
    shirts = make_shirts()
    polo, _ = upsert_product_model(
        code="polo", name="Polo", family=shirts.family, axes=[shirts.size]
    )
    set_product_family(product=shirts.blue_m, family=None, product_model=polo)

    with pytest.raises(DomainError) as refused:
        upsert_product_model(
            code="polo_slim",
            name="Polo slim",
            family=shirts.family,
            axes=[shirts.size],
            parent=polo,
        )

    assert refused.value.message == (
        "Product model polo has variants of its own, so polo_slim cannot go under it: a model "
        "has either sub-models or variants"
    )
    assert not ProductModel.objects.filter(code="polo_slim").exists()


def test_an_axis_is_a_single_value_attribute_of_the_family():
    shirts = make_shirts()
    outsider, _ = upsert_attribute(code="fit", name="Fit", type="select")

    with pytest.raises(DomainError) as not_in_family:
        upsert_product_model(code="x", name="X", family=shirts.family, axes=[outsider])
    with pytest.raises(DomainError) as localizable:
        upsert_product_model(code="x", name="X", family=shirts.family, axes=[shirts.material])

    assert not_in_family.value.message == (
        "The axis fit of product model x is not an attribute of family shirts"
    )
    assert localizable.value.code == "axis_type_invalid"


def test_a_variant_goes_under_a_model_without_sub_models_and_takes_its_family():
    shirts = make_shirts()
    plain = factories.product("PLAIN-1")

    with pytest.raises(DomainError) as under_top:
        set_product_family(product=plain, family=None, product_model=shirts.tee)
    status = set_product_family(product=plain, family=None, product_model=shirts.tee_red)

    assert under_top.value.message == (
        "Product model tee has sub-models: SKU 'PLAIN-1' goes under one of them"
    )
    assert status == "updated"
    plain.refresh_from_db()
    assert (plain.family, plain.product_model) == (shirts.family, shirts.tee_red)


def test_a_category_is_saved_by_its_code_with_its_names_in_other_languages():
    tools, created = upsert_category_by_slug(
        slug="tools", name="Tools", translations={"fr_FR": "Outils", "de_DE": "Werkzeuge"}
    )
    drills, _ = upsert_category_by_slug(slug="drills", name="Drills", parent=tools)

    again = upsert_category_by_slug(
        slug="TOOLS", name="Tools", translations={"fr_FR": "Outils", "de_DE": "Werkzeuge"}
    )
    with translation.override("fr"):
        french = Category.objects.prefetch_related("translations").get(pk=tools.pk)

    assert (created, again[1]) == ("created", "unchanged")
    assert french.name_in("fr") == "Outils"
    assert french.name_in("it") == "Tools"
    assert drills.parent == tools


def test_a_category_cannot_go_under_itself_nor_take_a_sibling_name():
    tools, _ = upsert_category_by_slug(slug="tools", name="Tools")
    drills, _ = upsert_category_by_slug(slug="drills", name="Drills", parent=tools)

    with pytest.raises(DomainError) as within:
        upsert_category_by_slug(slug="tools", name="Tools", parent=drills)
    with pytest.raises(DomainError) as taken:
        upsert_category_by_slug(slug="power_drills", name="drills", parent=tools)

    assert within.value.message == (
        "Category tools cannot go under drills, which is itself or one of its subcategories"
    )
    assert taken.value.message == (
        "Category drills under tools is already named 'drills'; two categories side by side "
        "need different names"
    )


def test_shown_values_are_in_the_reader_language_and_in_group_order():
    shirts = make_shirts()
    shirts.weight.is_shown_to_buyers = False
    shirts.weight.save()

    with translation.override("fr"):
        french = shown_attribute_values(shirts.blue_m, "fr")
    english = shown_attribute_values(shirts.blue_m, "en")
    italian = shown_attribute_values(shirts.blue_m, "it")

    assert [(value.name, value.display) for value in french] == [
        ("Couleur", "Bleu"),
        ("Size", "M"),
        ("Matière", "Coton"),
    ]
    assert [(value.code, value.value) for value in english] == [
        ("color", "blue"),
        ("size", "m"),
        ("material", "Cotton"),
    ]
    assert [value.display for value in italian] == ["Blue", "M", "Cotton"]


def test_measures_are_written_with_their_unit_symbol_in_the_reader_format():
    shirts = make_shirts()

    with translation.override("fr"):
        french = shown_attribute_values(shirts.blue_m, "fr")

    assert [value.display for value in french if value.code == "weight"] == ["180,5 g"]
    assert [value.value for value in french if value.code == "weight"] == ["180.5 GRAM"]


def test_variants_of_a_model_come_by_their_axes_order_with_the_reader_labels():
    shirts = make_shirts()

    with translation.override("fr"):
        variants = product_variants(shirts.blue_s, "fr", visible=orderable_products())

    assert variants.model == shirts.tee
    assert variants.axes == [("color", "Couleur"), ("size", "Size")]
    assert [(v.sku, v.axis_display, v.is_current) for v in variants.variants] == [
        ("TEE-B-S", ["Bleu", "S"], True),
        ("TEE-B-M", ["Bleu", "M"], False),
        ("TEE-R-L", ["Rouge", "L"], False),
    ]
    assert variants.variants[0].axis_values == {"color": "blue", "size": "s"}


def test_variants_the_reader_may_not_see_are_left_out():
    shirts = make_shirts()
    shirts.red_l.is_enabled = False
    shirts.red_l.save()

    variants = product_variants(shirts.blue_m, "en", visible=orderable_products())
    alone = product_variants(factories.product("LONE-1"), "en", visible=orderable_products())

    assert [variant.sku for variant in variants.variants] == ["TEE-B-S", "TEE-B-M"]
    assert alone is None


def test_a_value_written_to_text_reads_back_the_same():
    shirts = make_shirts()
    stored = ProductAttributeValue.objects.filter(product=shirts.blue_m).select_related(
        "attribute"
    )

    texts = {(value.attribute.code, value.language): value_text(value) for value in stored}
    again = [
        value_from_text(
            value.attribute,
            texts[value.attribute.code, value.language],
            options={option.code: option for option in value.attribute.options.all()},
            language=value.language,
        )
        for value in stored
    ]
    statuses = set_product_attribute_values(
        product=Product.objects.get(sku="TEE-B-M"), values=again
    )

    assert texts == {
        ("color", ""): "blue",
        ("size", ""): "m",
        ("material", "en"): "Cotton",
        ("material", "fr"): "Coton",
        ("weight", ""): "180.5 GRAM",
    }
    assert statuses == ["unchanged"] * 5
