"""Catalog pages: home, categories, products and search, open to guests.

Prices come from ``storefront.prices`` (the pricing resolver, one call per page); buying
pages live in ``storefront.buying``.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from comptoir.catalog.attribute_queries import product_variants, shown_attribute_values
from comptoir.catalog.queries import (
    category_path,
    products_in_category,
    visible_categories,
    visible_product_by_sku,
    visible_products,
    with_names_in,
)
from comptoir.core.errors import NotFound, NotOrderable
from comptoir.search.queries import search_products
from comptoir.storefront.buyers import catalog_audience, pricing_company, shows_prices
from comptoir.storefront.forms import AddToCartForm
from comptoir.storefront.prices import product_cards, tier_table

FEATURED_COUNT = 8
# Every sort ends on the id so that two products never swap places between pages.
SORTS = {
    "name": (_("Name"), ("name", "id")),
    "sku": (_("SKU"), ("sku", "id")),
    "newest": (_("Newest"), ("-created_at", "-id")),
}


@require_safe
def home(request):
    """Top-level categories and featured products the visitor may see."""
    audience = catalog_audience(request)
    featured = visible_products(audience).filter(is_featured=True)[:FEATURED_COUNT]
    context = {
        "categories": with_names_in(
            visible_categories(audience).filter(parent=None), get_language()
        ),
        "cards": product_cards(
            pricing_company(request), featured, with_prices=shows_prices(request)
        ),
    }
    return render(request, "storefront/home.html", context)


@require_safe
def category(request, slug: str):
    """A category's subcategories and a page of its products (with those below it), sorted;
    a category hidden from the visitor is not found."""
    audience = catalog_audience(request)
    language = get_language()
    shown = get_object_or_404(visible_categories(audience), slug=slug)
    path = category_path(shown, language)
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"

    products = products_in_category(shown, audience).order_by(*SORTS[sort][1])
    page = Paginator(products, settings.COMPTOIR_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "category": shown,
        "breadcrumb": path[:-1],
        "subcategories": with_names_in(
            visible_categories(audience).filter(parent=shown), language
        ),
        "page": page,
        "cards": product_cards(
            pricing_company(request), page.object_list, with_prices=shows_prices(request)
        ),
        "sort": sort,
        "sorts": {key: label for key, (label, _) in SORTS.items()},
    }
    return render(request, "storefront/category.html", context)


@require_safe
def product(request, sku: str):
    """A product with its unit selector, the buyer's tier prices and the add-to-cart form; a
    product hidden from the visitor is not found."""
    audience = catalog_audience(request)
    try:
        shown = visible_product_by_sku(sku, audience)
    except (NotFound, NotOrderable) as error:
        raise Http404(error.message) from None

    breadcrumb = []
    if shown.category is not None:
        breadcrumb = category_path(shown.category, get_language())
    context = {
        "product": shown,
        "breadcrumb": breadcrumb,
        "units": shown.sellable_units(),
        "unit_tiers": tier_table(pricing_company(request), shown) if shows_prices(request) else [],
        "form": AddToCartForm(product=shown),
        "attributes": shown_attribute_values(shown, get_language()),
        "variants": product_variants(shown, get_language(), visible=visible_products(audience)),
    }
    return render(request, "storefront/product.html", context)


@require_safe
def search(request):
    """Products matching ``q``: the exact SKU first, then name and description matches."""
    text = request.GET.get("q", "").strip()
    results = search_products(text, catalog_audience(request))
    page = Paginator(results, settings.COMPTOIR_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "query": text,
        "page": page,
        "cards": product_cards(
            pricing_company(request), page.object_list, with_prices=shows_prices(request)
        ),
    }
    return render(request, "storefront/search.html", context)
