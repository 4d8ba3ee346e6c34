"""Catalog entities: units and categories (products are in ``products``)."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.text import slugify

from comptoir.catalog.attribute_services import save_translations
from comptoir.catalog.models import Category, CategoryTranslation, Unit
from comptoir.catalog.services import upsert_unit
from comptoir.core.records import CREATED, UNCHANGED, UPDATED, assign_changes, save_changes
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Row
from comptoir.integration.transfer.registry import register
from comptoir.integration.transfer.translations import (
    exported_languages,
    exported_texts,
    texts_by_language,
    warn_of_languages_not_offered,
)

# Quantities are stored with 3 decimals, so no unit can take more.
MAX_PRECISION = 3


@dataclass
class UnitRow:
    code: str
    label: str | None
    precision: int | None


@register
class Units(Entity):
    name = "units"
    label = "Units"
    key = ("code",)
    batch_size = 500
    columns = (
        Column(
            "code",
            "The unit's code, as product files write it: letters, digits and hyphens.",
            "m",
            required=True,
        ),
        Column("label", "Its name, as buyers read it; empty: the code.", "metre"),
        Column(
            "precision",
            "How many decimals a quantity takes, 0 to 3, unless a product says otherwise.",
            "2",
        ),
    )

    def parse(self, fields: Fields, run: ImportRun) -> UnitRow:
        record = fields.record.values
        code = fields.text("code", required=True, max_length=20).lower()
        if code and slugify(code) != code:
            fields.error(
                "code",
                f"'{code}' is not a unit code; write letters, digits and hyphens, as in "
                f"'{slugify(code) or 'item'}'",
            )
        row = UnitRow(code=code, label=None, precision=None)
        if "label" in record:
            row.label = fields.text("label", max_length=50) or None
        if "precision" in record:
            row.precision = fields.integer("precision", maximum=MAX_PRECISION)
        return row

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        for row in rows:
            data: UnitRow = row.data
            unit = Unit.objects.filter(code__iexact=data.code).first()
            precision = data.precision
            if precision is None:
                precision = 0 if unit is None else unit.default_precision
            _, status = upsert_unit(code=data.code, default_precision=precision, label=data.label)
            run.done(row, status)

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        for unit in Unit.objects.order_by("code"):
            yield {
                "code": unit.code,
                "label": unit.label,
                "precision": str(unit.default_precision),
            }


@dataclass
class CategoryRow:
    slug: str
    values: dict
    # The names in other languages by language, empty to remove one; None when the file has
    # no column of them.
    translations: dict[str, str] | None = None


@register
class Categories(Entity):
    """Categories by slug, parents before their children; the name in other languages is
    in a column per language, ``name_fr``, ``name_de``... (see ``transfer.translations``)."""

    name = "categories"
    label = "Categories"
    key = ("slug",)
    batch_size = 500
    columns = (
        Column(
            "slug",
            "The category's code, as in its page address: lower-case letters, digits, hyphens.",
            "office-chairs",
            required=True,
        ),
        Column("name", "The name buyers see.", "Office chairs"),
        Column(
            "name_<language>",
            "The name in another language, one column per language code (name_fr, name_de, "
            "name_fr-CA); empty: none in that language. A file without a language's column "
            "leaves the names in that language as they are.",
            "Chaises de bureau",
            translates="name",
        ),
        Column(
            "parent",
            "The slug of the category it belongs to; empty for a top-level category. A parent "
            "comes earlier in the file or is already in the catalog.",
            "furniture",
        ),
        Column("description", "Shown on the category's page.", "Chairs for every desk."),
        Column("sort_order", "Where it comes among its siblings: smaller first.", "10"),
    )

    def check_columns(self, columns: frozenset[str], run: ImportRun) -> str | None:
        """Refuse nothing; warn of texts in a language the shop does not offer."""
        warn_of_languages_not_offered(self.columns, columns, run)
        return None

    def parse(self, fields: Fields, run: ImportRun) -> CategoryRow:
        slug = fields.text("slug", required=True, max_length=200)
        if slug and slugify(slug) != slug:
            fields.error(
                "slug",
                f"'{slug}' is not a slug; write lower-case letters, digits and hyphens, "
                f"as in '{slugify(slug) or 'office-chairs'}'",
            )
        values: dict = {}
        if "name" in fields.record.values:
            values["name"] = fields.text("name", required=True, max_length=200)
        if "parent" in fields.record.values:
            values["parent"] = fields.text("parent").lower()
        if "description" in fields.record.values:
            values["description"] = fields.text("description")
        if "sort_order" in fields.record.values:
            values["sort_order"] = fields.integer("sort_order", minimum=-(2**31)) or 0
        translations = texts_by_language(fields, "name", max_length=200)
        return CategoryRow(slug=slug.lower(), values=values, translations=translations)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        # Few rows and a tree: one row at a time, in file order, so a parent met earlier in
        # the file is there for its children.
        for row in rows:
            data: CategoryRow = row.data
            values = dict(data.values)
            category = Category.objects.select_for_update().filter(slug=data.slug).first()
            if "parent" in values:
                parent_slug = values.pop("parent")
                parent = None
                if parent_slug:
                    parent = Category.objects.filter(slug=parent_slug).first()
                    if parent is None:
                        run.refuse(
                            row,
                            f"no category has the slug '{parent_slug}'; put the parent's row "
                            "before its children, or create it first",
                            column="parent",
                        )
                        continue
                    if category is not None and _is_within(parent, category):
                        run.refuse(
                            row,
                            f"'{parent_slug}' is '{data.slug}' itself or one of its "
                            "subcategories; a category cannot be its own ancestor",
                            column="parent",
                        )
                        continue
                values["parent"] = parent
            if category is None:
                if "name" not in values:
                    run.refuse(row, "a new category needs a name", column="name")
                    continue
                category, status = Category.objects.create(slug=data.slug, **values), CREATED
            else:
                status = save_changes(category, assign_changes(category, values))
            translated = save_translations(
                category.translations, "name", data.translations, keep_others=True
            )
            run.done(row, UPDATED if translated and status == UNCHANGED else status)

    def languages(self, column: Column) -> list[str]:
        return exported_languages(CategoryTranslation)

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        # Parents before children, so the file imports in one pass.
        children: dict[int | None, list[Category]] = {}
        categories = (
            Category.objects.select_related("parent")
            .prefetch_related("translations")
            .order_by("sort_order", "slug")
        )
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)
        stack = list(reversed(children.get(None, [])))
        while stack:
            category = stack.pop()
            yield {
                "slug": category.slug,
                "name": category.name,
                "parent": category.parent.slug if category.parent else "",
                "description": category.description,
                "sort_order": str(category.sort_order),
                **exported_texts("name", category.translations.all(), "name"),
            }
            stack.extend(reversed(children.get(category.pk, [])))


def _is_within(node: Category, root: Category) -> bool:
    """Whether ``node`` is ``root`` or below it."""
    while node is not None:
        if node.pk == root.pk:
            return True
        node = node.parent
    return False
