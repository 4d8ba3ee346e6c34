"""Reads for buying: a shopping list priced line by line, and order history."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from comptoir.accounts.models import Address, CustomerUser
from comptoir.accounts.scoping import visible_to
from comptoir.catalog.models import ProductUnit
from comptoir.catalog.queries import audience_of, hidden_product_ids
from comptoir.core.money import round_money
from comptoir.core.quantities import written
from comptoir.ordering.models import Order, ShoppingList, ShoppingListLine
from comptoir.ordering.totals import LineInput, Totals, compute_totals
from comptoir.pricing.queries import (
    ResolvedPrice,
    chain_currency,
    price_list_chain,
    resolve,
    tiers_for,
)
from comptoir.promotions.queries import coupon_codes_for


@dataclass(frozen=True)
class PricedLine:
    """A shopping list line with today's price, or the reason it cannot be ordered."""

    line: ShoppingListLine
    price: ResolvedPrice | None
    row_total: Decimal | None
    problem: str

    @property
    def is_orderable(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class PricedShoppingList:
    shopping_list: ShoppingList
    lines: list[PricedLine]
    currency: str
    # Where the order would ship (checkout): taxes follow it. None in the cart, where they are
    # estimated for the company's default shipping address.
    shipping_address: Address | None = None

    @property
    def subtotal(self) -> Decimal:
        return sum((line.row_total or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def is_orderable(self) -> bool:
        return bool(self.lines) and all(line.is_orderable for line in self.lines)

    @property
    def problems(self) -> list[str]:
        return [f"{pl.line.product.sku}: {pl.problem}" for pl in self.lines if pl.problem]

    @cached_property
    def totals(self) -> Totals:
        """Discounts, shipping, taxes and the total of the lines that have a price."""
        return shopping_list_totals(self, shipping_address=self.shipping_address)


def shopping_list_totals(priced: PricedShoppingList, *, shipping_address=None) -> Totals:
    """What ``priced`` costs with its coupons, through the one totals pipeline."""
    shopping_list = priced.shopping_list
    return compute_totals(
        company=shopping_list.company,
        customer_user=shopping_list.customer_user,
        lines=[
            LineInput(
                key=pl.line.pk,
                product=pl.line.product,
                unit_code=pl.line.unit.code,
                quantity=pl.line.quantity,
                unit_price=pl.price.value,
                row_total=pl.row_total,
            )
            for pl in priced.lines
            if pl.price is not None and pl.row_total is not None
        ],
        currency=priced.currency,
        coupon_codes=coupon_codes_for(shopping_list),
        shipping_address=shipping_address,
    )


def line_problem(line: ShoppingListLine, sellable: set[tuple[int, int]], hidden: set[int]) -> str:
    """Why ``line`` cannot be ordered as it stands, or an empty string; ``sellable`` holds
    the (product id, unit id) pairs sold (``sellable_units_of``), ``hidden`` the ids of the
    products hidden from the list's company."""
    if not line.product.is_enabled:
        return _("this product is no longer sold")
    if line.product_id in hidden:
        return _("this product is not visible to %(company)s") % {
            "company": line.shopping_list.company.name
        }
    if (line.product_id, line.unit_id) not in sellable:
        return _("the unit '%(unit)s' is no longer sold for this product") % {
            "unit": line.unit.code
        }
    return ""


def sellable_units_of(product_ids: list[int]) -> set[tuple[int, int]]:
    """The (product id, unit id) pairs the products are sold in, in one query."""
    return set(
        ProductUnit.objects.filter(product_id__in=product_ids, is_sellable=True)
        .values_list("product_id", "unit_id")
        .order_by()
    )


def priced_shopping_list(shopping_list: ShoppingList) -> PricedShoppingList:
    """Every line of ``shopping_list`` priced for its company at today's prices; a line of a
    product hidden from the company is flagged and not priced."""
    company = shopping_list.company
    lines = list(shopping_list.lines.select_related("product", "unit"))
    product_ids = [line.product_id for line in lines]
    sellable = sellable_units_of(product_ids)
    hidden = hidden_product_ids(audience_of(company), product_ids)
    chain = price_list_chain(company)
    tiers = tiers_for(company, [line.product for line in lines], chain=chain)
    currency = chain_currency(chain)
    priced = []
    for line in lines:
        problem = line_problem(line, sellable, hidden)
        price = None
        if not problem:
            price = resolve(
                product=line.product,
                unit_code=line.unit.code,
                quantity=line.quantity,
                tiers=tiers.get(line.product_id, []),
                chain=chain,
            )
            if price is None:
                problem = _("no price for %(quantity)s %(unit)s; ask your sales rep") % {
                    "quantity": written(line.quantity),
                    "unit": line.unit.code,
                }
        row_total = round_money(price.value * line.quantity, price.currency) if price else None
        priced.append(PricedLine(line=line, price=price, row_total=row_total, problem=problem))
    return PricedShoppingList(shopping_list=shopping_list, lines=priced, currency=currency)


def current_shopping_list_for(customer_user: CustomerUser) -> ShoppingList | None:
    """The customer user's own cart, if it has one."""
    carts = ShoppingList.objects.filter(customer_user=customer_user, is_current=True)
    return visible_to(customer_user, carts).first()


def visible_orders_for(customer_user: CustomerUser | None) -> QuerySet[Order]:
    """Orders ``customer_user`` may see, newest first."""
    return visible_to(
        customer_user, Order.objects.select_related("customer_user__user", "company")
    ).order_by("-created_at", "-id")


def order_with_lines(order: Order) -> Order:
    return (
        Order.objects.select_related("billing_address", "shipping_address", "customer_user__user")
        .prefetch_related(
            "lines__product",
            "applied_promotions",
            "tax_lines",
            "shipments__lines__order_line",
            "status_changes",
        )
        .get(pk=order.pk)
    )
