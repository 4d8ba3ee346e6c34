"""Catalog endpoints: the category tree, product lists and search, a product with its prices.

Guests may read them; prices are shown to customer users, and to guests only when
``COMPTOIR_GUEST_PRICES`` is on. A customer user sees the catalog its company may see
(``catalog.visibility``); guests and integration clients see what is visible to everyone.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from comptoir.api.auth import GUESTS_WELCOME, Guest, customer_user_of, token_or_guest_auth
from comptoir.api.errors import error_responses
from comptoir.api.formats import money_text, quantity_text
from comptoir.api.pagination import PageInfo, PageQuery, page_of
from comptoir.catalog.attribute_queries import (
    Variants,
    product_variants,
    shown_attribute_values,
)
from comptoir.catalog.models import Category, Product
from comptoir.catalog.queries import (
    Audience,
    audience_of,
    category_names_in,
    category_with_descendants,
    visible_categories,
    visible_product_by_sku,
    visible_products,
    with_names_in,
)
from comptoir.core.errors import NotFound, NotOrderable, excerpt
from comptoir.pricing.queries import Tier, tiers_for
from comptoir.search.queries import search_products

router = Router(auth=token_or_guest_auth)


class CategoryOut(Schema):
    id: int
    name: str = Field(description="The category's name in the request's language.")
    slug: str
    parent: int | None = Field(description="The id of the parent category; null at the top.")


class CategoryRef(Schema):
    slug: str
    name: str = Field(description="The category's name in the request's language.")


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


class AttributeValueOut(Schema):
    code: str
    name: str = Field(description="The attribute's name in the request's language.")
    type: str = Field(
        description="text, textarea, number, boolean, select, multiselect, date or metric."
    )
    locale: str | None = Field(
        description="The language a localizable attribute's value is written in; null for "
        "the others."
    )
    value: str = Field(
        description="The value as import files write it: a number with a point, 1 or 0, "
        "YYYY-MM-DD, option codes separated by commas, a measure's amount and unit."
    )
    display: str = Field(description="The value as buyers read it, in the request's language.")


class AxisOut(Schema):
    code: str
    name: str = Field(description="The axis attribute's name in the request's language.")


class VariantOut(Schema):
    sku: str
    name: str
    axes: dict[str, str] = Field(
        description="The variant's value of each axis by attribute code, as files write it."
    )


class ProductModelOut(Schema):
    code: str
    name: str
    axes: list[AxisOut] = Field(description="The attributes the variants differ by.")
    variants: list[VariantOut] = Field(
        description="The variants the caller may see, this product included."
    )


class ProductDetailOut(ProductOut):
    description: str
    information: str
    specifications: str
    units: list[UnitOut]
    family: str | None = Field(description="The code of the product's family.")
    attributes: list[AttributeValueOut] = Field(
        description="The product's attribute values shown to buyers, each in the request's "
        "language when it is written in it."
    )
    product_model: ProductModelOut | None = Field(
        description="The model this product is a variant of; null for a product that is not "
        "a variant."
    )


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
    """The category tree the caller may see, each parent before its children."""
    language = get_language()
    visible = with_names_in(visible_categories(audience_of_caller(request)), language)
    return [category_out(category, language) for category in categories_in_tree_order(visible)]


@router.get(
    "/products",
    response={200: ProductPage, **error_responses(401, 404, 422)},
    openapi_extra=GUESTS_WELCOME,
)
def list_products(request: HttpRequest, filters: Query[ProductFilters]):
    """Enabled products the caller may see, by name, or by relevance when searching; one page
    at a time."""
    audience = audience_of_caller(request)
    language = get_language()
    # A blank search text filters nothing, as if it had not been sent.
    products = (
        search_products(filters.q, audience)
        if filters.q and filters.q.strip()
        else visible_products(audience)
    )
    if filters.category:
        category = category_by_slug(filters.category, audience)
        products = products.filter(category_id__in=category_with_descendants(category))
    products = products.prefetch_related(category_names_in(language, "category__translations"))
    items, info = page_of(products, filters)
    tiers = prices_for(request, items)
    return {**info, "items": [product_out(product, tiers, language) for product in items]}


@router.get(
    "/products/{sku}",
    response={200: ProductDetailOut, **error_responses(401, 404)},
    openapi_extra=GUESTS_WELCOME,
)
def get_product(request: HttpRequest, sku: str):
    """One product by SKU (case and surrounding spaces ignored), with its units and prices."""
    try:
        product = visible_product_by_sku(sku, audience_of_caller(request))
    except NotOrderable as error:
        # A product no longer sold, or hidden from the caller, is out of the catalog as an
        # unknown one is.
        raise NotFound(error.message, code=error.code) from None
    tiers = prices_for(request, [product])
    language = get_language()
    variants = product_variants(
        product, language, visible=visible_products(audience_of_caller(request))
    )
    return {
        **product_out(product, tiers, language),
        "family": product.family.code if product.family else None,
        "attributes": [
            {
                "code": value.code,
                "name": value.name,
                "type": value.type,
                "locale": value.language or None,
                "value": value.value,
                "display": value.display,
            }
            for value in shown_attribute_values(product, language)
        ],
        "product_model": product_model_out(variants) if variants else None,
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


def product_model_out(variants: Variants) -> dict:
    return {
        "code": variants.model.code,
        "name": variants.model.name,
        "axes": [{"code": code, "name": name} for code, name in variants.axes],
        "variants": [
            {"sku": variant.sku, "name": variant.name, "axes": variant.axis_values}
            for variant in variants.variants
        ],
    }


def audience_of_caller(request: HttpRequest) -> Audience:
    """A customer user's company; everyone for an integration client, and for a guest while
    the access mode lets guests browse."""
    customer_user = customer_user_of(request)
    return audience_of(
        customer_user.company if customer_user else None,
        guest=isinstance(getattr(request, "auth", None), Guest),
    )


def categories_in_tree_order(categories: QuerySet[Category]) -> list[Category]:
    """``categories`` depth first: a parent, then its children in their sort order; a child
    whose parent is left out is left out too."""
    children: dict[int | None, list[Category]] = {}
    for category in categories.order_by("sort_order", "name", "id"):
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []
    pending = list(reversed(children.get(None, [])))
    while pending:
        category = pending.pop()
        ordered.append(category)
        pending.extend(reversed(children.get(category.pk, [])))
    return ordered


def category_by_slug(slug: str, audience: Audience) -> Category:
    # A slug never holds a NUL character, and PostgreSQL refuses to be asked for one.
    category = (
        None if "\x00" in slug else visible_categories(audience).filter(slug=slug.strip()).first()
    )
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


def category_out(category: Category, language: str) -> dict:
    return {
        "id": category.pk,
        "name": category.name_in(language),
        "slug": category.slug,
        "parent": category.parent_id,
    }


def product_out(product: Product, tiers: dict[int, list[Tier]] | None, language: str) -> dict:
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
            {"slug": product.category.slug, "name": product.category.name_in(language)}
            if product.category
            else None
        ),
        "brand": product.brand.name if product.brand else None,
        "featured": product.is_featured,
        "primary_unit": primary.unit.code if primary else None,
        "prices": prices,
    }
