"""Prices: the price and special_price of the products file, and the tier prices of the
advanced pricing file, in price lists named after Magento.

- ``price`` is the price of one from 1 up on the list "Magento", which is assigned to the
  website: every buyer gets it unless a list before it in their chain prices the product.
- ``special_price`` goes to "Magento special prices", assigned to no one: the seller decides
  who gets it (with the minimal price strategy, a buyer it is assigned to pays the lower of the
  two, as in Magento). Its dates are not kept.
- A tier price for ALL GROUPS is a tier of "Magento"; one for a customer group is a tier of
  "Magento <group>", assigned to the customer group of that name (made if new). Tier prices
  for NOT LOGGED IN are left out: buyers log in. A Discount tier (a percentage) is taken off
  the product's price on "Magento" when it is imported, rounded half-up to the currency's minor
  unit: a later change of that price does not move it.

Every list is in the currency of the option currency (the store's base currency).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db.models import F

from comptoir.accounts.models import CustomerGroup
from comptoir.accounts.services import upsert_customer_group
from comptoir.catalog.models import normalize_sku
from comptoir.core.money import round_money
from comptoir.core.records import UNCHANGED, UpsertStatus
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.magento import layouts
from comptoir.integration.magento.products import CatalogPlan, Part, sold_rows
from comptoir.integration.magento.run import Lines, MagentoImport, Outcomes, Step, mapped_record
from comptoir.integration.report import Problem
from comptoir.integration.transfer.entities.pricing import Prices
from comptoir.integration.transfer.registry import get_entity
from comptoir.pricing.models import Price, PriceList, PriceListAssignment
from comptoir.pricing.services import upsert_price_list_assignment

PRODUCT_PRICE_COLUMNS = {"price_list": None, "quantity": None, "currency": None}
TIER_COLUMNS = {
    "price_list": "tier_price_customer_group",
    "quantity": "tier_price_qty",
    "price": "tier_price",
    "currency": "tier_price_website",
}


def import_price_lists(
    run: MagentoImport, file_name: str, lists: dict[str, int], *, columns: dict
) -> None:
    """The price lists ``lists`` names, each reported at the line it maps to."""
    records = (
        Record(
            file_name=file_name,
            line=line,
            number=line,
            values={"name": name, "currency": run.currency},
        )
        for name, line in lists.items()
    )
    run.import_entity(get_entity("price_lists"), records, file_name=file_name, columns=columns)


def assign_price_list(
    name: str, *, customer_group: CustomerGroup | None = None
) -> UpsertStatus | None:
    """Put the list ``name`` in the chain of ``customer_group`` (None: the website's) unless it
    is there already (an assignment the seller changed stays as it is); None when the list was
    not imported."""
    price_list = PriceList.objects.filter(name__iexact=name).first()
    if price_list is None:
        return None
    if PriceListAssignment.objects.filter(
        price_list=price_list, company=None, customer_group=customer_group
    ).exists():
        return UNCHANGED
    return upsert_price_list_assignment(price_list=price_list, customer_group=customer_group)[1]


class SpecialPrices(Prices):
    """The prices entity for the special prices of a products file, imported along with its
    prices, a part of the file at a time: a run of its own beside theirs (its own record of
    the prices met), its rows counted as prices."""

    name = "special_prices"


def product_price_steps(run: MagentoImport, plan: CatalogPlan) -> list[tuple[Step, str]]:
    """The steps of the price and special price of each product of the products file, each
    with the column it reads, once their price lists are imported and "Magento" assigned."""
    lists = {}
    if plan.has_prices:
        lists[layouts.BASE_PRICE_LIST] = 1
    if plan.has_special_prices:
        lists[layouts.SPECIAL_PRICE_LIST] = 1
    if not lists:
        return []
    import_price_lists(run, plan.file_name, lists, columns={"name": None, "currency": None})
    if plan.has_prices:
        _assign_to_website(run)
    if (
        plan.has_special_prices
        and not PriceListAssignment.objects.filter(
            price_list__name__iexact=layouts.SPECIAL_PRICE_LIST
        ).exists()
    ):
        run.warn(
            plan.file_name,
            1,
            f"the special prices go to the price list '{layouts.SPECIAL_PRICE_LIST}', assigned "
            "to no one yet: assign it to the website, customer groups or companies for buyers to "
            "get them",
            "special_price",
        )
    steps = []
    if plan.has_prices:
        step = Step(
            run,
            get_entity("prices"),
            file_name=plan.file_name,
            columns={**PRODUCT_PRICE_COLUMNS, "price": "price"},
        )
        steps.append((step, "price"))
    if plan.has_special_prices:
        step = Step(
            run,
            SpecialPrices(),
            file_name=plan.file_name,
            columns={**PRODUCT_PRICE_COLUMNS, "price": "special_price"},
            counted_as={SpecialPrices.name: "prices"},
        )
        steps.append((step, "special_price"))
    return steps


def price_records(run: MagentoImport, part: Part, column: str) -> Iterator[Record]:
    """The prices of ``column`` (price or special_price) of the products of ``part``."""
    name = layouts.BASE_PRICE_LIST if column == "price" else layouts.SPECIAL_PRICE_LIST
    for record, row in sold_rows(run, part):
        value = getattr(row, column)
        if value is not None:
            yield mapped_record(
                record,
                {
                    "price_list": name,
                    "sku": row.sku,
                    "price": str(value),
                    "currency": run.currency,
                },
            )


@dataclass(frozen=True)
class TierRow:
    sku: str
    # The customer group's name; empty for ALL GROUPS.
    group: str
    quantity: Decimal
    value: Decimal
    is_discount: bool

    @property
    def price_list(self) -> str:
        if not self.group:
            return layouts.BASE_PRICE_LIST
        return layouts.GROUP_PRICE_LIST.format(group=self.group)


@dataclass
class TierPlan:
    """What a first reading of an advanced pricing file found."""

    # The customer groups it prices (empty for ALL GROUPS), each by its first line.
    groups: dict[str, int]
    not_logged_in: Lines
    other_websites: Lines


def read_tier(fields: Fields, run: MagentoImport) -> TierRow | None:
    """The tier price of ``fields``; None for one the import leaves out (NOT LOGGED IN, or
    another website than the option website's)."""
    sku = fields.text("sku", required=True, max_length=64)
    website, currency = fields.text("tier_price_website", required=True), ""
    if website.endswith("]") and "[" in website:
        website, _, currency = website[:-1].rpartition("[")
    currency = currency.strip().upper() or run.currency
    if currency != run.currency:
        fields.error(
            "tier_price_website",
            f"the prices are in {currency} and the import's currency is {run.currency}; import "
            f"with --option currency={currency} (a price list holds one currency)",
        )
    group = fields.text("tier_price_customer_group", required=True, max_length=80)
    quantity = fields.decimal(
        "tier_price_qty", required=True, positive=True, max_decimals=3, max_digits=14
    )
    value = fields.decimal("tier_price", required=True, max_decimals=4, max_digits=19)
    value_type = fields.choice(
        "tier_price_value_type", layouts.VALUE_TYPES, default=layouts.VALUE_TYPES["fixed"]
    )
    is_discount = value_type == layouts.VALUE_TYPES["discount"]
    if is_discount and value is not None and value > 100:
        fields.error("tier_price", f"'{value}' is more than 100 percent off")
    if group.upper() == layouts.NOT_LOGGED_IN:
        return None
    website = website.strip().lower()
    if run.website and website not in (layouts.ALL_WEBSITES.lower(), run.website.lower()):
        return None
    return TierRow(
        sku=sku,
        group="" if group.upper() == layouts.ALL_GROUPS else group,
        quantity=quantity,  # type: ignore[arg-type]  # None only with an error noted
        value=value,  # type: ignore[arg-type]
        is_discount=is_discount,
    )


def import_advanced_pricing(run: MagentoImport, path: Path) -> None:
    """The tier prices of the advanced pricing file at ``path``."""
    plan = _scan(run, path)
    lists = {
        layouts.GROUP_PRICE_LIST.format(group=group) if group else layouts.BASE_PRICE_LIST: line
        for group, line in plan.groups.items()
    }
    import_price_lists(
        run,
        path.name,
        lists,
        columns={"name": "tier_price_customer_group", "currency": "tier_price_website"},
    )
    for group, line in plan.groups.items():
        if not group:
            _assign_to_website(run)
            continue

        def write(group: str = group) -> Outcomes:
            customer_group, status = upsert_customer_group(name=group)
            outcomes: Outcomes = [("customer groups", status)]
            assigned = assign_price_list(
                layouts.GROUP_PRICE_LIST.format(group=group), customer_group=customer_group
            )
            if assigned is not None:
                outcomes.append(("price list assignments", assigned))
            return outcomes

        run.save_row("customer groups", path.name, line, write)
    run.import_entity(
        get_entity("prices"), _tier_records(run, path), file_name=path.name, columns=TIER_COLUMNS
    )


def _assign_to_website(run: MagentoImport) -> None:
    status = assign_price_list(layouts.BASE_PRICE_LIST)
    if status is not None:
        run.report.count("price list assignments", status)


def _scan(run: MagentoImport, path: Path) -> TierPlan:
    plan = TierPlan(groups={}, not_logged_in=Lines(), other_websites=Lines())
    for record in run.records(path, layouts.ADVANCED_PRICING, quiet=False):
        fields = Fields(record)
        tier = read_tier(fields, run)
        if fields.problems:
            run.refuse(layouts.ADVANCED_PRICING.entity, fields.problems)
        elif tier is not None:
            plan.groups.setdefault(tier.group, record.line)
        elif fields.text("tier_price_customer_group").upper() == layouts.NOT_LOGGED_IN:
            plan.not_logged_in.add(record.line)
        else:
            plan.other_websites.add(record.line)
    if plan.not_logged_in.count:
        run.warn(
            path.name,
            None,
            f"tier prices for {layouts.NOT_LOGGED_IN} are not imported: buyers log in to see "
            f"prices ({plan.not_logged_in})",
            "tier_price_customer_group",
        )
    if plan.other_websites.count:
        run.warn(
            path.name,
            None,
            f"tier prices of other websites than {run.website} are not imported "
            f"({plan.other_websites})",
            "tier_price_website",
        )
    return plan


def _tier_records(run: MagentoImport, path: Path) -> Iterator[Record]:
    for record in run.records(path, layouts.ADVANCED_PRICING, quiet=True):
        if run.is_refused(record):
            continue
        tier = read_tier(Fields(record), run)
        if tier is None:
            continue
        value = tier.value
        if tier.is_discount:
            base = _base_price(tier.sku)
            if base is None:
                run.refuse(
                    "prices",
                    [
                        Problem(
                            file=record.file_name,
                            line=record.line,
                            column="tier_price",
                            message=f"a discount is taken off the price of SKU '{tier.sku}' on "
                            f"'{layouts.BASE_PRICE_LIST}', and it has none; import the products "
                            "file with its price first",
                        )
                    ],
                )
                continue
            value = round_money(base * (100 - tier.value) / 100, run.currency)
        yield mapped_record(
            record,
            {
                "price_list": tier.price_list,
                "sku": tier.sku,
                "quantity": str(tier.quantity),
                "price": str(value),
                "currency": run.currency,
            },
        )


def _base_price(sku: str) -> Decimal | None:
    """The price of one primary unit of ``sku`` from 1 up on the list "Magento"."""
    return (
        Price.objects.filter(
            price_list__name__iexact=layouts.BASE_PRICE_LIST,
            product__sku__iexact=normalize_sku(sku),
            quantity=1,
            product__units__is_primary=True,
            product__units__unit_id=F("unit_id"),
        )
        .values_list("value", flat=True)
        .first()
    )
