"""Reading stock: how much of each product the active warehouses hold."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from comptoir.inventory.models import StockLevel


def stock_of(product_ids: Iterable[int]) -> dict[int, Decimal]:
    """The stock of each product in the active warehouses, in its primary unit, in one query;
    products the ERP never gave a level for are left out (their stock is not known)."""
    rows = (
        StockLevel.objects.filter(product_id__in=set(product_ids), warehouse__is_active=True)
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {row["product_id"]: row["total"] for row in rows}
