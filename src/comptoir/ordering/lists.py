"""Every write of named lists: shopping lists, requisition lists and "saved for later".

The cart is the customer user's current shopping list and its default one; the other lists are
named. A colleague reaches a list as far as its roles reach shopping lists (own, department,
company): a list it may only view is read-only to it, one it may edit is editable. Each function
fetches what it changes through ``accounts.scoping`` with the action it takes.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.accounts.models import Action, CustomerUser, Resource, User
from comptoir.accounts.permissions import require
from comptoir.accounts.scoping import get_visible
from comptoir.catalog.models import ProductUnit
from comptoir.core.errors import DomainError, NotFound
from comptoir.core.quantities import check_quantity, plain
from comptoir.ordering.models import (
    Order,
    OrderSource,
    ShoppingList,
    ShoppingListKind,
    ShoppingListLine,
)
from comptoir.ordering.quantities import check_line_quantity
from comptoir.ordering.services import (
    Received,
    add_to_shopping_list,
    current_shopping_list,
    get_to_change,
    line_facts,
    lock_shopping_list,
    place_order,
    record_acting_for,
)

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = ShoppingList._meta.get_field("name").max_length
NOTES_MAX_LENGTH = ShoppingListLine._meta.get_field("notes").max_length


def clean_name(name: str) -> str:
    """``name`` stripped, or a ``DomainError`` saying what to change."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the list a name"), code="name_required")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            _("A list name is at most %(limit)s characters") % {"limit": NAME_MAX_LENGTH},
            code="name_too_long",
        )
    if "\x00" in name:
        raise DomainError(
            _("A list name cannot hold a NUL character (\\x00): remove it"), code="nul_character"
        )
    return name


def check_name_free(owner: CustomerUser, name: str, *, exclude_id: int | None = None) -> None:
    """Refuse a name another list of ``owner`` already has (ignoring case)."""
    # The cart goes by "cart" wherever it shows, whatever its name.
    taken = ShoppingList.objects.filter(customer_user=owner, name__iexact=name, is_current=False)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise DomainError(
            _("There is already a list named '%(name)s': choose another name") % {"name": name},
            code="name_taken",
        )


def create_shopping_list(
    *,
    customer_user: CustomerUser,
    name: str,
    kind: str = ShoppingListKind.SHOPPING,
    acting_user: User | None = None,
) -> ShoppingList:
    """A new named list of ``customer_user``: a shopping list or a requisition list."""
    require(customer_user, Resource.SHOPPING_LISTS, Action.CREATE)
    name = clean_name(name)
    if kind not in (ShoppingListKind.SHOPPING, ShoppingListKind.REQUISITION):
        raise DomainError(
            _("A new list is a shopping list or a requisition list, not '%(kind)s'")
            % {"kind": kind},
            code="invalid_kind",
        )

    with transaction.atomic():
        check_name_free(customer_user, name)
        shopping_list = ShoppingList.objects.create(
            customer_user=customer_user,
            company_id=customer_user.company_id,
            name=name,
            kind=kind,
            is_current=False,
        )
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.created",
            instance=shopping_list,
            after={"name": name, "kind": kind},
        )

    logger.info("%s list %s created by %s", kind, shopping_list.pk, customer_user.email)
    return shopping_list


def rename_shopping_list(
    *,
    customer_user: CustomerUser,
    shopping_list_id: int,
    name: str,
    acting_user: User | None = None,
) -> ShoppingList:
    """Give a list another name; its owner may not have two lists of one name, and the
    "Saved for later" list keeps its own."""
    require(customer_user, Resource.SHOPPING_LISTS, Action.EDIT)
    name = clean_name(name)

    with transaction.atomic():
        shopping_list = get_to_change(
            customer_user,
            ShoppingList.objects.select_related("customer_user"),
            Action.EDIT,
            pk=shopping_list_id,
        )
        if shopping_list.kind == ShoppingListKind.SAVED_FOR_LATER:
            raise DomainError(
                _(
                    'The "Saved for later" list keeps its name: to keep lines under a name of '
                    "your own, create a list and move them there"
                ),
                code="saved_for_later",
            )
        lock_shopping_list(shopping_list)
        check_name_free(shopping_list.customer_user, name, exclude_id=shopping_list.pk)
        before = {"name": shopping_list.name}
        shopping_list.name = name
        shopping_list.save(update_fields=["name", "updated_at"])
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.renamed",
            instance=shopping_list,
            before=before,
            after={"name": name},
        )
    return shopping_list


def delete_shopping_list(
    *, customer_user: CustomerUser, shopping_list_id: int, acting_user: User | None = None
) -> None:
    """Delete a named list with its lines; the cart cannot be deleted, only emptied."""
    require(customer_user, Resource.SHOPPING_LISTS, Action.DELETE)
    with transaction.atomic():
        shopping_list = get_to_change(
            customer_user, ShoppingList.objects, Action.DELETE, pk=shopping_list_id
        )
        if shopping_list.is_current:
            raise DomainError(
                _("The cart cannot be deleted: remove its lines instead"),
                code="cart_cannot_be_deleted",
            )
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.deleted",
            instance=shopping_list,
            before={"name": shopping_list.name, "lines": shopping_list.lines.count()},
        )
        shopping_list.delete()

    logger.info("shopping list %s deleted by %s", shopping_list_id, customer_user.email)


def change_line_notes(
    *, customer_user: CustomerUser, line_id: int, notes: str, acting_user: User | None = None
) -> ShoppingListLine:
    """Set the note of a list line (what it is for, who asked for it); blank clears it."""
    require(customer_user, Resource.SHOPPING_LISTS, Action.EDIT)
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise DomainError(
            _("A line note is at most %(limit)s characters") % {"limit": NOTES_MAX_LENGTH},
            code="notes_too_long",
        )
    if "\x00" in notes:
        raise DomainError(
            _("The notes cannot hold a NUL character (\\x00): remove it"), code="nul_character"
        )

    with transaction.atomic():
        line = get_to_change(
            customer_user,
            ShoppingListLine.objects.select_related(
                "product", "unit", "shopping_list"
            ).select_for_update(of=("self",)),
            Action.EDIT,
            pk=line_id,
        )
        before = {"notes": line.notes}
        line.notes = notes
        line.save(update_fields=["notes"])
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.line_notes_changed",
            instance=line.shopping_list,
            before=before,
            after={"notes": notes},
        )
    return line


def add_line(
    *,
    customer_user: CustomerUser,
    shopping_list_id: int,
    sku: str,
    quantity: str | int | Decimal,
    unit_code: str | None = None,
    notes: str = "",
    acting_user: User | None = None,
) -> ShoppingListLine:
    """Add a product to a list (adding to its line if there is one), with a note if given."""
    with transaction.atomic():
        line = add_to_shopping_list(
            customer_user=customer_user,
            sku=sku,
            quantity=quantity,
            unit_code=unit_code,
            shopping_list_id=shopping_list_id,
            acting_user=acting_user,
        )
        if notes.strip():
            line = change_line_notes(
                customer_user=customer_user, line_id=line.pk, notes=notes, acting_user=acting_user
            )
    return line


def merged_notes(kept: str, added: str) -> str:
    """The note of a line another line was merged into: both, when they differ and fit."""
    if not added or added == kept:
        return kept
    if not kept:
        return added
    both = f"{kept}; {added}"
    return both if len(both) <= NOTES_MAX_LENGTH else kept


def checked_quantity(line: ShoppingListLine, quantity: Decimal) -> Decimal:
    """``quantity`` for a line of ``line``'s product and unit, under the unit's rules.

    A unit the product no longer has keeps only the quantity's own checks: the line stays
    movable, and its problem shows wherever it is priced.
    """
    product_unit = (
        ProductUnit.objects.select_related("product", "unit")
        .filter(product_id=line.product_id, unit_id=line.unit_id)
        .first()
    )
    if product_unit is None:
        return check_quantity(quantity, precision=3, unit_code=line.unit.code)
    return check_line_quantity(product_unit, quantity)


def transfer_lines(
    *,
    customer_user: CustomerUser,
    from_shopping_list_id: int,
    line_ids: Iterable[int],
    to_shopping_list_id: int,
    keep_source: bool,
    acting_user: User | None = None,
) -> list[Received]:
    """Move (or copy, with ``keep_source``) lines of one list to another.

    A product and unit the target list already has is merged into its line: the quantities add
    up, under the unit's quantity rules, and the notes are kept together. Either every line goes
    or none does. Returns what each target line received, and held before a merge.
    """
    require(customer_user, Resource.SHOPPING_LISTS, Action.EDIT)
    wanted = sorted({int(line_id) for line_id in line_ids if 0 < int(line_id) < 2**63})
    if not wanted:
        raise DomainError(_("Choose the lines to move or copy"), code="no_lines")

    with transaction.atomic():
        if keep_source:
            source = get_visible(
                customer_user, ShoppingList.objects, Action.VIEW, pk=from_shopping_list_id
            )
        else:
            source = get_to_change(
                customer_user, ShoppingList.objects, Action.EDIT, pk=from_shopping_list_id
            )
        target = get_to_change(
            customer_user, ShoppingList.objects, Action.EDIT, pk=to_shopping_list_id
        )
        if source.pk == target.pk:
            raise DomainError(
                _("The lines are already on '%(name)s': choose another list")
                % {"name": target.name},
                code="same_list",
            )
        # Locked in primary-key order so that two transfers between the same lists never wait
        # on each other.
        for shopping_list in sorted((source, target), key=lambda each: each.pk):
            lock_shopping_list(shopping_list)
        lines = list(
            source.lines.select_related("product", "unit")
            .filter(pk__in=wanted)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        missing = sorted(set(wanted) - {line.pk for line in lines})
        if missing:
            raise lines_not_on(source, missing)

        received = []
        for line in lines:
            received.append(_transfer_line(line, target, keep_source=keep_source))
        ShoppingList.objects.filter(pk__in=[source.pk, target.pk]).update(
            updated_at=timezone.now()
        )
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.lines_copied" if keep_source else "shopping_list.lines_moved",
            instance=target,
            after={"from": source.pk, "lines": [line_facts(each.line) for each in received]},
        )

    logger.info(
        "%s lines %s from shopping list %s to %s by %s",
        len(received),
        "copied" if keep_source else "moved",
        source.pk,
        target.pk,
        customer_user.email,
    )
    return received


def lines_not_on(shopping_list: ShoppingList, missing: list[int]) -> NotFound:
    """The error for line ids ``missing`` from ``shopping_list``: "Lines 2 and 3 are not..."."""
    ids = [str(pk) for pk in missing]
    if len(ids) > 1:
        ids = [_("%(first)s and %(last)s") % {"first": ", ".join(ids[:-1]), "last": ids[-1]}]
    return NotFound(
        ngettext(
            "Line %(ids)s is not on the list '%(name)s'",
            "Lines %(ids)s are not on the list '%(name)s'",
            len(missing),
        )
        % {"ids": ids[0], "name": shopping_list.name},
        code="line_not_found",
    )


def _transfer_line(line: ShoppingListLine, target: ShoppingList, *, keep_source: bool) -> Received:
    existing = (
        ShoppingListLine.objects.select_for_update()
        .filter(shopping_list=target, product_id=line.product_id, unit_id=line.unit_id)
        .first()
    )
    if existing is not None:
        already = existing.quantity
        existing.quantity = checked_quantity(line, already + line.quantity)
        existing.notes = merged_notes(existing.notes, line.notes)
        existing.save(update_fields=["quantity", "notes"])
        if not keep_source:
            line.delete()
        existing.product, existing.unit, existing.shopping_list = line.product, line.unit, target
        return Received(existing, line.quantity, already=already)
    quantity = checked_quantity(line, line.quantity)
    if keep_source:
        copied = ShoppingListLine.objects.create(
            shopping_list=target,
            product=line.product,
            unit=line.unit,
            quantity=quantity,
            notes=line.notes,
        )
        return Received(copied, quantity)
    line.shopping_list = target
    line.save(update_fields=["shopping_list"])
    return Received(line, quantity)


def saved_for_later_list(*, customer_user: CustomerUser) -> ShoppingList:
    """The customer user's "Saved for later" list, made on first use."""
    saved = ShoppingList.objects.filter(
        customer_user=customer_user, kind=ShoppingListKind.SAVED_FOR_LATER
    ).first()
    if saved is not None:
        return saved
    try:
        with transaction.atomic():
            return ShoppingList.objects.create(
                customer_user=customer_user,
                company_id=customer_user.company_id,
                name=_("Saved for later"),
                kind=ShoppingListKind.SAVED_FOR_LATER,
                is_current=False,
            )
    except IntegrityError:
        # Another request made it between our read and our write.
        return ShoppingList.objects.get(
            customer_user=customer_user, kind=ShoppingListKind.SAVED_FOR_LATER
        )


def _own_line(customer_user: CustomerUser, line_id: int, **on_list) -> ShoppingListLine:
    lines = ShoppingListLine.objects.filter(
        shopping_list__customer_user=customer_user,
        **{f"shopping_list__{key}": value for key, value in on_list.items()},
    )
    return get_visible(customer_user, lines, Action.EDIT, pk=line_id)


def save_for_later(
    *, customer_user: CustomerUser, line_id: int, acting_user: User | None = None
) -> Received:
    """Move a line of the customer user's cart to its "Saved for later" list."""
    line = _own_line(customer_user, line_id, is_current=True)
    saved = saved_for_later_list(customer_user=customer_user)
    [received] = transfer_lines(
        customer_user=customer_user,
        from_shopping_list_id=line.shopping_list_id,
        line_ids=[line.pk],
        to_shopping_list_id=saved.pk,
        keep_source=False,
        acting_user=acting_user,
    )
    return received


def move_to_cart(
    *, customer_user: CustomerUser, line_id: int, acting_user: User | None = None
) -> Received:
    """Move a line saved for later back into the customer user's cart."""
    line = _own_line(customer_user, line_id, kind=ShoppingListKind.SAVED_FOR_LATER)
    cart = current_shopping_list(customer_user=customer_user)
    [received] = transfer_lines(
        customer_user=customer_user,
        from_shopping_list_id=line.shopping_list_id,
        line_ids=[line.pk],
        to_shopping_list_id=cart.pk,
        keep_source=False,
        acting_user=acting_user,
    )
    return received


@dataclass(frozen=True)
class SkippedListLine:
    """A list line that could not go into the cart, and why."""

    line: ShoppingListLine
    reason: str
    code: str


@dataclass
class CartFillReport:
    """What copying a list into the cart added, and each line it could not add."""

    source: ShoppingList
    cart: ShoppingList
    added: list[ShoppingListLine] = field(default_factory=list)
    merged: list[Received] = field(default_factory=list)
    skipped: list[SkippedListLine] = field(default_factory=list)


def add_list_to_cart(
    *,
    customer_user: CustomerUser,
    shopping_list_id: int,
    line_ids: Iterable[int] | None = None,
    acting_user: User | None = None,
) -> CartFillReport:
    """Copy a list's lines (all, or the ones in ``line_ids``) into the cart at today's prices.

    This is how a requisition list is ordered: the list stays as it is. Each line goes through
    the same checks as any add to the cart; one that cannot be added is reported with the
    reason and the others are added.
    """
    source = get_visible(customer_user, ShoppingList.objects, Action.VIEW, pk=shopping_list_id)
    if source.is_current and source.customer_user_id == customer_user.pk:
        raise DomainError(_("These lines are already in your cart"), code="same_list")
    lines = source.lines.select_related("product", "unit").order_by("created_at", "pk")
    if line_ids is not None:
        wanted = {int(line_id) for line_id in line_ids if 0 < int(line_id) < 2**63}
        if not wanted:
            raise DomainError(_("Choose the lines to add to the cart"), code="no_lines")
        lines = lines.filter(pk__in=wanted)
        missing = sorted(wanted - {line.pk for line in lines})
        if missing:
            raise lines_not_on(source, missing)
    report = CartFillReport(source=source, cart=current_shopping_list(customer_user=customer_user))

    for line in lines:
        try:
            with transaction.atomic():
                added = add_to_shopping_list(
                    customer_user=customer_user,
                    sku=line.product.sku,
                    quantity=plain(line.quantity),
                    unit_code=line.unit.code,
                    acting_user=acting_user,
                )
                if line.notes and not added.notes:
                    added.notes = line.notes
                    added.save(update_fields=["notes"])
        except DomainError as error:
            report.skipped.append(
                SkippedListLine(line=line, reason=error.message, code=error.code)
            )
        else:
            report.added.append(added)
            received = Received(added, line.quantity, already=added.quantity - line.quantity)
            if received.merged:
                report.merged.append(received)

    logger.info(
        "shopping list %s added to the cart of %s: %s lines added, %s skipped",
        source.pk,
        customer_user.email,
        len(report.added),
        len(report.skipped),
    )
    return report


def order_shopping_list(
    *,
    customer_user: CustomerUser,
    shopping_list_id: int,
    billing_address_id: int,
    shipping_address_id: int,
    po_number: str = "",
    customer_notes: str = "",
    source: str = OrderSource.STOREFRONT,
    acting_user: User | None = None,
) -> Order:
    """Place an order for a shopping list's lines; the ordered lines leave the list.

    A requisition list is not ordered directly, since it stays as it is: its lines are added to
    the cart (``add_list_to_cart``), and the cart is ordered. Lines saved for later go back to
    the cart to be ordered.
    """
    return place_order(
        customer_user=customer_user,
        billing_address_id=billing_address_id,
        shipping_address_id=shipping_address_id,
        po_number=po_number,
        customer_notes=customer_notes,
        shopping_list_id=shopping_list_id,
        source=source,
        acting_user=acting_user,
    )
