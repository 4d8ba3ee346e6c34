"""Reads of the catalog used by the storefront, the API and the services.

What a buyer may see goes through ``visible_products`` and ``visible_categories``, which apply
the visibility settings (``catalog.visibility``) for the buyer's company; ``orderable_products``
and ``product_by_sku`` are the whole catalog, for the back office and integrations.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from comptoir.accounts.access import storefront_access
from comptoir.accounts.models import AccessMode, Company
from comptoir.catalog.languages import translations_in
from comptoir.catalog.models import (
    Category,
    CategoryTranslation,
    Product,
    ProductUnit,
    normalize_sku,
)
from comptoir.catalog.visibility import CategoryVisibility, ProductVisibility, Visibility
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


def category_names_in(language: str, lookup: str = "translations") -> Prefetch:
    """A prefetch of the category names a reader of ``language`` may be shown, under
    ``lookup`` ("category__translations" from products), for ``Category.name_in``."""
    return translations_in(lookup, CategoryTranslation, language)


def with_names_in(categories: QuerySet[Category], language: str) -> QuerySet[Category]:
    """``categories`` with their names in ``language`` loaded, in one query for all."""
    return categories.prefetch_related(category_names_in(language))


def category_path(category: Category, language: str) -> list[Category]:
    """The categories from the root down to ``category`` (itself last), with their names in
    ``language`` loaded."""
    path = [*category.ancestors(), category]
    prefetch_related_objects(path, category_names_in(language))
    return path


def category_with_descendants(category: Category) -> list[int]:
    """Ids of ``category`` and every category under it."""
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(
            Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


@dataclass(frozen=True)
class Audience:
    """Who looks at the catalog: a company's buyers, or everyone (``company`` None).

    ``company_ids`` holds the company and its parents, nearest first; ``shut_out`` is a guest
    the access mode keeps out of the catalog.
    """

    company: Company | None = None
    company_ids: tuple[int, ...] = ()
    customer_group_id: int | None = None
    shut_out: bool = False


def audience_of(company: Company | None, *, guest: bool = False) -> Audience:
    """The audience of ``company``'s buyers, or, for None, of everyone: staff, integration
    clients, and guests while the storefront is open to them (access mode "open").

    A subsidiary without a customer group of its own is in its nearest parent's group.
    """
    if company is None:
        shut_out = guest and storefront_access().mode != AccessMode.OPEN
        return Audience(shut_out=shut_out)
    company_ids = [company.pk]
    group_id, parent_id = company.customer_group_id, company.parent_id
    # The ``not in`` guards against a loop an import could make in the company tree.
    while parent_id is not None and parent_id not in company_ids:
        company_ids.append(parent_id)
        parent_id, parent_group_id = (
            Company.objects.filter(pk=parent_id).values_list("parent_id", "customer_group_id")
        ).get()
        group_id = group_id or parent_group_id
    return Audience(company=company, company_ids=tuple(company_ids), customer_group_id=group_id)


def visible_products(audience: Audience) -> QuerySet[Product]:
    """The enabled products ``audience`` may see, with their units loaded."""
    return with_visibility(orderable_products(), audience)


def products_in_category(category: Category, audience: Audience) -> QuerySet[Product]:
    """The products of ``category`` and the categories under it that ``audience`` may see."""
    in_category = category_with_descendants(category)
    return visible_products(audience).filter(category_id__in=in_category)


def with_visibility(products: QuerySet[Product], audience: Audience) -> QuerySet[Product]:
    """The part of ``products`` ``audience`` may see, by the rules of ``catalog.visibility``:
    the product's nearest setting, else its category's, else visible."""
    if audience.shut_out:
        return products.none()
    # Built from the farthest level in: a level's setting decides; without one, the levels
    # beyond it do, and beyond the last the category. Each level is a semi-join the database
    # runs once, not a lookup per product.
    visible = ~Q(category_id__in=hidden_category_ids(audience))
    for level in reversed(_levels(audience)):
        settings = ProductVisibility.objects.filter(level)
        shown = settings.filter(visibility=Visibility.VISIBLE).values("product_id")
        visible = Q(pk__in=shown) | (~Q(pk__in=settings.values("product_id")) & visible)
    return products.filter(visible)


def visible_categories(audience: Audience) -> QuerySet[Category]:
    """The categories ``audience`` may see; a category follows its parent unless it has a
    setting of its own."""
    if audience.shut_out:
        return Category.objects.none()
    return Category.objects.exclude(pk__in=hidden_category_ids(audience))


def hidden_category_ids(audience: Audience) -> set[int]:
    """Ids of the categories hidden from ``audience``, in a few small queries."""
    parents = dict(Category.objects.values_list("pk", "parent_id").order_by())
    own: dict[int, str] = {}
    for level in _levels(audience):
        settings = (
            CategoryVisibility.objects.filter(level)
            .order_by()
            .values_list("category_id", "visibility")
        )
        for category_id, visibility in settings:
            own.setdefault(category_id, visibility)

    # A category with a setting is decided by it; one without, by its nearest ancestor's.
    decided = dict(own)
    for category_id in parents:
        path: list[int] = []
        node: int | None = category_id
        # ``path`` also stops a loop in the tree, which no page could show anyway.
        while node is not None and node not in decided and node not in path:
            path.append(node)
            node = parents[node]
        decided.update(dict.fromkeys(path, decided.get(node, Visibility.VISIBLE)))
    return {pk for pk, verdict in decided.items() if verdict == Visibility.HIDDEN}


def _levels(audience: Audience) -> list[Q]:
    """Whom a setting speaks to, nearest first, as conditions on settings: the company, its
    parents going up, its customer group, everyone."""
    levels = [Q(company_id=pk) for pk in audience.company_ids]
    if audience.customer_group_id is not None:
        levels.append(Q(customer_group_id=audience.customer_group_id))
    levels.append(Q(company__isnull=True, customer_group__isnull=True))
    return levels


def visible_product_by_sku(sku: str, audience: Audience) -> Product:
    """``product_by_sku`` for ``audience``: a product hidden from it is refused with its own
    message (code "hidden")."""
    product = product_by_sku(sku)
    if not with_visibility(Product.objects.filter(pk=product.pk), audience).exists():
        raise NotOrderable(hidden_message(product.sku, audience), code="hidden")
    return product


def hidden_product_ids(audience: Audience, product_ids: Iterable[int]) -> set[int]:
    """Which of ``product_ids`` ``audience`` may not see, in a few queries."""
    wanted = set(product_ids)
    if not wanted:
        return set()
    products = Product.objects.filter(pk__in=wanted).order_by()
    return wanted - set(with_visibility(products, audience).values_list("pk", flat=True))


def hidden_message(sku: str, audience: Audience) -> str:
    """What a buyer is told of a product hidden from it."""
    company = audience.company
    if company is None:
        return _("SKU '%(sku)s' is not in the public catalog: log in to see your company's") % {
            "sku": sku
        }
    return _("SKU '%(sku)s' is not visible to %(company)s") % {
        "sku": sku,
        "company": company.name,
    }
