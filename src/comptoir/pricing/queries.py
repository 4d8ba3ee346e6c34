"""The one price resolver: what a company pays for a product, unit and quantity, and why.

Merge by priority (OroCommerce's default strategy). The chain is the price lists assigned to
the company, then to its customer group, then to the default website; inside each level the
lowest ``sort_order`` comes first. Only active lists in the buyer's currency take part, and a
list that appears twice counts at its first place. For each product the chain is walked in
order and fills empty slots, a slot being (unit, tier quantity):

- a list with ``merge_allowed`` adds the tiers whose slot is still empty;
- a list without it is used only if no list before it priced the product; it then gives all
  of its tiers for that product and closes the product to every later list.

Every page, endpoint, cart, checkout and order asks ``price_for`` or ``tiers_for``.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from comptoir.accounts.models import Company
from comptoir.catalog.models import Product, Unit
from comptoir.core.quantities import plain
from comptoir.pricing.models import Price, PriceListAssignment


@dataclass(frozen=True)
class ChainEntry:
    """One price list in a buyer's chain, at the place it was assigned."""

    price_list_id: int
    price_list_name: str
    currency: str
    level: str
    sort_order: int
    merge_allowed: bool


@dataclass(frozen=True)
class Tier:
    """A price of one unit from ``quantity`` up, and the list it came from."""

    unit_code: str
    quantity: Decimal
    value: Decimal
    currency: str
    price_list_name: str


@dataclass(frozen=True)
class ResolvedPrice:
    """The answer of ``price_for``: the unit price, the tier it came from, and the chain."""

    sku: str
    unit_code: str
    quantity: Decimal
    tier: Tier
    chain: tuple[ChainEntry, ...] = field(repr=False)

    @property
    def value(self) -> Decimal:
        return self.tier.value

    @property
    def currency(self) -> str:
        return self.tier.currency

    @property
    def price_list_name(self) -> str:
        return self.tier.price_list_name

    def explain(self) -> str:
        lists = ", ".join(
            f"{entry.price_list_name} ({entry.level}, sort {entry.sort_order}"
            f"{'' if entry.merge_allowed else ', no merge'})"
            for entry in self.chain
        )
        return (
            f"{self.sku} x {self.quantity} {self.unit_code}: {self.value} {self.currency} "
            f"from {self.price_list_name}, tier from {self.tier.quantity}; chain: {lists}"
        )


def price_list_chain(company: Company | None) -> tuple[ChainEntry, ...]:
    """The price lists that price ``company``'s purchases, highest priority first.

    Without a company (a guest) the chain is the default website's.
    """
    levels = Q(company__isnull=True, customer_group__isnull=True)
    if company is not None:
        levels |= Q(company=company)
        if company.customer_group_id:
            levels |= Q(customer_group_id=company.customer_group_id)
    assignments = PriceListAssignment.objects.filter(
        levels, price_list__is_active=True
    ).select_related("price_list")

    def rank(assignment: PriceListAssignment) -> tuple[int, int, int]:
        return (_LEVELS.index(_level(assignment)), assignment.sort_order, assignment.pk)

    chain: list[ChainEntry] = []
    seen: set[int] = set()
    for assignment in sorted(assignments, key=rank):
        if assignment.price_list_id in seen:
            continue
        seen.add(assignment.price_list_id)
        chain.append(
            ChainEntry(
                price_list_id=assignment.price_list_id,
                price_list_name=assignment.price_list.name,
                currency=assignment.price_list.currency,
                level=_level(assignment),
                sort_order=assignment.sort_order,
                merge_allowed=assignment.merge_allowed,
            )
        )
    currency = chain_currency(chain)
    return tuple(entry for entry in chain if entry.currency == currency)


def chain_currency(chain: tuple[ChainEntry, ...] | list[ChainEntry]) -> str:
    """The currency a buyer with ``chain`` is priced in: its first list's, else the website's."""
    return chain[0].currency if chain else settings.COMPTOIR_DEFAULT_CURRENCY


_LEVELS = ("company", "group", "website")


def _level(assignment: PriceListAssignment) -> str:
    """The level an assignment is at, read from its keys without loading the company."""
    if assignment.company_id:
        return "company"
    return "group" if assignment.customer_group_id else "website"


def tiers_for(
    company: Company | None,
    products: Iterable[Product],
    *,
    chain: tuple[ChainEntry, ...] | None = None,
) -> dict[int, list[Tier]]:
    """Every tier ``company`` gets for each of ``products``, by product id, in one query."""
    chain = price_list_chain(company) if chain is None else chain
    product_ids = [product.pk for product in products]
    if not chain or not product_ids:
        return {}
    rows = (
        Price.objects.filter(
            price_list_id__in=[entry.price_list_id for entry in chain],
            product_id__in=product_ids,
        )
        .values_list("price_list_id", "product_id", "unit__code", "quantity", "value")
        .order_by()
    )
    by_list_and_product: dict[tuple[int, int], list[tuple[str, Decimal, Decimal]]] = defaultdict(
        list
    )
    for price_list_id, product_id, unit_code, quantity, value in rows:
        by_list_and_product[price_list_id, product_id].append((unit_code, quantity, value))

    merged: dict[int, list[Tier]] = {}
    for product_id in product_ids:
        slots: dict[tuple[str, Decimal], Tier] = {}
        for entry in chain:
            prices = by_list_and_product.get((entry.price_list_id, product_id))
            if not prices:
                continue
            if not entry.merge_allowed:
                if not slots:
                    slots = {
                        (unit, qty): _tier(entry, unit, qty, value) for unit, qty, value in prices
                    }
                    break
                continue
            for unit_code, quantity, value in prices:
                slots.setdefault((unit_code, quantity), _tier(entry, unit_code, quantity, value))
        if slots:
            merged[product_id] = sorted(slots.values(), key=lambda t: (t.unit_code, t.quantity))
    return merged


def _tier(entry: ChainEntry, unit_code: str, quantity: Decimal, value: Decimal) -> Tier:
    return Tier(
        unit_code=unit_code,
        quantity=plain(quantity),
        value=value,
        currency=entry.currency,
        price_list_name=entry.price_list_name,
    )


def pick_tier(tiers: Iterable[Tier], *, unit_code: str, quantity: Decimal) -> Tier | None:
    """The tier that applies to ``quantity`` of ``unit_code``: the highest one not above it."""
    applicable = [t for t in tiers if t.unit_code == unit_code and t.quantity <= quantity]
    return max(applicable, key=lambda t: t.quantity, default=None)


def price_for(
    *, company: Company | None, product: Product, unit: Unit | str, quantity: Decimal
) -> ResolvedPrice | None:
    """What ``company`` pays for one ``unit`` of ``product`` when buying ``quantity``; None if
    no list in its chain prices it."""
    unit_code = unit if isinstance(unit, str) else unit.code
    chain = price_list_chain(company)
    tiers = tiers_for(company, [product], chain=chain).get(product.pk, [])
    return resolve(
        product=product, unit_code=unit_code, quantity=quantity, tiers=tiers, chain=chain
    )


def resolve(
    *,
    product: Product,
    unit_code: str,
    quantity: Decimal,
    tiers: list[Tier],
    chain: tuple[ChainEntry, ...],
) -> ResolvedPrice | None:
    """``price_for`` over tiers already loaded by ``tiers_for``, for pages pricing many lines."""
    tier = pick_tier(tiers, unit_code=unit_code, quantity=quantity)
    if tier is None:
        return None
    return ResolvedPrice(
        sku=product.sku, unit_code=unit_code, quantity=quantity, tier=tier, chain=chain
    )
