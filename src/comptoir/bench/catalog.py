"""Catalog visibility at scale: a company's view of a large catalog with visibility settings
for everyone, for its customer group and for itself, listed a page at a time and searched."""

import statistics
import time

from comptoir.bench import setup

# One product in this many is hidden from everyone...
HIDDEN_EVERY = 50
# ...and this many of those are shown to the benchmark's company.
SHOWN_TO_COMPANY = 1000
# Categories hidden from the company's customer group.
HIDDEN_CATEGORIES = 3
PAGE = 24
RUNS = 5


def _timed(label: str, work) -> object:
    """Run ``work`` ``RUNS`` times and print the median; return its last result."""
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    print(f"  {label} (median of {RUNS}): {statistics.median(timings) * 1000:.0f} ms")
    return result


def run(*, products: int) -> None:
    from comptoir.accounts.models import Company, CustomerGroup
    from comptoir.catalog.models import Category, Product
    from comptoir.catalog.queries import audience_of, hidden_product_ids, visible_products
    from comptoir.catalog.visibility import CategoryVisibility, ProductVisibility, Visibility
    from comptoir.search.queries import search_products

    print(f"catalog visibility (a catalog of {products:,} products)")
    directory = setup.catalog(products)
    setup.reset_database()
    setup.load_catalog(directory)

    group = CustomerGroup.objects.get_or_create(name="Bench group")[0]
    company = Company.objects.create(name="Bench Company", customer_group=group)
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    hidden = ids[::HIDDEN_EVERY]
    ProductVisibility.objects.bulk_create(
        ProductVisibility(product_id=pk, visibility=Visibility.HIDDEN) for pk in hidden
    )
    ProductVisibility.objects.bulk_create(
        ProductVisibility(product_id=pk, company=company, visibility=Visibility.VISIBLE)
        for pk in hidden[:SHOWN_TO_COMPANY]
    )
    CategoryVisibility.objects.bulk_create(
        CategoryVisibility(category=category, customer_group=group, visibility=Visibility.HIDDEN)
        for category in Category.objects.order_by("pk")[:HIDDEN_CATEGORIES]
    )
    word = Product.objects.order_by("pk").values_list("name", flat=True)[len(ids) // 2].split()[0]
    print(
        f"  settings: {len(hidden):,} products hidden from everyone, {SHOWN_TO_COMPANY:,} of them "
        f"shown to the company; {HIDDEN_CATEGORIES} categories hidden from its group"
    )

    def first_page() -> int:
        shown = visible_products(audience_of(company))
        list(shown[:PAGE])
        return shown.count()

    seen = _timed(f"a page of {PAGE} products with the count of all it may see", first_page)
    print(f"    the company sees {seen:,} of {len(ids):,} products")

    def search() -> int:
        found = search_products(word, audience_of(company))
        list(found[:PAGE])
        return found.count()

    found = _timed(f"a page of the search for '{word}' with its count", search)
    print(f"    {found:,} products found")
    sample = ids[:: max(1, len(ids) // 1000)][:1000]
    _timed(
        f"which of {len(sample):,} products are hidden from the company",
        lambda: hidden_product_ids(audience_of(company), sample),
    )
