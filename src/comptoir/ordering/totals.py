"""What a set of priced lines costs: discounts, shipping, taxes and the total, in one place.

The cart, checkout, the order and its invoice all ask ``compute_totals`` (or ``order_totals``
for an order already placed), so their totals agree to the cent. The steps run in a fixed
order:

1. line promotions, each worked out from the line's row total (the same base for every
   promotion, so the order they are listed in changes nothing); their sum on a line is capped
   at the row total once, at the end;
2. order promotions, each worked out from the net of the lines it covers (after line
   promotions); each is spread over those lines in proportion to their nets, rounding the
   running sum so the shares add up exactly; a line's shares are capped at its net;
3. shipping (a flat rate, ``COMPTOIR_SHIPPING_FLAT_RATE``) and free shipping;
4. taxes on the discounted amounts;
5. the total: subtotal less discounts, plus shipping and tax.

When a cap cuts discounts, the promotion that ranks last (priority, then id) gives up its
amount first, so the figures do not depend on the order promotions were found in. Every
amount is a ``Decimal`` rounded half-up to the currency's minor unit, and nothing is negative.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from comptoir.catalog.models import Product
from comptoir.core.money import round_money
from comptoir.promotions.engine import CouponStatus, Level, Offer, offers_for
from comptoir.taxes.engine import TaxableLine, TaxPlace, compute_taxes
from comptoir.taxes.queries import default_shipping_address_of

if TYPE_CHECKING:
    from comptoir.accounts.models import Address, Company, CustomerUser
    from comptoir.ordering.models import Order, OrderAddress

ZERO = Decimal(0)

type LineKey = int | str


@dataclass(frozen=True)
class LineInput:
    """One priced line: a shopping list line or an order line at its resolved price."""

    key: LineKey
    product: Product | None
    unit_code: str
    quantity: Decimal
    unit_price: Decimal
    row_total: Decimal


@dataclass(frozen=True)
class Discount:
    """An amount a promotion takes off a line, the order or shipping, with its label."""

    label: str
    amount: Decimal
    level: Level
    promotion_id: int | None = None
    coupon_code: str = ""
    line_key: LineKey | None = None


@dataclass(frozen=True)
class LineTotals:
    """A line after promotions and taxes."""

    key: LineKey
    product: Product | None
    unit_code: str
    quantity: Decimal
    unit_price: Decimal
    row_total: Decimal
    # The line promotions on this line.
    discounts: tuple[Discount, ...] = ()
    # This line's shares of the order promotions, one per promotion.
    order_discounts: tuple[Discount, ...] = ()
    tax_total: Decimal = ZERO
    tax_rate: Decimal | None = None
    # Why the line is taxed as it is ("reverse charge", "tax-exempt customer").
    tax_notes: tuple[str, ...] = ()

    @property
    def line_discount_total(self) -> Decimal:
        return sum((discount.amount for discount in self.discounts), ZERO)

    @property
    def order_discount_share(self) -> Decimal:
        return sum((discount.amount for discount in self.order_discounts), ZERO)

    @property
    def discount_total(self) -> Decimal:
        return self.line_discount_total + self.order_discount_share

    @property
    def net(self) -> Decimal:
        """The row total less every discount on it: the base its tax is worked out on."""
        return self.row_total - self.discount_total


@dataclass(frozen=True)
class TaxLine:
    """One rate of the tax summary: the base taxed at ``rate`` and the tax on it."""

    label: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class LineTax:
    amount: Decimal = ZERO
    rate: Decimal | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaxStep:
    """What the tax step answers: tax per line (by key), on shipping, and per rate."""

    lines: Mapping[LineKey, LineTax] = field(default_factory=dict)
    shipping: Decimal = ZERO
    tax_lines: tuple[TaxLine, ...] = ()
    # Mentions for the whole order ("Reverse charge: ...", "No tax rate for ...").
    notes: tuple[str, ...] = ()
    # The address taxed for, and whether it is only the company's default (the cart's case).
    address: "Address | OrderAddress | None" = None
    estimated: bool = False


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: tuple[LineTotals, ...]
    subtotal: Decimal
    # Line discounts one per line and promotion, order discounts one per promotion (no line
    # key), and the shipping discount.
    discounts: tuple[Discount, ...]
    discount_total: Decimal
    shipping: Decimal
    shipping_discount: Decimal
    tax_lines: tuple[TaxLine, ...]
    tax_total: Decimal
    total: Decimal
    # Each coupon code asked for, and whether it took effect or why not.
    coupons: tuple[CouponStatus, ...] = ()
    tax_notes: tuple[str, ...] = ()
    # Where taxes were worked out for; estimated when no address was chosen yet (the cart).
    tax_address: "Address | OrderAddress | None" = None
    tax_estimated: bool = False

    @property
    def shipping_total(self) -> Decimal:
        """Shipping after its discount."""
        return self.shipping - self.shipping_discount

    @property
    def net(self) -> Decimal:
        """Subtotal less discounts, before shipping and tax."""
        return self.subtotal - self.discount_total

    @property
    def line_discounts(self) -> tuple[Discount, ...]:
        return tuple(d for d in self.discounts if d.level == Level.LINE)

    @property
    def order_discounts(self) -> tuple[Discount, ...]:
        return tuple(d for d in self.discounts if d.level == Level.ORDER)

    @property
    def shipping_discounts(self) -> tuple[Discount, ...]:
        return tuple(d for d in self.discounts if d.level == Level.SHIPPING)


def compute_totals(
    *,
    company: "Company",
    customer_user: "CustomerUser | None",
    lines: Sequence[LineInput],
    currency: str,
    coupon_codes: Sequence[str] = (),
    shipping_address: "Address | OrderAddress | None" = None,
    at: datetime | None = None,
) -> Totals:
    """The totals of ``lines`` for ``company``'s buyer, with the promotions that apply at ``at``
    (now by default) and the coupons entered."""
    at = at or timezone.now()
    shipping = shipping_charge(lines, currency)
    found = offers_for(
        company=company,
        customer_user=customer_user,
        lines=lines,
        currency=currency,
        coupon_codes=coupon_codes,
        shipping=shipping,
        at=at,
    )
    discounted, shipping_discounts = apply_offers(lines, found.offers, shipping, currency)
    return finish_totals(
        company=company,
        customer_user=customer_user,
        lines=discounted,
        shipping=shipping,
        shipping_discounts=shipping_discounts,
        currency=currency,
        shipping_address=shipping_address,
        coupons=found.coupons,
        at=at,
    )


def order_totals(order: "Order") -> Totals:
    """The totals of a placed order from its stored lines and discounts, taxes worked out again.

    Promotions are not looked up again (their dates and coupon limits have moved on since):
    the discounts the order recorded are used as they are, so an invoice says what the order
    said.
    """
    applied = list(order.applied_promotions.all())
    by_line: dict[int, list[Discount]] = defaultdict(list)
    shipping_discounts = []
    for row in applied:
        discount = Discount(
            label=row.label,
            amount=row.amount,
            level=Level(row.level),
            promotion_id=row.promotion_id,
            coupon_code=row.coupon_code,
            line_key=row.order_line_id,
        )
        if row.order_line_id is None:
            shipping_discounts.append(discount)
        else:
            by_line[row.order_line_id].append(discount)
    lines = tuple(
        LineTotals(
            key=line.pk,
            product=line.product,
            unit_code=line.unit_code,
            quantity=line.quantity,
            unit_price=line.unit_price,
            row_total=line.row_total,
            discounts=tuple(d for d in by_line[line.pk] if d.level == Level.LINE),
            order_discounts=tuple(d for d in by_line[line.pk] if d.level == Level.ORDER),
        )
        for line in order.lines.select_related("product")
    )
    shipping_discount = sum((d.amount for d in shipping_discounts), ZERO)
    return finish_totals(
        company=order.company,
        customer_user=order.customer_user,
        lines=lines,
        shipping=order.shipping_total + shipping_discount,
        shipping_discounts=tuple(shipping_discounts),
        currency=order.currency,
        shipping_address=order.shipping_address,
        at=order.created_at,
    )


def shipping_charge(lines: Sequence[LineInput], currency: str) -> Decimal:
    """The flat shipping rate in ``currency`` when there is something to ship, else zero."""
    if not lines:
        return ZERO
    return max(round_money(Decimal(settings.COMPTOIR_SHIPPING_FLAT_RATE), currency), ZERO)


def apply_offers(
    lines: Sequence[LineInput], offers: Iterable[Offer], shipping: Decimal, currency: str
) -> tuple[tuple[LineTotals, ...], tuple[Discount, ...]]:
    """``lines`` with the discounts of ``offers`` on them, and the discounts on shipping.

    Pure arithmetic: the same lines and offers, listed in any order, give the same answer.
    """
    ranked = sorted(offers, key=lambda offer: offer.rank)
    totals = {line.key: _line_totals(line) for line in lines}

    line_offers = [offer for offer in ranked if offer.level == Level.LINE]
    for line in lines:
        wanted = [
            (offer, offer.line_amounts.get(line.key, ZERO))
            for offer in line_offers
            if offer.line_amounts.get(line.key, ZERO) > 0
        ]
        kept = _capped(wanted, line.row_total)
        totals[line.key] = replace(
            totals[line.key],
            discounts=tuple(_discount(offer, amount, line_key=line.key) for offer, amount in kept),
        )

    shares: dict[LineKey, list[tuple[Offer, Decimal]]] = defaultdict(list)
    for offer in ranked:
        if offer.level != Level.ORDER:
            continue
        covered = [totals[key] for key in offer.line_keys if key in totals]
        base = sum((line.net for line in covered), ZERO)
        if base <= 0:
            continue
        if offer.percentage is not None:
            amount = round_money(base * offer.percentage / 100, currency)
        else:
            amount = round_money(offer.amount or ZERO, currency)
        amount = min(amount, base)
        parts = spread(amount, [line.net for line in covered], currency)
        for line, share in zip(covered, parts, strict=True):
            shares[line.key].append((offer, share))
    for key, wanted in shares.items():
        line = totals[key]
        kept = _capped([(offer, amount) for offer, amount in wanted if amount > 0], line.net)
        totals[key] = replace(
            line, order_discounts=tuple(_discount(o, a, line_key=key) for o, a in kept)
        )

    shipping_discounts = ()
    free = [offer for offer in ranked if offer.level == Level.SHIPPING and offer.line_keys]
    if shipping > 0 and free:
        shipping_discounts = (_discount(free[0], shipping),)
    return tuple(totals[line.key] for line in lines), shipping_discounts


def spread(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``amount`` split in proportion to ``weights``, each part rounded to the currency.

    The running sum is rounded rather than each part, so the parts add up to ``amount`` exactly
    (the last line takes the remainder cents), none is negative, and none is larger than its
    weight when ``amount`` is not larger than the sum of the weights.
    """
    total = sum(weights, ZERO)
    if total <= 0:
        return [ZERO for _ in weights]
    parts, running, previous = [], ZERO, ZERO
    for weight in weights:
        running += weight
        reached = round_money(amount * running / total, currency)
        parts.append(reached - previous)
        previous = reached
    return parts


def finish_totals(
    *,
    company: "Company",
    customer_user: "CustomerUser | None",
    lines: Sequence[LineTotals],
    shipping: Decimal,
    shipping_discounts: Sequence[Discount],
    currency: str,
    shipping_address: "Address | OrderAddress | None",
    coupons: Sequence[CouponStatus] = (),
    at: datetime | None = None,
) -> Totals:
    """Taxes and the sums, once discounts are on the lines."""
    shipping_discount = min(sum((d.amount for d in shipping_discounts), ZERO), shipping)
    taxes = _taxes(
        company=company,
        customer_user=customer_user,
        lines=lines,
        shipping=shipping - shipping_discount,
        currency=currency,
        shipping_address=shipping_address,
        at=at,
    )
    taxed = tuple(
        replace(
            line,
            tax_total=taxes.lines.get(line.key, LineTax()).amount,
            tax_rate=taxes.lines.get(line.key, LineTax()).rate,
            tax_notes=taxes.lines.get(line.key, LineTax()).notes,
        )
        for line in lines
    )

    subtotal = sum((line.row_total for line in taxed), ZERO)
    discount_total = sum((line.discount_total for line in taxed), ZERO)
    tax_total = sum((line.tax_total for line in taxed), ZERO) + taxes.shipping
    total = subtotal - discount_total + shipping - shipping_discount + tax_total
    return Totals(
        currency=currency,
        lines=taxed,
        subtotal=subtotal,
        discounts=(
            *(discount for line in taxed for discount in line.discounts),
            *_by_promotion(discount for line in taxed for discount in line.order_discounts),
            *shipping_discounts,
        ),
        discount_total=discount_total,
        shipping=shipping,
        shipping_discount=shipping_discount,
        tax_lines=taxes.tax_lines,
        tax_total=tax_total,
        total=total,
        coupons=tuple(coupons),
        tax_notes=taxes.notes,
        tax_address=taxes.address,
        tax_estimated=taxes.estimated,
    )


def _taxes(
    *,
    company: "Company",
    customer_user: "CustomerUser | None",
    lines: Sequence[LineTotals],
    shipping: Decimal,
    currency: str,
    shipping_address: "Address | OrderAddress | None",
    at: datetime | None = None,
) -> TaxStep:
    """The tax step: ``taxes.engine.compute_taxes`` on each line's ``net`` and on ``shipping``
    (after its discount), on the day ``at``.

    Shipping is taxed as goods of the default product tax code. Without a shipping address
    (the cart, before checkout) taxes are worked out for the company's default shipping
    address, and the totals say they are an estimate for it.
    """
    estimated = shipping_address is None
    address = default_shipping_address_of(company) if estimated else shipping_address
    taxable = [
        TaxableLine(
            key=line.key,
            net=line.net,
            tax_code_id=line.product.tax_code_id if line.product is not None else None,
        )
        for line in lines
    ]
    if shipping > 0:
        taxable.append(TaxableLine(key=_SHIPPING, net=shipping))
    result = compute_taxes(
        lines=taxable,
        company=company,
        ship_to=TaxPlace.of(address) if address is not None else None,
        currency=currency,
        at=at,
    )
    return TaxStep(
        lines={
            line.key: LineTax(amount=line.amount, rate=line.rate, notes=(line.reason,))
            for line in result.lines
            if line.key != _SHIPPING
        },
        shipping=result.line(_SHIPPING).amount if shipping > 0 else ZERO,
        tax_lines=tuple(
            TaxLine(label=line.label, rate=line.rate, base=line.base, amount=line.amount)
            for line in result.tax_lines
        ),
        notes=result.notes,
        address=address,
        estimated=estimated and address is not None,
    )


# The key of shipping among the taxed lines; line keys are ids.
_SHIPPING = "shipping"


def _line_totals(line: LineInput) -> LineTotals:
    return LineTotals(
        key=line.key,
        product=line.product,
        unit_code=line.unit_code,
        quantity=line.quantity,
        unit_price=line.unit_price,
        row_total=line.row_total,
    )


def _capped(wanted: list[tuple[Offer, Decimal]], limit: Decimal) -> list[tuple[Offer, Decimal]]:
    """``wanted`` (ranked) cut so the amounts add up to at most ``limit``; last ranked first."""
    excess = sum((amount for _, amount in wanted), ZERO) - max(limit, ZERO)
    kept = []
    for offer, amount in reversed(wanted):
        cut = min(amount, max(excess, ZERO))
        excess -= cut
        if amount - cut > 0:
            kept.append((offer, amount - cut))
    return list(reversed(kept))


def _discount(offer: Offer, amount: Decimal, *, line_key: LineKey | None = None) -> Discount:
    return Discount(
        label=offer.label,
        amount=amount,
        level=offer.level,
        promotion_id=offer.promotion_id,
        coupon_code=offer.coupon_code,
        line_key=line_key,
    )


def _by_promotion(discounts: Iterable[Discount]) -> list[Discount]:
    """Order discount shares added up per promotion, in the order they first appear."""
    added: dict[tuple, Discount] = {}
    for discount in discounts:
        key = (discount.promotion_id, discount.label, discount.coupon_code)
        if key in added:
            added[key] = replace(added[key], amount=added[key].amount + discount.amount)
        else:
            added[key] = replace(discount, line_key=None)
    return list(added.values())
