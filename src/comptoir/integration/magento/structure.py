"""The structure steps of a Magento products file: the category tree, the attributes with
their options, and a family for each attribute set, from what ``products.scan_products``
found."""

from django.db.models.functions import Lower
from django.utils.text import slugify

from comptoir.catalog.attribute_services import upsert_product_family
from comptoir.catalog.attributes import CODE_MAX_LENGTH, OPTION_TYPES, Attribute, AttributeType
from comptoir.integration.csvfiles import Record
from comptoir.integration.magento.products import AttributePlan, CatalogPlan
from comptoir.integration.magento.run import MagentoImport, Outcomes, code_of, digest
from comptoir.integration.transfer.registry import get_entity

CATEGORY_COLUMNS = {"slug": "categories", "name": "categories", "parent": "categories"}
# The attributes store view rows translate, and their types.
TRANSLATION_TYPES = {
    "name": AttributeType.TEXT,
    "description": AttributeType.TEXTAREA,
    "short_description": AttributeType.TEXTAREA,
}


def import_categories(run: MagentoImport, plan: CatalogPlan) -> dict[tuple[str, ...], str]:
    """The category tree, each category under the slug of its path ("gear-bags"); returns the
    slug of each path."""
    slugs: dict[tuple[str, ...], str] = {}
    taken: set[str] = set()
    for path in plan.categories:
        slug = _slug(path, slugs)
        if slug in taken:
            slug = f"{slug[:189]}-{digest('/'.join(path))}"
        slugs[path] = slug
        taken.add(slug)
    records = (
        Record(
            file_name=plan.file_name,
            line=line,
            number=line,
            values={
                "slug": slugs[path],
                "name": path[-1],
                "parent": slugs[path[:-1]] if len(path) > 1 else "",
            },
        )
        for path, line in plan.categories.items()
    )
    run.import_entity(
        get_entity("categories"), records, file_name=plan.file_name, columns=CATEGORY_COLUMNS
    )
    return slugs


def _slug(path: tuple[str, ...], slugs: dict[tuple[str, ...], str]) -> str:
    name = slugify(path[-1]) or digest(path[-1])
    slug = f"{slugs[path[:-1]]}-{name}" if len(path) > 1 else name
    if len(slug) > 200:
        slug = f"{slug[:189]}-{digest('/'.join(path))}"
    return slug


def import_attributes(run: MagentoImport, plan: CatalogPlan) -> dict[str, Attribute]:
    """The attributes of additional_attributes and configurable_variations, their options, and
    the attributes store view rows translate into; returns the attributes imported, with their
    options, by lower-case code.

    A new attribute is a select when configurable products vary by it, a multiselect when a
    value holds several, text otherwise. One already in the catalog keeps its name and type
    (an axis becomes a select if it can).
    """
    codes = set(plan.attributes) | (set(TRANSLATION_TYPES) if plan.translations_line else set())
    existing = _attributes(codes)
    by_column: dict[str, list[Record]] = {}
    for attribute in plan.attributes.values():
        values = {"code": attribute.code}
        current = existing.get(attribute.code)
        if current is None:
            values.update(name=attribute.name, type=_type_of(attribute), localizable="0")
        elif attribute.is_axis and current.type != AttributeType.SELECT:
            values["type"] = AttributeType.SELECT
        by_column.setdefault(attribute.column, []).append(
            _plan_record(plan, attribute.line, values)
        )
    if plan.translations_line is not None:
        for code, kind in TRANSLATION_TYPES.items():
            values = {"code": code}
            if code not in existing:
                values.update(
                    name=code.replace("_", " ").capitalize(),
                    type=kind,
                    localizable="1",
                    shown_to_buyers="0",
                )
            by_column.setdefault("store_view_code", []).append(
                _plan_record(plan, plan.translations_line, values)
            )
    entity = get_entity("attributes")
    for column, records in by_column.items():
        run.import_entity(entity, records, file_name=plan.file_name, columns=column)

    _import_options(run, plan, _attributes(codes))
    return _attributes(codes)


def _attributes(codes: set[str]) -> dict[str, Attribute]:
    return {
        attribute.code.lower(): attribute
        for attribute in Attribute.objects.annotate(key=Lower("code"))
        .filter(key__in=codes)
        .prefetch_related("options")
    }


def _type_of(attribute: AttributePlan) -> str:
    if attribute.is_axis:
        return AttributeType.SELECT
    return AttributeType.MULTISELECT if attribute.is_multiple else AttributeType.TEXT


def _plan_record(plan: CatalogPlan, line: int, values: dict[str, str]) -> Record:
    return Record(file_name=plan.file_name, line=line, number=line, values=values)


def _import_options(
    run: MagentoImport, plan: CatalogPlan, attributes: dict[str, Attribute]
) -> None:
    """An option for each value of a select or multiselect attribute: the option labelled so
    (ignoring case) if there is one, else a new one coded after its label."""
    by_column: dict[str, list[Record]] = {}
    for code, attribute_plan in plan.attributes.items():
        attribute = attributes.get(code)
        if attribute is None or attribute.type not in OPTION_TYPES:
            continue
        options = {option.label.lower(): option for option in attribute.options.all()}
        codes = {option.code.lower() for option in attribute.options.all()}
        for order, (key, label) in enumerate(attribute_plan.labels.items()):
            values = {"attribute": attribute.code}
            option = options.get(key)
            if option is not None:
                values["code"] = option.code
            else:
                option_code = _option_code(label)
                if option_code in codes:
                    option_code = f"{option_code[:89]}_{digest(label)}"
                codes.add(option_code)
                values.update(code=option_code, label=label, sort_order=str(order))
            by_column.setdefault(attribute_plan.column, []).append(
                _plan_record(plan, attribute_plan.line, values)
            )
    entity = get_entity("attribute_options")
    for column, records in by_column.items():
        run.import_entity(entity, records, file_name=plan.file_name, columns=column)


def _option_code(label: str) -> str:
    """The code of a new option labelled ``label``: "Black & White" is black_white."""
    code = slugify(label).replace("-", "_")
    if not code:
        return f"option_{digest(label)}"
    return code if len(code) <= CODE_MAX_LENGTH else f"{code[:89]}_{digest(label)}"


def import_families(
    run: MagentoImport, plan: CatalogPlan, attributes: dict[str, Attribute]
) -> dict[str, str]:
    """A family for each attribute set, described by the attributes its products use; returns
    the code of the family of each attribute set (by lower-case name)."""
    translations = [attributes[code] for code in TRANSLATION_TYPES if code in attributes]
    families: dict[str, str] = {}
    for key, family in plan.families.items():
        code = code_of(family.name, allowed="A-Za-z0-9_", limit=100)
        members = [attributes[each] for each in family.attributes if each in attributes]
        if plan.translations_line is not None:
            members.extend(translations)

        def write(code=code, name=family.name, members=members) -> Outcomes:
            return [
                ("families", upsert_product_family(code=code, name=name, attributes=members)[1])
            ]

        if run.save_row("families", plan.file_name, family.line, write):
            families[key] = code
    return families
