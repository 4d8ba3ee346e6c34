"""Every write of buying: shopping list lines, placing an order, reordering."""

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.audit import record_audit
from comptoir.accounts.models import Action, Address, Company, CustomerUser, Resource, User
from comptoir.accounts.permissions import require
from comptoir.accounts.scoping import get_visible
from comptoir.catalog.models import Product, ProductUnit
from comptoir.catalog.queries import (
    Audience,
    audience_of,
    visible_product_by_sku,
    with_visibility,
)
from comptoir.core.errors import DomainError, NotFound, NotOrderable, PermissionDenied
from comptoir.core.events import record_event
from comptoir.core.money import round_money
from comptoir.core.quantities import check_quantity, parse_quantity, plain, written
from comptoir.core.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    UpsertStatus,
    assign_changes,
    save_changes,
    upsert,
)
from comptoir.ordering.models import (
    Order,
    OrderAddress,
    OrderLine,
    OrderNumberSequence,
    OrderSource,
    OrderTaxLine,
    ShoppingList,
    ShoppingListKind,
    ShoppingListLine,
)
from comptoir.ordering.quantities import check_line_quantity
from comptoir.ordering.queries import (
    current_shopping_list_for,
    priced_shopping_list,
    shopping_list_totals,
)
from comptoir.pricing.queries import price_for
from comptoir.promotions.services import record_order_promotions

logger = logging.getLogger(__name__)

# As much as the storefront's notes field takes; the API is held to the same.
CUSTOMER_NOTES_MAX_LENGTH = 2000


def current_shopping_list(*, customer_user: CustomerUser) -> ShoppingList:
    """The customer user's cart: its current shopping list, made on first use."""
    shopping_list = current_shopping_list_for(customer_user)
    if shopping_list is not None:
        return shopping_list
    try:
        with transaction.atomic():
            return ShoppingList.objects.create(
                customer_user=customer_user, company_id=customer_user.company_id, is_current=True
            )
    except IntegrityError:
        # Another request made it between our read and our write.
        return ShoppingList.objects.get(customer_user=customer_user, is_current=True)


def record_acting_for(
    *,
    customer_user: CustomerUser,
    acting_user: User | None,
    action: str,
    instance: Model,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Audit a change made by another login as ``customer_user`` (a sales rep shopping for
    them); a customer user's own buying is not audited."""
    if acting_user is None or acting_user.pk == customer_user.user_id:
        return
    record_audit(
        actor=acting_user,
        company=customer_user.company,
        action=action,
        instance=instance,
        before=before,
        after=after,
        on_behalf_of=customer_user,
    )


def line_facts(line: ShoppingListLine) -> dict:
    """A shopping list line as the audit log keeps it."""
    quantity = format(plain(line.quantity), "f")
    return {"sku": line.product.sku, "unit": line.unit.code, "quantity": quantity}


@dataclass(frozen=True)
class Received:
    """A quantity that went onto a shopping list line: the line as it is now, the quantity
    added, and what the line held before (zero for a line made for it)."""

    line: ShoppingListLine
    added: Decimal
    already: Decimal = Decimal(0)

    @property
    def merged(self) -> bool:
        return self.already > 0

    @property
    def merge_message(self) -> str:
        """What merging did, as "LAMP-1: 5 item added to the 3 already on the list: 8"."""
        facts = {
            "sku": self.line.product.sku,
            "unit": self.line.unit.code,
            "added": written(plain(self.added)),
            "already": written(plain(self.already)),
            "total": written(plain(self.line.quantity)),
        }
        if self.line.shopping_list.is_current:
            return (
                _(
                    "%(sku)s: %(added)s %(unit)s added to the %(already)s already in the cart: "
                    "%(total)s"
                )
                % facts
            )
        return (
            _(
                "%(sku)s: %(added)s %(unit)s added to the %(already)s already on the list: "
                "%(total)s"
            )
            % facts
        )


def get_to_change[M: (ShoppingList, ShoppingListLine)](
    customer_user: CustomerUser, queryset: QuerySet[M], action: str = Action.EDIT, **lookup
) -> M:
    """A shopping list, or a line of one, that ``customer_user`` is about to change.

    As ``get_visible``, except that a list the user's roles let it view but not change (a
    colleague's, shared read-only) is refused as read-only (``PermissionDenied``, naming the
    list and its owner) rather than not found: the user can see it, so "not found" would
    puzzle it.
    """
    try:
        return get_visible(customer_user, queryset, action, **lookup)
    except NotFound as error:
        not_found = error
    try:
        seen = get_visible(customer_user, queryset.model.objects.all(), Action.VIEW, **lookup)
    except NotFound:
        raise not_found from None
    shopping_list = seen if isinstance(seen, ShoppingList) else seen.shopping_list
    raise PermissionDenied(read_only_message(shopping_list), code="read_only")


def read_only_message(shopping_list: ShoppingList) -> str:
    facts = {"name": shopping_list.name, "owner": shopping_list.customer_user.email}
    if shopping_list.is_current:
        return (
            _(
                "The cart of %(owner)s is read-only to you: your role lets you view it, not "
                "change it"
            )
            % facts
        )
    return (
        _(
            "The list '%(name)s' of %(owner)s is read-only to you: your role lets you view it, "
            "not change it"
        )
        % facts
    )


def sellable_unit(product: Product, unit_code: str | None) -> ProductUnit:
    """The product's unit named ``unit_code`` (its primary unit if None), if it is sold."""
    units = list(product.units.all())
    if unit_code is None or not unit_code.strip():
        product_unit = next((pu for pu in units if pu.is_primary), None)
    else:
        wanted = unit_code.strip().lower()
        product_unit = next((pu for pu in units if pu.unit.code.lower() == wanted), None)
    if product_unit is None or not product_unit.is_sellable:
        sold = ", ".join(pu.unit.code for pu in product.sellable_units()) or _("none")
        raise NotOrderable(
            _("SKU '%(sku)s' is not sold in unit '%(unit)s' (sold in: %(units)s)")
            % {"sku": product.sku, "unit": unit_code, "units": sold},
            code="unit_not_sold",
        )
    return product_unit


def add_to_shopping_list(
    *,
    customer_user: CustomerUser,
    sku: str,
    quantity: str | int | Decimal,
    unit_code: str | None = None,
    shopping_list_id: int | None = None,
    acting_user: User | None = None,
) -> ShoppingListLine:
    """Add ``quantity`` of a product to a shopping list (the cart by default).

    Adding a product and unit already on the list adds to that line's quantity. The list's row
    is locked first, so that two adds of one product make one line and an order being placed
    from the list never misses the line. A product hidden from the company is refused.
    """
    product = visible_product_by_sku(sku, audience_of(customer_user.company))
    product_unit = sellable_unit(product, unit_code)
    amount = check_quantity(
        parse_quantity(quantity),
        precision=product_unit.precision,
        unit_code=product_unit.unit.code,
    )
    if (
        price_for(
            company=customer_user.company, product=product, unit=product_unit.unit, quantity=amount
        )
        is None
    ):
        raise NotOrderable(
            _("SKU '%(sku)s' has no price for %(quantity)s %(unit)s; ask your sales rep")
            % {"sku": product.sku, "quantity": written(amount), "unit": product_unit.unit.code},
            code="no_price",
        )

    with transaction.atomic():
        if shopping_list_id is None:
            shopping_list = current_shopping_list(customer_user=customer_user)
        else:
            shopping_list = get_to_change(
                customer_user, ShoppingList.objects, Action.EDIT, pk=shopping_list_id
            )
        lock_shopping_list(shopping_list)
        line = (
            ShoppingListLine.objects.select_for_update()
            .filter(shopping_list=shopping_list, product=product, unit=product_unit.unit)
            .first()
        )
        before = None if line is None else line_facts(line)
        if line is None:
            check_line_quantity(product_unit, amount)
            line = ShoppingListLine.objects.create(
                shopping_list=shopping_list,
                product=product,
                unit=product_unit.unit,
                quantity=amount,
            )
        else:
            line.quantity = check_line_quantity(product_unit, line.quantity + amount)
            line.save(update_fields=["quantity"])
        shopping_list.save(update_fields=["updated_at"])
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.line_added",
            instance=shopping_list,
            before=before,
            after=line_facts(line),
        )

    logger.info(
        "%s %s of %s added to shopping list %s by %s",
        amount,
        product_unit.unit.code,
        product.sku,
        shopping_list.pk,
        customer_user.email,
    )
    return line


def change_line_quantity(
    *,
    customer_user: CustomerUser,
    line_id: int,
    quantity: str | int | Decimal,
    acting_user: User | None = None,
) -> ShoppingListLine:
    """Set the quantity of a shopping list line; the unit's precision applies."""
    with transaction.atomic():
        # Locked so that an order placed from the list at this moment orders what it shows.
        line = get_to_change(
            customer_user,
            ShoppingListLine.objects.select_related("product", "unit").select_for_update(
                of=("self",)
            ),
            Action.EDIT,
            pk=line_id,
        )
        product_unit = sellable_unit(line.product, line.unit.code)
        before = line_facts(line)
        line.quantity = check_line_quantity(product_unit, parse_quantity(quantity))
        line.save(update_fields=["quantity"])
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.line_quantity_changed",
            instance=line.shopping_list,
            before=before,
            after=line_facts(line),
        )
    return line


def remove_line(
    *, customer_user: CustomerUser, line_id: int, acting_user: User | None = None
) -> None:
    """Take a line off its shopping list."""
    with transaction.atomic():
        line = get_to_change(
            customer_user, ShoppingListLine.objects.select_for_update(), Action.EDIT, pk=line_id
        )
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.line_removed",
            instance=line.shopping_list,
            before=line_facts(line),
        )
        line.delete()


def lock_shopping_list(shopping_list: ShoppingList) -> None:
    """Hold ``shopping_list``'s row until the transaction ends; call inside one."""
    ShoppingList.objects.select_for_update().filter(pk=shopping_list.pk).get()


def check_orderable_kind(shopping_list: ShoppingList) -> None:
    """Refuse to order a requisition list or the "Saved for later" list directly: their lines
    go through the cart."""
    if shopping_list.kind == ShoppingListKind.REQUISITION:
        raise DomainError(
            _(
                "A requisition list stays as it is: add its lines to the cart, then check out "
                "the cart"
            ),
            code="requisition_list",
        )
    if shopping_list.kind == ShoppingListKind.SAVED_FOR_LATER:
        raise DomainError(
            _(
                "Lines saved for later are not ordered from there: move them back to the cart, "
                "then check out the cart"
            ),
            code="saved_for_later",
        )


def next_order_number() -> str:
    """The next free order number for the configured prefix, taken under a row lock.

    A number an imported order already has (history from an ERP may use the same prefix) is
    skipped, so that placing an order never collides with it.
    """
    prefix = settings.COMPTOIR_ORDER_NUMBER_PREFIX
    with transaction.atomic():
        OrderNumberSequence.objects.get_or_create(prefix=prefix)
        sequence = OrderNumberSequence.objects.select_for_update().get(prefix=prefix)
        while True:
            sequence.last_value += 1
            number = f"{prefix}{sequence.last_value:06d}"
            if not Order.objects.filter(number=number).exists():
                break
        sequence.save(update_fields=["last_value"])
    return number


def copy_address(address: Address) -> OrderAddress:
    return OrderAddress.objects.create(
        label=address.label,
        name=address.name,
        street=address.street,
        street2=address.street2,
        city=address.city,
        region=address.region,
        postal_code=address.postal_code,
        country=address.country,
    )


def place_order(
    *,
    customer_user: CustomerUser,
    billing_address_id: int,
    shipping_address_id: int,
    po_number: str = "",
    customer_notes: str = "",
    shopping_list_id: int | None = None,
    source: str = OrderSource.STOREFRONT,
    acting_user: User | None = None,
) -> Order:
    """Turn a shopping list (the cart by default) into an order on the company's payment term.

    Lines are priced again at this moment by the resolver; the ordered lines leave the list.
    ``acting_user`` is the login placing it for the customer user (a sales rep), if not theirs.
    """
    require(customer_user, Resource.ORDERS, Action.PLACE_ORDER)
    billing = get_visible(customer_user, Address.objects, pk=billing_address_id)
    shipping = get_visible(customer_user, Address.objects, pk=shipping_address_id)
    if not billing.is_billing:
        raise DomainError(
            _("Address '%(address)s' is not a billing address") % {"address": billing},
            code="not_billing",
        )
    if not shipping.is_shipping:
        raise DomainError(
            _("Address '%(address)s' is not a shipping address") % {"address": shipping},
            code="not_shipping",
        )
    po_number, customer_notes = po_number.strip(), customer_notes.strip()
    po_number_max_length = Order._meta.get_field("po_number").max_length
    if len(po_number) > po_number_max_length:
        raise DomainError(
            _("The PO number is longer than %(limit)s characters")
            % {"limit": po_number_max_length},
            code="po_number_too_long",
        )
    if len(customer_notes) > CUSTOMER_NOTES_MAX_LENGTH:
        raise DomainError(
            _("The notes are longer than %(limit)s characters")
            % {"limit": CUSTOMER_NOTES_MAX_LENGTH},
            code="notes_too_long",
        )
    for text, message in (
        (po_number, _("The PO number cannot hold a NUL character (\\x00): remove it")),
        (customer_notes, _("The notes cannot hold a NUL character (\\x00): remove it")),
    ):
        if "\x00" in text:
            raise DomainError(message, code="nul_character")

    with transaction.atomic():
        if shopping_list_id is None:
            shopping_list = current_shopping_list(customer_user=customer_user)
        else:
            shopping_list = get_to_change(
                customer_user, ShoppingList.objects, Action.PLACE_ORDER, pk=shopping_list_id
            )
            check_orderable_kind(shopping_list)
        lock_shopping_list(shopping_list)
        # Lines are locked too: a quantity changed meanwhile waits, then finds the line gone.
        list(shopping_list.lines.select_for_update().order_by("pk").values_list("pk", flat=True))
        priced = priced_shopping_list(shopping_list)
        if not priced.lines:
            raise NotOrderable(_("The shopping list is empty"), code="empty_shopping_list")
        if not priced.is_orderable:
            raise NotOrderable(
                _("Some lines cannot be ordered: %(problems)s")
                % {"problems": "; ".join(priced.problems)},
                code="not_orderable",
            )
        company = customer_user.company
        totals = shopping_list_totals(priced, shipping_address=shipping)
        order = Order.objects.create(
            number=next_order_number(),
            company=company,
            customer_user=customer_user,
            placed_by=acting_user or customer_user.user,
            source=source,
            currency=priced.currency,
            subtotal=totals.subtotal,
            discount_total=totals.discount_total,
            shipping_total=totals.shipping_total,
            tax_total=totals.tax_total,
            total=totals.total,
            tax_notes="\n".join(totals.tax_notes),
            po_number=po_number,
            customer_notes=customer_notes,
            payment_term=company.payment_term.label if company.payment_term else "",
            billing_address=copy_address(billing),
            shipping_address=copy_address(shipping),
            created_at=timezone.now(),
        )
        line_totals = {line.key: line for line in totals.lines}
        order_lines = {
            pl.line.pk: OrderLine(
                order=order,
                product=pl.line.product,
                sku=pl.line.product.sku,
                product_name=pl.line.product.name,
                unit_code=pl.line.unit.code,
                quantity=pl.line.quantity,
                unit_price=pl.price.value,
                row_total=pl.row_total,
                discount_total=line_totals[pl.line.pk].discount_total,
                tax_total=line_totals[pl.line.pk].tax_total,
                price_list_name=pl.price.price_list_name,
                tier_quantity=pl.price.tier.quantity,
                comment=pl.line.notes,
            )
            for pl in priced.lines
        }
        OrderLine.objects.bulk_create(order_lines.values())
        OrderTaxLine.objects.bulk_create(
            OrderTaxLine(
                order=order, label=tax.label, rate=tax.rate, base=tax.base, amount=tax.amount
            )
            for tax in totals.tax_lines
        )
        record_order_promotions(
            order=order,
            order_lines=order_lines,
            totals=totals,
            customer_user=customer_user,
            shopping_list=shopping_list,
        )
        ShoppingListLine.objects.filter(pk__in=[pl.line.pk for pl in priced.lines]).delete()
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="order.placed",
            instance=order,
            after={
                "number": order.number,
                "po_number": order.po_number,
                "total": str(order.total),
                "currency": order.currency,
                "lines": len(priced.lines),
            },
        )
        record_event(
            "order_placed",
            entity_key=order.number,
            payload={
                "number": order.number,
                "company": company.name,
                "total": str(order.total),
                "currency": order.currency,
            },
        )

    logger.info(
        "order %s placed by %s for %s lines", order.number, order.placed_by, len(priced.lines)
    )
    return order


@dataclass
class ReorderReport:
    """What reordering put in the cart, and each line it could not add with the reason.

    ``codes`` holds the error code of each skipped order line (by its id) and ``substitutes``
    the product offered instead, where the skipped line's product names one still sold.
    """

    shopping_list: ShoppingList | None = None
    added: list[ShoppingListLine] = field(default_factory=list)
    merged: list[Received] = field(default_factory=list)
    skipped: list[tuple[OrderLine, str]] = field(default_factory=list)
    codes: dict[int, str] = field(default_factory=dict)
    substitutes: dict[int, Product] = field(default_factory=dict)


def substitute_for(product: Product | None, audience: Audience) -> Product | None:
    """The product offered instead of ``product``, if it names one still sold that
    ``audience`` may see."""
    if product is None or product.substitute_id is None:
        return None
    substitute = Product.objects.filter(pk=product.substitute_id, is_enabled=True)
    return with_visibility(substitute, audience).first()


def reorder(
    *, customer_user: CustomerUser, order_number: str, acting_user: User | None = None
) -> ReorderReport:
    """Put the lines of a past order in the cart at today's prices.

    Lines that cannot be added (free-form, discontinued, hidden from the company, unit no
    longer sold, no price, a quantity the unit's rules refuse) are reported with the reason and
    the substitute product where the catalog names one; the others are added. Imported history
    reorders the same way.
    """
    require(customer_user, Resource.ORDERS, Action.REORDER)
    order = get_visible(customer_user, Order.objects, Action.REORDER, number=order_number)
    audience = audience_of(customer_user.company)
    report = ReorderReport(shopping_list=current_shopping_list(customer_user=customer_user))
    for line in order.lines.select_related("product").order_by("id"):
        if line.product is None:
            what = line.free_form_product or line.sku or line.product_name
            report.skipped.append(
                (line, _("'%(product)s' is not a catalog product") % {"product": what})
            )
            report.codes[line.pk] = "not_in_catalog"
            continue
        try:
            added = add_to_shopping_list(
                customer_user=customer_user,
                sku=line.product.sku,
                unit_code=line.unit_code,
                quantity=line.quantity,
                acting_user=acting_user,
            )
        except DomainError as error:
            report.skipped.append((line, error.message))
            report.codes[line.pk] = error.code
            if (substitute := substitute_for(line.product, audience)) is not None:
                report.substitutes[line.pk] = substitute
        else:
            report.added.append(added)
            received = Received(added, line.quantity, already=added.quantity - line.quantity)
            if received.merged:
                report.merged.append(received)
    record_acting_for(
        customer_user=customer_user,
        acting_user=acting_user,
        action="order.reordered",
        instance=order,
        after={
            "added": [line_facts(line) for line in report.added],
            "skipped": [line.sku or line.product_name for line, _ in report.skipped],
        },
    )

    logger.info(
        "order %s reordered by %s: %s lines added, %s skipped",
        order.number,
        customer_user.email,
        len(report.added),
        len(report.skipped),
    )
    return report


@dataclass(frozen=True)
class AddressCopy:
    """An address as a historical order states it, to be kept with the order."""

    street: str
    city: str
    country: str
    street2: str = ""
    region: str = ""
    postal_code: str = ""
    label: str = ""
    name: str = ""


@dataclass(frozen=True)
class HistoricalOrderLine:
    """A line of an order placed elsewhere; ``product`` is None for a free-form line."""

    product: Product | None
    sku: str
    product_name: str
    unit_code: str
    quantity: Decimal
    unit_price: Decimal
    price_list_name: str = ""
    tier_quantity: Decimal | None = None
    free_form_product: str = ""
    ship_by: date | None = None
    comment: str = ""


@dataclass(frozen=True)
class HistoricalOrder:
    """An order placed elsewhere (an ERP, another shop), as ``create_historical_orders``
    takes it."""

    number: str
    company: Company
    customer_user: CustomerUser | None
    status: str
    shipping_status: str
    currency: str
    subtotal: Decimal
    total: Decimal
    created_at: datetime
    lines: Sequence[HistoricalOrderLine]
    discount_total: Decimal = Decimal(0)
    shipping_total: Decimal = Decimal(0)
    tax_total: Decimal = Decimal(0)
    po_number: str = ""
    customer_notes: str = ""
    payment_term: str = ""
    billing_address: AddressCopy | None = None
    shipping_address: AddressCopy | None = None
    source: str = OrderSource.IMPORT


def record_historical_order(
    *,
    number: str,
    company: Company,
    customer_user: CustomerUser | None,
    status: str,
    shipping_status: str,
    currency: str,
    subtotal: Decimal,
    total: Decimal,
    created_at: datetime,
    lines: Sequence[HistoricalOrderLine],
    discount_total: Decimal = Decimal(0),
    shipping_total: Decimal = Decimal(0),
    tax_total: Decimal = Decimal(0),
    po_number: str = "",
    customer_notes: str = "",
    payment_term: str = "",
    billing_address: AddressCopy | None = None,
    shipping_address: AddressCopy | None = None,
    source: str = OrderSource.IMPORT,
) -> tuple[Order, UpsertStatus, UpsertStatus]:
    """Create or update an order placed elsewhere (an ERP, another shop), keyed by ``number``.

    The order keeps the totals it states (subtotal, discounts, shipping, tax, total); they are
    not recomputed from the lines.
    Each line's total is its unit price times its quantity, rounded half-up in ``currency``.
    The lines are replaced only if they differ from the ones the order has. An order placed in
    this shop is never replaced: its number is refused. Returns the order, what happened to its
    header and what happened to its lines.
    """
    historical = HistoricalOrder(
        number=number,
        company=company,
        customer_user=customer_user,
        status=status,
        shipping_status=shipping_status,
        currency=currency,
        subtotal=subtotal,
        total=total,
        created_at=created_at,
        lines=lines,
        discount_total=discount_total,
        shipping_total=shipping_total,
        tax_total=tax_total,
        po_number=po_number,
        customer_notes=customer_notes,
        payment_term=payment_term,
        billing_address=billing_address,
        shipping_address=shipping_address,
        source=source,
    )
    wanted_lines = _historical_lines(historical)
    header = _historical_header(historical)

    with transaction.atomic():
        placed_here = Order.objects.filter(
            number=number, source__in=[OrderSource.STOREFRONT, OrderSource.API]
        )
        if placed_here.exists():
            raise DomainError(
                f"Order number '{number}' belongs to an order placed in this shop; "
                "give the historical order another number",
                code="order_number_taken",
            )
        order, header_status = upsert(Order, match={"number": number}, values=header)
        addresses_changed = False
        for field_name, copy in (
            ("billing_address", billing_address),
            ("shipping_address", shipping_address),
        ):
            addresses_changed |= _keep_address_copy(order, field_name, copy)
        if header_status == UNCHANGED and addresses_changed:
            header_status = UPDATED

        existing_lines = list(order.lines.order_by("id").values_list(*_HISTORICAL_LINE_FIELDS))
        if existing_lines == wanted_lines:
            lines_status = UNCHANGED
        else:
            lines_status = CREATED if not existing_lines else UPDATED
            if existing_lines:
                order.lines.all().delete()
            OrderLine.objects.bulk_create(
                OrderLine(order=order, **dict(zip(_HISTORICAL_LINE_FIELDS, values, strict=True)))
                for values in wanted_lines
            )

    if (header_status, lines_status) != (UNCHANGED, UNCHANGED):
        logger.debug(
            "historical order %s recorded for %s: order %s, %s lines %s",
            number,
            company.name,
            header_status,
            len(wanted_lines),
            lines_status,
        )
    return order, header_status, lines_status


def create_historical_orders(*, orders: Sequence[HistoricalOrder]) -> list[Order]:
    """Create orders placed elsewhere that the shop does not have yet, as
    ``record_historical_order`` creates one, in a few queries whatever their number: a
    history import brings thousands. A number the shop already has is refused, and nothing is
    written."""
    numbers = [historical.number for historical in orders]
    with transaction.atomic():
        taken = sorted(Order.objects.filter(number__in=numbers).values_list("number", flat=True))
        if taken:
            raise DomainError(
                f"Order number '{taken[0]}' is taken; update that order, or give the "
                "historical order another number",
                code="order_number_taken",
            )
        addresses: list[OrderAddress] = []
        created: list[Order] = []
        for historical in orders:
            order = Order(number=historical.number, **_historical_header(historical))
            for field_name in ("billing_address", "shipping_address"):
                copy = getattr(historical, field_name)
                if copy is not None:
                    address = OrderAddress(**asdict(copy))
                    addresses.append(address)
                    setattr(order, field_name, address)
            created.append(order)
        OrderAddress.objects.bulk_create(addresses)
        Order.objects.bulk_create(created)
        OrderLine.objects.bulk_create(
            OrderLine(order=order, **dict(zip(_HISTORICAL_LINE_FIELDS, values, strict=True)))
            for order, historical in zip(created, orders, strict=True)
            for values in _historical_lines(historical)
        )

    if created:
        logger.debug("%s historical orders created, from %s", len(created), numbers[0])
    return created


def _historical_header(historical: HistoricalOrder) -> dict[str, object]:
    """An historical order's own fields, but its number and addresses."""
    customer_user = historical.customer_user
    return {
        "company": historical.company,
        "customer_user": customer_user,
        "placed_by": customer_user.user if customer_user else None,
        "status": historical.status,
        "shipping_status": historical.shipping_status,
        "source": historical.source,
        "currency": historical.currency,
        "subtotal": historical.subtotal,
        "discount_total": historical.discount_total,
        "shipping_total": historical.shipping_total,
        "tax_total": historical.tax_total,
        "total": historical.total,
        "po_number": historical.po_number.strip(),
        "customer_notes": historical.customer_notes.strip(),
        "payment_term": historical.payment_term.strip(),
        "created_at": historical.created_at,
    }


def _historical_lines(historical: HistoricalOrder) -> list[tuple]:
    """An historical order's lines, as the values of ``_HISTORICAL_LINE_FIELDS``."""
    return [
        (
            line.product.pk if line.product else None,
            line.sku,
            line.product_name,
            line.unit_code,
            line.quantity,
            line.unit_price,
            round_money(line.unit_price * line.quantity, historical.currency),
            line.price_list_name,
            line.tier_quantity,
            line.free_form_product,
            line.ship_by,
            line.comment,
        )
        for line in historical.lines
    ]


_HISTORICAL_LINE_FIELDS = (
    "product_id",
    "sku",
    "product_name",
    "unit_code",
    "quantity",
    "unit_price",
    "row_total",
    "price_list_name",
    "tier_quantity",
    "free_form_product",
    "ship_by",
    "comment",
)


def _keep_address_copy(order: Order, field_name: str, copy: AddressCopy | None) -> bool:
    """Make ``order``'s billing or shipping address say what ``copy`` says; True if it changed."""
    current = getattr(order, field_name)
    if copy is None:
        if current is None:
            return False
        setattr(order, field_name, None)
        order.save(update_fields=[field_name])
        current.delete()
        return True
    values = asdict(copy)
    if current is None:
        setattr(order, field_name, OrderAddress.objects.create(**values))
        order.save(update_fields=[field_name])
        return True
    return save_changes(current, assign_changes(current, values)) != UNCHANGED
