"""Catalog endpoints: the category tree, product lists and search, a product with its prices.

Guests may read them; prices are shown to customer users, and to guests only when
``COMPTOIR_GUEST_PRICES`` is on.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from comptoir.api.auth import GUESTS_WELCOME, customer_user_of, token_or_guest_auth
from comptoir.api.errors import error_responses
from comptoir.api.formats import money_text, quantity_text
from comptoir.api.pagination import PageInfo, PageQuery, page_of
from comptoir.catalog.models import Category, Product
from comptoir.catalog.queries import category_with_descendants, orderable_products, product_by_sku
from comptoir.core.errors import NotFound, NotOrderable, excerpt
from comptoir.pricing.queries import Tier, tiers_for
from comptoir.search.queries import search_products

router = Router(auth=token_or_guest_auth)


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    parent: int | None = Field(description="The id of the parent category; null at the top.")


class CategoryRef(Schema):
    slug: str
    name: str


class UnitOut(Schema):
    code: str
    precision: int = Field(description="Decimals a quantity of this unit may have.")
    conversion_rate: str = Field(description="Primary units in one of this unit.")
    sellable: bool
    primary: bool


class TierOut(Schema):
    unit: str
    quantity: str = Field(description="The price applies from this quantity up.")
    value: str = Field(description="Price of one unit.")
    currency: str


class ProductOut(Schema):
    sku: str
    name: str
    category: CategoryRef | None
    brand: str | None
    featured: bool
    primary_unit: str | None
    prices: list[TierOut] | None = Field(
        description="The caller's price tiers in sellable units; null when prices are hidden "
        "from guests, empty when nothing prices the product for the caller."
    )


class ProductDetailOut(ProductOut):
    description: str
    information: str
    specifications: str
    units: list[UnitOut]


class ProductPage(PageInfo):
    items: list[ProductOut]


class ProductFilters(PageQuery):
    category: str | None = Field(
        None, description="A category slug; products of its subcategories are included."
    )
    q: str | None = Field(
        None, description="Search text: the exact SKU first, then names, then descriptions."
    )


@router.get(
    "/categories",
    response={200: list[CategoryOut], **error_responses(401)},
    openapi_extra=GUESTS_WELCOME,
)
def list_categories(request: HttpRequest):
    """The category tree, each parent before its children."""
    return [category_out(category) for category in categories_in_tree_order()]


@router.get(
    "/products",
    response={200: ProductPage, **error_responses(401, 404, 422)},
    openapi_extra=GUESTS_WELCOME,
)
def list_products(request: HttpRequest, filters: Query[ProductFilters]):
    """Enabled products, by name, or by relevance when searching; one page at a time."""
    # A blank search text filters nothing, as if it had not been sent.
    products = (
        search_products(filters.q) if filters.q and filters.q.strip() else orderable_products()
    )
    if filters.category:
        category = category_by_slug(filters.category)
        products = products.filter(category_id__in=category_with_descendants(category))
    items, info = page_of(products, filters)
    tiers = prices_for(request, items)
    return {**info, "items": [product_out(product, tiers) for product in items]}


@router.get(
    "/products/{sku}",
    response={200: ProductDetailOut, **error_responses(401, 404)},
    openapi_extra=GUESTS_WELCOME,
)
def get_product(request: HttpRequest, sku: str):
    """One product by SKU (case and surrounding spaces ignored), with its units and prices."""
    try:
        product = product_by_sku(sku)
    except NotOrderable as error:
        # A product that is no longer sold is out of the catalog, as an unknown one is.
        raise NotFound(error.message, code=error.code) from None
    tiers = prices_for(request, [product])
    return {
        **product_out(product, tiers),
        "description": product.description,
        "information": product.information,
        "specifications": product.specifications,
        "units": [
            {
                "code": product_unit.unit.code,
                "precision": product_unit.precision,
                "conversion_rate": quantity_text(product_unit.conversion_rate),
                "sellable": product_unit.is_sellable,
                "primary": product_unit.is_primary,
            }
            for product_unit in sorted(
                product.units.all(), key=lambda pu: (not pu.is_primary, pu.unit.code)
            )
        ],
    }


def categories_in_tree_order() -> list[Category]:
    """Every category, depth first: a parent, then its children in their sort order."""
    children: dict[int | None, list[Category]] = {}
    for category in Category.objects.order_by("sort_order", "name", "id"):
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []
    pending = list(reversed(children.get(None, [])))
    while pending:
        category = pending.pop()
        ordered.append(category)
        pending.extend(reversed(children.get(category.pk, [])))
    return ordered


def category_by_slug(slug: str) -> Category:
    # A slug never holds a NUL character, and PostgreSQL refuses to be asked for one.
    category = None if "\x00" in slug else Category.objects.filter(slug=slug.strip()).first()
    if category is None:
        raise NotFound(
            f"No category has the slug '{excerpt(slug.strip())}'", code="unknown_category"
        )
    return category


def prices_for(request: HttpRequest, products: list[Product]) -> dict[int, list[Tier]] | None:
    """The caller's tiers for ``products`` in one query, or None when guests see no price."""
    customer_user = customer_user_of(request)
    if customer_user is None and not settings.COMPTOIR_GUEST_PRICES:
        return None
    return tiers_for(customer_user.company if customer_user else None, products)


def category_out(category: Category) -> dict:
    return {
        "id": category.pk,
        "name": category.name,
        "slug": category.slug,
        "parent": category.parent_id,
    }


def product_out(product: Product, tiers: dict[int, list[Tier]] | None) -> dict:
    primary = product.primary_unit
    prices = None
    if tiers is not None:
        sold_in = {product_unit.unit.code for product_unit in product.sellable_units()}
        prices = [
            {
                "unit": tier.unit_code,
                "quantity": quantity_text(tier.quantity),
                "value": money_text(tier.value, tier.currency),
                "currency": tier.currency,
            }
            for tier in tiers.get(product.pk, [])
            if tier.unit_code in sold_in
        ]
    return {
        "sku": product.sku,
        "name": product.name,
        "category": (
            {"slug": product.category.slug, "name": product.category.name}
            if product.category
            else None
        ),
        "brand": product.brand.name if product.brand else None,
        "featured": product.is_featured,
        "primary_unit": primary.unit.code if primary else None,
        "prices": prices,
    }
