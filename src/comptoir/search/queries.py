"""The one search interface over the catalog, shared by the storefront and the API.

Results come in three bands, in this order: the product whose SKU is the search text (ignoring
case and surrounding spaces), then products whose name holds every word of the text, then
products whose name or description holds every word. Inside a band products are sorted by name
and then id, so that pages of results never overlap. Only the first ``MAX_SEARCH_LENGTH``
characters of a text are searched, and only among the products the searcher may see
(``catalog.queries.visible_products``).
"""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from comptoir.catalog.models import Product, normalize_sku
from comptoir.catalog.queries import Audience, visible_products

EXACT_SKU = 0
NAME = 1
DESCRIPTION = 2
# Longer than any product name; a text of thousands of words would make a query SQLite refuses.
MAX_SEARCH_LENGTH = 200


def search_products(text: str, audience: Audience) -> QuerySet[Product]:
    """The products ``audience`` may see that match ``text``, best matches first; nothing for
    a blank text."""
    # PostgreSQL refuses a NUL character in any text it is sent.
    text = text.replace("\x00", " ")[:MAX_SEARCH_LENGTH]
    words = text.split()
    if not words:
        return Product.objects.none()

    in_name = Q()
    in_name_or_description = Q()
    for word in words:
        in_name &= Q(name__icontains=word)
        in_name_or_description &= Q(name__icontains=word) | Q(description__icontains=word)
    exact_sku = Q(sku__iexact=normalize_sku(text))
    rank = Case(
        When(exact_sku, then=Value(EXACT_SKU)),
        When(in_name, then=Value(NAME)),
        default=Value(DESCRIPTION),
        output_field=IntegerField(),
    )
    return (
        visible_products(audience)
        .filter(exact_sku | in_name_or_description)
        .annotate(search_rank=rank)
        .order_by("search_rank", "name", "id")
    )
