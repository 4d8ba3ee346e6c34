"""Every write of pricing: price lists, their tier prices, assignments and price attributes.

Each function creates or updates one record from the values it is given, in one transaction,
and returns it with ``"created"``, ``"updated"`` or ``"unchanged"``. Values are compared before
anything is saved (12.5 equals 12.5000), so a second call with the same values writes nothing.
"""

import logging
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from comptoir.accounts.models import Company, CustomerGroup
from comptoir.catalog.models import Product, Unit
from comptoir.core.errors import DomainError
from comptoir.core.money import checked_currency
from comptoir.core.records import (
    CREATED,
    UNCHANGED,
    UpsertStatus,
    assign_changes,
    save_changes,
    upsert,
)
from comptoir.pricing.models import (
    Price,
    PriceAttribute,
    PriceAttributeValue,
    PriceList,
    PriceListAssignment,
)

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
) -> tuple[Price, UpsertStatus]:
    """Set what one ``unit`` of ``product`` costs on ``price_list`` from ``quantity`` units up."""
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
    with transaction.atomic():
        return upsert(
            Price,
            match={
                "price_list": price_list,
                "product": product,
                "unit": unit,
                "quantity": quantity,
            },
            values={"value": value},
        )


def upsert_tier_prices(
    *,
    price_list: PriceList,
    product: Product,
    unit: Unit,
    tiers: Mapping[Decimal, Decimal],
) -> list[tuple[Price, UpsertStatus]]:
    """Set several tiers of one ``unit`` of ``product`` on ``price_list`` at once.

    ``tiers`` maps a tier quantity to its unit price; tiers it does not name are kept. The
    same as ``upsert_price`` for each tier, in one transaction and fewer queries.
    """
    for quantity, value in tiers.items():
        if value < 0 or quantity < 0:
            raise DomainError(
                f"The price of SKU '{product.sku}' from {quantity} cannot be negative ({value})",
                code="price_negative",
            )
    with transaction.atomic():
        existing = {
            price.quantity: price
            for price in Price.objects.select_for_update()
            .filter(price_list=price_list, product=product, unit=unit)
            .order_by("pk")
        }
        results: list[tuple[Price, UpsertStatus]] = []
        new_prices = []
        for quantity, value in tiers.items():
            price = existing.get(quantity)
            if price is None:
                price = Price(
                    price_list=price_list,
                    product=product,
                    unit=unit,
                    quantity=quantity,
                    value=value,
                )
                new_prices.append(price)
                results.append((price, CREATED))
            else:
                results.append(
                    (price, save_changes(price, assign_changes(price, {"value": value})))
                )
        Price.objects.bulk_create(new_prices)
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
) -> tuple[PriceAttributeValue, UpsertStatus]:
    """Set the ``attribute`` price (an MSRP, a MAP) of one ``unit`` of ``product``."""
    if value < 0:
        raise DomainError(
            f"The {attribute.name} of SKU '{product.sku}' cannot be negative ({value})",
            code="price_negative",
        )
    currency = (currency or settings.COMPTOIR_DEFAULT_CURRENCY).strip().upper()
    with transaction.atomic():
        return upsert(
            PriceAttributeValue,
            match={"attribute": attribute, "product": product, "unit": unit, "currency": currency},
            values={"value": value},
        )
