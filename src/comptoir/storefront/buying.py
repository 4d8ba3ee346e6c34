"""Buying pages: the cart and shopping lists, checkout, order history and reorder.

Every page acts as the logged-in customer user; guests and staff without one are sent to log
in. Customer data is read through ``accounts.scoping`` and every write is a call of
``ordering.services``; someone else's record answers 404, as if it did not exist.
"""

from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from comptoir.accounts.models import Address, CustomerUser
from comptoir.accounts.scoping import get_visible, visible_to
from comptoir.core.errors import DomainError, NotFound
from comptoir.core.quantities import parse_quantity
from comptoir.invoicing.queries import invoices_visible_on_order
from comptoir.ordering import services
from comptoir.ordering.models import Order, OrderSource, ShoppingList
from comptoir.ordering.queries import (
    PricedShoppingList,
    current_shopping_list_for,
    order_with_lines,
    priced_shopping_list,
    visible_orders_for,
)
from comptoir.promotions import services as promotion_services
from comptoir.promotions.queries import order_discounts
from comptoir.storefront.buyers import acting_user, customer_required, next_url
from comptoir.storefront.formats import format_quantity
from comptoir.storefront.forms import AddToCartForm, CheckoutForm, LineQuantityForm

CHECKOUT_SESSION_KEY = "storefront_checkout"
# How long after placing an order a second press of the button is taken for the same one.
RESENT_ORDER_WINDOW = timedelta(minutes=2)


def visible_or_404[M: Model](customer_user: CustomerUser, queryset: QuerySet[M], **lookup) -> M:
    try:
        return get_visible(customer_user, queryset, **lookup)
    except NotFound as error:
        raise Http404(error.message) from None


def priced_cart(customer_user: CustomerUser) -> PricedShoppingList | None:
    shopping_list = current_shopping_list_for(customer_user)
    return priced_shopping_list(shopping_list) if shopping_list is not None else None


@require_safe
@customer_required
def cart(request, *, customer_user: CustomerUser):
    """The current shopping list, priced today, each line with its problem if it has one."""
    context = {"priced": priced_cart(customer_user), "is_cart": True}
    return render(request, "storefront/cart.html", context)


@require_safe
@customer_required
def shopping_list(request, shopping_list_id: int, *, customer_user: CustomerUser):
    """One of the customer user's shopping lists, priced today."""
    shown = visible_or_404(customer_user, ShoppingList.objects, pk=shopping_list_id)
    context = {"priced": priced_shopping_list(shown), "is_cart": shown.is_current}
    return render(request, "storefront/cart.html", context)


@require_POST
@customer_required
def add_to_cart(request, *, customer_user: CustomerUser):
    """Add a quantity of a product in one of its units to the cart."""
    form = AddToCartForm(request.POST)
    back = next_url(request, default=reverse("storefront:cart"))
    if not form.is_valid():
        messages.error(request, _("Give a quantity and a unit to add to your cart."))
        return redirect(back)

    try:
        line = services.add_to_shopping_list(
            customer_user=customer_user,
            sku=form.cleaned_data["sku"],
            quantity=form.cleaned_data["quantity"],
            unit_code=form.cleaned_data["unit"],
            acting_user=acting_user(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        added = format_quantity(parse_quantity(form.cleaned_data["quantity"]))
        messages.success(
            request,
            _("Added %(quantity)s %(unit)s of %(sku)s to your cart (%(total)s in all).")
            % {
                "quantity": added,
                "unit": line.unit.code,
                "sku": line.product.sku,
                "total": format_quantity(line.quantity),
            },
        )
    return redirect(back)


@require_POST
@customer_required
def change_line(request, line_id: int, *, customer_user: CustomerUser):
    """Set a shopping list line's quantity; a refused quantity leaves the line as it was."""
    form = LineQuantityForm(request.POST)
    back = next_url(request, default=reverse("storefront:cart"))
    if not form.is_valid():
        messages.error(request, _("Give the new quantity."))
        return redirect(back)

    try:
        line = services.change_line_quantity(
            customer_user=customer_user,
            line_id=line_id,
            quantity=form.cleaned_data["quantity"],
            acting_user=acting_user(request),
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(sku)s: quantity changed to %(quantity)s %(unit)s.")
            % {
                "sku": line.product.sku,
                "quantity": format_quantity(line.quantity),
                "unit": line.unit.code,
            },
        )
    return redirect(back)


@require_POST
@customer_required
def remove_line(request, line_id: int, *, customer_user: CustomerUser):
    """Take a line off a shopping list."""
    back = next_url(request, default=reverse("storefront:cart"))
    try:
        services.remove_line(
            customer_user=customer_user, line_id=line_id, acting_user=acting_user(request)
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Line removed."))
    return redirect(back)


@require_POST
@customer_required
def add_coupon(request, *, customer_user: CustomerUser):
    """Enter a coupon code on the cart; a code that cannot be used is refused with the reason."""
    code = request.POST.get("code", "")
    try:
        applied = promotion_services.apply_coupon(
            customer_user=customer_user, code=code, acting_user=acting_user(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Coupon %(code)s entered.") % {"code": applied.coupon.code})
    return redirect("storefront:cart")


@require_POST
@customer_required
def remove_coupon(request, code: str, *, customer_user: CustomerUser):
    """Take a coupon code off the cart."""
    try:
        promotion_services.remove_coupon(
            customer_user=customer_user, code=code, acting_user=acting_user(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Coupon %(code)s removed.") % {"code": code.upper()})
    return redirect("storefront:cart")


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def checkout(request, *, customer_user: CustomerUser):
    """First step: addresses from the company's address book, PO number and notes."""
    priced = priced_cart(customer_user)
    if refusal := checkout_refusal(request, priced):
        return refusal

    addresses = visible_to(customer_user, Address.objects.all())
    if request.method == "POST":
        form = CheckoutForm(request.POST, addresses=addresses)
        if form.is_valid():
            request.session[CHECKOUT_SESSION_KEY] = {
                "shipping_address_id": form.cleaned_data["shipping_address"].pk,
                "billing_address_id": form.cleaned_data["billing_address"].pk,
                "po_number": form.cleaned_data["po_number"],
                "customer_notes": form.cleaned_data["customer_notes"],
            }
            return redirect("storefront:checkout_review")
    else:
        form = CheckoutForm(initial=checkout_initial(request), addresses=addresses)
    context = {
        "form": form,
        "priced": priced,
        "payment_term": customer_user.company.payment_term,
    }
    return render(request, "storefront/checkout.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def checkout_review(request, *, customer_user: CustomerUser):
    """Second step: everything the order will say, and the button that places it."""
    choices = request.session.get(CHECKOUT_SESSION_KEY)
    priced = priced_cart(customer_user)
    nothing_to_order = not choices or priced is None or not priced.lines
    if (
        request.method == "POST"
        and nothing_to_order
        and (resent := resent_order(request, customer_user))
    ):
        return resent
    if not choices:
        return redirect("storefront:checkout")
    if refusal := checkout_refusal(request, priced):
        return refusal
    addresses = visible_to(customer_user, Address.objects.all())
    shipping = addresses.filter(pk=choices["shipping_address_id"]).first()
    billing = addresses.filter(pk=choices["billing_address_id"]).first()
    if shipping is None or billing is None:
        messages.error(request, _("An address you chose is no longer in the address book."))
        return redirect("storefront:checkout")

    if request.method == "POST":
        try:
            order = services.place_order(
                customer_user=customer_user,
                billing_address_id=billing.pk,
                shipping_address_id=shipping.pk,
                po_number=choices["po_number"],
                customer_notes=choices["customer_notes"],
                acting_user=acting_user(request),
            )
        except DomainError as error:
            if error.code == "empty_shopping_list" and (
                resent := resent_order(request, customer_user)
            ):
                return resent
            messages.error(request, error.message)
            return redirect("storefront:checkout")
        request.session.pop(CHECKOUT_SESSION_KEY, None)
        return redirect("storefront:order_confirmation", order.number)

    context = {
        # Taxed for the chosen shipping address, as the order will be.
        "priced": replace(priced, shipping_address=shipping),
        "shipping_address": shipping,
        "billing_address": billing,
        "po_number": choices["po_number"],
        "customer_notes": choices["customer_notes"],
        "payment_term": customer_user.company.payment_term,
    }
    return render(request, "storefront/checkout_review.html", context)


def resent_order(request, customer_user: CustomerUser):
    """A redirect to the order the buyer placed moments ago, when the place-order button was
    sent twice (a double click): the second request finds the cart already ordered."""
    placed = (
        visible_orders_for(customer_user)
        .filter(
            customer_user=customer_user,
            source=OrderSource.STOREFRONT,
            created_at__gte=timezone.now() - RESENT_ORDER_WINDOW,
        )
        .first()
    )
    if placed is None:
        return None
    messages.info(
        request,
        _("Order %(number)s was placed once; it is not placed again.") % {"number": placed.number},
    )
    return redirect("storefront:order_confirmation", placed.number)


def checkout_refusal(request, priced: PricedShoppingList | None):
    """A redirect to the cart if it cannot be checked out as it stands, else None."""
    if priced is None or not priced.lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("storefront:cart")
    if not priced.is_orderable:
        messages.error(
            request,
            _("Some lines cannot be ordered: %(problems)s")
            % {"problems": "; ".join(priced.problems)},
        )
        return redirect("storefront:cart")
    return None


def checkout_initial(request) -> dict:
    """What the buyer chose earlier in this session, to fill the form again."""
    choices = request.session.get(CHECKOUT_SESSION_KEY)
    if not choices:
        return {}
    return {
        "shipping_address": choices["shipping_address_id"],
        "billing_address": choices["billing_address_id"],
        "po_number": choices["po_number"],
        "customer_notes": choices["customer_notes"],
    }


@require_safe
@customer_required
def orders(request, *, customer_user: CustomerUser):
    """The company's orders, newest first, a page at a time."""
    page = Paginator(visible_orders_for(customer_user), settings.COMPTOIR_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "storefront/orders.html", {"page": page})


@require_safe
@customer_required
def order(request, number: str, *, customer_user: CustomerUser):
    """One order with its lines, addresses and terms, its shipments, status changes and the
    invoices the user may read."""
    shown = order_with_lines(visible_or_404(customer_user, Order.objects, number=number))
    context = {
        "order": shown,
        "promotions": order_discounts(shown),
        "invoices": invoices_visible_on_order(customer_user, shown),
    }
    return render(request, "storefront/order.html", context)


@require_safe
@customer_required
def order_confirmation(request, number: str, *, customer_user: CustomerUser):
    """The page shown once an order is placed."""
    shown = order_with_lines(visible_or_404(customer_user, Order.objects, number=number))
    context = {"order": shown, "promotions": order_discounts(shown)}
    return render(request, "storefront/order_confirmation.html", context)


@require_POST
@customer_required
def reorder(request, number: str, *, customer_user: CustomerUser):
    """Put a past order's lines in the cart at today's prices and say what could not be added."""
    try:
        report = services.reorder(
            customer_user=customer_user, order_number=number, acting_user=acting_user(request)
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("storefront:order", number)

    if report.added:
        count = len(report.added)
        messages.success(
            request,
            ngettext(
                "%(count)s line of order %(number)s added to your cart at today's prices.",
                "%(count)s lines of order %(number)s added to your cart at today's prices.",
                count,
            )
            % {"count": count, "number": number},
        )
    for merged in report.merged:
        messages.info(request, merged.merge_message)
    for line, reason in report.skipped:
        what = line.sku or line.free_form_product or line.product_name
        messages.warning(
            request,
            _("Not added: %(quantity)s %(unit)s of %(product)s: %(reason)s")
            % {
                "quantity": format_quantity(line.quantity),
                "unit": line.unit_code,
                "product": what,
                "reason": reason,
            },
        )
    if report.substitutes:
        # The report offers each product named instead, with a button to add it.
        return redirect("storefront:reorder_report", number)
    return redirect("storefront:cart")
