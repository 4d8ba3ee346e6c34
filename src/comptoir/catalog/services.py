"""Every write of the catalog: units, brands, categories, products and the units they come in.

Each function creates or updates one record from the values it is given, in one transaction,
and returns it with ``"created"``, ``"updated"`` or ``"unchanged"``. Values are compared before
anything is saved, so a second call with the same values writes nothing. SKUs are matched
ignoring case and surrounding spaces.
"""

import logging
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from comptoir.catalog.attribute_services import save_translations
from comptoir.catalog.models import Brand, Category, Product, ProductUnit, Unit, normalize_sku
from comptoir.core.errors import DomainError
from comptoir.core.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    UpsertStatus,
    assign_changes,
    save_changes,
    upsert,
)
from comptoir.pricing.tasks import schedule_product_rebuild

logger = logging.getLogger(__name__)


def upsert_unit(
    *, code: str, default_precision: int = 0, label: str | None = None
) -> tuple[Unit, UpsertStatus]:
    """Create or update the unit ``code`` (matched ignoring case).

    A ``label`` left to None keeps the unit's label, or is the code for a new unit.
    """
    code = code.strip().lower()
    if not code:
        raise DomainError("A unit needs a code", code="unit_code_missing")
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(code__iexact=code).first()
        if unit is None:
            unit = Unit.objects.create(
                code=code, label=label or code, default_precision=default_precision
            )
            return unit, CREATED
        values: dict[str, object] = {"code": code, "default_precision": default_precision}
        if label is not None:
            values["label"] = label
        return unit, save_changes(unit, assign_changes(unit, values))


def upsert_brand(*, name: str) -> tuple[Brand, UpsertStatus]:
    """Create the brand ``name``, or take the one already named so ignoring case."""
    name = name.strip()
    if not name:
        raise DomainError("A brand needs a name", code="brand_name_missing")
    with transaction.atomic():
        return upsert(Brand, match=Q(name__iexact=name), values={"name": name})


def upsert_category(
    *,
    name: str,
    parent: Category | None = None,
    description: str | None = None,
    sort_order: int | None = None,
) -> tuple[Category, UpsertStatus]:
    """Create or update the category ``name`` under ``parent`` (None: a top-level category).

    The name is matched ignoring case among the parent's children. A ``description`` or
    ``sort_order`` left to None keeps the one the category has.
    """
    name = name.strip()
    if not name:
        raise DomainError("A category needs a name", code="category_name_missing")
    values: dict[str, object] = {"name": name}
    if description is not None:
        values["description"] = description
    if sort_order is not None:
        values["sort_order"] = sort_order

    with transaction.atomic():
        category = (
            Category.objects.select_for_update().filter(name__iexact=name, parent=parent).first()
        )
        if category is None:
            category = Category.objects.create(
                parent=parent, slug=_free_category_slug(name), **values
            )
            logger.debug("category %s created", category.slug)
            return category, CREATED
        return category, save_changes(category, assign_changes(category, values))


def upsert_category_by_slug(
    *,
    slug: str,
    name: str,
    parent: Category | None = None,
    translations: Mapping[str, str] | None = None,
) -> tuple[Category, UpsertStatus]:
    """Create or update the category whose slug (its code) is ``slug``, under ``parent``
    (None: a top-level category), with its name in other languages.

    A category moves to ``parent`` if it was elsewhere, unless that is within itself. Two
    children of one parent have different names (ignoring case). ``translations`` are set as
    ``attribute_services.save_translations`` sets them.
    """
    slug = slug.strip().lower()
    if not slug or slugify(slug) != slug or len(slug) > 200:
        raise DomainError(
            f"'{slug}' is not a category code; write lower-case letters, digits, hyphens and "
            "underscores",
            code="category_slug_invalid",
        )
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainError(
            f"Category {slug} needs a name of 1 to 200 characters", code="category_name_invalid"
        )

    with transaction.atomic():
        category = Category.objects.select_for_update().filter(slug=slug).first()
        if category is not None and parent is not None and _is_within(parent, category):
            raise DomainError(
                f"Category {slug} cannot go under {parent.slug}, which is itself or one of its "
                "subcategories",
                code="category_parent_within",
            )
        namesake = (
            Category.objects.filter(parent=parent, name__iexact=name)
            .exclude(slug=slug)
            .values_list("slug", flat=True)
            .first()
        )
        if namesake is not None:
            where = f"under {parent.slug}" if parent else "at the top level"
            raise DomainError(
                f"Category {namesake} {where} is already named '{name}'; two categories "
                "side by side need different names",
                code="category_name_taken",
            )
        values = {"name": name, "parent": parent}
        if category is None:
            category, status = Category.objects.create(slug=slug, **values), CREATED
        else:
            status = save_changes(category, assign_changes(category, values))
        if save_translations(category.translations, "name", translations) and status == UNCHANGED:
            status = UPDATED
    return category, status


def _is_within(node: Category | None, root: Category) -> bool:
    """Whether ``node`` is ``root`` or below it."""
    while node is not None:
        if node.pk == root.pk:
            return True
        node = node.parent
    return False


def _free_category_slug(name: str) -> str:
    base = slugify(name)[:190] or "category"
    slug, suffix = base, 1
    while Category.objects.filter(slug=slug).exists():
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


def upsert_product(
    *,
    sku: str,
    name: str,
    unit: Unit,
    precision: int | None = None,
    description: str = "",
    information: str = "",
    specifications: str = "",
    category: Category | None = None,
    brand: Brand | None = None,
    is_enabled: bool = True,
    is_featured: bool = False,
    is_new_arrival: bool = False,
    weight_kg: Decimal | None = None,
    rebuild: bool = True,
) -> tuple[Product, UpsertStatus]:
    """Create or update the product ``sku`` with ``unit`` as its primary unit.

    ``precision`` is the number of decimals the primary unit takes for this product (the
    unit's default when None). A product whose primary unit changes loses the old one: the
    conversion rates of its other units were relative to it, so set them again.
    ``weight_kg`` is kept as it is when None. A changed product has the prices rules give it
    computed again after commit, unless ``rebuild`` is False (an import rebuilds at its end).
    """
    sku = sku.strip()
    if not sku:
        raise DomainError("The SKU is empty", code="sku_missing")
    values = {
        "sku": sku,
        "name": name.strip(),
        "description": description,
        "information": information,
        "specifications": specifications,
        "category": category,
        "brand": brand,
        "is_enabled": is_enabled,
        "is_featured": is_featured,
        "is_new_arrival": is_new_arrival,
    }
    if weight_kg is not None:
        if weight_kg < 0:
            raise DomainError(
                f"The weight of SKU '{sku}' cannot be negative ({weight_kg})",
                code="weight_negative",
            )
        values["weight_kg"] = weight_kg
    if not values["name"]:
        raise DomainError(f"SKU '{sku}' needs a name", code="product_name_missing")

    with transaction.atomic():
        product, status = upsert(Product, match=Q(sku__iexact=normalize_sku(sku)), values=values)
        unit_changed = _set_primary_unit(
            product, unit, unit.default_precision if precision is None else precision
        )

        if status == UNCHANGED and unit_changed:
            status = UPDATED
        if status != UNCHANGED and rebuild:
            schedule_product_rebuild([product.pk])
    if status != UNCHANGED:
        logger.debug("product %s %s", product.sku, status)
    return product, status


def _set_primary_unit(product: Product, unit: Unit, precision: int) -> bool:
    """Make ``unit`` the primary unit of ``product``; True if anything was written."""
    product_units = list(
        ProductUnit.objects.select_for_update().filter(product=product).order_by("pk")
    )
    primary = next((pu for pu in product_units if pu.is_primary), None)
    wanted = {
        "precision": precision,
        "conversion_rate": Decimal(1),
        "is_primary": True,
        "is_sellable": True,
    }
    if primary is not None and primary.unit_id == unit.pk:
        return save_changes(primary, assign_changes(primary, wanted)) != UNCHANGED
    if primary is not None:
        # Deleted before the new one is marked: a product has one primary unit at a time.
        primary.delete()
    existing = next((pu for pu in product_units if pu.unit_id == unit.pk), None)
    if existing is not None:
        save_changes(existing, assign_changes(existing, wanted))
    else:
        ProductUnit.objects.create(product=product, unit=unit, **wanted)
    return True


def upsert_product_unit(
    *,
    product: Product,
    unit: Unit,
    precision: int,
    conversion_rate: Decimal,
    is_sellable: bool = True,
) -> tuple[ProductUnit, UpsertStatus]:
    """Create or update an additional unit of ``product``.

    ``conversion_rate`` is how many primary units one of ``unit`` holds (10 for a set of 10).
    """
    if conversion_rate <= 0:
        raise DomainError(
            f"The conversion rate of '{unit.code}' for SKU '{product.sku}' must be more than 0",
            code="conversion_rate_not_positive",
        )
    with transaction.atomic():
        primary = (
            ProductUnit.objects.filter(product=product, is_primary=True).order_by("pk").first()
        )
        if primary is not None and primary.unit_id == unit.pk:
            raise DomainError(
                f"'{unit.code}' is already the primary unit of SKU '{product.sku}'",
                code="unit_is_primary",
            )
        return upsert(
            ProductUnit,
            match={"product": product, "unit": unit},
            values={
                "precision": precision,
                "conversion_rate": conversion_rate,
                "is_primary": False,
                "is_sellable": is_sellable,
            },
        )
