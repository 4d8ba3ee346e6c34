"""Entities of what describes products: attributes, their options, and products' values.

Values are written as ``catalog.attribute_values`` reads and writes them (a number with a
point, 1 or 0, YYYY-MM-DD, option codes separated by commas, "1.5 KILOGRAM"), so an export
imports back unchanged. Attributes and options are few: they are written one by one through the
catalog's services. Values are many: a batch's products are found in one query, and its values
written together (``value_batches``).

An attribute's name and an option's label in other languages are in a column per language,
``name_fr`` and ``label_fr``, ``name_de`` and ``label_de``... (see ``transfer.translations``).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from comptoir.catalog.attribute_services import (
    checked_code,
    upsert_attribute,
    upsert_attribute_group,
    upsert_attribute_option,
)
from comptoir.catalog.attribute_values import AttributeValue, value_from_text, value_text
from comptoir.catalog.attributes import (
    OPTION_TYPES,
    Attribute,
    AttributeGroup,
    AttributeOption,
    AttributeOptionTranslation,
    AttributeTranslation,
    AttributeType,
    ProductAttributeValue,
)
from comptoir.catalog.languages import normalize_language
from comptoir.catalog.models import normalize_sku
from comptoir.core.errors import DomainError
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Row
from comptoir.integration.transfer.entities.product_batches import find_products
from comptoir.integration.transfer.entities.value_batches import write_attribute_values
from comptoir.integration.transfer.registry import register
from comptoir.integration.transfer.runner import text_rows
from comptoir.integration.transfer.translations import (
    exported_languages,
    exported_texts,
    texts_by_language,
    warn_of_languages_not_offered,
)

SORT_ORDER_MIN = -(2**31)
SORT_ORDER_MAX = 2**31 - 1

# What a row of a partial file leaves as the attribute has it.
ATTRIBUTE_FIELDS = ("name", "type", "is_localizable", "unit", "sort_order", "is_shown_to_buyers")


@dataclass
class AttributeRow:
    code: str
    # The fields the file's columns set, as ``upsert_attribute`` takes them.
    values: dict
    # The code of the attribute's group: None when the file has no group column.
    group: str | None
    # The names in other languages by language, empty to remove one; None when the file has
    # no column of them.
    translations: dict[str, str] | None = None


@register
class Attributes(Entity):
    """Attributes by code; the name in other languages is in a column per language,
    ``name_fr``, ``name_de``... (see ``transfer.translations``)."""

    name = "attributes"
    label = "Attributes"
    key = ("code",)
    batch_size = 200
    columns = (
        Column(
            "code",
            "The attribute's code: letters, digits and underscores, unique ignoring case.",
            "color",
            required=True,
        ),
        Column("name", "The name buyers read; a new attribute needs one.", "Colour"),
        Column(
            "name_<language>",
            "The name in another language, one column per language code (name_fr, name_de, "
            "name_fr-CA); empty: none in that language. A file without a language's column "
            "leaves the names in that language as they are.",
            "Couleur",
            translates="name",
        ),
        Column(
            "type",
            f"One of {', '.join(AttributeType.values)}; a new attribute needs one. It cannot "
            "change once products have values for it.",
            "select",
        ),
        Column(
            "group",
            "The code of the attribute group it is listed under; a group not in the catalog "
            "yet is created, named by its code. Empty for none.",
            "technical",
        ),
        Column("localizable", "1 if its values are written per language; empty: 0.", "0"),
        Column("unit", "A measure's default unit (KILOGRAM, INCH); empty for the others.", ""),
        Column("sort_order", "Where it comes among its group's attributes: smaller first.", "10"),
        Column(
            "shown_to_buyers",
            "1 to list it on the product page and in the API; 0 to keep it internal; empty: 1.",
            "1",
        ),
    )

    def check_columns(self, columns: frozenset[str], run: ImportRun) -> str | None:
        """Refuse nothing; warn of texts in a language the shop does not offer."""
        warn_of_languages_not_offered(self.columns, columns, run)
        return None

    def parse(self, fields: Fields, run: ImportRun) -> AttributeRow:
        record = fields.record.values
        code = fields.text("code", required=True)
        if code:
            try:
                code = checked_code(code, "attribute")
            except DomainError as error:
                fields.error("code", error.message)
        values: dict = {}
        if "name" in record:
            values["name"] = fields.text("name", required=True, max_length=255)
        if fields.text("type"):
            values["type"] = fields.choice(
                "type", {value: value for value in AttributeType.values}
            )
        if "localizable" in record:
            values["is_localizable"] = fields.boolean("localizable")
        if "unit" in record:
            values["unit"] = fields.text("unit", max_length=30)
        if "sort_order" in record:
            values["sort_order"] = (
                fields.integer("sort_order", minimum=SORT_ORDER_MIN, maximum=SORT_ORDER_MAX) or 0
            )
        if "shown_to_buyers" in record:
            values["is_shown_to_buyers"] = fields.boolean("shown_to_buyers", default=True)
        group = fields.text("group", max_length=100) if "group" in record else None
        translations = texts_by_language(fields, "name", max_length=255)
        return AttributeRow(code=code, values=values, group=group, translations=translations)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        for row in rows:
            data: AttributeRow = row.data
            existing = Attribute.objects.filter(code__iexact=data.code).first()
            if existing is None:
                missing = [column for column in ("name", "type") if column not in data.values]
                if missing:
                    run.refuse(row, "a new attribute needs a name and a type", column=missing[0])
                    continue
            current = (
                {}
                if existing is None
                else {field: getattr(existing, field) for field in ATTRIBUTE_FIELDS}
            )
            try:
                # A group made for a row that is then refused goes with it.
                with transaction.atomic():
                    group = existing.group if existing is not None else None
                    if data.group is not None:
                        group = _group(data.group) if data.group else None
                    _, status = upsert_attribute(
                        code=data.code,
                        group=group,
                        translations=data.translations,
                        keep_other_translations=True,
                        **{**current, **data.values},
                    )
            except DomainError as error:
                run.refuse(row, error.message)
                continue
            run.done(row, status)

    def languages(self, column: Column) -> list[str]:
        return exported_languages(AttributeTranslation)

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        attributes = (
            Attribute.objects.select_related("group")
            .prefetch_related("translations")
            .order_by("code")
        )
        return text_rows(
            {
                "code": attribute.code,
                "name": attribute.name,
                "type": attribute.type,
                "group": attribute.group.code if attribute.group else "",
                "localizable": attribute.is_localizable,
                "unit": attribute.unit,
                "sort_order": attribute.sort_order,
                "shown_to_buyers": attribute.is_shown_to_buyers,
                **exported_texts("name", attribute.translations.all(), "name"),
            }
            for attribute in attributes
        )


def _group(code: str) -> AttributeGroup:
    group = AttributeGroup.objects.filter(code__iexact=code).first()
    if group is None:
        group, _ = upsert_attribute_group(code=code, name=code)
    return group


@dataclass
class OptionRow:
    attribute: str
    code: str
    label: str | None
    sort_order: int | None
    # The labels in other languages by language, empty to remove one; None when the file has
    # no column of them.
    translations: dict[str, str] | None = None


@register
class AttributeOptions(Entity):
    """Options by attribute and code; the label in other languages is in a column per
    language, ``label_fr``, ``label_de``... (see ``transfer.translations``)."""

    name = "attribute_options"
    label = "Attribute options"
    key = ("attribute", "code")
    batch_size = 500
    columns = (
        Column(
            "attribute",
            "The code of a select or multiselect attribute (import the attributes first).",
            "color",
            required=True,
        ),
        Column(
            "code",
            "The option's code, written in values: letters, digits and underscores.",
            "navy_blue",
            required=True,
        ),
        Column("label", "What buyers read; empty: the code, for a new option.", "Navy blue"),
        Column(
            "label_<language>",
            "The label in another language, one column per language code (label_fr, "
            "label_de, label_fr-CA); empty: none in that language. A file without a "
            "language's column leaves the labels in that language as they are.",
            "Bleu marine",
            translates="label",
        ),
        Column("sort_order", "Where it comes among the attribute's options: smaller first.", "1"),
    )

    def check_columns(self, columns: frozenset[str], run: ImportRun) -> str | None:
        """Refuse nothing; warn of texts in a language the shop does not offer."""
        warn_of_languages_not_offered(self.columns, columns, run)
        return None

    def parse(self, fields: Fields, run: ImportRun) -> OptionRow:
        record = fields.record.values
        code = fields.text("code", required=True)
        if code:
            try:
                code = checked_code(code, "option")
            except DomainError as error:
                fields.error("code", error.message)
        return OptionRow(
            attribute=fields.text("attribute", required=True),
            code=code,
            label=fields.text("label", max_length=255) if "label" in record else None,
            sort_order=(
                fields.integer("sort_order", minimum=SORT_ORDER_MIN, maximum=SORT_ORDER_MAX)
                if "sort_order" in record
                else None
            ),
            translations=texts_by_language(fields, "label", max_length=255),
        )

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        for row in rows:
            data: OptionRow = row.data
            attribute = Attribute.objects.filter(code__iexact=data.attribute).first()
            if attribute is None:
                run.refuse(
                    row, f"no attribute has the code '{data.attribute}'", column="attribute"
                )
                continue
            existing = attribute.options.filter(code__iexact=data.code).first()
            label = data.label or (existing.label if existing else data.code)
            sort_order = data.sort_order
            if sort_order is None:
                sort_order = existing.sort_order if existing else 0
            try:
                _, status = upsert_attribute_option(
                    attribute=attribute,
                    code=data.code,
                    label=label,
                    sort_order=sort_order,
                    translations=data.translations,
                    keep_other_translations=True,
                )
            except DomainError as error:
                run.refuse(row, error.message, column="attribute")
                continue
            run.done(row, status)

    def languages(self, column: Column) -> list[str]:
        return exported_languages(AttributeOptionTranslation)

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        found = (
            AttributeOption.objects.select_related("attribute")
            .prefetch_related("translations")
            .order_by("attribute__code", "sort_order", "code")
        )
        return text_rows(
            {
                "attribute": option.attribute.code,
                "code": option.code,
                "label": option.label,
                "sort_order": option.sort_order,
                **exported_texts("label", option.translations.all(), "label"),
            }
            for option in found.iterator(chunk_size=2000)
        )


@dataclass
class ValueRow:
    sku: str
    value: AttributeValue


@register
class ProductAttributeValues(Entity):
    name = "product_attribute_values"
    label = "Product attribute values"
    key = ("sku", "attribute", "locale")
    batch_size = 2000
    columns = (
        Column("sku", "The product's SKU (import the products first).", "DR-100", required=True),
        Column("attribute", "The attribute's code.", "color", required=True),
        Column(
            "locale",
            "The language of a localizable attribute's value (fr, fr_FR); empty for the others.",
            "",
            aliases=("language",),
        ),
        Column(
            "value",
            "A number with a decimal point; 1 or 0 for yes or no; a date as YYYY-MM-DD; option "
            "codes separated by commas; a measure's amount and unit (1.5 KILOGRAM). Empty: the "
            "product loses the value. Prices are imported as prices.",
            "navy_blue",
        ),
    )

    def start(self, run: ImportRun) -> None:
        run.state["attributes"] = {}

    def parse(self, fields: Fields, run: ImportRun) -> ValueRow | None:
        sku = fields.text("sku", required=True, max_length=64)
        attribute = self._attribute(fields, run)
        language = fields.text("locale")
        if language:
            try:
                language = normalize_language(language)
            except DomainError as error:
                fields.error("locale", error.message)
        if attribute is None or fields.problems:
            return None
        if attribute.is_localizable and not language:
            fields.error(
                "locale", f"{attribute.code} is localizable: write the language of the value"
            )
        elif language and not attribute.is_localizable:
            fields.error(
                "locale", f"{attribute.code} is the same in every language: leave it empty"
            )
        try:
            value = value_from_text(
                attribute,
                fields.raw("value"),
                options=run.state["attributes"][attribute.code.lower()][1],
                language=language,
            )
        except DomainError as error:
            fields.error("value", error.message)
            return None
        return ValueRow(sku=sku, value=value)

    def _attribute(self, fields: Fields, run: ImportRun) -> Attribute | None:
        """The attribute the record names, with its options, kept for the run's next rows."""
        code = fields.text("attribute", required=True)
        if not code:
            return None
        known = run.state["attributes"]
        if code.lower() not in known:
            attribute = (
                Attribute.objects.filter(code__iexact=code).prefetch_related("options").first()
            )
            options = {}
            if attribute is not None and attribute.type in OPTION_TYPES:
                options = {option.code.lower(): option for option in attribute.options.all()}
            known[code.lower()] = (attribute, options)
        attribute = known[code.lower()][0]
        if attribute is None:
            fields.error("attribute", f"no attribute has the code '{code}'")
        elif attribute.type == AttributeType.PRICE:
            fields.error(
                "attribute", f"{attribute.code} is a price: import its prices with --type prices"
            )
            return None
        return attribute

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        products = find_products(normalize_sku(row.data.sku) for row in rows)
        accepted: list[tuple[Row, int]] = []
        for row in rows:
            data: ValueRow = row.data
            found = products.get(normalize_sku(data.sku))
            if found is None:
                run.refuse(row, f"SKU '{data.sku}' is not in the catalog", column="sku")
                continue
            accepted.append((row, found[0]))
        statuses = write_attribute_values(
            [(product_id, row.data.value) for row, product_id in accepted]
        )
        for (row, _), status in zip(accepted, statuses, strict=True):
            run.done(row, status)

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        values = (
            ProductAttributeValue.objects.select_related("product", "attribute")
            .prefetch_related(Prefetch("options", queryset=AttributeOption.objects.all()))
            .order_by("product__sku", "attribute__code", "language")
        )
        for value in values.iterator(chunk_size=2000):
            yield {
                "sku": value.product.sku,
                "attribute": value.attribute.code,
                "locale": value.language,
                "value": value_text(value),
            }
