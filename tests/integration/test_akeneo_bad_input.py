"""The Akeneo import on small exports written by the tests: what it makes of them, and a clear
message with file, line and column for everything it cannot take, which it leaves out whole."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.catalog.attributes import Attribute, ProductModel
from comptoir.catalog.models import Category, Product
from comptoir.core.errors import DomainError
from comptoir.integration.akeneo.importer import import_akeneo_directory
from comptoir.pricing.models import Price
from tests.integration.akeneo_files import SMALL_EXPORT, write_export

pytestmark = pytest.mark.django_db

PRODUCTS_HEADER = SMALL_EXPORT["products.csv"].split("\n")[0] + "\n"


def problems(report) -> list[str]:
    return [str(problem) for problem in report.errors]


def test_a_small_export_imports_whole_and_a_second_run_changes_nothing(tmp_path):
    directory = write_export(tmp_path)

    first = import_akeneo_directory(directory)
    second = import_akeneo_directory(directory)

    blue_s = Product.objects.get(sku="TEE-B-S")
    blue_m = Product.objects.get(sku="TEE-B-M")
    assert problems(first) == []
    assert (second.changed, second.errors) == (0, [])
    assert list(Category.objects.values_list("slug", "parent__slug").order_by("slug")) == [
        ("clothes", None),
        ("shirts", "clothes"),
    ]
    assert (blue_s.name, blue_s.category.slug, blue_s.product_model.code) == (
        "Tee",
        "shirts",
        "tee_blue",
    )
    # Rich text comes in as plain text; a measure without a unit is in the default one.
    assert blue_s.description == "Soft cotton\n\nMade in Lyon"
    assert dict(
        blue_s.attribute_values.filter(attribute__code="description").values_list(
            "language", "text"
        )
    ) == {"en-us": "Soft cotton\n\nMade in Lyon", "fr-fr": "Coton doux"}
    assert blue_m.attribute_values.get(attribute__code="weight").unit == "KILOGRAM"
    assert blue_m.is_enabled is False
    assert list(Price.objects.order_by("value").values_list("value", flat=True)) == [
        Decimal("19.9000"),
        Decimal("21.0000"),
    ]
    assert not Attribute.objects.filter(code__in=["sku", "picture"]).exists()


def test_a_product_with_bad_values_is_left_out_with_each_value_named(tmp_path):
    directory = write_export(
        tmp_path,
        products_csv=PRODUCTS_HEADER
        + "TEE-B-S;shirts;1;shirts;tee_blue;;Tee;;;;green;s;1,5;GRAM;19.90;\n"
        + "TEE-B-M;shirts;yes;shirts;tee_blue;;Tee;;;;blue;m;;;abc;\n"
        + "TEE-B-L;shirts;1;shirts;tee_blue;;Tee;;;;blue;s;;;;\n",
    )

    report = import_akeneo_directory(directory)

    assert problems(report) == [
        "products.csv:2: column color: 'green' is not an option of color; its options: blue, red",
        "products.csv:2: column weight: '1,5' is not a number; write it with a decimal point and "
        "no thousands separator as in 12.5",
        "products.csv:3: column enabled: 'yes' is not 0 or 1; write 1 for yes and 0 for no",
        "products.csv:3: column price-EUR: 'abc' is not a number",
    ]
    assert list(Product.objects.values_list("sku", flat=True)) == ["TEE-B-L"]
    assert report.counts["products"].rejected == 2


def test_unknown_families_models_and_categories_are_named_with_their_column(tmp_path):
    directory = write_export(
        tmp_path,
        products_csv=PRODUCTS_HEADER
        + "TEE-1;shirts,hats;1;shoes;tee_green;;Tee;;;;blue;s;;;;\n"
        + "TEE-2;shirts;1;;;;Tee;;;;;;;;;\n"
        + "tee-2;shirts;1;;;;Tee;;;;;;;;;\n",
    )

    report = import_akeneo_directory(directory)

    assert problems(report) == [
        "products.csv:2: column family: no family 'shoes' imported from families.csv",
        "products.csv:2: column parent: no product model 'tee_green' imported from "
        "product_models.csv",
        "products.csv:2: column categories: no category 'hats' in categories.csv",
        "products.csv:4: column sku: duplicates SKU 'TEE-2' on line 3",
    ]
    assert list(Product.objects.values_list("sku", flat=True)) == ["TEE-2"]


def test_a_product_of_another_family_than_its_model_is_refused(tmp_path):
    directory = write_export(
        tmp_path,
        families_csv=SMALL_EXPORT["families.csv"] + "hats;Hats;sku,name;name\n",
        products_csv=PRODUCTS_HEADER + "HAT-1;shirts;1;hats;tee_blue;;Hat;;;;;;;;;\n",
    )

    report = import_akeneo_directory(directory)

    assert problems(report) == [
        "products.csv:2: column family: 'hats' is not the family of its product model tee_blue "
        "(shirts)"
    ]


def test_product_models_with_an_unknown_parent_or_family_variant_are_refused(tmp_path):
    directory = write_export(
        tmp_path,
        product_models_csv="code;family_variant;parent;categories;name\n"
        "tee;shirts_color_size;;shirts;Tee\n"
        "tee_green;shirts_color_size;polo;shirts;\n"
        "cap;hats_by_size;;shirts;Cap\n",
        products_csv=None,
    )

    report = import_akeneo_directory(directory)

    assert problems(report) == [
        "product_models.csv:4: column family_variant: no family variant 'hats_by_size' imported "
        "from family_variants.csv",
        "product_models.csv:3: column parent: no product model 'polo' imported from the top "
        "models of the file",
    ]
    assert list(ProductModel.objects.values_list("code", flat=True)) == ["tee"]


def test_categories_whose_parents_are_missing_or_loop_are_refused_with_those_below(tmp_path):
    directory = write_export(
        tmp_path,
        categories_csv="code;parent;label-en_US\n"
        "master;;Master\n"
        "clothes;master;Clothes\n"
        "shirts;clothing;Shirts\n"
        "polos;shirts;Polos\n"
        "a;b;A\n"
        "b;a;B\n"
        "bad code;master;Bad\n",
        products_csv=None,
    )

    report = import_akeneo_directory(directory)

    assert problems(report) == [
        "categories.csv:8: column code: 'bad code' is not a code: write letters, digits and "
        "underscores",
        "categories.csv:4: column parent: no category 'clothing' in the file",
        "categories.csv:5: column parent: not imported: its parent 'shirts' is not imported",
        "categories.csv:6: column parent: its parents never reach a top-level category: one of "
        "them is its own ancestor",
        "categories.csv:7: column parent: its parents never reach a top-level category: one of "
        "them is its own ancestor",
    ]
    assert list(Category.objects.values_list("slug", flat=True)) == ["clothes"]


def test_options_of_unknown_or_unimported_attributes_are_refused(tmp_path):
    directory = write_export(
        tmp_path,
        attribute_options_csv=SMALL_EXPORT["attribute_options.csv"]
        + "gold;finish;1;Gold;Or\n"
        + "big;picture;1;Big;Grand\n",
        products_csv=None,
    )

    report = import_akeneo_directory(directory)

    assert problems(report) == [
        "attribute_options.csv:6: column attribute: no attribute 'finish' in attributes.csv",
        "attribute_options.csv:7: column attribute: the attribute 'picture' is not imported "
        "(see attributes.csv)",
    ]


def test_an_attribute_of_an_unknown_group_is_refused_and_an_unknown_type_left_out(tmp_path):
    directory = write_export(
        tmp_path,
        attributes_csv=SMALL_EXPORT["attributes.csv"]
        + "finish;Finish;Finition;pim_catalog_simpleselect;looks;0;0;9;;\n"
        + "brand_ref;Brand;Marque;pim_reference_data_simpleselect;product;0;0;10;;\n",
        products_csv=None,
    )

    report = import_akeneo_directory(directory)

    assert problems(report) == [
        "attributes.csv:10: column group: no attribute group 'looks' in attribute_groups.csv"
    ]
    assert (
        "attributes.csv:11: column type: brand_ref is not imported, nor its values: Comptoir "
        "has no attribute of the type pim_reference_data_simpleselect"
    ) in [str(problem) for problem in report.warnings]


def test_malformed_lines_and_unknown_columns_are_reported_where_they_are(tmp_path):
    directory = write_export(
        tmp_path,
        products_csv=PRODUCTS_HEADER.replace("price-EUR", "price-EUR;gift_wrap")
        + 'TEE-1;shirts;1;shirts;tee_blue;;"Tee\n'
        + "TEE-2;shirts;1;shirts;tee_blue;;Tee;;;;blue;m;;;;;;;\n"
        + "TEE-3;shirts;1;shirts;tee_blue;;Tee;;;;blue;m;;;;;yes\n",
    )

    report = import_akeneo_directory(directory)

    assert problems(report) == [
        "products.csv:2: a quoted field that starts here is never closed (the file ends on "
        "line 4); close the quote, or double a quote inside a field",
    ]
    assert (
        "products.csv:1: column gift_wrap: is not a column Comptoir reads; its values are not "
        "imported"
    ) in [str(problem) for problem in report.warnings]


def test_a_file_that_is_not_utf8_is_reported_with_its_line(tmp_path):
    directory = write_export(tmp_path)
    (directory / "attribute_groups.csv").write_bytes(
        b"code;sort_order;label-en_US\nproduct;1;Produkt\xe9\n"
    )

    report = import_akeneo_directory(directory)

    assert problems(report)[0] == (
        "attribute_groups.csv:2: is not UTF-8 text (byte 0xe9); save the file as UTF-8 and "
        "import it again"
    )


def test_a_directory_without_akeneo_files_is_refused(tmp_path):
    (tmp_path / "readme.txt").write_text("nothing here")

    with pytest.raises(DomainError) as refused:
        import_akeneo_directory(tmp_path)

    assert refused.value.message.startswith(f"'{tmp_path}' holds none of the Akeneo export files")


def test_the_command_lists_the_problems_and_fails(tmp_path):
    directory = write_export(
        tmp_path, products_csv=PRODUCTS_HEADER + "TEE-1;shirts;1;shirts;tee_blue;;;;;;red;xl;;;;\n"
    )
    out = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import", "akeneo", str(directory), stdout=out)

    assert str(failed.value) == "1 record rejected, 1 error: see the list above"
    assert (
        "products.csv:2: column size: 'xl' is not an option of size; its options: m, s"
    ) in out.getvalue()
