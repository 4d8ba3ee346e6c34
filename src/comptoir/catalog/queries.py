"""Reads of the catalog used by the storefront, the API and the services."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from comptoir.catalog.models import Category, Product, ProductUnit, normalize_sku
from comptoir.core.errors import NotFound, NotOrderable, excerpt


def orderable_products() -> QuerySet[Product]:
    """Enabled products with their units loaded, in a stable order."""
    units = Prefetch("units", queryset=ProductUnit.objects.select_related("unit"))
    return (
        Product.objects.filter(is_enabled=True)
        .select_related("category", "brand")
        .prefetch_related(units)
        .order_by("name", "id")
    )


def product_by_sku(sku: str) -> Product:
    """The enabled product whose SKU matches ``sku`` ignoring case and surrounding spaces."""
    wanted = normalize_sku(sku)
    # A text no SKU can be is not sent to the database: SQLite refuses a very long LIKE
    # pattern and PostgreSQL any NUL character.
    if len(wanted) <= Product._meta.get_field("sku").max_length and "\x00" not in wanted:
        product = orderable_products().filter(sku__iexact=wanted).first()
        if product is not None:
            return product
        disabled = Product.objects.filter(sku__iexact=wanted, is_enabled=False).first()
        if disabled is not None:
            raise NotOrderable(
                _("SKU '%(sku)s' is no longer sold") % {"sku": disabled.sku}, code="discontinued"
            )
    raise NotFound(
        _("SKU '%(sku)s' not found") % {"sku": excerpt(sku.strip())}, code="unknown_sku"
    )


def category_with_descendants(category: Category) -> list[int]:
    """Ids of ``category`` and every category under it."""
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(
            Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def products_in_category(category: Category) -> QuerySet[Product]:
    return orderable_products().filter(category_id__in=category_with_descendants(category))
