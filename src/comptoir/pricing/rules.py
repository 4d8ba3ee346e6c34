"""Price rules: checking them, the order lists depend on each other, and computing their prices.

A rule's formula reads price lists, product values and market indexes (``core.expressions``).
``rebuild`` writes what the active rules of a price list give, for every product or for a few,
and only what changed: a price entered by hand is never touched, a slot (product, unit, tier
quantity) given by several rules takes the lowest priority number, and a slot no rule gives any
more loses its computed price. Every change is kept in ``PriceChange``.

Lists are rebuilt in dependency order: a list whose rules read ``pricelist["Default"]`` after
Default. A rule that would make a list depend on itself is refused when it is saved.
"""

import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Decimal,
    DecimalException,
    localcontext,
)

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from comptoir.catalog.models import Category, Product, ProductUnit
from comptoir.core.errors import DomainError
from comptoir.core.expressions import (
    FORMULA_CONTEXT,
    Formula,
    FormulaError,
    FormulaValues,
    Vocabulary,
    compile_condition,
    compile_formula,
)
from comptoir.core.money import minor_units
from comptoir.core.quantities import plain
from comptoir.pricing.events import SKUS_PER_EVENT, record_rebuild_changed
from comptoir.pricing.models import (
    MarketIndex,
    MarketIndexValue,
    Price,
    PriceAttribute,
    PriceAttributeValue,
    PriceChange,
    PriceList,
    PriceRule,
    PriceSource,
    RoundingDirection,
)

logger = logging.getLogger(__name__)

# Product values a formula reads besides the price attributes (MSRP, MAP...).
PRODUCT_FIELDS = ("weight_kg",)
# Products handled together: each batch costs a few queries, whatever its size.
BATCH_SIZE = 20_000
MAX_PRICE = Decimal("1e15")


class RuleError(DomainError):
    code = "invalid_rule"
    status = 422


def vocabulary() -> Vocabulary:
    """What formulas may name today: product values, price lists and indexes."""
    return Vocabulary(
        product_attributes=frozenset(PRODUCT_FIELDS)
        | frozenset(PriceAttribute.objects.values_list("field_name", flat=True)),
        price_lists=frozenset(PriceList.objects.values_list("name", flat=True)),
        indexes=frozenset(MarketIndex.objects.values_list("code", flat=True)),
    )


def check_rule(
    rule: PriceRule, *, words: Vocabulary | None = None
) -> tuple[Formula, Formula | None]:
    """The rule's compiled formula and condition; ``RuleError`` naming the field and the problem
    when one does not compile or the rule would make its price list depend on itself."""
    words = words or vocabulary()
    try:
        formula = compile_formula(rule.formula, words)
    except FormulaError as error:
        raise RuleError(f"Formula, {error.message}", code="invalid_formula") from None
    condition = None
    if rule.condition.strip():
        try:
            condition = compile_condition(rule.condition, words)
        except FormulaError as error:
            raise RuleError(f"Condition, {error.message}", code="invalid_condition") from None
    if condition is not None and condition.dependencies.price_lists:
        raise RuleError(
            "Condition: a condition compares product values and indexes, not prices; "
            "put pricelist[...] in the formula (as in 'a if condition else b')",
            code="invalid_condition",
        )
    if rule.price_list.name in formula.dependencies.price_lists:
        raise RuleError(
            f"Formula: a rule of '{rule.price_list.name}' cannot read "
            f'pricelist["{rule.price_list.name}"] itself',
            code="rule_cycle",
        )
    cycle = _cycle_through(rule, formula, words)
    if cycle:
        raise RuleError(
            "Formula: this rule makes price lists read each other in a circle ("
            + " reads ".join(cycle)
            + "); a list cannot be computed from itself",
            code="rule_cycle",
        )
    if rule.sku_pattern and not _SKU_PATTERN.fullmatch(rule.sku_pattern):
        raise RuleError(
            "SKU pattern: use letters, digits, '-', '_', '.', '/', and * or ? as wildcards",
            code="invalid_sku_pattern",
        )
    return formula, condition


_SKU_PATTERN = re.compile(r"[A-Za-z0-9_\-./*? ]+")


def _read_lists(formula_text: str, words: Vocabulary) -> frozenset[str]:
    try:
        return compile_formula(formula_text, words).dependencies.price_lists
    except FormulaError:
        return frozenset()


def dependency_graph(*, words: Vocabulary | None = None) -> dict[str, set[str]]:
    """For each price list name with rules, the names of the lists its rules read."""
    words = words or vocabulary()
    graph: dict[str, set[str]] = defaultdict(set)
    for list_name, formula in PriceRule.objects.values_list("price_list__name", "formula"):
        graph[list_name] |= _read_lists(formula, words)
    return graph


def _cycle_through(rule: PriceRule, formula: Formula, words: Vocabulary) -> list[str]:
    """The names along a circle the rule would close, or an empty list."""
    graph = dependency_graph(words=words)
    others = PriceRule.objects.filter(price_list_id=rule.price_list_id).exclude(pk=rule.pk)
    graph[rule.price_list.name] = {
        name
        for text in others.values_list("formula", flat=True)
        for name in _read_lists(text, words)
    } | set(formula.dependencies.price_lists)
    target = rule.price_list.name
    path: list[str] = []

    def walk(name: str, seen: set[str]) -> bool:
        path.append(name)
        for read in sorted(graph.get(name, ())):
            if read == target or (read not in seen and walk(read, seen | {read})):
                return True
        path.pop()
        return False

    if walk(target, {target}):
        return [*path, target]
    return []


def rebuild_order(
    graph: dict[str, set[str]], names: Iterable[str], *, with_names: bool = True
) -> list[str]:
    """Every list that depends on ``names``, and ``names`` themselves unless ``with_names`` is
    False, each after the lists it reads."""
    dependents: dict[str, set[str]] = defaultdict(set)
    for name, reads in graph.items():
        for read in reads:
            dependents[read].add(name)
    wanted: set[str] = set()
    stack = [dependent for name in names for dependent in dependents.get(name, ())]
    if with_names:
        stack.extend(names)
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            stack.extend(dependents.get(name, ()))
    ordered: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for read in sorted(graph.get(name, ())):
            if read in wanted:
                visit(read)
        ordered.append(name)

    for name in sorted(wanted):
        visit(name)
    return ordered


def round_price(
    value: Decimal,
    *,
    currency: str,
    step: Decimal | None = None,
    ending: Decimal | None = None,
    direction: str = RoundingDirection.NEAREST,
) -> Decimal:
    """``value`` rounded to a multiple of ``step`` plus ``ending`` (12.99 with step 1 and
    ending 0.99), in ``direction``; then to the currency's minor unit, half-up. Never below 0
    when ``value`` is not: rounding down past zero goes up instead."""
    cent = Decimal(1).scaleb(-minor_units(currency))
    step = step or cent
    ending = ending or Decimal(0)
    rounding = {
        RoundingDirection.UP: ROUND_CEILING,
        RoundingDirection.DOWN: ROUND_FLOOR,
    }.get(direction, ROUND_HALF_UP)
    with localcontext(FORMULA_CONTEXT):
        steps = ((value - ending) / step).quantize(Decimal(1), rounding=rounding)
        rounded = steps * step + ending
        if rounded < 0 <= value:
            # The smallest amount of the form steps * step + ending that is not negative.
            rounded = ending
        return rounded.quantize(cent, rounding=ROUND_HALF_UP)


@dataclass
class RebuildReport:
    """What one rebuild of one list did, and the slots its rules could not price, with why."""

    price_list: str
    products: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    broken_rules: dict[int, str] = field(default_factory=dict)
    # The products whose prices changed, kept while they are few enough to name in the
    # ``price_changed`` event; None once there are more.
    changed_product_ids: set[int] | None = field(default_factory=set)

    def skip(self, reason: str, sku: str) -> None:
        self.skipped[reason] += 1
        self.examples.setdefault(reason, sku)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed

    def summary(self) -> str:
        text = (
            f"{self.price_list}: {self.created} created, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )
        for reason, count in sorted(self.skipped.items()):
            text += f"; {count} not priced: {reason} (e.g. SKU {self.examples[reason]})"
        for problem in self.broken_rules.values():
            text += f"; {problem}, the prices it gave are kept: fix its formula"
        return text


@dataclass(frozen=True)
class _CompiledRule:
    rule: PriceRule
    formula: Formula
    condition: Formula | None
    category_ids: frozenset[int]
    brand_ids: frozenset[int]
    reads_lists: tuple[tuple[str, int], ...]  # (name, id) of the lists the formula reads

    def product_filter(self) -> Q:
        query = Q()
        if self.category_ids:
            query &= Q(category_id__in=self.category_ids)
        if self.brand_ids:
            query &= Q(brand_id__in=self.brand_ids)
        if self.rule.featured_only:
            query &= Q(is_featured=True)
        if self.rule.sku_pattern:
            query &= Q(sku__iregex=_glob_regex(self.rule.sku_pattern))
        return query


def _glob_regex(pattern: str) -> str:
    """A SKU pattern (``*`` any characters, ``?`` one) as a regular expression that both
    Python's and PostgreSQL's engines read the same way."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.strip()]
    return "^" + "".join(parts) + "$"


def _subtree(category_ids: Iterable[int]) -> frozenset[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found: set[int] = set()
    stack = list(category_ids)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children[pk])
    return frozenset(found)


def _compiled_rules(
    price_list: PriceList, words: Vocabulary, report: "RebuildReport | None" = None
) -> list[_CompiledRule]:
    """The active rules of ``price_list``, compiled, by priority. A rule that no longer
    compiles (a list or an index renamed or removed since) is left out, and noted in
    ``report.broken_rules``: the prices it gave are kept until it is fixed."""
    list_ids = dict(PriceList.objects.values_list("name", "pk"))
    compiled = []
    rules = (
        price_list.rules.filter(is_active=True)
        .prefetch_related("categories", "brands")
        .order_by("priority", "pk")
    )
    for rule in rules:
        rule.price_list = price_list
        try:
            formula = compile_formula(rule.formula, words)
            condition = (
                compile_condition(rule.condition, words) if rule.condition.strip() else None
            )
        except FormulaError as error:
            logger.warning("Price rule %s is skipped: %s", rule, error.message)
            if report is not None:
                report.broken_rules[rule.pk] = f"rule '{rule.name}' is skipped: {error.message}"
            continue
        compiled.append(
            _CompiledRule(
                rule=rule,
                formula=formula,
                condition=condition,
                category_ids=_subtree(c.pk for c in rule.categories.all()),
                brand_ids=frozenset(b.pk for b in rule.brands.all()),
                reads_lists=tuple(
                    (name, list_ids[name]) for name in sorted(formula.dependencies.price_lists)
                ),
            )
        )
    return compiled


def index_values(at: datetime | None = None) -> dict[str, Decimal]:
    """Each market index's value in force at ``at`` (now by default), by code."""
    at = at or timezone.now()
    values: dict[str, Decimal] = {}
    rows = (
        MarketIndexValue.objects.filter(effective_at__lte=at)
        .order_by("index__code", "-effective_at")
        .values_list("index__code", "value")
    )
    for code, value in rows:
        values.setdefault(code, value)
    return values


class _Batch:
    """What the rules of one list need for a batch of products, read in a few queries."""

    def __init__(
        self,
        price_list: PriceList,
        product_ids: list[int],
        *,
        read_list_ids: set[int],
        attribute_names: set[str],
        needs_facts: bool,
        needs_units: bool,
    ) -> None:
        self.price_list = price_list
        self.product_ids = product_ids
        self.low, self.high = product_ids[0], product_ids[-1]
        in_batch = "product_id BETWEEN %s AND %s"
        price = _table(Price)
        # (list id, product id) -> {unit id: [(quantity, value), ...] ascending}
        self.read_prices: dict[tuple[int, int], dict[int, list[tuple[Decimal, Decimal]]]] = {}
        if read_list_ids:
            marks = ", ".join(["%s"] * len(read_list_ids))
            rows = _fetch(
                f"SELECT price_list_id, product_id, unit_id, quantity, value FROM {price} "
                f"WHERE price_list_id IN ({marks}) AND {in_batch} "
                "ORDER BY price_list_id, product_id, unit_id, quantity",
                [*read_list_ids, self.low, self.high],
            )
            read = self.read_prices
            exact = connection.vendor == "postgresql"
            for list_id, product_id, unit_id, quantity, value in rows:
                by_unit = read.get((list_id, product_id))
                if by_unit is None:
                    by_unit = read[list_id, product_id] = {}
                tiers = by_unit.get(unit_id)
                if tiers is None:
                    tiers = by_unit[unit_id] = []
                if exact:
                    tiers.append((quantity, value))
                else:
                    tiers.append((_decimal(quantity), _decimal(value)))
        # (product id, unit id, quantity) -> (price id, value, source, rule id)
        rows = _fetch(
            f"SELECT product_id, unit_id, quantity, id, value, source, rule_id FROM {price} "
            f"WHERE price_list_id = %s AND {in_batch}",
            [price_list.pk, self.low, self.high],
        )
        if connection.vendor == "postgresql":
            self.current = {row[:3]: row[3:] for row in rows}
        else:
            self.current = {
                (product_id, unit_id, _decimal(quantity)): (pk, _decimal(value), source, rule_id)
                for product_id, unit_id, quantity, pk, value, source, rule_id in rows
            }
        self.primary_units: dict[int, int] = {}
        if needs_units:
            self.primary_units = dict(
                _fetch(
                    f"SELECT product_id, unit_id FROM {_table(ProductUnit)} "
                    f"WHERE is_primary AND {in_batch}",
                    [self.low, self.high],
                )
            )
        self.facts: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
        if needs_facts:
            columns = ", ".join(PRODUCT_FIELDS)
            for pk, *values in _fetch(
                f"SELECT id, {columns} FROM {_table(Product)} WHERE id BETWEEN %s AND %s",
                [self.low, self.high],
            ):
                self.facts[pk] = {
                    name: None if value is None else _decimal(value)
                    for name, value in zip(PRODUCT_FIELDS, values, strict=True)
                }
        self.attributes: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
        if attribute_names:
            rows = PriceAttributeValue.objects.filter(
                product_id__gte=self.low,
                product_id__lte=self.high,
                attribute__field_name__in=attribute_names,
                currency=price_list.currency,
            ).values_list("product_id", "unit_id", "attribute__field_name", "value")
            for product_id, unit_id, name, value in rows.order_by():
                self.attributes[product_id, unit_id][name] = value
        self._skus: dict[int, str] | None = None

    def sku(self, product_id: int) -> str:
        """The SKU of a product of the batch, for reports (read when first needed)."""
        if self._skus is None:
            self._skus = dict(
                Product.objects.filter(pk__gte=self.low, pk__lte=self.high).values_list(
                    "pk", "sku"
                )
            )
        return self._skus.get(product_id, str(product_id))


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _decimal(value) -> Decimal:
    """A number as the database gave it (SQLite keeps decimals as floats) as a Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _tier_value(tiers: list[tuple[Decimal, Decimal]], quantity: Decimal) -> Decimal | None:
    """The value of the highest tier not above ``quantity``, as the resolver picks it."""
    found = None
    for tier_quantity, value in tiers:
        if tier_quantity > quantity:
            break
        found = value
    return found


def _slots(
    compiled: _CompiledRule, batch: _Batch, product_id: int
) -> Iterator[tuple[int, Decimal, dict[str, Decimal]]]:
    """(unit id, tier quantity, values of the lists read) for each price the rule gives."""
    rule = compiled.rule
    if not compiled.reads_lists:
        unit_id = rule.unit_id or batch.primary_units.get(product_id)
        if unit_id is not None:
            yield unit_id, rule.quantity if rule.quantity is not None else Decimal(1), {}
        return
    if len(compiled.reads_lists) == 1 and rule.unit_id is None and rule.quantity is None:
        # The usual rule, one list read tier by tier: no merging of slots to do.
        name, list_id = compiled.reads_lists[0]
        for unit_id, tiers in batch.read_prices.get((list_id, product_id), {}).items():
            for quantity, value in tiers:
                yield unit_id, quantity, {name: value}
        return
    read = [
        (name, batch.read_prices.get((list_id, product_id)))
        for name, list_id in compiled.reads_lists
    ]
    slots: set[tuple[int, Decimal]] = set()
    for _, by_unit in read:
        for unit_id, tiers in (by_unit or {}).items():
            if rule.unit_id is None or unit_id == rule.unit_id:
                if rule.quantity is None:
                    slots.update((unit_id, quantity) for quantity, _ in tiers)
                else:
                    slots.add((unit_id, rule.quantity))
    for unit_id, quantity in sorted(slots):
        values = {}
        for name, by_unit in read:
            value = _tier_value((by_unit or {}).get(unit_id, []), quantity)
            if value is not None:
                values[name] = value
        yield unit_id, quantity, values


class _Row:
    """What a formula reads for one price; ``FormulaValues`` reused along a batch."""

    __slots__ = ("indexes", "price_lists", "product")

    def __init__(self, indexes: dict[str, Decimal]) -> None:
        self.indexes = indexes
        self.product: dict = {}
        self.price_lists: dict = {}


def _rounder(rule: PriceRule, currency: str) -> Callable[[Decimal], Decimal]:
    """``round_price`` with the rule's settings, fast for the usual rounding to the cent."""
    if rule.round_step is None and not rule.round_ending:
        cent = Decimal(1).scaleb(-minor_units(currency))
        return lambda value: value.quantize(cent, rounding=ROUND_HALF_UP)
    return lambda value: round_price(
        value,
        currency=currency,
        step=rule.round_step,
        ending=rule.round_ending,
        direction=rule.round_direction,
    )


def _rule_prices(
    compiled: _CompiledRule,
    batch: _Batch,
    product_ids: Iterable[int],
    indexes: dict[str, Decimal],
    currency: str,
    report: RebuildReport,
    taken: dict,
) -> Iterator[tuple[int, int, Decimal, Decimal]]:
    """(product id, unit id, quantity, rounded value) for each price ``compiled`` gives to a
    slot not ``taken`` by a rule before it.

    A condition that cannot be worked out for a product (a value it compares is missing)
    leaves the product out. Runs inside ``FORMULA_CONTEXT`` (see ``rebuild``).
    """
    name = compiled.rule.name
    evaluate = compiled.formula.in_context()
    condition = compiled.condition.in_context() if compiled.condition is not None else None
    rounded = _rounder(compiled.rule, currency)
    attributes = batch.attributes
    values = _Row(indexes)
    for product_id in product_ids:
        facts = batch.facts[product_id]
        for unit_id, quantity, list_values in _slots(compiled, batch, product_id):
            if (product_id, unit_id, quantity) in taken:
                continue
            extra = attributes.get((product_id, unit_id))
            values.product = {**facts, **extra} if extra else facts
            values.price_lists = list_values
            if condition is not None:
                try:
                    if not condition(values):
                        continue
                except FormulaError:
                    continue
            try:
                raw = evaluate(values)
            except FormulaError as error:
                report.skip(f"rule '{name}': {error.problem}", batch.sku(product_id))
                continue
            if raw < 0:
                report.skip(f"rule '{name}' gives a negative price", batch.sku(product_id))
                continue
            try:
                value = rounded(raw) if raw < MAX_PRICE else MAX_PRICE
            except DecimalException:
                value = MAX_PRICE
            if value >= MAX_PRICE:
                report.skip(
                    f"rule '{name}' gives a price too large to keep", batch.sku(product_id)
                )
                continue
            yield product_id, unit_id, quantity, value


def rebuild(
    price_list: PriceList,
    *,
    product_ids: Iterable[int] | None = None,
    at: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> RebuildReport:
    """Write the prices the active rules of ``price_list`` give, for ``product_ids`` or all.

    ``progress`` is called with the number of products done after each batch.
    """
    at = at or timezone.now()
    report = RebuildReport(price_list=price_list.name)
    words = vocabulary()
    clock = _Clock(report.seconds)
    with transaction.atomic():
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
        compiled = _compiled_rules(price_list, words, report)
        indexes = index_values(at)
        read_list_ids = {list_id for item in compiled for _, list_id in item.reads_lists}
        attribute_names = {
            name
            for item in compiled
            for formula in (item.formula, item.condition)
            if formula is not None
            for name in formula.dependencies.product_attributes
        }
        needs_facts = bool(attribute_names & set(PRODUCT_FIELDS))
        attribute_names -= set(PRODUCT_FIELDS)
        needs_units = any(not item.reads_lists and item.rule.unit_id is None for item in compiled)
        for batch_ids in _batches(product_ids):
            clock.lap("other")
            batch = _Batch(
                price_list,
                batch_ids,
                read_list_ids=read_list_ids,
                attribute_names=attribute_names,
                needs_facts=needs_facts,
                needs_units=needs_units,
            )
            clock.lap("read")
            wanted: dict[tuple[int, int, Decimal], tuple[Decimal, int]] = {}
            with localcontext(FORMULA_CONTEXT):
                for item in compiled:
                    matching = _matching(item, batch_ids)
                    for product_id, unit_id, quantity, value in _rule_prices(
                        item, batch, matching, indexes, price_list.currency, report, wanted
                    ):
                        wanted[product_id, unit_id, quantity] = (value, item.rule.pk)
            clock.lap("compute")
            _write(price_list, batch, wanted, at, report)
            clock.lap("write")
            report.products += len(batch_ids)
            if progress:
                progress(len(batch_ids))
        if report.changed:
            record_rebuild_changed(
                price_list, changed=report.changed, product_ids=report.changed_product_ids
            )
        clock.lap("other")
    clock.lap("commit")
    logger.info("Rebuilt %s", report.summary())
    return report


class _Clock:
    """Adds the seconds since its last lap to ``seconds[name]``: where a rebuild spends time."""

    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self.last
        self.last = now


def _batches(product_ids: Iterable[int] | None) -> Iterator[list[int]]:
    """Product ids to rebuild, ascending, in batches: those asked, or every product."""
    if product_ids is not None:
        ids = sorted(set(product_ids))
        for start in range(0, len(ids), BATCH_SIZE):
            yield ids[start : start + BATCH_SIZE]
        return
    last = 0
    while True:
        ids = list(
            Product.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _matching(item: _CompiledRule, batch_ids: list[int]) -> list[int]:
    query = item.product_filter()
    if not query:
        return batch_ids
    low, high = batch_ids[0], batch_ids[-1]
    found = set(
        Product.objects.filter(query, pk__gte=low, pk__lte=high)
        .order_by()
        .values_list("pk", flat=True)
    )
    return [pk for pk in batch_ids if pk in found]


def _write(
    price_list: PriceList,
    batch: _Batch,
    wanted: dict[tuple[int, int, Decimal], tuple[Decimal, int]],
    at: datetime,
    report: RebuildReport,
) -> None:
    """Insert, update and remove computed prices so the batch holds exactly ``wanted``."""
    in_batch = set(batch.product_ids)
    current = batch.current
    inserts, updates, removals, changes = [], [], [], []
    for slot, (value, rule_id) in wanted.items():
        found = current.get(slot)
        if found is None:
            row = (*slot, value, rule_id)
            inserts.append(row)
            changes.append(row)
        elif found[2] == PriceSource.MANUAL:
            continue
        elif found[1] == value and found[3] == rule_id:
            report.unchanged += 1
        else:
            updates.append((found[0], value, rule_id))
            changes.append((*slot, value, rule_id))
    for slot, (pk, _value, source, rule_id) in current.items():
        if (
            source == PriceSource.RULE
            and slot not in wanted
            and slot[0] in in_batch
            and rule_id not in report.broken_rules
        ):
            removals.append(pk)
            changes.append((*slot, None, None))
    _insert_computed(Price._meta.db_table, price_list.pk, inserts)
    _update_values(updates)
    for start in range(0, len(removals), 900):
        Price.objects.filter(pk__in=removals[start : start + 900]).delete()
    _insert_computed(PriceChange._meta.db_table, price_list.pk, changes, changed_at=at)
    report.created += len(inserts)
    report.updated += len(updates)
    report.removed += len(removals)
    if report.changed_product_ids is not None:
        report.changed_product_ids.update(product_id for product_id, *_ in changes)
        if len(report.changed_product_ids) > SKUS_PER_EVENT:
            report.changed_product_ids = None


_COLUMNS = ("price_list_id", "product_id", "unit_id", "quantity", "value", "source", "rule_id")


def _insert_computed(
    table: str,
    list_id: int,
    rows: list[tuple[int, int, Decimal, Decimal | None, int | None]],
    *,
    changed_at: datetime | None = None,
) -> None:
    """Insert computed prices (product, unit, quantity, value, rule) of a list, or their
    changes with ``changed_at``: with COPY on PostgreSQL, batched INSERTs elsewhere."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = _COLUMNS + (("changed_at",) if changed_at else ())
    names = ", ".join(quote(column) for column in columns)
    source = PriceSource.RULE.value
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"
            tail = (changed_at,) if changed_at else ()
            for start in range(0, len(rows), 5000):
                cursor.executemany(
                    sql,
                    [
                        (list_id, p, u, str(q), None if v is None else str(v), source, r, *tail)
                        for p, u, q, v, r in rows[start : start + 5000]
                    ],
                )
            return
        # COPY's text format; none of these values holds a tab, a newline or a backslash.
        end = f"\t{changed_at.isoformat()}\n" if changed_at else "\n"
        head = f"{list_id}\t"
        with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for start in range(0, len(rows), 20_000):
                copy.write(
                    "".join(
                        [
                            f"{head}{p}\t{u}\t{q}\t{'\\N' if v is None else v}\t{source}\t"
                            f"{'\\N' if r is None else r}{end}"
                            for p, u, q, v, r in rows[start : start + 20_000]
                        ]
                    )
                )


def _update_values(updates: list[tuple[int, Decimal, int]]) -> None:
    if not updates:
        return
    table = connection.ops.quote_name(Price._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS price_rebuild_update "
                "(id bigint PRIMARY KEY, value numeric(19, 4), rule_id bigint) ON COMMIT DROP"
            )
            cursor.execute("TRUNCATE price_rebuild_update")
            with cursor.copy("COPY price_rebuild_update (id, value, rule_id) FROM STDIN") as copy:
                for row in updates:
                    copy.write_row(row)
            cursor.execute(
                f"UPDATE {table} AS price SET value = changed.value, rule_id = changed.rule_id "
                "FROM price_rebuild_update AS changed WHERE price.id = changed.id"
            )
            return
        cursor.executemany(
            f"UPDATE {table} SET value = %s, rule_id = %s WHERE id = %s",
            [(str(value), rule_id, pk) for pk, value, rule_id in updates],
        )


def lists_with_rules() -> list[int]:
    """Ids of the price lists that have rules or hold computed prices."""
    with_rules = set(PriceRule.objects.values_list("price_list_id", flat=True))
    computed = Price.objects.filter(source=PriceSource.RULE).values_list(
        "price_list_id", flat=True
    )
    return sorted(with_rules | set(computed.distinct().order_by()))


def rebuild_lists(
    *,
    list_ids: Iterable[int] | None = None,
    product_ids: Iterable[int] | None = None,
    dependents_only: bool = False,
    progress: Callable[[PriceList, int, int], None] | None = None,
) -> list[RebuildReport]:
    """Rebuild ``list_ids`` (every list with rules when None) and the lists that depend on
    them, each after the lists it reads; with ``dependents_only``, not ``list_ids`` themselves
    (their prices changed by hand). ``progress(price_list, done, total)`` follows each batch."""
    graph = dependency_graph()
    lists = {price_list.pk: price_list for price_list in PriceList.objects.all()}
    by_name = {price_list.name: price_list for price_list in lists.values()}
    starts = lists_with_rules() if list_ids is None else list_ids
    names = rebuild_order(
        graph, [lists[pk].name for pk in starts if pk in lists], with_names=not dependents_only
    )
    product_ids = None if product_ids is None else sorted(set(product_ids))
    total = len(product_ids) if product_ids is not None else Product.objects.count()
    reports = []
    for name in names:
        price_list = by_name[name]
        done = 0

        def advance(count: int, price_list: PriceList = price_list) -> None:
            nonlocal done
            done += count
            if progress:
                progress(price_list, done, total)

        reports.append(rebuild(price_list, product_ids=product_ids, progress=advance))
    if product_ids is None:
        _mark_indexes_followed([by_name[name].pk for name in names])
    return reports


def _in_force() -> dict[str, datetime]:
    """When the value in force now of each index took effect, by code."""
    moments: dict[str, datetime] = {}
    rows = (
        MarketIndexValue.objects.filter(effective_at__lte=timezone.now())
        .order_by("index__code", "-effective_at")
        .values_list("index__code", "effective_at")
    )
    for code, moment in rows:
        moments.setdefault(code, moment)
    return moments


def _mark_indexes_followed(list_ids: list[int]) -> None:
    """The indexes read by ``list_ids`` were just read at the values in force now."""
    rebuilt = set(list_ids)
    for code, moment in _in_force().items():
        readers = lists_reading_index(code)
        if readers and rebuilt.issuperset(readers):
            MarketIndex.objects.filter(code=code).exclude(prices_follow=moment).update(
                prices_follow=moment
            )


def due_index_lists() -> list[int]:
    """The lists reading an index whose value in force changed since their last rebuild."""
    following = dict(MarketIndex.objects.values_list("code", "prices_follow"))
    due: set[int] = set()
    for code, moment in _in_force().items():
        if following.get(code) != moment:
            due.update(lists_reading_index(code))
    return sorted(due)


def lists_reading_index(code: str) -> list[int]:
    """Ids of the price lists whose rules read ``index[code]``."""
    words = vocabulary()
    found = set()
    for list_id, formula, condition in PriceRule.objects.values_list(
        "price_list_id", "formula", "condition"
    ):
        for text, compile_ in ((formula, compile_formula), (condition, compile_condition)):
            if not text.strip():
                continue
            try:
                if code in compile_(text, words).dependencies.indexes:
                    found.add(list_id)
            except FormulaError:
                continue
    return sorted(found)


@dataclass(frozen=True)
class RuleTrace:
    """How a rule computes one price from what it reads now: the inputs by the name the
    formula gives them, the exact result, and the result rounded as the rule rounds."""

    rule: PriceRule
    inputs: dict[str, Decimal]
    result: Decimal | None
    rounded: Decimal | None
    problem: str = ""

    @property
    def rounding(self) -> str:
        rule = self.rule
        if rule.round_step is None:
            return "half-up to the currency's minor unit"
        ending = f" ending in {plain(rule.round_ending)}" if rule.round_ending else ""
        step = plain(rule.round_step)
        return f"{rule.get_round_direction_display()} to a multiple of {step}{ending}"


def trace(rule: PriceRule, *, product: Product, unit_id: int, quantity: Decimal) -> RuleTrace:
    """What ``rule`` gives for ``product`` in ``unit_id`` at tier ``quantity``, and from what."""
    words = vocabulary()
    price_list = rule.price_list
    compiled = next((c for c in _compiled_rules(price_list, words) if c.rule.pk == rule.pk), None)
    if compiled is None:
        return RuleTrace(
            rule, {}, None, None, "the rule is inactive or its formula no longer compiles"
        )
    attribute_names = set(compiled.formula.dependencies.product_attributes) - set(PRODUCT_FIELDS)
    batch = _Batch(
        price_list,
        [product.pk],
        read_list_ids={list_id for _, list_id in compiled.reads_lists},
        attribute_names=attribute_names,
        needs_facts=True,
        needs_units=True,
    )
    indexes = index_values()
    for slot_unit, slot_quantity, list_values in _slots(compiled, batch, product.pk):
        if slot_unit != unit_id or slot_quantity != quantity:
            continue
        facts = {**batch.facts[product.pk], **batch.attributes.get((product.pk, unit_id), {})}
        dependencies = compiled.formula.dependencies
        inputs = {
            **{f'pricelist["{name}"].price': list_values[name] for name in sorted(list_values)},
            **{
                f"product.{name}": facts[name]
                for name in sorted(dependencies.product_attributes)
                if facts.get(name) is not None
            },
            **{
                f'index["{code}"]': indexes[code]
                for code in sorted(dependencies.indexes)
                if code in indexes
            },
        }
        values = FormulaValues(product=facts, price_lists=list_values, indexes=indexes)
        try:
            result = compiled.formula.evaluate(values)
        except FormulaError as error:
            return RuleTrace(rule, inputs, None, None, error.problem)
        rounded = round_price(
            result,
            currency=price_list.currency,
            step=rule.round_step,
            ending=rule.round_ending,
            direction=rule.round_direction,
        )
        return RuleTrace(rule, inputs, result, rounded)
    return RuleTrace(rule, {}, None, None, "the rule gives no price for this unit and tier now")
