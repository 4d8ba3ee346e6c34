"""The one price resolver: what a company pays for a product, unit and quantity, and why.

The chain is the price lists assigned to the company, then to its customer group, then to the
default website; inside each level the lowest ``sort_order`` comes first. Only lists that are
active and in effect (between their "active from" and "active until") in the buyer's currency
take part, and a list that appears twice counts at its first place. The strategy, a setting
(``COMPTOIR_PRICE_STRATEGY``), merges the chain's prices for each product:

Merge by priority (``merge_by_priority``, OroCommerce's default). The chain is walked in order
and fills empty slots, a slot being (unit, tier quantity):

- a list with ``merge_allowed`` adds the tiers whose slot is still empty;
- a list without it is used only if no list before it priced the product; it then gives all
  of its tiers for that product and closes the product to every later list.

Minimal price (``minimal_price``). For every quantity the buyer gets the lowest price any list
of the chain gives for it: at each tier quantity of any list, the lowest of what each list's
applicable tier costs there (``merge_allowed`` plays no part).

Every page, endpoint, cart, checkout and order asks ``price_for`` or ``tiers_for``.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from comptoir.accounts.models import Company
from comptoir.catalog.models import Product, Unit
from comptoir.core.quantities import plain
from comptoir.pricing.models import Price, PriceChange, PriceListAssignment, PriceSource


@dataclass(frozen=True)
class ChainEntry:
    """One price list in a buyer's chain, at the place it was assigned."""

    price_list_id: int
    price_list_name: str
    currency: str
    level: str
    sort_order: int
    merge_allowed: bool


class Tier(NamedTuple):
    """A price of one unit from ``quantity`` up, the list it came from, and how it was set
    (a tuple: carts build thousands of them)."""

    unit_code: str
    quantity: Decimal
    value: Decimal
    currency: str
    price_list_name: str
    price_list_id: int = 0
    source: str = PriceSource.MANUAL
    rule_id: int | None = None


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


def price_list_chain(
    company: Company | None, *, at: datetime | None = None
) -> tuple[ChainEntry, ...]:
    """The price lists that price ``company``'s purchases at ``at`` (now by default), highest
    priority first.

    Without a company (a guest) the chain is the default website's.
    """
    at = at or timezone.now()
    levels = Q(company__isnull=True, customer_group__isnull=True)
    if company is not None:
        levels |= Q(company=company)
        if company.customer_group_id:
            levels |= Q(customer_group_id=company.customer_group_id)
    in_effect = (Q(price_list__active_from__isnull=True) | Q(price_list__active_from__lte=at)) & (
        Q(price_list__active_until__isnull=True) | Q(price_list__active_until__gt=at)
    )
    assignments = PriceListAssignment.objects.filter(
        levels, in_effect, price_list__is_active=True
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
    by_list_and_product = tiers_by_list(chain, product_ids)
    merge = _minimal if price_strategy() == MINIMAL_PRICE else _merge_by_priority
    merged: dict[int, list[Tier]] = {}
    for product_id in product_ids:
        by_list = [
            (entry, by_list_and_product.get((entry.price_list_id, product_id), []))
            for entry in chain
        ]
        tiers = merge([(entry, tiers) for entry, tiers in by_list if tiers])
        if tiers:
            merged[product_id] = sorted(tiers, key=lambda t: (t.unit_code, t.quantity))
    return merged


def tiers_by_list(
    chain: tuple[ChainEntry, ...], product_ids: list[int]
) -> dict[tuple[int, int], list[Tier]]:
    """Each list's own tiers for each product, by (price list id, product id), unmerged."""
    entries = {entry.price_list_id: entry for entry in chain}
    by_list_and_product: dict[tuple[int, int], list[Tier]] = defaultdict(list)
    units = _unit_codes()
    quantities: dict[Decimal, Decimal] = {}  # tier quantities are few: 1, 10, 100...
    for price_list_id, product_id, unit_id, quantity, value, source, rule_id in _prices_of(
        list(entries), product_ids
    ):
        entry = entries[price_list_id]
        tier_quantity = quantities.get(quantity)
        if tier_quantity is None:
            tier_quantity = quantities[quantity] = plain(quantity)
        by_list_and_product[price_list_id, product_id].append(
            Tier(
                units[unit_id],
                tier_quantity,
                value,
                entry.currency,
                entry.price_list_name,
                price_list_id,
                source,
                rule_id,
            )
        )
    return by_list_and_product


def _unit_codes() -> dict[int, str]:
    return dict(Unit.objects.values_list("pk", "code"))


def _prices_of(list_ids: list[int], product_ids: list[int]) -> list[tuple]:
    """The price rows of ``list_ids`` for ``product_ids``, in one query: on PostgreSQL with
    arrays, so that a cart of hundreds of products sends two parameters, not hundreds."""
    if connection.vendor != "postgresql":
        return list(
            Price.objects.filter(price_list_id__in=list_ids, product_id__in=product_ids)
            .values_list(
                "price_list_id", "product_id", "unit_id", "quantity", "value", "source", "rule_id"
            )
            .order_by()
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT price_list_id, product_id, unit_id, quantity, value, source, rule_id "
            f"FROM {connection.ops.quote_name(Price._meta.db_table)} "
            "WHERE price_list_id = ANY(%s) AND product_id = ANY(%s)",
            [list_ids, product_ids],
        )
        return cursor.fetchall()


MERGE_BY_PRIORITY = "merge_by_priority"
MINIMAL_PRICE = "minimal_price"


def price_strategy() -> str:
    """The strategy set in ``COMPTOIR_PRICE_STRATEGY`` (checked when settings load)."""
    return settings.COMPTOIR_PRICE_STRATEGY


def _merge_by_priority(by_list: list[tuple[ChainEntry, list[Tier]]]) -> list[Tier]:
    slots: dict[tuple[str, Decimal], Tier] = {}
    for entry, tiers in by_list:
        if not entry.merge_allowed:
            if not slots:
                return tiers
            continue
        for tier in tiers:
            slots.setdefault((tier.unit_code, tier.quantity), tier)
    return list(slots.values())


def _minimal(by_list: list[tuple[ChainEntry, list[Tier]]]) -> list[Tier]:
    """At every tier quantity of any list, the cheapest of what each list charges there."""
    by_unit: dict[str, list[list[Tier]]] = defaultdict(list)
    for _entry, tiers in by_list:
        units: dict[str, list[Tier]] = defaultdict(list)
        for tier in tiers:
            units[tier.unit_code].append(tier)
        for unit_code, unit_tiers in units.items():
            by_unit[unit_code].append(unit_tiers)
    merged = []
    for unit_code, lists in by_unit.items():
        quantities = sorted({tier.quantity for tiers in lists for tier in tiers})
        for quantity in quantities:
            offers = [pick_tier(tiers, unit_code=unit_code, quantity=quantity) for tiers in lists]
            # The first list of the chain wins a tie.
            best = min((t for t in offers if t is not None), key=lambda t: t.value)
            merged.append(best._replace(quantity=quantity))
    return merged


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


def price_at(
    *, company: Company | None, product: Product, unit: Unit | str, quantity: Decimal, at: datetime
) -> ResolvedPrice | None:
    """What ``company`` paid at the past moment ``at``: the lists in effect then, each with the
    tiers its price history held then, merged as today. (Assignments are today's.)"""
    unit_code = unit if isinstance(unit, str) else unit.code
    chain = price_list_chain(company, at=at)
    entries = {entry.price_list_id: entry for entry in chain}
    rows = (
        PriceChange.objects.filter(
            price_list_id__in=list(entries), product=product, changed_at__lte=at
        )
        .order_by("price_list_id", "unit__code", "quantity", "-changed_at", "-pk")
        .values_list("price_list_id", "unit__code", "quantity", "value", "source", "rule_id")
    )
    latest: dict[tuple[int, str, Decimal], Tier | None] = {}
    for price_list_id, unit_code_then, tier_quantity, value, source, rule_id in rows:
        slot = (price_list_id, unit_code_then, tier_quantity)
        if slot in latest:
            continue
        entry = entries[price_list_id]
        latest[slot] = (
            None
            if value is None
            else Tier(
                unit_code=unit_code_then,
                quantity=plain(tier_quantity),
                value=value,
                currency=entry.currency,
                price_list_name=entry.price_list_name,
                price_list_id=price_list_id,
                source=source,
                rule_id=rule_id,
            )
        )
    by_list: dict[int, list[Tier]] = defaultdict(list)
    for (price_list_id, _, _), tier in latest.items():
        if tier is not None:
            by_list[price_list_id].append(tier)
    merge = _minimal if price_strategy() == MINIMAL_PRICE else _merge_by_priority
    tiers = merge(
        [
            (entry, by_list[entry.price_list_id])
            for entry in chain
            if by_list.get(entry.price_list_id)
        ]
    )
    return resolve(
        product=product, unit_code=unit_code, quantity=quantity, tiers=tiers, chain=chain
    )
