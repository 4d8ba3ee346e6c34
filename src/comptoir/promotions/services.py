"""Every write of promotions: coupon codes on shopping lists, what an order received, codes made
in bulk."""

import logging
import secrets
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.audit import record_audit
from comptoir.accounts.models import Action, CustomerUser, User
from comptoir.accounts.scoping import get_visible
from comptoir.core.errors import DomainError, NotFound
from comptoir.ordering.models import Order, OrderLine, ShoppingList
from comptoir.ordering.queries import current_shopping_list_for
from comptoir.ordering.totals import Totals
from comptoir.promotions.engine import buyer_of, coupon_problem, used_by
from comptoir.promotions.models import (
    AppliedCoupon,
    AppliedPromotion,
    Coupon,
    CouponRedemption,
    Promotion,
    normalized_code,
)

logger = logging.getLogger(__name__)

# Letters and digits that cannot be mistaken for one another when read out or typed.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class CouponRefused(DomainError):
    """A coupon code that cannot be used; the message says why."""

    code = "coupon_refused"
    status = 422


def apply_coupon(
    *,
    customer_user: CustomerUser,
    code: str,
    shopping_list_id: int | None = None,
    acting_user: User | None = None,
) -> AppliedCoupon:
    """Enter a coupon code on a shopping list (the cart by default); entering it again is a no-op.

    A code that cannot be used (unknown, not yet valid, expired, used up, not for the company)
    is refused with the reason. A usable code that covers nothing in the list is kept: the list
    says so, and it applies once a product it covers is added.
    """
    wanted = normalized_code(code)
    if not wanted:
        raise CouponRefused(_("Enter a coupon code."), code="coupon_missing")

    with transaction.atomic():
        shopping_list = _shopping_list(customer_user, shopping_list_id)
        ShoppingList.objects.select_for_update().filter(pk=shopping_list.pk).get()
        coupon = Coupon.objects.select_related("promotion").filter(code=wanted).first()
        company_ids, group_id = buyer_of(customer_user.company)
        problem = coupon_problem(
            coupon,
            code=wanted,
            company_ids=company_ids,
            group_id=group_id,
            at=timezone.now(),
            used_by_user=used_by(customer_user, [coupon] if coupon else []).get(
                coupon.pk if coupon else 0, 0
            ),
        )
        if problem:
            raise CouponRefused(problem)
        applied, created = AppliedCoupon.objects.get_or_create(
            shopping_list=shopping_list, coupon=coupon
        )
        if created:
            _audit(customer_user, acting_user, "shopping_list.coupon_added", shopping_list, wanted)

    if created:
        logger.info(
            "coupon %s entered on shopping list %s by %s",
            wanted,
            shopping_list.pk,
            customer_user.email,
        )
    return applied


def remove_coupon(
    *,
    customer_user: CustomerUser,
    code: str,
    shopping_list_id: int | None = None,
    acting_user: User | None = None,
) -> None:
    """Take a coupon code off a shopping list (the cart by default)."""
    wanted = normalized_code(code)
    with transaction.atomic():
        shopping_list = _shopping_list(customer_user, shopping_list_id)
        removed, _count = AppliedCoupon.objects.filter(
            shopping_list=shopping_list, coupon__code=wanted
        ).delete()
        if not removed:
            raise NotFound(
                _("Coupon '%(code)s' is not on this shopping list.") % {"code": wanted},
                code="coupon_not_entered",
            )
        _audit(customer_user, acting_user, "shopping_list.coupon_removed", shopping_list, wanted)

    logger.info(
        "coupon %s removed from shopping list %s by %s",
        wanted,
        shopping_list.pk,
        customer_user.email,
    )


def record_order_promotions(
    *,
    order: Order,
    order_lines: Mapping[int | str, OrderLine],
    totals: Totals,
    customer_user: CustomerUser,
    shopping_list: ShoppingList,
) -> None:
    """Record the discounts ``order`` received and count its coupons; call inside the
    transaction that places it.

    Each coupon row is locked (in code order, so that two orders never wait on each other) and
    its limits are checked again under the lock; its count goes up by a conditional UPDATE. A
    coupon used up meanwhile refuses the order, which is rolled back.
    """
    refused = [status for status in totals.coupons if not status.usable]
    if refused:
        raise CouponRefused(
            _("%(problems)s Remove the coupon from your cart to order.")
            % {"problems": " ".join(status.message for status in refused)},
            code="coupon_unusable",
        )

    applied_codes = sorted(status.code for status in totals.coupons if status.applied)
    company_ids, group_id = buyer_of(order.company)
    for coupon in (
        Coupon.objects.select_for_update()
        .select_related("promotion")
        .filter(code__in=applied_codes)
        .order_by("code")
    ):
        problem = coupon_problem(
            coupon,
            code=coupon.code,
            company_ids=company_ids,
            group_id=group_id,
            at=order.created_at,
            used_by_user=used_by(customer_user, [coupon]).get(coupon.pk, 0),
        )
        counted = (
            Coupon.objects.filter(pk=coupon.pk)
            .filter(Q(usage_limit__isnull=True) | Q(times_used__lt=F("usage_limit")))
            .update(times_used=F("times_used") + 1)
        )
        if problem or not counted:
            raise CouponRefused(
                problem
                or _("Coupon '%(code)s' has been used as many times as it may be.")
                % {"code": coupon.code},
                code="coupon_used_up",
            )
        CouponRedemption.objects.create(coupon=coupon, order=order, customer_user=customer_user)

    rows = [
        AppliedPromotion(
            order=order,
            order_line=order_lines[line.key],
            promotion_id=discount.promotion_id,
            coupon_code=discount.coupon_code,
            level=discount.level,
            label=discount.label,
            amount=discount.amount,
        )
        for line in totals.lines
        for discount in (*line.discounts, *line.order_discounts)
    ]
    rows.extend(
        AppliedPromotion(
            order=order,
            promotion_id=discount.promotion_id,
            coupon_code=discount.coupon_code,
            level=discount.level,
            label=discount.label,
            amount=discount.amount,
        )
        for discount in totals.shipping_discounts
        if discount.amount > 0
    )
    AppliedPromotion.objects.bulk_create(rows)
    AppliedCoupon.objects.filter(shopping_list=shopping_list).delete()


def generate_coupons(
    *,
    promotion: Promotion,
    count: int,
    prefix: str = "",
    length: int = 8,
    usage_limit: int | None = 1,
    usage_limit_per_user: int | None = None,
) -> list[Coupon]:
    """Make ``count`` coupons with random codes (``prefix`` then ``length`` characters)."""
    if not 1 <= count <= 10000:
        raise DomainError(_("Make between 1 and 10000 codes at a time."), code="coupon_count")
    prefix = normalized_code(prefix)
    max_length = Coupon._meta.get_field("code").max_length
    if length < 4 or len(prefix) + length > max_length:
        raise DomainError(
            _("A code has 4 to %(limit)s characters after its prefix.")
            % {"limit": max_length - len(prefix)},
            code="coupon_length",
        )

    made: list[Coupon] = []
    while len(made) < count:
        codes = {
            prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
            for _ in range(count - len(made))
        }
        taken = set(Coupon.objects.filter(code__in=codes).values_list("code", flat=True))
        try:
            with transaction.atomic():
                made.extend(
                    Coupon.objects.bulk_create(
                        Coupon(
                            promotion=promotion,
                            code=code,
                            usage_limit=usage_limit,
                            usage_limit_per_user=usage_limit_per_user,
                        )
                        for code in sorted(codes - taken)
                    )
                )
        except IntegrityError:
            # A code made elsewhere at the same moment: draw that batch again.
            continue

    logger.info("%s coupons made for promotion %s", len(made), promotion.name)
    return made


def _shopping_list(customer_user: CustomerUser, shopping_list_id: int | None) -> ShoppingList:
    if shopping_list_id is not None:
        return get_visible(customer_user, ShoppingList.objects, Action.EDIT, pk=shopping_list_id)
    shopping_list = current_shopping_list_for(customer_user)
    if shopping_list is None:
        raise CouponRefused(
            _("Your cart is empty: add products before entering a coupon."), code="empty_cart"
        )
    return shopping_list


def _audit(
    customer_user: CustomerUser,
    acting_user: User | None,
    action: str,
    shopping_list: ShoppingList,
    code: str,
) -> None:
    """Audit a coupon entered or removed by another login for ``customer_user`` (a sales rep)."""
    if acting_user is None or acting_user.pk == customer_user.user_id:
        return
    record_audit(
        actor=acting_user,
        company=customer_user.company,
        action=action,
        instance=shopping_list,
        after={"coupon": code},
        on_behalf_of=customer_user,
    )
