"""Imports and exports of attributes, their options and products' values: round trips, partial
files, and bad rows reported by line and column with nothing of them written."""

import pytest

from comptoir.catalog.attribute_services import upsert_attribute
from comptoir.catalog.attributes import Attribute, AttributeOption, ProductAttributeValue
from comptoir.integration.transfer.runner import run_export, run_import
from tests import factories
from tests.catalog.shirts import make_shirts

pytestmark = pytest.mark.django_db


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(report, entity: str) -> tuple[int, int, int, int]:
    found = report.counts[entity]
    return found.created, found.updated, found.unchanged, found.rejected


def test_attributes_and_options_round_trip_exactly(tmp_path):
    attributes = write(
        tmp_path,
        "attributes.csv",
        "code,name,type,group,localizable,unit,sort_order,shown_to_buyers\n"
        'finish,"Say ""hi"", ok",select,looks,0,,2,1\n'
        "greek,Ελληνικά,text,,1,,1,0\n"
        "length,長さ,metric,looks,0,millimeter,3,1\n",
    )
    options = write(
        tmp_path,
        "options.csv",
        'attribute,code,label,sort_order\nfinish,matt,"Matt, ""soft""",1\nfinish,gloss,光沢,2\n',
    )

    imported = run_import(attributes, entity="attributes")
    imported_options = run_import(options, entity="attribute_options")
    run_export(tmp_path / "attributes-out.csv", entity="attributes")
    run_export(tmp_path / "options-out.csv", entity="attribute_options")
    again = run_import(tmp_path / "attributes-out.csv", entity="attributes")
    again_options = run_import(tmp_path / "options-out.csv", entity="attribute_options")

    assert (counts(imported, "attributes"), counts(imported_options, "attribute_options")) == (
        (3, 0, 0, 0),
        (2, 0, 0, 0),
    )
    assert (counts(again, "attributes"), counts(again_options, "attribute_options")) == (
        (0, 0, 3, 0),
        (0, 0, 2, 0),
    )
    assert (tmp_path / "attributes-out.csv").read_text(encoding="utf-8").splitlines() == [
        "code,name,type,group,localizable,unit,sort_order,shown_to_buyers",
        'finish,"Say ""hi"", ok",select,looks,0,,2,1',
        "greek,Ελληνικά,text,,1,,1,0",
        "length,長さ,metric,looks,0,MILLIMETER,3,1",
    ]
    assert (tmp_path / "options-out.csv").read_text(encoding="utf-8").splitlines() == [
        "attribute,code,label,sort_order",
        'finish,matt,"Matt, ""soft""",1',
        "finish,gloss,光沢,2",
    ]
    assert Attribute.objects.get(code="finish").group.name == "looks"


def test_a_partial_attributes_file_changes_only_its_columns(tmp_path):
    upsert_attribute(code="color", name="Colour", type="select", sort_order=4)
    path = write(tmp_path, "attributes.csv", "code,shown_to_buyers\nCOLOR,0\n")

    report = run_import(path, entity="attributes")

    color = Attribute.objects.get()
    assert counts(report, "attributes") == (0, 1, 0, 0)
    assert (color.code, color.name, color.type, color.sort_order, color.is_shown_to_buyers) == (
        "COLOR",
        "Colour",
        "select",
        4,
        False,
    )


def test_bad_attribute_and_option_rows_are_reported_and_left_out(tmp_path):
    make_shirts()
    attributes = write(
        tmp_path,
        "attributes.csv",
        "code,name,type\nfit,Fit,\nnew code,New,text\ncolor,Color,text\n"
        "material,Material,colour\n",
    )
    options = write(
        tmp_path, "options.csv", "attribute,code,label\nmaterial,silk,Silk\nfinish,matt,Matt\n"
    )

    report = run_import(attributes, entity="attributes")
    option_report = run_import(options, entity="attribute_options")

    assert [str(problem) for problem in report.errors] == [
        "attributes.csv:3: column code: 'new code' is not a valid attribute code; write at "
        "most 100 letters, digits and underscores",
        "attributes.csv:5: column type: 'colour' is not one of: text, textarea, number, "
        "boolean, select, multiselect, date, price, metric",
        "attributes.csv:2: column type: a new attribute needs a name and a type",
        "attributes.csv:4: color is a select attribute with values or options; it cannot become "
        "a text attribute. Create an attribute with another code",
    ]
    assert [str(problem) for problem in option_report.errors] == [
        "options.csv:2: column attribute: material is a text attribute: only select and "
        "multiselect attributes have options",
        "options.csv:3: column attribute: no attribute has the code 'finish'",
    ]
    assert not Attribute.objects.filter(code="fit").exists()
    assert AttributeOption.objects.count() == 5


def test_product_values_round_trip_exactly_in_every_type(tmp_path):
    shirts = make_shirts()
    upsert_attribute(code="care", name="Care", type="textarea")
    upsert_attribute(code="released", name="Released", type="date")
    path = write(
        tmp_path,
        "values.csv",
        "sku,attribute,locale,value\n"
        'TEE-B-M,care,,"Wash cold,\nnever ""hot"""\n'
        "TEE-B-M,material,fr_FR,Лён\n"
        "TEE-B-M,released,,2024-03-01\n"
        "TEE-B-M,weight,,0.25 KILOGRAM\n"
        "tee-r-l,color,,BLUE\n",
    )

    first = run_import(path, entity="product_attribute_values")
    run_export(tmp_path / "out.csv", entity="product_attribute_values")
    again = run_import(tmp_path / "out.csv", entity="product_attribute_values")

    assert counts(first, "product_attribute_values") == (3, 2, 0, 0)
    assert counts(again, "product_attribute_values") == (0, 0, 18, 0)
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert lines[:9] == [
        "sku,attribute,locale,value",
        'TEE-B-M,care,,"Wash cold,',
        'never ""hot"""',
        "TEE-B-M,color,,blue",
        "TEE-B-M,material,en,Cotton",
        "TEE-B-M,material,fr,Coton",
        "TEE-B-M,material,fr-fr,Лён",
        "TEE-B-M,released,,2024-03-01",
        "TEE-B-M,size,,m",
    ]
    assert "TEE-B-M,weight,,0.25 KILOGRAM" in lines
    assert "TEE-R-L,color,,blue" in lines
    assert shirts.red_l.attribute_values.get(attribute=shirts.color).options.get().code == "blue"


def test_an_empty_value_removes_the_one_the_product_had(tmp_path):
    shirts = make_shirts()
    path = write(tmp_path, "values.csv", "sku,attribute,language,value\nTEE-B-M,weight,,\n")

    report = run_import(path, entity="product_attribute_values")

    assert counts(report, "product_attribute_values") == (0, 1, 0, 0)
    assert not shirts.blue_m.attribute_values.filter(attribute=shirts.weight).exists()


def test_the_same_value_twice_in_a_file_is_given_in_file_order(tmp_path):
    shirts = make_shirts()
    path = write(
        tmp_path,
        "values.csv",
        "sku,attribute,locale,value\nTEE-B-M,size,,s\nTEE-B-M,size,,l\n",
    )

    report = run_import(path, entity="product_attribute_values")

    assert counts(report, "product_attribute_values") == (0, 2, 0, 0)
    assert shirts.blue_m.attribute_values.get(attribute=shirts.size).options.get().code == "l"


def test_bad_value_rows_are_reported_by_column_and_left_out(tmp_path):
    make_shirts()
    upsert_attribute(code="price", name="Price", type="price")
    factories.product("PLAIN-1")
    path = write(
        tmp_path,
        "values.csv",
        "sku,attribute,locale,value\n"
        "NOPE-1,color,,blue\n"
        "TEE-B-M,colour,,blue\n"
        "TEE-B-M,material,,Silk\n"
        "TEE-B-M,color,fr,blue\n"
        "TEE-B-M,weight,,heavy\n"
        "TEE-B-M,price,,12\n"
        "PLAIN-1,size,,xl\n"
        "PLAIN-1,size,,m\n",
    )

    report = run_import(path, entity="product_attribute_values")

    assert [str(problem) for problem in report.errors] == [
        "values.csv:3: column attribute: no attribute has the code 'colour'",
        "values.csv:4: column locale: material is localizable: write the language of the value",
        "values.csv:5: column locale: color is the same in every language: leave it empty",
        "values.csv:6: column value: 'heavy' is not a number; write it as in 12.5",
        "values.csv:7: column attribute: price is a price: import its prices with --type prices",
        "values.csv:8: column value: 'xl' is not an option of size; its options: l, m, s",
        "values.csv:2: column sku: SKU 'NOPE-1' is not in the catalog",
    ]
    assert counts(report, "product_attribute_values") == (1, 0, 0, 7)
    assert ProductAttributeValue.objects.filter(product__sku="PLAIN-1").count() == 1
