"""Names and labels in other languages in the categories, attributes and attribute options
files: a column per language, round trips, partial files and bad headers."""

import pytest

from comptoir.catalog.attribute_services import upsert_attribute, upsert_attribute_option
from comptoir.catalog.attributes import AttributeOptionTranslation, AttributeTranslation
from comptoir.catalog.models import Category, CategoryTranslation
from comptoir.catalog.services import upsert_category_by_slug
from comptoir.integration.transfer.runner import run_export, run_import, run_import_rows

pytestmark = pytest.mark.django_db


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def counts(report, entity: str) -> tuple[int, int, int, int]:
    found = report.counts[entity]
    return found.created, found.updated, found.unchanged, found.rejected


def messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def category_names() -> set[tuple[str, str, str]]:
    return set(CategoryTranslation.objects.values_list("category__slug", "language", "name"))


def test_categories_round_trip_with_their_names_in_every_language(tmp_path):
    path = write(
        tmp_path,
        "categories.csv",
        "slug,name,name_el,name_fr,name_ja,parent\n"
        'cameras,Cameras,Κάμερες,"Appareils photo, ""reflex""",カメラ,\n'
        "lenses,Lenses,Φακοί,,レンズ,cameras\n"
        "bags,Bags,,Sacs,,\n",
    )

    imported = run_import(path, entity="categories")
    run_export(tmp_path / "out.csv", entity="categories")
    again = run_import(tmp_path / "out.csv", entity="categories")
    run_export(tmp_path / "out-again.csv", entity="categories")

    assert counts(imported, "categories") == (3, 0, 0, 0)
    assert counts(again, "categories") == (0, 0, 3, 0)
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines() == [
        "slug,name,name_el,name_fr,name_ja,parent,description,sort_order",
        "bags,Bags,,Sacs,,,,0",
        'cameras,Cameras,Κάμερες,"Appareils photo, ""reflex""",カメラ,,,0',
        "lenses,Lenses,Φακοί,,レンズ,cameras,,0",
    ]
    assert (tmp_path / "out-again.csv").read_bytes() == (tmp_path / "out.csv").read_bytes()
    assert category_names() == {
        ("cameras", "el", "Κάμερες"),
        ("cameras", "fr", 'Appareils photo, "reflex"'),
        ("cameras", "ja", "カメラ"),
        ("lenses", "el", "Φακοί"),
        ("lenses", "ja", "レンズ"),
        ("bags", "fr", "Sacs"),
    }


def test_an_export_imported_into_a_catalog_without_translations_restores_them(tmp_path):
    upsert_category_by_slug(
        slug="cameras", name="Cameras", translations={"el": "Κάμερες", "ja_JP": "カメラ"}
    )
    run_export(tmp_path / "out.csv", entity="categories")
    CategoryTranslation.objects.all().delete()

    report = run_import(tmp_path / "out.csv", entity="categories")
    run_export(tmp_path / "out-again.csv", entity="categories")

    assert counts(report, "categories") == (0, 1, 0, 0)
    assert category_names() == {("cameras", "el", "Κάμερες"), ("cameras", "ja-jp", "カメラ")}
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "slug,name,name_el,name_ja-jp,parent,description,sort_order"
    )
    assert (tmp_path / "out-again.csv").read_bytes() == (tmp_path / "out.csv").read_bytes()


def test_a_file_without_translation_columns_leaves_the_translations_alone(tmp_path):
    upsert_category_by_slug(slug="cameras", name="Cameras", translations={"fr": "Appareils"})
    path = write(tmp_path, "categories.csv", "slug,name\ncameras,Digital cameras\n")

    report = run_import(path, entity="categories")

    assert counts(report, "categories") == (0, 1, 0, 0)
    assert Category.objects.get().name == "Digital cameras"
    assert category_names() == {("cameras", "fr", "Appareils")}


def test_a_language_column_sets_its_language_and_an_empty_cell_removes_it(tmp_path):
    upsert_category_by_slug(
        slug="cameras", name="Cameras", translations={"fr": "Appareils", "el": "Κάμερες"}
    )
    upsert_category_by_slug(slug="lenses", name="Lenses", translations={"fr": "Objectifs"})
    path = write(
        tmp_path,
        "categories.csv",
        "slug,name_fr,name_ja\ncameras,Appareils photo,カメラ\nlenses,,\n",
    )

    report = run_import(path, entity="categories")

    assert counts(report, "categories") == (0, 2, 0, 0)
    assert category_names() == {
        ("cameras", "fr", "Appareils photo"),
        ("cameras", "el", "Κάμερες"),
        ("cameras", "ja", "カメラ"),
    }


def test_language_columns_are_read_in_any_case_and_with_a_region(tmp_path):
    path = write(
        tmp_path,
        "categories.csv",
        "slug,name,NAME_fr_FR,name-de-CH\ncameras,Cameras,Appareils photo,Kameras\n",
    )

    report = run_import(path, entity="categories")

    assert [problem.column for problem in report.warnings] == ["name_de-ch"]
    assert report.errors == []
    assert category_names() == {
        ("cameras", "fr-fr", "Appareils photo"),
        ("cameras", "de-ch", "Kameras"),
    }


def test_a_language_the_shop_does_not_offer_is_kept_with_one_warning_on_the_header(tmp_path):
    path = write(
        tmp_path,
        "categories.csv",
        "slug,name,name_de,name_fr\ncameras,Cameras,Kameras,Appareils\nlenses,Lenses,Linsen,\n",
    )

    report = run_import(path, entity="categories")

    assert counts(report, "categories") == (2, 0, 0, 0)
    assert messages(report) == [
        "categories.csv:1: column name_de: German (de) is not a language the shop offers, only "
        "English (en) and French (fr): the German names are kept and exported, but no page "
        "shows them. Leave the column out if they are not wanted, or have German added to the "
        "shop's languages (the LANGUAGES setting) to show them"
    ]
    assert category_names() == {
        ("cameras", "de", "Kameras"),
        ("cameras", "fr", "Appareils"),
        ("lenses", "de", "Linsen"),
    }


def test_option_labels_in_a_language_the_shop_offers_are_not_warned_of(tmp_path, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
    upsert_attribute(code="color", name="Colour", type="select")
    path = write(
        tmp_path,
        "options.csv",
        "attribute,code,label,label_de,label_fr-CA\ncolor,blue,Blue,Blau,Bleu\n",
    )

    report = run_import(path, entity="attribute_options")

    assert messages(report) == []
    translations = AttributeOptionTranslation.objects.order_by("language")
    assert list(translations.values_list("language", "label")) == [
        ("de", "Blau"),
        ("fr-ca", "Bleu"),
    ]


def test_a_column_naming_no_known_language_stops_the_file_and_lists_the_languages(tmp_path):
    path = write(
        tmp_path,
        "categories.csv",
        "slug,name,name_fr,name_xx\ncameras,Cameras,Appareils photo,Kamery\n",
    )

    report = run_import(path, entity="categories")

    assert Category.objects.count() == 0
    assert len(report.errors) == 1
    problem = report.errors[0]
    assert (problem.line, problem.column) == (1, "name_xx")
    assert problem.message.startswith(
        "names no language: write name_ and a language code, alone or with a region "
        "(name_fr, name_fr-CA), one of: af, ar, "
    )
    assert ", el, en, " in problem.message
    assert ", ja, " in problem.message


def test_the_same_language_twice_in_a_header_is_refused(tmp_path):
    path = write(tmp_path, "categories.csv", "slug,name,name_fr,NAME_FR\ncameras,Cameras,A,B\n")

    report = run_import(path, entity="categories")

    assert Category.objects.count() == 0
    assert messages(report) == [
        "categories.csv:1: column name_fr: appears twice in the header",
    ]


def test_a_translation_too_long_is_refused_in_its_column(tmp_path):
    path = write(tmp_path, "categories.csv", f"slug,name,name_ja\ncameras,Cameras,{'カ' * 201}\n")

    report = run_import(path, entity="categories")

    assert Category.objects.count() == 0
    assert [str(problem) for problem in report.errors] == [
        "categories.csv:2: column name_ja: is 201 characters long; at most 200 fit",
    ]


def test_attributes_and_options_round_trip_with_their_translations(tmp_path):
    attributes = write(
        tmp_path,
        "attributes.csv",
        "code,name,name_el,name_ja,type\ncolor,Colour,Χρώμα,色,select\nsize,Size,,,select\n",
    )
    options = write(
        tmp_path,
        "options.csv",
        "attribute,code,label,label_el,label_fr,label_ja\n"
        "color,blue,Blue,Μπλε,Bleu,青\n"
        "color,red,Red,Κόκκινο,,赤\n"
        "size,s,S,,,\n",
    )

    run_import(attributes, entity="attributes")
    run_import(options, entity="attribute_options")
    run_export(tmp_path / "attributes-out.csv", entity="attributes")
    run_export(tmp_path / "options-out.csv", entity="attribute_options")
    again = run_import(tmp_path / "attributes-out.csv", entity="attributes")
    again_options = run_import(tmp_path / "options-out.csv", entity="attribute_options")

    assert (counts(again, "attributes"), counts(again_options, "attribute_options")) == (
        (0, 0, 2, 0),
        (0, 0, 3, 0),
    )
    assert (tmp_path / "attributes-out.csv").read_text(encoding="utf-8").splitlines() == [
        "code,name,name_el,name_ja,type,group,localizable,unit,sort_order,shown_to_buyers",
        "color,Colour,Χρώμα,色,select,,0,,0,1",
        "size,Size,,,select,,0,,0,1",
    ]
    assert (tmp_path / "options-out.csv").read_text(encoding="utf-8").splitlines() == [
        "attribute,code,label,label_el,label_fr,label_ja,sort_order",
        "color,blue,Blue,Μπλε,Bleu,青,0",
        "color,red,Red,Κόκκινο,,赤,0",
        "size,s,S,,,,0",
    ]


def test_partial_attribute_and_option_files_touch_only_their_languages(tmp_path):
    color, _ = upsert_attribute(
        code="color", name="Colour", type="select", translations={"fr": "Couleur", "el": "Χρώμα"}
    )
    upsert_attribute_option(
        attribute=color, code="blue", label="Blue", translations={"fr": "Bleu", "ja": "青"}
    )
    attributes = write(tmp_path, "attributes.csv", "code,name_fr\ncolor,\n")
    options = write(tmp_path, "options.csv", "attribute,code,label\ncolor,blue,Navy blue\n")

    report = run_import(attributes, entity="attributes")
    report_options = run_import(options, entity="attribute_options")

    assert (counts(report, "attributes"), counts(report_options, "attribute_options")) == (
        (0, 1, 0, 0),
        (0, 1, 0, 0),
    )
    assert list(AttributeTranslation.objects.values_list("language", "name")) == [("el", "Χρώμα")]
    assert list(AttributeOptionTranslation.objects.values_list("language", "label")) == [
        ("fr", "Bleu"),
        ("ja", "青"),
    ]


def test_an_akeneo_style_label_column_is_read_as_the_language_of_its_locale(tmp_path):
    upsert_attribute(code="color", name="Colour", type="select")
    path = write(
        tmp_path, "options.csv", "attribute;code;label-en_US;label-fr_FR\ncolor;blue;Blue;Bleu\n"
    )

    report = run_import(path, entity="attribute_options")

    assert messages(report) == []
    assert list(AttributeOptionTranslation.objects.values_list("language", "label")) == [
        ("en-us", "Blue"),
        ("fr-fr", "Bleu"),
    ]


def test_a_bad_option_label_column_names_the_accepted_languages(tmp_path):
    upsert_attribute(code="color", name="Colour", type="select")
    path = write(tmp_path, "options.csv", "attribute,code,label,label_zz\ncolor,blue,Blue,B\n")

    report = run_import(path, entity="attribute_options")

    assert AttributeOptionTranslation.objects.count() == 0
    assert [(problem.column, problem.message[:52]) for problem in report.errors] == [
        ("label_zz", "names no language: write label_ and a language code,")
    ]


def test_rows_sent_by_a_program_set_translations_by_language_column():
    report = run_import_rows(
        [{"slug": "cameras", "name": "Cameras", "name_FR": "Appareils photo", "name_ja": ""}],
        entity="categories",
        source_name="categories from the ERP",
    )

    assert counts(report, "categories") == (1, 0, 0, 0)
    assert category_names() == {("cameras", "fr", "Appareils photo")}


def test_the_xlsx_export_round_trips_japanese_and_greek_names(tmp_path):
    upsert_category_by_slug(
        slug="cameras", name="Cameras", translations={"el": "Κάμερες", "ja": "カメラ"}
    )
    run_export(tmp_path / "out.xlsx", entity="categories")
    CategoryTranslation.objects.all().delete()

    report = run_import(tmp_path / "out.xlsx", entity="categories")

    assert counts(report, "categories") == (0, 1, 0, 0)
    assert category_names() == {("cameras", "el", "Κάμερες"), ("cameras", "ja", "カメラ")}
