"""Every write of pricing: price lists, their tier prices, assignments and price attributes.

Each function creates or updates one record from the values it is given, in one transaction,
and returns it with ``"created"``, ``"updated"`` or ``"unchanged"``. Values are compared before
anything is saved (12.5 equals 12.5000), so a second call with the same values writes nothing.
"""

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from comptoir.accounts.models import Company, CustomerGroup
from comptoir.catalog.models import Product, ProductUnit, Unit
from comptoir.core.errors import DomainError, excerpt
from comptoir.core.money import checked_currency
from comptoir.core.records import (
    CREATED,
    UNCHANGED,
    UpsertStatus,
    assign_changes,
    save_changes,
    upsert,
)
from comptoir.pricing.events import record_prices_changed
from comptoir.pricing.models import (
    MarketIndex,
    MarketIndexValue,
    Price,
    PriceAttribute,
    PriceAttributeValue,
    PriceChange,
    PriceList,
    PriceListAssignment,
    PriceRule,
    PriceSource,
)
from comptoir.pricing.rules import check_rule, lists_reading_index
from comptoir.pricing.tasks import schedule_product_rebuild, schedule_rebuild

logger = logging.getLogger(__name__)


def upsert_price_list(
    *, name: str, currency: str | None = None, is_active: bool = True
) -> tuple[PriceList, UpsertStatus]:
    """Create or update the price list ``name`` (matched ignoring case).

    ``currency`` is an ISO 4217 code; the default website's currency when None.
    """
    name = name.strip()
    if not name:
        raise DomainError("A price list needs a name", code="price_list_name_missing")
    currency = checked_currency(currency or settings.COMPTOIR_DEFAULT_CURRENCY)
    with transaction.atomic():
        return upsert(
            PriceList,
            match=Q(name__iexact=name),
            values={"name": name, "currency": currency, "is_active": is_active},
        )


def upsert_price(
    *,
    price_list: PriceList,
    product: Product,
    unit: Unit,
    value: Decimal,
    quantity: Decimal = Decimal(1),
    rebuild: bool = True,
) -> tuple[Price, UpsertStatus]:
    """Set what one ``unit`` of ``product`` costs on ``price_list`` from ``quantity`` units up.

    The price is then one entered by hand: rules never overwrite it. The lists computed from
    ``price_list`` are rebuilt for ``product`` after commit, unless ``rebuild`` is False (an
    import schedules one rebuild at its end).
    """
    if value < 0:
        raise DomainError(
            f"The price of SKU '{product.sku}' cannot be negative ({value})",
            code="price_negative",
        )
    if quantity < 0:
        raise DomainError(
            f"The tier quantity of SKU '{product.sku}' cannot be negative ({quantity})",
            code="tier_negative",
        )
    _check_unit(product, unit)
    with transaction.atomic():
        lock_price_list(price_list)
        price, status = upsert(
            Price,
            match={
                "price_list": price_list,
                "product": product,
                "unit": unit,
                "quantity": quantity,
            },
            values={"value": value, "source": PriceSource.MANUAL, "rule": None},
        )
        if status != UNCHANGED:
            record_price_changes([price])
            if rebuild:
                schedule_rebuild(
                    list_ids=[price_list.pk], product_ids=[product.pk], dependents_only=True
                )
    return price, status


def _check_unit(product: Product, unit: Unit) -> None:
    if not product.units.filter(unit=unit).exists():
        raise DomainError(
            f"SKU '{product.sku}' does not come in the unit '{unit.code}': add the unit to the "
            "product before pricing it",
            code="unit_not_sold",
        )


def lock_price_list(price_list: PriceList) -> None:
    """Wait for a rebuild of ``price_list`` running meanwhile; call inside a transaction."""
    PriceList.objects.select_for_update().filter(pk=price_list.pk).exists()


def record_price_changes(prices: Iterable[Price], *, removed: bool = False) -> None:
    """Keep the new values of ``prices`` (or their removal) in the price history, and tell
    other systems (``price_changed``)."""
    prices = list(prices)
    now = timezone.now()
    PriceChange.objects.bulk_create(
        PriceChange(
            price_list_id=price.price_list_id,
            product_id=price.product_id,
            unit_id=price.unit_id,
            quantity=price.quantity,
            value=None if removed else price.value,
            source=price.source,
            rule_id=None if removed else price.rule_id,
            changed_at=now,
        )
        for price in prices
    )
    record_prices_changed(prices, removed=removed)


def save_prices_by_hand(prices: Iterable[Price]) -> list[Price]:
    """Save prices edited in a form (the back office): they become prices entered by hand,
    which rules never overwrite, and the lists computed from theirs are rebuilt."""
    prices = list(prices)
    with transaction.atomic():
        for price in prices:
            price.source = PriceSource.MANUAL
            price.rule = None
            price.full_clean(validate_unique=False)
            price.save()
        record_price_changes(prices)
        by_list: dict[int, set[int]] = {}
        for price in prices:
            by_list.setdefault(price.price_list_id, set()).add(price.product_id)
        for list_id, product_ids in by_list.items():
            schedule_rebuild(list_ids=[list_id], product_ids=product_ids, dependents_only=True)
    return prices


def delete_prices(prices: Iterable[Price]) -> int:
    """Remove prices entered by hand or computed; rules then give those slots again."""
    prices = list(prices)
    with transaction.atomic():
        record_price_changes(prices, removed=True)
        Price.objects.filter(pk__in=[price.pk for price in prices]).delete()
        by_list: dict[int, set[int]] = {}
        for price in prices:
            by_list.setdefault(price.price_list_id, set()).add(price.product_id)
        for list_id, product_ids in by_list.items():
            schedule_rebuild(list_ids=[list_id], product_ids=product_ids)
    return len(prices)


def upsert_tier_prices(
    *,
    price_list: PriceList,
    product: Product,
    unit: Unit,
    tiers: Mapping[Decimal, Decimal],
    rebuild: bool = True,
) -> list[tuple[Price, UpsertStatus]]:
    """Set several tiers of one ``unit`` of ``product`` on ``price_list`` at once.

    ``tiers`` maps a tier quantity to its unit price; tiers it does not name are kept. The
    same as ``upsert_price`` for each tier, in one transaction and fewer queries.
    """
    return upsert_list_prices(
        price_list=price_list, tiers={(product, unit): tiers}, rebuild=rebuild
    )


def upsert_list_prices(
    *,
    price_list: PriceList,
    tiers: Mapping[tuple[Product, Unit], Mapping[Decimal, Decimal]],
    rebuild: bool = True,
) -> list[tuple[Price, UpsertStatus]]:
    """Set the tiers of many products and units of ``price_list`` (a batch from the ERP).

    ``tiers`` maps a product and unit to its tier quantities and their unit prices; tiers it
    does not name are kept. The prices become ones entered by hand; the changes go to the
    history and to one ``price_changed`` event per 500 of them.
    """
    for (product, _unit), by_quantity in tiers.items():
        for quantity, value in by_quantity.items():
            if value < 0 or quantity < 0:
                raise DomainError(
                    f"The price of SKU '{product.sku}' from {quantity} cannot be negative "
                    f"({value})",
                    code="price_negative",
                )
    sold = set(
        ProductUnit.objects.filter(product__in={product for product, _ in tiers}).values_list(
            "product_id", "unit_id"
        )
    )
    for product, unit in tiers:
        if (product.pk, unit.pk) not in sold:
            _check_unit(product, unit)
    with transaction.atomic():
        lock_price_list(price_list)
        existing = {
            (price.product_id, price.unit_id, price.quantity): price
            for price in Price.objects.select_for_update()
            .filter(price_list=price_list, product__in={product for product, _ in tiers})
            .order_by("pk")
        }
        results: list[tuple[Price, UpsertStatus]] = []
        new_prices = []
        for (product, unit), by_quantity in tiers.items():
            for quantity, value in by_quantity.items():
                price = existing.get((product.pk, unit.pk, quantity))
                if price is None:
                    price = Price(
                        price_list=price_list,
                        product=product,
                        unit=unit,
                        quantity=quantity,
                        value=value,
                        source=PriceSource.MANUAL,
                    )
                    new_prices.append(price)
                    results.append((price, CREATED))
                else:
                    changes = {"value": value, "source": PriceSource.MANUAL, "rule": None}
                    results.append((price, save_changes(price, assign_changes(price, changes))))
        Price.objects.bulk_create(new_prices)
        changed = [price for price, status in results if status != UNCHANGED]
        record_price_changes(changed)
        if changed and rebuild:
            schedule_rebuild(
                list_ids=[price_list.pk],
                product_ids={price.product_id for price in changed},
                dependents_only=True,
            )
    return results


def upsert_price_list_assignment(
    *,
    price_list: PriceList,
    company: Company | None = None,
    customer_group: CustomerGroup | None = None,
    sort_order: int = 100,
    merge_allowed: bool = True,
) -> tuple[PriceListAssignment, UpsertStatus]:
    """Put ``price_list`` in the chain of ``company``, of ``customer_group``, or (with neither)
    of the default website.

    The lowest ``sort_order`` has the highest priority (see ``pricing.queries``).
    """
    if company is not None and customer_group is not None:
        raise DomainError(
            "A price list is assigned to a company or to a customer group, not both",
            code="assignment_two_levels",
        )
    with transaction.atomic():
        assignment, status = upsert(
            PriceListAssignment,
            match={"price_list": price_list, "company": company, "customer_group": customer_group},
            values={"sort_order": sort_order, "merge_allowed": merge_allowed},
        )
    if status != UNCHANGED:
        logger.debug("price list assignment %s %s", assignment, status)
    return assignment, status


def upsert_price_attribute(
    *, name: str, field_name: str | None = None
) -> tuple[PriceAttribute, UpsertStatus]:
    """Create or update the price attribute ``name`` (MSRP, MAP), matched ignoring case."""
    name = name.strip()
    if not name:
        raise DomainError("A price attribute needs a name", code="price_attribute_name_missing")
    field_name = (field_name or "").strip() or slugify(name).replace("-", "_")
    with transaction.atomic():
        return upsert(
            PriceAttribute,
            match=Q(name__iexact=name),
            values={"name": name, "field_name": field_name},
        )


def upsert_price_attribute_value(
    *,
    attribute: PriceAttribute,
    product: Product,
    unit: Unit,
    value: Decimal,
    currency: str | None = None,
    rebuild: bool = True,
) -> tuple[PriceAttributeValue, UpsertStatus]:
    """Set the ``attribute`` price (an MSRP, a MAP) of one ``unit`` of ``product``."""
    if value < 0:
        raise DomainError(
            f"The {attribute.name} of SKU '{product.sku}' cannot be negative ({value})",
            code="price_negative",
        )
    currency = (currency or settings.COMPTOIR_DEFAULT_CURRENCY).strip().upper()
    with transaction.atomic():
        attribute_value, status = upsert(
            PriceAttributeValue,
            match={"attribute": attribute, "product": product, "unit": unit, "currency": currency},
            values={"value": value},
        )
        if status != UNCHANGED and rebuild:
            schedule_product_rebuild([product.pk])
    return attribute_value, status


def save_price_rule(
    rule: PriceRule,
    *,
    categories: Iterable | None = None,
    brands: Iterable | None = None,
    rebuild: bool = True,
) -> PriceRule:
    """Check and save ``rule`` (new or changed), then rebuild its list and the lists that
    depend on it, after commit (unless ``rebuild`` is False: the caller rebuilds). A formula
    or condition that does not compile, or a rule that would make lists depend on each other
    in a circle, raises ``RuleError`` and saves nothing."""
    check_rule(rule)
    with transaction.atomic():
        rule.full_clean(exclude=["categories", "brands"])
        rule.save()
        if categories is not None:
            rule.categories.set(categories)
        if brands is not None:
            rule.brands.set(brands)
        if rebuild:
            schedule_rebuild(list_ids=[rule.price_list_id])
    return rule


def delete_price_rule(rule: PriceRule) -> None:
    """Remove ``rule``; its list is rebuilt, so the prices only it gave go too."""
    with transaction.atomic():
        list_id = rule.price_list_id
        rule.delete()
        schedule_rebuild(list_ids=[list_id])


def upsert_market_index(
    *, code: str, name: str = "", unit: str = ""
) -> tuple[MarketIndex, UpsertStatus]:
    """Create the index ``code``, or update the one with that code in any case: its code's
    case, and its name and unit when given. Rules reading it follow a change of case."""
    code = code.strip()
    if not code or not _INDEX_CODE.fullmatch(code):
        raise DomainError(
            f"'{excerpt(code)}' is not an index code: use letters, digits, '_' and '-' only, "
            "as in COPPER_LME",
            code="index_code_invalid",
        )
    if len(code) > MarketIndex._meta.get_field("code").max_length:
        raise DomainError("An index code has at most 30 characters", code="index_code_long")
    with transaction.atomic():
        index = MarketIndex.objects.select_for_update().filter(code__iexact=code).first()
        if index is None:
            index = MarketIndex.objects.create(
                code=code, name=name.strip() or code, unit=unit.strip()
            )
            return index, CREATED
        values = {"code": code}
        if name.strip():
            values["name"] = name.strip()
        if unit.strip():
            values["unit"] = unit.strip()
        old_code = index.code
        status = save_changes(index, assign_changes(index, values))
        if old_code != index.code:
            rename_in_rules("index", old_code, index.code)
    return index, status


_INDEX_CODE = re.compile(r"[A-Za-z0-9_-]+")


def rename_in_rules(kind: str, old: str, new: str) -> int:
    """Make the rules reading ``pricelist["old"]`` (``kind`` "pricelist") or ``index["old"]``
    (``kind`` "index") read the new name; call after the rename, in its transaction. Returns
    how many rules changed."""
    reference = re.compile(rf"\b{kind}\s*\[\s*([\"'])" + re.escape(old) + r"\1\s*\]")
    replacement = f'{kind}["{new}"]'
    changed = 0
    for rule in PriceRule.objects.select_for_update().order_by("pk"):
        formula = reference.sub(replacement, rule.formula)
        condition = reference.sub(replacement, rule.condition)
        if (formula, condition) != (rule.formula, rule.condition):
            rule.formula, rule.condition = formula, condition
            rule.save(update_fields=["formula", "condition", "updated_at"])
            changed += 1
    if changed:
        logger.info("%s %s renamed %s: %s rules follow", kind, old, new, changed)
    return changed


def save_price_list(price_list: PriceList) -> PriceList:
    """Save ``price_list`` (new or changed): when renamed, the rules reading it follow."""
    with transaction.atomic():
        old_name = (
            PriceList.objects.filter(pk=price_list.pk).values_list("name", flat=True).first()
            if price_list.pk
            else None
        )
        price_list.full_clean()
        price_list.save()
        if old_name is not None and old_name != price_list.name:
            rename_in_rules("pricelist", old_name, price_list.name)
    return price_list


def save_market_index(index: MarketIndex) -> MarketIndex:
    """Save ``index`` (new or changed): when its code changes, the rules reading it follow."""
    with transaction.atomic():
        old_code = (
            MarketIndex.objects.filter(pk=index.pk).values_list("code", flat=True).first()
            if index.pk
            else None
        )
        index.full_clean()
        index.save()
        if old_code is not None and old_code != index.code:
            rename_in_rules("index", old_code, index.code)
    return index


class InvalidIndexValue(DomainError):
    code = "index_value_invalid"
    status = 422


def check_index_value(index: MarketIndex, effective_at: datetime, value: Decimal) -> None:
    """Refuse a value that is not a number or does not fit: 13 digits before the point, 6
    after."""
    when = f"{index.code} at {effective_at:%Y-%m-%d %H:%M}"
    if not value.is_finite():
        raise InvalidIndexValue(f"The value of {when} is not a number")
    if abs(value) >= Decimal("1e13"):
        raise InvalidIndexValue(
            f"The value of {when} is too large: at most 13 digits before the point"
        )
    if -value.normalize().as_tuple().exponent > 6:
        raise InvalidIndexValue(f"The value of {when} has more than 6 decimals")


def change_index_value(value: MarketIndexValue) -> MarketIndexValue:
    """Save an index value changed in place (its moment or its number); prices follow."""
    check_index_value(value.index, value.effective_at, value.value)
    with transaction.atomic():
        value.full_clean()
        value.save()
        schedule_rebuild(list_ids=lists_reading_index(value.index.code))
    return value


def delete_index_values(values: Iterable[MarketIndexValue]) -> int:
    """Remove index values; the prices computed from those indexes follow."""
    values = list(values)
    with transaction.atomic():
        for value in values:
            value.delete()
        codes = {value.index.code for value in values}
        schedule_rebuild(list_ids=[pk for code in codes for pk in lists_reading_index(code)])
    return len(values)


def record_index_values(
    index: MarketIndex, values: Iterable[tuple[datetime, Decimal]]
) -> dict[UpsertStatus, int]:
    """Set the index's value from each moment on (a value for the same moment is replaced);
    then the prices computed from it are rebuilt. Counts by created / updated / unchanged."""
    counts: dict[UpsertStatus, int] = {}
    changed_now = False
    now = timezone.now()
    with transaction.atomic():
        for effective_at, value in values:
            check_index_value(index, effective_at, value)
            _, status = upsert(
                MarketIndexValue,
                match={"index": index, "effective_at": effective_at},
                values={"value": value},
            )
            counts[status] = counts.get(status, 0) + 1
            changed_now |= status != UNCHANGED and effective_at <= now
        if changed_now:
            schedule_rebuild(list_ids=lists_reading_index(index.code))
    return counts
