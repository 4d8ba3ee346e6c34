"""Coupon codes on the cart: enter one, take one off; the answer is the cart with its totals.

Handlers only read the request and call ``promotions.services``; the cart is the caller's own.
"""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from comptoir.api.auth import acting_customer_user
from comptoir.api.errors import error_responses
from comptoir.ordering.api import CartOut, cart_out
from comptoir.ordering.queries import current_shopping_list_for, priced_shopping_list
from comptoir.promotions.services import apply_coupon, remove_coupon

router = Router()


class CouponIn(Schema):
    code: str = Field(description="A coupon code, in any case; surrounding spaces are ignored.")


@router.post("/cart/coupons", response={201: CartOut, **error_responses(401, 422)})
def add_cart_coupon(request: HttpRequest, payload: CouponIn):
    """Enter a coupon code on the cart; an unknown, expired or used-up code is refused (422)."""
    applied = apply_coupon(customer_user=acting_customer_user(request), code=payload.code)
    return Status(201, cart_out(priced_shopping_list(applied.shopping_list)))


@router.delete("/cart/coupons/{code}", response={200: CartOut, **error_responses(401, 404)})
def delete_cart_coupon(request: HttpRequest, code: str):
    """Take a coupon code off the cart."""
    customer_user = acting_customer_user(request)
    remove_coupon(customer_user=customer_user, code=code)
    return cart_out(priced_shopping_list(current_shopping_list_for(customer_user)))
