"""Shopping list pages: the lists index, one list with its lines and notes, move and copy,
save for later, requisition lists copied into the cart, a list ordered, and the reorder report.

Every page acts as the logged-in customer user. Lists are read through ``accounts.scoping``; a
colleague's list the user may only view is shown read-only (a change to it is refused with a
message saying so), and every change is a call of ``ordering.lists`` or ``ordering.services``.
A record out of the user's reach answers 404.
"""

from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from comptoir.accounts.models import Address, CustomerUser
from comptoir.accounts.scoping import get_visible, visible_to
from comptoir.core.errors import DomainError, NotFound
from comptoir.ordering import lists
from comptoir.ordering.list_queries import editable_list_ids, reorder_checks, visible_lists_for
from comptoir.ordering.models import Order, ShoppingList, ShoppingListKind
from comptoir.ordering.queries import priced_shopping_list
from comptoir.ordering.services import Received
from comptoir.storefront.buyers import acting_user, customer_required, next_url
from comptoir.storefront.buying import visible_or_404
from comptoir.storefront.formats import format_quantity
from comptoir.storefront.forms import AddressChoiceField, QuantityField


class NewListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=lists.NAME_MAX_LENGTH)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (ShoppingListKind.SHOPPING, gettext_lazy("Shopping list")),
            (ShoppingListKind.REQUISITION, gettext_lazy("Requisition list")),
        ],
        initial=ShoppingListKind.SHOPPING,
    )


class AddLineForm(forms.Form):
    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=64)
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Note"), max_length=lists.NOTES_MAX_LENGTH, required=False
    )


class ListOrderForm(forms.Form):
    shipping_address = AddressChoiceField(
        label=gettext_lazy("Ship to"), queryset=Address.objects.none()
    )
    billing_address = AddressChoiceField(
        label=gettext_lazy("Bill to"), queryset=Address.objects.none()
    )
    po_number = forms.CharField(label=gettext_lazy("PO number"), max_length=64, required=False)

    def __init__(self, *args, addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipping_address"].queryset = addresses.filter(is_shipping=True)
        self.fields["billing_address"].queryset = addresses.filter(is_billing=True)


def selected_line_ids(request) -> list[int]:
    """The line checkboxes ticked on a list page; anything not a number is ignored."""
    return [int(value) for value in request.POST.getlist("line") if value.isdigit()]


def list_url(shopping_list_id: int) -> str:
    return reverse("storefront:list", args=[shopping_list_id])


@require_safe
@customer_required
def list_index(request, *, customer_user: CustomerUser):
    """The user's lists (the cart first), then colleagues' lists its roles let it see."""
    shown = list(visible_lists_for(customer_user))
    editable = editable_list_ids(customer_user, shown)
    own = [each for each in shown if each.customer_user_id == customer_user.pk]
    shared = [each for each in shown if each.customer_user_id != customer_user.pk]
    context = {"own": own, "shared": shared, "editable": editable, "form": NewListForm()}
    return render(request, "storefront/lists.html", context)


@require_POST
@customer_required
def list_create(request, *, customer_user: CustomerUser):
    """Create a named shopping list or requisition list, and show it."""
    form = NewListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the list a name and choose its kind."))
        return redirect("storefront:lists")
    try:
        created = lists.create_shopping_list(
            customer_user=customer_user,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            acting_user=acting_user(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("storefront:lists")
    messages.success(request, _("List '%(name)s' created.") % {"name": created.name})
    return redirect(list_url(created.pk))


@require_safe
@customer_required
def list_detail(request, shopping_list_id: int, *, customer_user: CustomerUser):
    """One list priced today with its notes; editable only if the user's roles allow it."""
    shown = visible_or_404(
        customer_user,
        ShoppingList.objects.select_related("customer_user__user", "company"),
        pk=shopping_list_id,
    )
    editable = shown.pk in editable_list_ids(customer_user, [shown])
    targets = [
        each
        for each in visible_lists_for(customer_user)
        if each.pk != shown.pk and each.customer_user_id == customer_user.pk
    ]
    addresses = visible_to(customer_user, Address.objects.all())
    context = {
        "shopping_list": shown,
        "priced": priced_shopping_list(shown),
        "editable": editable,
        "is_own": shown.customer_user_id == customer_user.pk,
        "targets": targets,
        "add_form": AddLineForm(),
        "order_form": ListOrderForm(addresses=addresses),
    }
    return render(request, "storefront/list_detail.html", context)


def act(request, action, success):
    """Run ``action``; a record out of reach is a 404, a refusal a message on the list page."""
    try:
        result = action()
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success(result))
    return result


@require_POST
@customer_required
def list_rename(request, shopping_list_id: int, *, customer_user: CustomerUser):
    """Give a list another name."""
    act(
        request,
        lambda: lists.rename_shopping_list(
            customer_user=customer_user,
            shopping_list_id=shopping_list_id,
            name=request.POST.get("name", ""),
            acting_user=acting_user(request),
        ),
        lambda renamed: _("List renamed to '%(name)s'.") % {"name": renamed.name},
    )
    return redirect(list_url(shopping_list_id))


@require_POST
@customer_required
def list_delete(request, shopping_list_id: int, *, customer_user: CustomerUser):
    """Delete a list with its lines."""
    deleted = act(
        request,
        lambda: (
            lists.delete_shopping_list(
                customer_user=customer_user,
                shopping_list_id=shopping_list_id,
                acting_user=acting_user(request),
            )
            or True
        ),
        lambda result: _("List deleted."),
    )
    return redirect("storefront:lists" if deleted else list_url(shopping_list_id))


@require_POST
@customer_required
def list_line_add(request, shopping_list_id: int, *, customer_user: CustomerUser):
    """Add a product by SKU to a list, with a note if given."""
    form = AddLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a SKU and a quantity to add to the list."))
        return redirect(list_url(shopping_list_id))
    act(
        request,
        lambda: lists.add_line(
            customer_user=customer_user,
            shopping_list_id=shopping_list_id,
            sku=form.cleaned_data["sku"],
            quantity=form.cleaned_data["quantity"],
            unit_code=form.cleaned_data["unit"] or None,
            notes=form.cleaned_data["notes"],
            acting_user=acting_user(request),
        ),
        lambda line: (
            _("%(sku)s: %(quantity)s %(unit)s on the list.")
            % {
                "sku": line.product.sku,
                "quantity": format_quantity(line.quantity),
                "unit": line.unit.code,
            }
        ),
    )
    return redirect(list_url(shopping_list_id))


@require_POST
@customer_required
def list_line_notes(request, line_id: int, *, customer_user: CustomerUser):
    """Set the note of a list line."""
    line = act(
        request,
        lambda: lists.change_line_notes(
            customer_user=customer_user,
            line_id=line_id,
            notes=request.POST.get("notes", ""),
            acting_user=acting_user(request),
        ),
        lambda line: _("%(sku)s: note saved.") % {"sku": line.product.sku},
    )
    default = list_url(line.shopping_list_id) if line else reverse("storefront:lists")
    return redirect(next_url(request, default=default))


@require_POST
@customer_required
def list_lines_transfer(request, shopping_list_id: int, *, customer_user: CustomerUser):
    """Move or copy the ticked lines to another of the user's lists; a line merged into one
    the list already has says what was there and the new total."""
    keep_source = request.POST.get("mode") == "copy"
    target = request.POST.get("to", "")
    if not target.isdigit():
        messages.error(request, _("Choose the list the lines go to."))
        return redirect(list_url(shopping_list_id))
    received = act(
        request,
        lambda: lists.transfer_lines(
            customer_user=customer_user,
            from_shopping_list_id=shopping_list_id,
            line_ids=selected_line_ids(request),
            to_shopping_list_id=int(target),
            keep_source=keep_source,
            acting_user=acting_user(request),
        ),
        lambda received: (
            (
                ngettext("%(count)s line copied.", "%(count)s lines copied.", len(received))
                if keep_source
                else ngettext("%(count)s line moved.", "%(count)s lines moved.", len(received))
            )
            % {"count": len(received)}
        ),
    )
    tell_merges(request, received or [])
    return redirect(list_url(shopping_list_id))


def tell_merges(request, received: Iterable[Received]) -> None:
    """A message for each quantity added to a line that was already there."""
    for each in received:
        if each.merged:
            messages.info(request, each.merge_message)


@require_POST
@customer_required
def list_add_to_cart(request, shopping_list_id: int, *, customer_user: CustomerUser):
    """Copy the ticked lines (or all, with ``all``) into the cart; the list stays as it is."""
    line_ids = None if request.POST.get("all") else selected_line_ids(request)
    try:
        report = lists.add_list_to_cart(
            customer_user=customer_user,
            shopping_list_id=shopping_list_id,
            line_ids=line_ids,
            acting_user=acting_user(request),
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(list_url(shopping_list_id))

    if report.added:
        messages.success(
            request,
            ngettext(
                "%(count)s line added to your cart at today's prices.",
                "%(count)s lines added to your cart at today's prices.",
                len(report.added),
            )
            % {"count": len(report.added)},
        )
    tell_merges(request, report.merged)
    for skipped in report.skipped:
        messages.warning(
            request,
            _("Not added: %(quantity)s %(unit)s of %(product)s: %(reason)s")
            % {
                "quantity": format_quantity(skipped.line.quantity),
                "unit": skipped.line.unit.code,
                "product": skipped.line.product.sku,
                "reason": skipped.reason,
            },
        )
    return redirect("storefront:cart")


@require_POST
@customer_required
def list_order(request, shopping_list_id: int, *, customer_user: CustomerUser):
    """Place an order for a shopping list; the ordered lines leave it."""
    form = ListOrderForm(request.POST, addresses=visible_to(customer_user, Address.objects.all()))
    if not form.is_valid():
        messages.error(request, _("Choose where to ship and where to bill the order."))
        return redirect(list_url(shopping_list_id))
    order = act(
        request,
        lambda: lists.order_shopping_list(
            customer_user=customer_user,
            shopping_list_id=shopping_list_id,
            shipping_address_id=form.cleaned_data["shipping_address"].pk,
            billing_address_id=form.cleaned_data["billing_address"].pk,
            po_number=form.cleaned_data["po_number"],
            acting_user=acting_user(request),
        ),
        lambda order: _("Order %(number)s placed.") % {"number": order.number},
    )
    if order is None:
        return redirect(list_url(shopping_list_id))
    return redirect("storefront:order_confirmation", order.number)


@require_POST
@customer_required
def save_for_later(request, line_id: int, *, customer_user: CustomerUser):
    """Put a cart line aside on the user's "Saved for later" list."""
    received = act(
        request,
        lambda: lists.save_for_later(
            customer_user=customer_user, line_id=line_id, acting_user=acting_user(request)
        ),
        lambda received: _("%(sku)s saved for later.") % {"sku": received.line.product.sku},
    )
    tell_merges(request, [received] if received else [])
    return redirect(next_url(request, default=reverse("storefront:cart")))


@require_POST
@customer_required
def move_to_cart(request, line_id: int, *, customer_user: CustomerUser):
    """Bring a line saved for later back into the cart."""
    received = act(
        request,
        lambda: lists.move_to_cart(
            customer_user=customer_user, line_id=line_id, acting_user=acting_user(request)
        ),
        lambda received: _("%(sku)s moved to your cart.") % {"sku": received.line.product.sku},
    )
    tell_merges(request, [received] if received else [])
    return redirect(next_url(request, default=reverse("storefront:cart")))


@require_safe
@customer_required
def reorder_report(request, number: str, *, customer_user: CustomerUser):
    """What reordering a past order adds to the cart today, each line that cannot be added
    with the reason, and the product offered instead where the catalog names one."""
    try:
        order = get_visible(customer_user, Order.objects, number=number)
    except NotFound as error:
        raise Http404(error.message) from None
    context = {"order": order, "checks": reorder_checks(customer_user, order)}
    return render(request, "storefront/reorder_report.html", context)
