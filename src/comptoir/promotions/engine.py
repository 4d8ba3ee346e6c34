"""Which promotions a cart gets, and what each offers, before ``ordering.totals`` adds them up.

A promotion is a candidate when it is active, its date window holds the moment priced
(``starts_at`` included, ``ends_at`` not), it is for the buyer (its companies, their
subsidiaries, or its customer groups; everyone when none is named), a usable coupon code was
entered if it needs one, and it takes something off this cart. Candidates are ranked by
priority (lowest number first), then by id. Combining:

- if any candidate is exclusive, the first exclusive one is the only promotion applied;
- otherwise every candidate applies, except that once one that stops further processing
  applies, those with a higher priority number do not (those of the same priority still do,
  so that which of them is listed first never matters).

What a promotion offers is worked out from the lines as priced, never from another
promotion's result: line discounts from the row total, order discounts as a percentage or an
amount of the net of the lines they cover. So the result is the same whatever order the
promotions are found in.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import Company, CustomerGroup
from comptoir.catalog.models import Category, Product
from comptoir.core.money import round_money
from comptoir.promotions.models import (
    Coupon,
    CouponRedemption,
    DiscountLevel,
    Promotion,
    PromotionKind,
    normalized_code,
)

if TYPE_CHECKING:
    from comptoir.accounts.models import CustomerUser
    from comptoir.ordering.totals import LineInput, LineKey

Level = DiscountLevel
ZERO = Decimal(0)

_LEVELS = {
    PromotionKind.LINE_PERCENTAGE: Level.LINE,
    PromotionKind.LINE_FIXED: Level.LINE,
    PromotionKind.BUY_X_GET_Y: Level.LINE,
    PromotionKind.ORDER_PERCENTAGE: Level.ORDER,
    PromotionKind.ORDER_FIXED: Level.ORDER,
    PromotionKind.FREE_SHIPPING: Level.SHIPPING,
}


@dataclass(frozen=True)
class Offer:
    """What one promotion takes off a cart, before caps.

    A line promotion gives an amount per line (``line_amounts``); an order promotion gives a
    ``percentage`` or an ``amount`` of the lines it covers (``line_keys``); free shipping
    covers ``line_keys`` too.
    """

    promotion_id: int
    label: str
    level: Level
    priority: int
    is_exclusive: bool = False
    stops_further: bool = False
    coupon_code: str = ""
    line_amounts: Mapping["LineKey", Decimal] = field(default_factory=dict)
    percentage: Decimal | None = None
    amount: Decimal | None = None
    line_keys: tuple["LineKey", ...] = ()

    @property
    def rank(self) -> tuple[int, int]:
        return (self.priority, self.promotion_id)


@dataclass(frozen=True)
class CouponStatus:
    """A coupon code entered: whether it took effect, and if not, why.

    ``usable`` is False when the code cannot be used at all (unknown, expired, used up): an
    order is refused until it is removed. A usable code may still not apply to this cart.
    """

    code: str
    usable: bool
    applied: bool
    message: str = ""


@dataclass(frozen=True)
class FoundOffers:
    offers: tuple[Offer, ...]
    coupons: tuple[CouponStatus, ...]


def offers_for(
    *,
    company: Company,
    customer_user: "CustomerUser | None",
    lines: Sequence["LineInput"],
    currency: str,
    coupon_codes: Sequence[str],
    shipping: Decimal,
    at: datetime,
) -> FoundOffers:
    """The promotions ``company``'s buyer gets on ``lines`` at ``at``, combined by their rules."""
    codes = list(dict.fromkeys(code for code in map(normalized_code, coupon_codes) if code))
    coupons = {
        coupon.code: coupon
        for coupon in Coupon.objects.select_related("promotion").filter(code__in=codes)
    }
    used = used_by(customer_user, coupons.values())
    company_ids, group_id = buyer_of(company)
    problems = {
        code: coupon_problem(
            coupons.get(code),
            code=code,
            company_ids=company_ids,
            group_id=group_id,
            at=at,
            used_by_user=used.get(coupons[code].pk, 0) if code in coupons else 0,
        )
        for code in codes
    }
    unlocked: dict[int, str] = {}
    for code in codes:
        if not problems[code]:
            unlocked.setdefault(coupons[code].promotion_id, code)

    promotions = candidate_promotions(at, unlocked)
    category_parents = _category_parents() if any(p.categories.all() for p in promotions) else {}
    offers = []
    for promotion in promotions:
        if not for_buyer(promotion, company_ids, group_id):
            continue
        offer = offer_of(
            promotion,
            lines=lines,
            currency=currency,
            shipping=shipping,
            coupon_code=unlocked.get(promotion.pk, ""),
            category_parents=category_parents,
        )
        if offer is not None:
            offers.append(offer)
    chosen, blocked_by = combined(offers)

    chosen_ids = {offer.promotion_id for offer in chosen}
    statuses = []
    for code in codes:
        if problems[code]:
            statuses.append(
                CouponStatus(code, usable=False, applied=False, message=problems[code])
            )
            continue
        promotion = coupons[code].promotion
        if promotion.pk in chosen_ids and unlocked[promotion.pk] == code:
            statuses.append(CouponStatus(code, usable=True, applied=True))
        elif promotion.pk in blocked_by:
            message = _("Coupon '%(code)s' cannot be combined with '%(promotion)s'.") % {
                "code": code,
                "promotion": blocked_by[promotion.pk],
            }
            statuses.append(CouponStatus(code, usable=True, applied=False, message=message))
        else:
            message = _("Coupon '%(code)s' does not apply to the lines in your cart.") % {
                "code": code
            }
            statuses.append(CouponStatus(code, usable=True, applied=False, message=message))
    return FoundOffers(offers=tuple(chosen), coupons=tuple(statuses))


def combined(offers: Sequence[Offer]) -> tuple[list[Offer], dict[int, str]]:
    """The offers that apply together, ranked, and the label of what kept out each other one."""
    ranked = sorted(offers, key=lambda offer: offer.rank)
    exclusive = next((offer for offer in ranked if offer.is_exclusive), None)
    if exclusive is not None:
        blocked = {o.promotion_id: exclusive.label for o in ranked if o is not exclusive}
        return [exclusive], blocked
    chosen, blocked, stopper = [], {}, None
    for offer in ranked:
        if stopper is not None and offer.priority > stopper.priority:
            blocked[offer.promotion_id] = stopper.label
            continue
        chosen.append(offer)
        if offer.stops_further and stopper is None:
            stopper = offer
    return chosen, blocked


def candidate_promotions(at: datetime, unlocked: Mapping[int, str]) -> list[Promotion]:
    """Active promotions whose window holds ``at``, those needing a coupon only if unlocked."""
    only_ids = Prefetch("companies", queryset=Company.objects.only("pk"))
    return list(
        Promotion.objects.filter(is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=at))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .filter(Q(requires_coupon=False) | Q(pk__in=list(unlocked)))
        .prefetch_related(
            only_ids,
            Prefetch("customer_groups", queryset=CustomerGroup.objects.only("pk")),
            Prefetch("categories", queryset=Category.objects.only("pk")),
            Prefetch("products", queryset=Product.objects.only("pk")),
        )
        .order_by("priority", "id")
    )


def buyer_of(company: Company) -> tuple[set[int], int | None]:
    """The ids of ``company`` and the companies above it, and its customer group's id."""
    ids, parent_id = {company.pk}, company.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.add(parent_id)
        parent_id = Company.objects.filter(pk=parent_id).values_list("parent_id", flat=True)[0]
    return ids, company.customer_group_id


def for_buyer(promotion: Promotion, company_ids: set[int], group_id: int | None) -> bool:
    companies = {company.pk for company in promotion.companies.all()}
    groups = {group.pk for group in promotion.customer_groups.all()}
    if not companies and not groups:
        return True
    return bool(companies & company_ids) or group_id in groups


def used_by(customer_user: "CustomerUser | None", coupons) -> dict[int, int]:
    """How many orders ``customer_user`` used each coupon on, by coupon id."""
    coupon_ids = [coupon.pk for coupon in coupons]
    if customer_user is None or not coupon_ids:
        return {}
    return dict(
        CouponRedemption.objects.filter(coupon_id__in=coupon_ids, customer_user=customer_user)
        .values_list("coupon_id")
        .annotate(count=Count("id"))
        .values_list("coupon_id", "count")
    )


def coupon_problem(
    coupon: Coupon | None,
    *,
    code: str,
    company_ids: set[int],
    group_id: int | None,
    at: datetime,
    used_by_user: int,
) -> str:
    """Why ``coupon`` (the one with ``code``, if any) cannot be used by this buyer now, or ''."""
    if coupon is None:
        return _("No coupon has the code '%(code)s': check how it is written.") % {"code": code}
    promotion = coupon.promotion
    if not coupon.is_active or not promotion.is_active:
        return _("Coupon '%(code)s' is no longer valid.") % {"code": code}
    if promotion.starts_at and at < promotion.starts_at:
        return _("Coupon '%(code)s' is valid from %(date)s.") % {
            "code": code,
            "date": _shown_date(promotion.starts_at),
        }
    if promotion.ends_at and at >= promotion.ends_at:
        return _("Coupon '%(code)s' expired on %(date)s.") % {
            "code": code,
            "date": _shown_date(promotion.ends_at),
        }
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        return _("Coupon '%(code)s' has been used as many times as it may be.") % {"code": code}
    if coupon.usage_limit_per_user is not None and used_by_user >= coupon.usage_limit_per_user:
        return _("You have used coupon '%(code)s' as many times as you may.") % {"code": code}
    if not for_buyer(promotion, company_ids, group_id):
        return _("Coupon '%(code)s' is not valid for your company.") % {"code": code}
    return ""


def offer_of(
    promotion: Promotion,
    *,
    lines: Sequence["LineInput"],
    currency: str,
    shipping: Decimal,
    coupon_code: str,
    category_parents: Mapping[int, int | None],
) -> Offer | None:
    """What ``promotion`` takes off ``lines``, or None if nothing."""
    kind = promotion.kind
    fixed = kind in (PromotionKind.LINE_FIXED, PromotionKind.ORDER_FIXED)
    if fixed and promotion.currency.upper() != currency.upper():
        return None
    covered = [
        line
        for line in lines
        if line.row_total > 0 and _covers(promotion, line.product, category_parents)
    ]
    offer = Offer(
        promotion_id=promotion.pk,
        label=promotion.shown_label,
        level=_LEVELS[PromotionKind(kind)],
        priority=promotion.priority,
        is_exclusive=promotion.is_exclusive,
        stops_further=promotion.stops_further,
        coupon_code=coupon_code,
    )
    value = promotion.value or ZERO

    if kind == PromotionKind.LINE_PERCENTAGE:
        return _with_amounts(
            offer,
            {line.key: round_money(line.row_total * value / 100, currency) for line in covered},
        )
    if kind == PromotionKind.LINE_FIXED:
        return _with_amounts(offer, {line.key: round_money(value, currency) for line in covered})
    if kind == PromotionKind.BUY_X_GET_Y:
        return _with_amounts(offer, _free_units(promotion, covered, lines, currency))
    if not covered:
        return None
    keys = tuple(line.key for line in covered)
    if kind == PromotionKind.ORDER_PERCENTAGE:
        return replace(offer, percentage=value, line_keys=keys)
    if kind == PromotionKind.ORDER_FIXED:
        return replace(offer, amount=round_money(value, currency), line_keys=keys)
    if kind == PromotionKind.FREE_SHIPPING and shipping > 0:
        return replace(offer, line_keys=keys)
    return None


def _free_units(
    promotion: Promotion,
    covered: Sequence["LineInput"],
    lines: Sequence["LineInput"],
    currency: str,
) -> dict["LineKey", Decimal]:
    """Buy X get Y: the price of the free units, by line.

    Of the same product, every group of X + Y units on a line has Y free. Of another product,
    every X units bought on the lines in scope give Y free units of that product's lines (as
    many as are in the cart).
    """
    buy, get = promotion.buy_quantity or 0, promotion.get_quantity or 0
    if buy <= 0 or get <= 0:
        return {}
    if promotion.get_product_id is None:
        return {
            line.key: round_money((line.quantity // (buy + get)) * get * line.unit_price, currency)
            for line in covered
        }
    free_product = promotion.get_product_id
    bought = sum((line.quantity for line in covered if _product_id(line) != free_product), ZERO)
    free_left = (bought // buy) * get
    amounts = {}
    for line in lines:
        if _product_id(line) != free_product or line.row_total <= 0 or free_left <= 0:
            continue
        taken = min(free_left, line.quantity // 1)
        free_left -= taken
        amounts[line.key] = round_money(taken * line.unit_price, currency)
    return amounts


def _covers(
    promotion: Promotion, product: Product | None, category_parents: Mapping[int, int | None]
) -> bool:
    """Whether ``product`` is in the promotion's scope; lines without a product never are."""
    if product is None:
        return False
    products = {p.pk for p in promotion.products.all()}
    categories = {c.pk for c in promotion.categories.all()}
    if not products and not categories:
        return True
    if product.pk in products:
        return True
    category_id, seen = product.category_id, set()
    while category_id is not None and category_id not in seen:
        if category_id in categories:
            return True
        seen.add(category_id)
        category_id = category_parents.get(category_id)
    return False


def _category_parents() -> dict[int, int | None]:
    return dict(Category.objects.values_list("pk", "parent_id"))


def _product_id(line: "LineInput") -> int | None:
    return line.product.pk if line.product is not None else None


def _with_amounts(offer: Offer, amounts: Mapping["LineKey", Decimal]) -> Offer | None:
    positive = {key: amount for key, amount in amounts.items() if amount > 0}
    return replace(offer, line_amounts=positive) if positive else None


def _shown_date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
