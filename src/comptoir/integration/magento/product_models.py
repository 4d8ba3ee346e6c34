"""The product models of a Magento products file: one for each configurable product, varying
by the attributes of its variations, with its variants and their values of those attributes.

The configurable rows are read once more, after every product is written, and taken a part
at a time: the part's variants are found in one query, and a configurable product whose
variations are not all in the catalog, or whose family, axes or options were not imported, is
refused whole before anything of it is written. New models are created together, a model
already in the catalog as the row describes it is left alone, and any other change goes through
``catalog.attribute_services.upsert_product_model``; the variants and their values of the axes
are then written together. A part the database refuses is written again a row at a time, so
that only the row at fault is refused.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from comptoir.catalog.attribute_services import AXIS_TYPES, upsert_product_model
from comptoir.catalog.attribute_values import AttributeValue
from comptoir.catalog.attributes import (
    CODE_MAX_LENGTH,
    Attribute,
    AttributeOption,
    ProductFamily,
    ProductModel,
)
from comptoir.catalog.models import Product, normalize_sku
from comptoir.core.errors import DomainError
from comptoir.core.records import CREATED, UNCHANGED, UPDATED
from comptoir.integration.csvfiles import Record
from comptoir.integration.magento.product_rows import ProductRow
from comptoir.integration.magento.products import CatalogPlan, configurable_rows
from comptoir.integration.magento.run import MagentoImport, Outcomes, parts
from comptoir.integration.report import Problem
from comptoir.integration.rows import RowRefused
from comptoir.integration.transfer.bulk import adapt_datetime, update_rows
from comptoir.integration.transfer.entities.product_batches import find_products
from comptoir.integration.transfer.entities.value_batches import write_attribute_values

logger = logging.getLogger(__name__)

# Configurable products written in one transaction.
MODELS_PART = 500
# The longest name a product model takes.
NAME_MAX_LENGTH = 255


def import_product_models(
    run: MagentoImport,
    path: Path,
    plan: CatalogPlan,
    attributes: dict[str, Attribute],
    families: dict[str, str],
) -> None:
    """A product model for each configurable product of the products file at ``path``."""
    if not plan.has_configurables:
        return
    writer = ModelWriter(attributes, families)
    for part in parts(configurable_rows(run, path), MODELS_PART):
        _write_part(run, writer, part)


def _write_part(
    run: MagentoImport, writer: "ModelWriter", part: list[tuple[Record, ProductRow]]
) -> None:
    """Write a part in one transaction and report each row; a part the database or a rule
    refuses is written again a row at a time."""
    try:
        with transaction.atomic():
            results = writer.write(part)
    except (DomainError, DatabaseError) as error:
        if len(part) > 1:
            for item in part:
                _write_part(run, writer, [item])
            return
        record = part[0][0]
        if isinstance(error, DomainError):
            column = error.column if isinstance(error, RowRefused) else None
            problem = Problem(record.file_name, record.line, error.message, column)
        else:
            logger.warning("%s line %s not saved: %s", record.file_name, record.line, error)
            problem = Problem(record.file_name, record.line, f"could not be saved: {error}")
        run.report.reject("product models", [problem])
        return
    for result in results:
        if isinstance(result, Problem):
            run.report.reject("product models", [result])
        else:
            for name, status in result:
                run.report.count(name, status)


@dataclass(eq=False)
class _Model:
    """A configurable row that its checks let through, and what writing it takes."""

    record: Record
    row: ProductRow
    family: ProductFamily
    axes: list[Attribute]
    # The id of each variation's product, and its value of each axis.
    variants: list[tuple[int, list[AttributeValue]]]
    model: ProductModel | None = None
    outcomes: Outcomes = field(default_factory=list)


class ModelWriter:
    """Writes parts of configurable rows; keeps the families and options it has looked up."""

    def __init__(self, attributes: dict[str, Attribute], families: dict[str, str]) -> None:
        self.attributes = attributes
        self.families = families
        self.options = {
            code: {option.label.lower(): option for option in attribute.options.all()}
            for code, attribute in attributes.items()
        }
        self.family_members: dict[str, tuple[ProductFamily, set[int]]] = {}

    def write(self, part: list[tuple[Record, ProductRow]]) -> list[Outcomes | Problem]:
        """Write the models of ``part``, its variants and their values; what happened to each
        row, in order: its outcomes, or the problem that refused it."""
        found = find_products(
            normalize_sku(variation.sku) for _, row in part for variation in row.variations
        )
        checked: list[_Model | Problem] = []
        for record, row in part:
            try:
                checked.append(self._checked(record, row, found))
            except RowRefused as error:
                checked.append(Problem(record.file_name, record.line, error.message, error.column))
        accepted = [item for item in checked if isinstance(item, _Model)]

        existing = _existing_models(item.row.sku for item in accepted)
        refused = self._write_models(accepted, existing)
        _write_variants([item for item in accepted if item not in refused])
        return [
            item
            if isinstance(item, Problem)
            else Problem(item.record.file_name, item.record.line, refused[item])
            if item in refused
            else item.outcomes
            for item in checked
        ]

    def _checked(
        self, record: Record, row: ProductRow, found: dict[str, tuple[int, str]]
    ) -> _Model:
        """What writing the configurable ``row`` takes, or RowRefused saying why it cannot be
        written."""
        family_code = self.families.get(row.attribute_set.lower())
        if family_code is None:
            raise RowRefused(
                f"the attribute set '{row.attribute_set}' was not imported (see its error)"
                if row.attribute_set
                else "is empty; a configurable product's variants are of its attribute set",
                column="attribute_set_code",
            )
        axes = []
        for code in row.variations[0].axes:
            attribute = self.attributes.get(code)
            if attribute is None:
                raise RowRefused(
                    f"the attribute {code} was not imported (see its error)",
                    column="configurable_variations",
                )
            axes.append(attribute)
        missing = [
            variation.sku
            for variation in row.variations
            if normalize_sku(variation.sku) not in found
        ]
        if missing:
            raise RowRefused(
                f"no product has the SKU {', '.join(missing)}, in this file or in the catalog: "
                "import the variations first, or correct their SKUs",
                column="configurable_variations",
            )
        variants = []
        for variation in row.variations:
            values = [
                AttributeValue(
                    attribute=self.attributes[code], options=(self._option(code, label),)
                )
                for code, label in variation.axes.items()
            ]
            variants.append((found[normalize_sku(variation.sku)][0], values))
        family = self._family(family_code)
        return _Model(record=record, row=row, family=family, axes=axes, variants=variants)

    def _option(self, code: str, label: str) -> AttributeOption:
        option = self.options[code].get(label.lower())
        if option is None:
            raise RowRefused(
                f"'{label}' is not an option of {self.attributes[code].code}",
                column="configurable_variations",
            )
        return option

    def _family(self, code: str) -> ProductFamily:
        if code.lower() not in self.family_members:
            family = ProductFamily.objects.get(code__iexact=code)
            members = set(family.attributes.values_list("pk", flat=True))
            self.family_members[code.lower()] = (family, members)
        return self.family_members[code.lower()][0]

    def _write_models(
        self, accepted: list[_Model], existing: dict[str, ProductModel]
    ) -> dict[_Model, str]:
        """Create, keep or change the model of each row; the rows a rule refused, with why."""
        parents = set(
            ProductModel.objects.filter(parent__in=list(existing.values())).values_list(
                "parent_id", flat=True
            )
        )
        with_sub_models = {model for model in existing.values() if model.pk in parents}
        refused: dict[_Model, str] = {}
        new: list[_Model] = []
        through_service: list[_Model] = []
        codes: set[str] = set()
        for item in accepted:
            code = item.row.sku.strip()
            current = existing.get(code.lower())
            outside = _first_outside(current, item) if current in with_sub_models else None
            if outside is not None:
                refused[item] = (
                    f"Product model {current.code} has sub-models: SKU '{outside}' goes under "
                    "one of them"
                )
            elif current is not None and _is_as_described(current, item):
                item.model = current
                item.outcomes.append(("product models", UNCHANGED))
            elif current is None and code.lower() not in codes and self._is_plain_new(item):
                new.append(item)
            else:
                through_service.append(item)
            codes.add(code.lower())

        models = ProductModel.objects.bulk_create(
            [
                ProductModel(
                    code=item.row.sku.strip(), name=item.row.name.strip(), family=item.family
                )
                for item in new
            ]
        )
        ProductModel.axes.through.objects.bulk_create(
            [
                ProductModel.axes.through(productmodel_id=model.pk, attribute_id=axis.pk)
                for model, item in zip(models, new, strict=True)
                for axis in item.axes
            ]
        )
        for model, item in zip(models, new, strict=True):
            item.model = model
            item.outcomes.append(("product models", CREATED))
        for item in through_service:
            try:
                with transaction.atomic():
                    item.model, status = upsert_product_model(
                        code=item.row.sku, name=item.row.name, family=item.family, axes=item.axes
                    )
            except DomainError as error:
                refused[item] = error.message
            else:
                item.outcomes.append(("product models", status))
        return refused

    def _is_plain_new(self, item: _Model) -> bool:
        """Whether a new model of ``item`` is one ``upsert_product_model`` takes as it is: a
        name, and axes of its family that make axes (else that service says what is wrong)."""
        name = item.row.name.strip()
        members = self.family_members[item.family.code.lower()][1]
        return (
            0 < len(name) <= NAME_MAX_LENGTH
            and len(item.row.sku.strip()) <= CODE_MAX_LENGTH
            and all(
                axis.pk in members and axis.type in AXIS_TYPES and not axis.is_localizable
                for axis in item.axes
            )
        )


def _existing_models(codes) -> dict[str, ProductModel]:
    """The models in the catalog whose codes are ``codes`` (ignoring case), with their axes,
    by lower-case code."""
    wanted = {code.strip().lower() for code in codes}
    return {
        model.code.lower(): model
        for model in ProductModel.objects.annotate(key=Lower("code"))
        .filter(key__in=wanted)
        .prefetch_related("axes")
    }


def _first_outside(model: ProductModel, item: _Model) -> str | None:
    """The SKU of the first of ``item``'s variants that is not a variant of ``model`` yet."""
    ids = [product_id for product_id, _ in item.variants]
    outside = dict(
        Product.objects.filter(pk__in=ids).exclude(product_model=model).values_list("pk", "sku")
    )
    return next((outside[pk] for pk in ids if pk in outside), None)


def _is_as_described(model: ProductModel, item: _Model) -> bool:
    """Whether ``model`` is as ``item``'s row describes it: writing it would change nothing."""
    return (
        model.code == item.row.sku.strip()
        and model.name == item.row.name.strip()
        and model.family_id == item.family.pk
        and model.parent_id is None
        and {axis.pk for axis in model.axes.all()} == {axis.pk for axis in item.axes}
    )


def _write_variants(models: list[_Model]) -> None:
    """Make each variation a variant of its model, of the model's family, and give it its
    values of the axes; note what that did on each model's outcomes."""
    product_ids = [product_id for item in models for product_id, _ in item.variants]
    current = {
        pk: (model_id, family_id)
        for pk, model_id, family_id in Product.objects.filter(pk__in=product_ids).values_list(
            "pk", "product_model_id", "family_id"
        )
    }
    now = adapt_datetime(timezone.now())
    changes = []
    for item in models:
        for product_id, _ in item.variants:
            wanted = (item.model.pk, item.model.family_id)
            if current[product_id] == wanted:
                item.outcomes.append(("variants", UNCHANGED))
            else:
                changes.append((product_id, wanted[1], wanted[0], now))
                item.outcomes.append(("variants", UPDATED))
    fields = [Product._meta.get_field(name) for name in ("family", "product_model", "updated_at")]
    update_rows(
        Product._meta.db_table,
        [field.column for field in fields],
        changes,
        types=[field.db_type(connection) for field in fields],
    )

    values = [
        (product_id, value)
        for item in models
        for product_id, values in item.variants
        for value in values
    ]
    statuses = iter(write_attribute_values(values))
    for item in models:
        for _, variant_values in item.variants:
            item.outcomes.extend(
                ("product attribute values", next(statuses)) for _ in variant_values
            )
