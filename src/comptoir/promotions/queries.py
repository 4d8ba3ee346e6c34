"""Reads of promotions: the coupon codes entered on shopping lists, what an order received."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from comptoir.ordering.models import Order, ShoppingList
from comptoir.promotions.models import AppliedCoupon, DiscountLevel


def coupon_codes_for(shopping_list: ShoppingList) -> list[str]:
    """The coupon codes entered on ``shopping_list``, in the order they were entered."""
    if shopping_list.pk is None:
        return []
    return list(
        AppliedCoupon.objects.filter(shopping_list=shopping_list)
        .order_by("added_at", "id")
        .values_list("coupon__code", flat=True)
    )


@dataclass(frozen=True)
class OrderDiscount:
    """One promotion an order received, added up over its lines."""

    label: str
    level: str
    amount: Decimal
    coupon_code: str


def discounts_of(order: Order) -> list[OrderDiscount]:
    """What each promotion took off ``order``: line, order and shipping discounts in that order."""
    added: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in order.applied_promotions.all():
        added[(row.level, row.promotion_id, row.label, row.coupon_code)] += row.amount
    levels = list(DiscountLevel.values)
    return [
        OrderDiscount(label=label, level=level, amount=amount, coupon_code=code)
        for (level, _, label, code), amount in sorted(
            added.items(), key=lambda item: levels.index(item[0][0])
        )
    ]


@dataclass(frozen=True)
class OrderDiscounts:
    """An order's discounts as its page shows them: on goods, then shipping before and after."""

    discounts: list[OrderDiscount]
    shipping: Decimal
    shipping_discounts: list[OrderDiscount]


def order_discounts(order: Order) -> OrderDiscounts:
    """What ``order``'s promotions took off its goods and its shipping."""
    every = discounts_of(order)
    on_shipping = [d for d in every if d.level == DiscountLevel.SHIPPING]
    return OrderDiscounts(
        discounts=[d for d in every if d.level != DiscountLevel.SHIPPING],
        shipping=order.shipping_total + sum((d.amount for d in on_shipping), Decimal(0)),
        shipping_discounts=on_shipping,
    )
