"""Quick order: lines of SKU, quantity and unit resolved into products, units and prices.

``preview_quick_order`` says, line by line, what would be added and what cannot be, and why;
``add_quick_order_lines`` adds the good lines to a shopping list in one transaction and
returns the same report. Both read the products of every line in a few queries and price them
through the one resolver (``pricing.queries``), so a paste of a thousand lines stays quick.
"""

import difflib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.accounts.models import Action, Company, CustomerUser, User
from comptoir.catalog.models import Product, ProductUnit, normalize_sku
from comptoir.catalog.queries import (
    Audience,
    audience_of,
    hidden_message,
    hidden_product_ids,
)
from comptoir.core.errors import DomainError, excerpt
from comptoir.core.money import round_money
from comptoir.core.quantities import check_quantity, parse_quantity, plain, written
from comptoir.inventory.queries import stock_of
from comptoir.ordering.models import ShoppingList, ShoppingListLine
from comptoir.ordering.quantities import check_line_quantity
from comptoir.ordering.quick_order_reading import MAX_LINES, EnteredLine
from comptoir.ordering.services import (
    current_shopping_list,
    get_to_change,
    lock_shopping_list,
    record_acting_for,
    sellable_unit,
)
from comptoir.pricing.queries import ResolvedPrice, chain_currency, price_list_chain, resolve
from comptoir.pricing.queries import tiers_for as tiers_for_products

logger = logging.getLogger(__name__)

# Unknown SKUs beyond this many get their message without a "did you mean".
SUGGESTED_AT_MOST = 20
SUGGESTION_CANDIDATES = 50
_SKU_MAX_LENGTH = Product._meta.get_field("sku").max_length


@dataclass
class QuickOrderLine:
    """One entered line resolved: its product, unit, quantity and price, or its problem."""

    number: int
    entered: str
    sku: str
    quantity: Decimal | None = None
    product: Product | None = None
    product_unit: ProductUnit | None = None
    price: ResolvedPrice | None = None
    row_total: Decimal | None = None
    problem: str = ""
    code: str = ""
    suggestions: list[str] = field(default_factory=list)
    merged_lines: list[int] = field(default_factory=list)
    merged_into: int | None = None
    added: bool = False
    in_stock: Decimal | None = None  # in the primary unit; None when not known

    @property
    def availability(self) -> str:
        """What the warehouses hold against what the line asks, or "" when not known."""
        if self.in_stock is None or self.quantity is None or self.product_unit is None:
            return ""
        wanted = self.quantity * self.product_unit.conversion_rate
        if self.in_stock >= wanted:
            return _("In stock")
        if self.in_stock <= 0:
            return _("Out of stock: it will ship when it comes in")
        return _("Only %(quantity)s in stock: the rest will ship when it comes in") % {
            "quantity": written(plain(self.in_stock))
        }

    @property
    def is_orderable(self) -> bool:
        return not self.problem and self.merged_into is None

    @property
    def unit_code(self) -> str:
        return self.product_unit.unit.code if self.product_unit else ""

    @property
    def note(self) -> str:
        """What happened to the line besides its problem: merged lines."""
        if self.merged_into is not None:
            return _("Merged into line %(line)s") % {"line": self.merged_into}
        if self.merged_lines:
            others = ", ".join(str(number) for number in self.merged_lines)
            return ngettext(
                "Line %(lines)s merged into this one",
                "Lines %(lines)s merged into this one",
                len(self.merged_lines),
            ) % {"lines": others}
        return ""

    def refuse(self, message: str, code: str) -> None:
        self.problem, self.code = message, code


@dataclass
class QuickOrderReport:
    """Every line of a quick order, in the order entered, and what can be done with them."""

    lines: list[QuickOrderLine]
    currency: str
    truncated: bool = False
    shopping_list: ShoppingList | None = None

    @property
    def orderable_lines(self) -> list[QuickOrderLine]:
        return [line for line in self.lines if line.is_orderable]

    @property
    def problem_lines(self) -> list[QuickOrderLine]:
        return [line for line in self.lines if line.problem]

    @property
    def subtotal(self) -> Decimal:
        return sum((line.row_total or Decimal(0) for line in self.orderable_lines), Decimal(0))

    @property
    def notes(self) -> list[str]:
        if not self.truncated:
            return []
        return [
            _("Only the first %(limit)s lines were read: split the rest into another order.")
            % {"limit": f"{MAX_LINES:,}"}
        ]


def preview_quick_order(
    *, customer_user: CustomerUser, entered: Iterable[EnteredLine]
) -> QuickOrderReport:
    """What adding ``entered`` to a shopping list would do, line by line; changes nothing."""
    return resolve_quick_order(company=customer_user.company, entered=entered)


def resolve_quick_order(
    *,
    company: Company,
    entered: Iterable[EnteredLine],
    on_list: dict[tuple[int, int], Decimal] | None = None,
) -> QuickOrderReport:
    """Resolve ``entered`` for ``company``; ``on_list`` holds the quantities already on the
    shopping list by (product id, unit id), which the quantity rules count in."""
    taken = list(islice(entered, MAX_LINES + 1))
    truncated = len(taken) > MAX_LINES
    lines = [
        QuickOrderLine(number=line.number, entered=line.text, sku=line.sku)
        for line in taken[:MAX_LINES]
    ]
    entered_by_number = {line.number: line for line in taken[:MAX_LINES]}

    for line in lines:
        if problem := entered_by_number[line.number].problem:
            line.refuse(problem, "unreadable_line")
    find_products(lines, audience_of(company))
    for line in lines:
        if not line.problem:
            choose_unit_and_quantity(line, entered_by_number[line.number])
    merge_repeated_lines(lines)
    check_quantities(lines, on_list or {})
    chain = price_list_chain(company)
    price_lines(company, lines, chain)
    stock = stock_of(line.product.pk for line in lines if line.product and line.is_orderable)
    for line in lines:
        if line.product is not None and line.is_orderable:
            line.in_stock = stock.get(line.product.pk)
    return QuickOrderReport(lines=lines, currency=chain_currency(chain), truncated=truncated)


def find_products(lines: list[QuickOrderLine], audience: Audience) -> None:
    """Match each line's SKU ignoring case and spaces, in a query per thousand SKUs; an exact
    SKU always wins, and an unknown one gets the closest SKUs ``audience`` may see as
    suggestions. A product hidden from ``audience`` is refused as such."""
    wanted = {
        normalize_sku(line.sku)
        for line in lines
        if not line.problem and len(line.sku.strip()) <= _SKU_MAX_LENGTH
    }
    wanted.discard("")
    units = Prefetch("units", queryset=ProductUnit.objects.select_related("unit"))
    found: dict[str, Product] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 1000):
        products = (
            Product.objects.annotate(sku_upper=Upper("sku"))
            .filter(sku_upper__in=ordered[start : start + 1000])
            .defer("description", "information", "specifications")
            .select_related("substitute")
            .prefetch_related(units)
        )
        found.update((product.sku_upper, product) for product in products)
    unknown = list(
        dict.fromkeys(
            key
            for line in lines
            if not line.problem and (key := normalize_sku(line.sku)) not in found
        )
    )[:SUGGESTED_AT_MOST]
    neighbours = {key: neighbour_skus(key) for key in unknown}
    # One query says which of the products met, their substitutes and the neighbours of the
    # unknown SKUs the company may not see.
    hidden = hidden_product_ids(
        audience,
        [product.pk for product in found.values()]
        + [product.substitute_id for product in found.values() if product.substitute_id]
        + [pk for near in neighbours.values() for pk, _sku in near],
    )

    suggestions = {
        key: close_skus(key, [sku for pk, sku in near if pk not in hidden])
        for key, near in neighbours.items()
    }
    for line in lines:
        if line.problem:
            continue
        key = normalize_sku(line.sku)
        product = found.get(key)
        if product is None:
            line.suggestions = suggestions.get(key, [])
            line.refuse(unknown_sku_message(line.sku, line.suggestions), "unknown_sku")
        elif not product.is_enabled:
            line.product = product
            line.refuse(discontinued_message(product, hidden), "discontinued")
        elif product.pk in hidden:
            line.product = product
            line.refuse(hidden_message(product.sku, audience), "hidden")
        else:
            line.product = product


def neighbour_skus(sku: str) -> list[tuple[int, str]]:
    """The ids and SKUs of the enabled products beside ``sku`` in SKU order: a typo near the
    end keeps a SKU beside the right one, and the index on the SKU finds them."""
    if not sku or len(sku) > _SKU_MAX_LENGTH or "\x00" in sku:
        return []
    enabled = Product.objects.filter(is_enabled=True).annotate(sku_upper=Upper("sku"))
    after = enabled.filter(sku_upper__gte=sku).order_by("sku_upper")
    before = enabled.filter(sku_upper__lt=sku).order_by("-sku_upper")
    return [
        *after.values_list("pk", "sku")[:SUGGESTION_CANDIDATES],
        *before.values_list("pk", "sku")[:SUGGESTION_CANDIDATES],
    ]


def close_skus(sku: str, candidates: list[str]) -> list[str]:
    """Up to three of ``candidates`` close to ``sku``, the closest first."""
    by_upper = {candidate.upper(): candidate for candidate in candidates}
    close = difflib.get_close_matches(sku, list(by_upper), n=3, cutoff=0.6)
    return [by_upper[match] for match in close]


def unknown_sku_message(sku: str, suggestions: list[str]) -> str:
    if not suggestions:
        return _("SKU '%(sku)s' not found") % {"sku": excerpt(sku.strip())}
    return _("SKU '%(sku)s' not found; did you mean %(suggestions)s?") % {
        "sku": excerpt(sku.strip()),
        "suggestions": _(" or ").join(f"'{suggestion}'" for suggestion in suggestions),
    }


def discontinued_message(product: Product, hidden: set[int]) -> str:
    """The message for a product no longer sold, naming its substitute unless that is not
    sold either or is one of the ``hidden`` products."""
    substitute = product.substitute
    if substitute is not None and substitute.is_enabled and substitute.pk not in hidden:
        return _("SKU '%(sku)s' is no longer sold; order '%(substitute)s' instead") % {
            "sku": product.sku,
            "substitute": substitute.sku,
        }
    return _("SKU '%(sku)s' is no longer sold") % {"sku": product.sku}


def choose_unit_and_quantity(line: QuickOrderLine, entered: EnteredLine) -> None:
    """Read the line's quantity and find the unit it names by code or label (the primary unit
    if it names none)."""
    product = line.product
    assert product is not None
    try:
        quantity = parse_quantity(entered.quantity)
        product_unit = unit_named(product, entered.unit) or sellable_unit(product, entered.unit)
        # Each line's own quantity must make sense before lines of a product are added up.
        quantity = check_quantity(
            quantity, precision=product_unit.precision, unit_code=product_unit.unit.code
        )
    except DomainError as error:
        line.refuse(error.message, error.code)
        return
    line.quantity, line.product_unit = quantity, product_unit


def unit_named(product: Product, name: str) -> ProductUnit | None:
    """The sellable unit of ``product`` whose code or label is ``name`` ignoring case (a
    plural "s" too); the primary unit when ``name`` is empty."""
    units = [pu for pu in product.units.all() if pu.is_sellable]
    wanted = name.strip().lower()
    if not wanted:
        return next((pu for pu in units if pu.is_primary), None)
    for candidate in (wanted, wanted.removesuffix("s")):
        for pu in units:
            if candidate in (pu.unit.code.lower(), pu.unit.label.lower()):
                pu.product = product
                return pu
    return None


def merge_repeated_lines(lines: list[QuickOrderLine]) -> None:
    """Add the quantity of a repeated product and unit to its first line, saying so on both."""
    first_of: dict[tuple[int, int], QuickOrderLine] = {}
    for line in lines:
        if line.problem or line.product_unit is None or line.quantity is None:
            continue
        key = (line.product_unit.product_id, line.product_unit.unit_id)
        first = first_of.setdefault(key, line)
        if first is not line:
            assert first.quantity is not None
            first.quantity += line.quantity
            first.merged_lines.append(line.number)
            line.merged_into = first.number


def check_quantities(lines: list[QuickOrderLine], on_list: dict[tuple[int, int], Decimal]):
    """Apply the unit's rules to what each line ends with on the list."""
    for line in lines:
        if not line.is_orderable or line.product_unit is None or line.quantity is None:
            continue
        product_unit = line.product_unit
        product_unit.product = line.product
        already = on_list.get((product_unit.product_id, product_unit.unit_id), Decimal(0))
        try:
            total = check_line_quantity(product_unit, line.quantity + already)
        except DomainError as error:
            message = error.message
            if already:
                message = _("%(problem)s (%(quantity)s already on the list)") % {
                    "problem": message,
                    "quantity": written(plain(already)),
                }
            line.refuse(message, error.code)
            continue
        line.quantity = total - already


def price_lines(company: Company, lines: list[QuickOrderLine], chain) -> None:
    """Price every orderable line through the one resolver, with one query for all tiers."""
    orderable = [line for line in lines if line.is_orderable]
    products = {line.product.pk: line.product for line in orderable if line.product}
    tiers = tiers_for_products(company, products.values(), chain=chain)
    for line in orderable:
        assert line.product is not None and line.quantity is not None
        price = resolve(
            product=line.product,
            unit_code=line.unit_code,
            quantity=line.quantity,
            tiers=tiers.get(line.product.pk, []),
            chain=chain,
        )
        if price is None:
            line.refuse(
                _("SKU '%(sku)s' has no price for %(quantity)s %(unit)s; ask your sales rep")
                % {
                    "sku": line.product.sku,
                    "quantity": written(line.quantity),
                    "unit": line.unit_code,
                },
                "no_price",
            )
            continue
        line.price = price
        line.row_total = round_money(price.value * line.quantity, price.currency)


def add_quick_order_lines(
    *,
    customer_user: CustomerUser,
    entered: Iterable[EnteredLine],
    shopping_list_id: int | None = None,
    acting_user: User | None = None,
) -> QuickOrderReport:
    """Add the good lines of ``entered`` to a shopping list (the cart by default) at once.

    Lines with a problem are left out and keep their message in the report. As in
    ``add_to_shopping_list``, the list's row is locked first, and a product and unit already
    on the list add to that line, its total held to the unit's rules.
    """
    with transaction.atomic():
        if shopping_list_id is None:
            shopping_list = current_shopping_list(customer_user=customer_user)
        else:
            shopping_list = get_to_change(
                customer_user, ShoppingList.objects, Action.EDIT, pk=shopping_list_id
            )
        lock_shopping_list(shopping_list)
        existing = {
            (line.product_id, line.unit_id): line
            for line in ShoppingListLine.objects.select_for_update().filter(
                shopping_list=shopping_list
            )
        }
        on_list = {key: line.quantity for key, line in existing.items()}
        report = resolve_quick_order(
            company=customer_user.company, entered=entered, on_list=on_list
        )

        new_lines, changed_lines = [], []
        for line in report.orderable_lines:
            assert line.product_unit is not None and line.quantity is not None
            key = (line.product_unit.product_id, line.product_unit.unit_id)
            if key in existing:
                existing[key].quantity += line.quantity
                changed_lines.append(existing[key])
            else:
                new_lines.append(
                    ShoppingListLine(
                        shopping_list=shopping_list,
                        product_id=key[0],
                        unit_id=key[1],
                        quantity=line.quantity,
                    )
                )
            line.added = True
        ShoppingListLine.objects.bulk_create(new_lines, batch_size=500)
        ShoppingListLine.objects.bulk_update(changed_lines, ["quantity"], batch_size=500)
        shopping_list.save(update_fields=["updated_at"])
        added = [
            {
                "sku": line.product.sku,
                "unit": line.unit_code,
                "quantity": str(plain(line.quantity)),
            }
            for line in report.orderable_lines
            if line.product is not None and line.quantity is not None
        ]
        record_acting_for(
            customer_user=customer_user,
            acting_user=acting_user,
            action="shopping_list.lines_added",
            instance=shopping_list,
            after={"lines": added},
        )

    report.shopping_list = shopping_list
    logger.info(
        "quick order added %s lines to shopping list %s by %s (%s refused)",
        len(added),
        shopping_list.pk,
        customer_user.email,
        len(report.problem_lines),
    )
    return report
