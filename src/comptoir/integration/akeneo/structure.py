"""The catalog structure steps of the Akeneo import: the channel, the category tree, attribute
groups, attributes and their options, families and family variants."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.text import slugify

from comptoir.catalog.attribute_services import (
    upsert_attribute,
    upsert_attribute_group,
    upsert_attribute_option,
    upsert_product_family,
)
from comptoir.catalog.attributes import OPTION_TYPES, Attribute, AttributeGroup, AttributeOption
from comptoir.catalog.languages import best_language, normalize_language
from comptoir.catalog.services import upsert_category_by_slug
from comptoir.core.errors import DomainError
from comptoir.integration.akeneo import layouts
from comptoir.integration.akeneo.run import (
    AkeneoImport,
    AttributeSpec,
    FamilyVariant,
    Outcomes,
    split_codes,
)
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.report import Problem
from comptoir.integration.rows import RowRefused

# Integers Akeneo's sort orders fit in.
SORT_ORDER_MIN = -(2**31)
SORT_ORDER_MAX = 2**31 - 1


def labels_of(record: Record) -> dict[str, str]:
    """The record's ``label-<locale>`` texts by locale, blank ones left out."""
    return {
        column.removeprefix(layouts.LABEL): value.strip()
        for column, value in record.values.items()
        if column.startswith(layouts.LABEL) and value.strip()
    }


def default_text(texts: Mapping[str, str]) -> str | None:
    """Of texts by locale, the one in the site's default language, else the first by locale."""
    by_language = {}
    for locale, text in sorted(texts.items()):
        try:
            by_language.setdefault(normalize_language(locale), text)
        except DomainError:
            continue
    chosen = best_language(by_language, settings.LANGUAGE_CODE)
    if chosen is not None:
        return by_language[chosen]
    return next(iter(by_language.values()), None)


def read_channel(run: AkeneoImport) -> None:
    """The root of the channel's category tree, from channels.csv; the whole import stops if
    the file does not have the channel asked for."""
    channels: dict[str, Record] = {}
    for record in run.records(layouts.CHANNELS, "channels"):
        code = record.values.get("code", "").strip()
        if code:
            channels[code.lower()] = record
    if not (run.directory / layouts.CHANNELS.file_name).is_file():
        return
    chosen = channels.get(run.channel.lower())
    if chosen is None:
        raise DomainError(
            f"{layouts.CHANNELS.file_name} has no channel '{run.channel}'; import one of: "
            f"{', '.join(sorted(record.values['code'].strip() for record in channels.values()))}",
            code="akeneo_channel_unknown",
        )
    tree = chosen.values.get("tree", "").strip()
    run.tree_roots = {tree.lower()} if tree else None


@dataclass(frozen=True)
class CategoryRow:
    record: Record
    code: str
    parent: str
    labels: dict[str, str]


def import_categories(run: AkeneoImport) -> None:
    """The channel's category tree, without its root: the root's children are top-level
    categories. Categories of other trees are known (products may name them) but not imported.

    Each category is written after its parent, whatever the order of the file.
    """
    entity = "categories"
    rows: dict[str, CategoryRow] = {}
    seen: dict[str, int] = {}
    for record in run.records(layouts.CATEGORIES, entity):
        fields = Fields(record)
        code = fields.text("code", required=True, max_length=200)
        parent = fields.text("parent")
        fields.unique(seen, code.lower(), "code", f"category {code}")
        if code and slugify(code) != code.lower():
            fields.error("code", f"'{code}' is not a code: write letters, digits and underscores")
        if fields.problems:
            run.reject(entity, fields.problems)
            continue
        rows[code.lower()] = CategoryRow(record, code, parent.lower(), labels_of(record))
    run.category_codes = set(rows)

    children: dict[str, list[CategoryRow]] = {}
    for row in rows.values():
        children.setdefault(row.parent, []).append(row)
    orphans = [row for row in rows.values() if row.parent and row.parent not in rows]
    for row in orphans:
        run.reject(entity, [_category_problem(row, f"no category '{row.parent}' in the file")])
        for child in children.get(row.code.lower(), []):
            _reject_below(run, child, children, f"its parent '{row.code}' is not imported")
    roots = [row.code.lower() for row in children.get("", [])]
    wanted = [root for root in roots if run.tree_roots is None or root in run.tree_roots]
    for missing in sorted((run.tree_roots or set()) - set(roots)):
        run.report.file_error(
            entity,
            Problem(
                file=layouts.CATEGORIES.file_name,
                line=None,
                message=f"the channel's tree '{missing}' is not a top-level category of the file",
            ),
        )
    others = sorted(set(roots) - set(wanted))
    if others:
        run.report.warn(
            Problem(
                file=layouts.CATEGORIES.file_name,
                line=None,
                message=f"the categories under {', '.join(others)} are not imported: the "
                f"channel '{run.channel}' shows the tree {', '.join(wanted)}",
            )
        )

    settled = {*roots, *(row.code.lower() for row in orphans)}
    settled.update(*(_descendants(code, children) for code in list(settled)))
    for row in rows.values():
        if row.code.lower() not in settled:
            run.reject(
                entity,
                [
                    _category_problem(
                        row,
                        "its parents never reach a top-level category: one of them is its "
                        "own ancestor",
                    )
                ],
            )

    pending = [(child, None) for root in wanted for child in reversed(children.get(root, []))]
    while pending:
        row, parent = pending.pop()
        saved = run.save_row(
            entity, row.record, lambda row=row, parent=parent: _write_category(run, row, parent)
        )
        below = reversed(children.get(row.code.lower(), []))
        if saved:
            pending.extend((child, run.categories[row.code.lower()]) for child in below)
        else:
            for child in below:
                _reject_below(run, child, children, f"its parent '{row.code}' is not imported")


def _write_category(run: AkeneoImport, row: CategoryRow, parent) -> Outcomes:
    category, status = upsert_category_by_slug(
        slug=row.code.lower(),
        name=default_text(row.labels) or row.code,
        parent=parent,
        translations=row.labels,
    )
    run.categories[row.code.lower()] = category
    return [("categories", status)]


def _reject_below(run: AkeneoImport, row: CategoryRow, children, reason: str) -> None:
    run.reject("categories", [_category_problem(row, f"not imported: {reason}")])
    for child in children.get(row.code.lower(), []):
        _reject_below(run, child, children, f"its parent '{row.code}' is not imported")


def _descendants(root: str, children) -> set[str]:
    found, pending = set(), [root]
    while pending:
        for child in children.get(pending.pop(), []):
            if child.code.lower() not in found:
                found.add(child.code.lower())
                pending.append(child.code.lower())
    return found


def _category_problem(row: CategoryRow, message: str) -> Problem:
    return Problem(
        file=row.record.file_name, line=row.record.line, column="parent", message=message
    )


def import_attribute_groups(run: AkeneoImport) -> dict[str, AttributeGroup]:
    """Attribute groups by code in lower case, for the attributes step."""
    entity = "attribute groups"
    groups: dict[str, AttributeGroup] = {}
    seen: dict[str, int] = {}
    for record in run.records(layouts.ATTRIBUTE_GROUPS, entity):
        fields = Fields(record)
        code = fields.text("code", required=True, max_length=100)
        sort_order = fields.integer("sort_order", minimum=SORT_ORDER_MIN, maximum=SORT_ORDER_MAX)
        fields.unique(seen, code.lower(), "code", f"attribute group {code}")
        if fields.problems:
            run.reject(entity, fields.problems)
            continue

        def write(code=code, sort_order=sort_order, record=record) -> Outcomes:
            group, status = upsert_attribute_group(
                code=code,
                name=default_text(labels_of(record)) or code,
                sort_order=sort_order or 0,
            )
            groups[code.lower()] = group
            return [(entity, status)]

        run.save_row(entity, record, write)
    return groups


def import_attributes(run: AkeneoImport, groups: Mapping[str, AttributeGroup]) -> None:
    """Attributes of the types Comptoir has. The identifier attribute is the SKU; images and
    files, and types Comptoir does not have, are reported and their values left out."""
    entity = "attributes"
    hidden = _attributes_shown_elsewhere(run)
    seen: dict[str, int] = {}
    for record in run.records(layouts.ATTRIBUTES, entity):
        fields = Fields(record)
        code = fields.text("code", required=True, max_length=100)
        akeneo_type = fields.text("type", required=True)
        group_code = fields.text("group")
        is_localizable = fields.boolean("localizable")
        is_scopable = fields.boolean("scopable")
        is_rich_text = fields.boolean("wysiwyg_enabled")
        sort_order = fields.integer("sort_order", minimum=SORT_ORDER_MIN, maximum=SORT_ORDER_MAX)
        fields.unique(seen, code.lower(), "code", f"attribute {code}")
        group = groups.get(group_code.lower()) if group_code else None
        if group_code and group is None:
            fields.error(
                "group",
                f"no attribute group '{group_code}' in {layouts.ATTRIBUTE_GROUPS.file_name}",
            )
        if fields.problems:
            run.reject(entity, fields.problems)
            continue

        kind = layouts.TYPES.get(akeneo_type)
        spec = AttributeSpec(
            code=code,
            attribute=None,
            is_localizable=is_localizable,
            is_scopable=is_scopable,
            is_rich_text=is_rich_text,
            skipped=kind is None,
        )
        run.attributes[code.lower()] = spec
        if akeneo_type == layouts.IDENTIFIER_TYPE:
            run.identifier = code
            continue
        if kind is None:
            reason = (
                "the export holds the paths of its files, not the files"
                if akeneo_type in layouts.MEDIA_TYPES
                else f"Comptoir has no attribute of the type {akeneo_type}"
            )
            run.warn(record, f"{code} is not imported, nor its values: {reason}", column="type")
            continue

        def write(spec=spec, kind=kind, group=group, sort_order=sort_order, record=record):
            labels = labels_of(record)
            attribute, status = upsert_attribute(
                code=spec.code,
                name=default_text(labels) or spec.code,
                type=kind,
                group=group,
                is_localizable=spec.is_localizable,
                unit=record.values.get("default_metric_unit", ""),
                sort_order=sort_order or 0,
                is_shown_to_buyers=False if spec.code.lower() in hidden else None,
                translations=labels,
            )
            run.attributes[spec.code.lower()] = replace(spec, attribute=attribute)
            return [(entity, status)]

        run.save_row(entity, record, write)


def _attributes_shown_elsewhere(run: AkeneoImport) -> set[str]:
    """Codes of the attributes whose values become the product's name and description: the
    families' label attributes, and the name and description attributes."""
    codes = {layouts.NAME_ATTRIBUTE, layouts.DESCRIPTION_ATTRIBUTE}
    for record in run.records(layouts.FAMILIES, "families", quiet=True):
        label = record.values.get("attribute_as_label", "").strip()
        if label:
            codes.add(label.lower())
    return codes


def attribute_of(run: AkeneoImport, code: str, *, where: str) -> Attribute:
    """The imported attribute ``code``, or a refusal saying why there is none."""
    spec = run.attributes.get(code.lower())
    if spec is None:
        raise RowRefused(f"no attribute '{code}' in {layouts.ATTRIBUTES.file_name}", column=where)
    if spec.attribute is None:
        raise RowRefused(
            f"the attribute '{code}' is not imported (see {layouts.ATTRIBUTES.file_name})",
            column=where,
        )
    return spec.attribute


def import_attribute_options(run: AkeneoImport) -> None:
    """Options of select and multiselect attributes, with their labels in every locale."""
    entity = "attribute options"
    seen: dict[tuple[str, str], int] = {}
    for record in run.records(layouts.ATTRIBUTE_OPTIONS, entity):
        fields = Fields(record)
        code = fields.text("code", required=True, max_length=100)
        attribute_code = fields.text("attribute", required=True)
        sort_order = fields.integer("sort_order", minimum=SORT_ORDER_MIN, maximum=SORT_ORDER_MAX)
        fields.unique(
            seen,
            (attribute_code.lower(), code.lower()),
            "code",
            f"option {code} of {attribute_code}",
        )
        if fields.problems:
            run.reject(entity, fields.problems)
            continue

        def write(code=code, attribute_code=attribute_code, sort_order=sort_order, record=record):
            attribute = attribute_of(run, attribute_code, where="attribute")
            labels = labels_of(record)
            _, status = upsert_attribute_option(
                attribute=attribute,
                code=code,
                label=default_text(labels) or code,
                sort_order=sort_order or 0,
                translations=labels,
            )
            return [(entity, status)]

        run.save_row(entity, record, write)
    load_options(run)


def load_options(run: AkeneoImport) -> None:
    """Every option of the imported select and multiselect attributes, by code in lower case."""
    attributes = [
        spec.attribute
        for spec in run.attributes.values()
        if spec.attribute is not None and spec.attribute.type in OPTION_TYPES
    ]
    run.options = {attribute.pk: {} for attribute in attributes}
    for option in AttributeOption.objects.filter(attribute__in=attributes):
        run.options[option.attribute_id][option.code.lower()] = option


def import_families(run: AkeneoImport) -> None:
    """Families with their attributes (images and files left out) and label attribute."""
    entity = "families"
    seen: dict[str, int] = {}
    for record in run.records(layouts.FAMILIES, entity):
        fields = Fields(record)
        code = fields.text("code", required=True, max_length=100)
        codes = split_codes(fields.text("attributes"))
        label_code = fields.text("attribute_as_label")
        fields.unique(seen, code.lower(), "code", f"family {code}")
        if fields.problems:
            run.reject(entity, fields.problems)
            continue

        def write(code=code, codes=codes, label_code=label_code, record=record) -> Outcomes:
            attributes = [
                attribute_of(run, attribute_code, where="attributes")
                for attribute_code in codes
                if not _skipped(run, attribute_code)
            ]
            label = None
            if label_code and not _skipped(run, label_code):
                label = attribute_of(run, label_code, where="attribute_as_label")
            family, status = upsert_product_family(
                code=code,
                name=default_text(labels_of(record)) or code,
                attributes=attributes,
                label_attribute=label,
            )
            run.families[code.lower()] = family
            return [(entity, status)]

        run.save_row(entity, record, write)


def _skipped(run: AkeneoImport, code: str) -> bool:
    """Whether ``code`` is an attribute left out on purpose: the identifier, an image..."""
    spec = run.attributes.get(code.lower())
    return spec is not None and spec.skipped


def read_family_variants(run: AkeneoImport) -> None:
    """Family variants: which family a product model is of, and its axes at each level.

    Comptoir keeps no family variants: each product model gets its level's axes.
    """
    entity = "family variants"
    seen: dict[str, int] = {}
    for record in run.records(layouts.FAMILY_VARIANTS, entity):
        fields = Fields(record)
        code = fields.text("code", required=True, max_length=100)
        family_code = fields.text("family", required=True)
        fields.unique(seen, code.lower(), "code", f"family variant {code}")
        family = run.families.get(family_code.lower())
        if family_code and family is None:
            fields.error("family", f"no family '{family_code}' imported from families.csv")
        levels = []
        for column in layouts.AXES_COLUMNS:
            axes = []
            for axis_code in split_codes(fields.text(column)):
                try:
                    axes.append(attribute_of(run, axis_code, where=column))
                except RowRefused as error:
                    fields.error(column, error.message)
            levels.append(axes)
        if fields.problems:
            run.reject(entity, fields.problems)
            continue
        run.family_variants[code.lower()] = FamilyVariant(
            code=code, family=family, axes=(levels[0], levels[1])
        )
