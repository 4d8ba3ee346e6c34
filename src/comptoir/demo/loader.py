"""Loads the demo data set (``comptoir.demo.data``) through the upsert services.

Every record goes through the service that owns it, so the demo is made the way an import
makes real data, and a second load finds every value already in place and writes nothing.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from comptoir.accounts.models import Address, Company, CustomerGroup, User
from comptoir.accounts.services import (
    upsert_address,
    upsert_company,
    upsert_customer_group,
    upsert_customer_user,
    upsert_payment_term,
)
from comptoir.catalog.models import Category, Product, Unit
from comptoir.catalog.services import (
    upsert_brand,
    upsert_category,
    upsert_product,
    upsert_product_unit,
    upsert_unit,
)
from comptoir.core.errors import DomainError
from comptoir.core.money import round_money
from comptoir.core.records import CREATED, UNCHANGED, UpsertStatus
from comptoir.demo import data
from comptoir.ordering.models import OrderSource
from comptoir.ordering.services import AddressCopy, HistoricalOrderLine, record_historical_order
from comptoir.pricing.models import PriceList
from comptoir.pricing.queries import price_for
from comptoir.pricing.rules import lists_with_rules
from comptoir.pricing.services import (
    upsert_list_prices,
    upsert_price_attribute,
    upsert_price_attribute_value,
    upsert_price_list,
    upsert_price_list_assignment,
)
from comptoir.pricing.tasks import schedule_rebuild

logger = logging.getLogger(__name__)

HUNDRED = Decimal(100)


@dataclass
class LoadSummary:
    """How many records of each kind a load created, updated or found unchanged."""

    counts: Counter[tuple[str, UpsertStatus]] = field(default_factory=Counter)

    def add(self, entity: str, status: UpsertStatus) -> None:
        self.counts[entity, status] += 1

    @property
    def entities(self) -> list[str]:
        return list(dict.fromkeys(entity for entity, _ in self.counts))

    def count(self, entity: str, status: UpsertStatus) -> int:
        return self.counts[entity, status]

    @property
    def changed(self) -> int:
        """Records created or updated; 0 when the demo data was already in place."""
        return sum(n for (_, status), n in self.counts.items() if status != UNCHANGED)


@dataclass
class _Loaded:
    """Records made so far, by the names the demo data uses for them."""

    units: dict[str, Unit] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    top_category_of: dict[str, str] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    groups: dict[str, CustomerGroup] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    price_lists: dict[str, PriceList] = field(default_factory=dict)


def load_demo() -> LoadSummary:
    """Create or update every record of the demo data set, in one transaction."""
    summary, loaded = LoadSummary(), _Loaded()
    with transaction.atomic():
        _load_catalog(summary, loaded)
        _load_accounts(summary, loaded)
        _load_prices(summary, loaded)
        _load_staff(summary)
        _load_orders(summary, loaded)
        # Prices and products are loaded whole: one rebuild of what rules compute, at the end.
        schedule_rebuild(list_ids=lists_with_rules())
    logger.info("demo data loaded: %s records created or updated", summary.changed)
    return summary


def _load_catalog(summary: LoadSummary, loaded: _Loaded) -> None:
    for unit_data in data.UNITS:
        unit, status = upsert_unit(
            code=unit_data.code,
            label=unit_data.label,
            default_precision=unit_data.default_precision,
        )
        loaded.units[unit.code] = unit
        summary.add("units", status)

    brands = {}
    for name in data.BRANDS:
        brands[name], status = upsert_brand(name=name)
        summary.add("brands", status)

    for position, top in enumerate(data.CATEGORIES, start=1):
        parent, status = upsert_category(
            name=top.name, description=top.description, sort_order=position * 10
        )
        summary.add("categories", status)
        for child_position, child_name in enumerate(top.children, start=1):
            child, status = upsert_category(
                name=child_name, parent=parent, sort_order=child_position * 10
            )
            summary.add("categories", status)
            loaded.categories[child_name] = child
            loaded.top_category_of[child_name] = top.name

    for product_data in data.PRODUCTS:
        product, status = upsert_product(
            sku=product_data.sku,
            name=product_data.name,
            unit=loaded.units[product_data.unit],
            precision=product_data.precision,
            description=product_data.description,
            specifications=product_data.specifications,
            category=loaded.categories[product_data.category],
            brand=brands[product_data.brand],
            is_featured=product_data.is_featured,
            is_new_arrival=product_data.is_new_arrival,
            rebuild=False,
        )
        loaded.products[product.sku] = product
        summary.add("products", status)
        for extra in product_data.extra_units:
            _, status = upsert_product_unit(
                product=product,
                unit=loaded.units[extra.code],
                precision=extra.precision,
                conversion_rate=extra.conversion_rate,
                is_sellable=extra.is_sellable,
            )
            summary.add("additional units", status)


def _load_accounts(summary: LoadSummary, loaded: _Loaded) -> None:
    terms = {}
    for label, days in data.PAYMENT_TERMS:
        terms[label], status = upsert_payment_term(label=label, days=days)
        summary.add("payment terms", status)

    for name in data.CUSTOMER_GROUPS:
        loaded.groups[name], status = upsert_customer_group(name=name)
        summary.add("customer groups", status)

    for company_data in data.COMPANIES:
        company, status = upsert_company(
            name=company_data.name,
            parent=loaded.companies[company_data.parent] if company_data.parent else None,
            customer_group=loaded.groups[company_data.customer_group],
            payment_term=terms[company_data.payment_term],
            tax_id=company_data.tax_id,
        )
        loaded.companies[company.name] = company
        summary.add("companies", status)
        for address in company_data.addresses:
            _, status = upsert_address(
                company=company,
                label=address.label,
                name=address.name,
                street=address.street,
                street2=address.street2,
                city=address.city,
                region=address.region,
                postal_code=address.postal_code,
                country=address.country,
                is_billing=address.is_billing,
                is_shipping=address.is_shipping,
                is_default_billing=address.is_default_billing,
                is_default_shipping=address.is_default_shipping,
            )
            summary.add("addresses", status)
        for user in company_data.users:
            _, status = upsert_customer_user(
                email=user.email,
                company=company,
                first_name=user.first_name,
                last_name=user.last_name,
                role_codes=[user.role],
                password=data.DEMO_PASSWORD,
            )
            summary.add("customer users", status)


def _load_prices(summary: LoadSummary, loaded: _Loaded) -> None:
    for list_data in data.PRICE_LISTS:
        price_list, status = upsert_price_list(name=list_data.name, currency=data.CURRENCY)
        loaded.price_lists[price_list.name] = price_list
        summary.add("price lists", status)
        for assignment in list_data.assignments:
            _, status = upsert_price_list_assignment(
                price_list=price_list,
                company=loaded.companies[assignment.company] if assignment.company else None,
                customer_group=(
                    loaded.groups[assignment.customer_group] if assignment.customer_group else None
                ),
                sort_order=assignment.sort_order,
                merge_allowed=assignment.merge_allowed,
            )
            summary.add("price list assignments", status)
        # A list's prices are written together, as an import's batch is: its changes are
        # told in one price_changed event, not one per price.
        tiers: dict[tuple[Product, Unit], dict[Decimal, Decimal]] = {}
        for product_data in data.PRODUCTS:
            unit_price = _list_unit_price(list_data, product_data, loaded)
            if unit_price is None:
                continue
            for unit_code, quantity, value in _tier_prices(product_data, unit_price):
                key = (loaded.products[product_data.sku], loaded.units[unit_code])
                tiers.setdefault(key, {})[quantity] = value
        for _, status in upsert_list_prices(price_list=price_list, tiers=tiers, rebuild=False):
            summary.add("prices", status)

    msrp, status = upsert_price_attribute(name="MSRP", field_name="msrp")
    summary.add("price attributes", status)
    for product_data in data.PRODUCTS:
        if product_data.msrp is None:
            continue
        _, status = upsert_price_attribute_value(
            attribute=msrp,
            product=loaded.products[product_data.sku],
            unit=loaded.units[product_data.unit],
            value=product_data.msrp,
            currency=data.CURRENCY,
            rebuild=False,
        )
        summary.add("MSRP values", status)


def _list_unit_price(
    list_data: data.PriceListData, product_data: data.ProductData, loaded: _Loaded
) -> Decimal | None:
    """The list's price of one primary unit of the product, or None if it does not cover it."""
    if list_data.own_prices:
        return list_data.own_prices.get(product_data.sku)
    top_category = loaded.top_category_of[product_data.category]
    if list_data.categories and top_category not in list_data.categories:
        return None
    return round_money(
        product_data.price * (HUNDRED - list_data.percent_off) / HUNDRED, data.CURRENCY
    )


def _tier_prices(
    product_data: data.ProductData, unit_price: Decimal
) -> list[tuple[str, Decimal, Decimal]]:
    """(unit, tier quantity, value) for the primary unit's tiers and each sellable pack unit."""
    prices = [
        (
            product_data.unit,
            quantity,
            round_money(unit_price * (HUNDRED - percent_off) / HUNDRED, data.CURRENCY),
        )
        for quantity, percent_off in data.TIERS
    ]
    pack_factor = (HUNDRED - data.PACK_DISCOUNT_PERCENT) / HUNDRED
    prices.extend(
        (
            extra.code,
            Decimal(1),
            round_money(unit_price * extra.conversion_rate * pack_factor, data.CURRENCY),
        )
        for extra in product_data.extra_units
        if extra.is_sellable
    )
    return prices


def _load_staff(summary: LoadSummary) -> None:
    """The demo's back-office login; an existing one is left as it is."""
    if User.objects.filter(email__iexact=data.STAFF_EMAIL).exists():
        summary.add("staff users", UNCHANGED)
        return
    User.objects.create_superuser(
        data.STAFF_EMAIL, data.DEMO_PASSWORD, first_name="Demo", last_name="Staff"
    )
    summary.add("staff users", CREATED)


def _load_orders(summary: LoadSummary, loaded: _Loaded) -> None:
    """Past orders, priced by each company's price lists as they stand in the demo data."""
    customer_users = {
        customer_user.user.email: customer_user
        for company in loaded.companies.values()
        for customer_user in company.customer_users.select_related("user")
    }
    for order_data in data.ORDERS:
        company = loaded.companies[order_data.company]
        lines = [_historical_line(company, line, loaded) for line in order_data.lines]
        subtotal = sum(
            (round_money(line.unit_price * line.quantity, data.CURRENCY) for line in lines),
            Decimal(0),
        )
        _, header_status, lines_status = record_historical_order(
            number=order_data.number,
            company=company,
            customer_user=customer_users[order_data.placed_by],
            status=order_data.status,
            shipping_status=order_data.shipping_status,
            currency=data.CURRENCY,
            subtotal=subtotal,
            total=subtotal,
            created_at=order_data.created_at,
            lines=lines,
            po_number=order_data.po_number,
            customer_notes=order_data.customer_notes,
            payment_term=company.payment_term.label if company.payment_term else "",
            billing_address=_default_address_copy(company, billing=True),
            shipping_address=_default_address_copy(company, billing=False),
            source=OrderSource.IMPORT,
        )
        summary.add("orders", header_status)
        summary.add("order lines, per order", lines_status)


def _historical_line(
    company: Company, line: data.OrderLineData, loaded: _Loaded
) -> HistoricalOrderLine:
    product = loaded.products[line.sku]
    price = price_for(company=company, product=product, unit=line.unit, quantity=line.quantity)
    if price is None:
        raise DomainError(
            f"Demo order line {line.sku} x {line.quantity} {line.unit} has no price for "
            f"{company.name}: the demo data is inconsistent",
            code="demo_data_inconsistent",
        )
    return HistoricalOrderLine(
        product=product,
        sku=product.sku,
        product_name=product.name,
        unit_code=line.unit,
        quantity=line.quantity,
        unit_price=price.value,
        price_list_name=price.price_list_name,
        tier_quantity=price.tier.quantity,
    )


def _default_address_copy(company: Company, *, billing: bool) -> AddressCopy | None:
    flag = "is_default_billing" if billing else "is_default_shipping"
    address = Address.objects.filter(company=company, **{flag: True}).first()
    if address is None:
        return None
    return AddressCopy(
        street=address.street,
        street2=address.street2,
        city=address.city,
        region=address.region,
        postal_code=address.postal_code,
        country=address.country,
        label=address.label,
        name=address.name,
    )
