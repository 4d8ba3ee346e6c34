"""Why this price: the whole story of one price, for the back office and the API.

``explain_price`` prices a line with the resolver the storefront uses (``tiers_for`` and
``resolve``) and the totals pipeline the cart uses (``ordering.totals.compute_totals``), and
keeps every step: the chain of lists with their tiers, the tier chosen, the rule and its
inputs when a rule computed the price, the promotions applied and the tax. Nothing here
computes a price a second way; the rule's inputs are read again only to show them.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from comptoir.accounts.models import Company, CustomerUser
from comptoir.catalog.models import Product, ProductUnit, Unit
from comptoir.core.errors import NotFound, excerpt
from comptoir.core.money import round_money
from comptoir.core.quantities import check_quantity
from comptoir.pricing.models import PriceRule
from comptoir.pricing.queries import (
    ChainEntry,
    ResolvedPrice,
    Tier,
    chain_currency,
    price_list_chain,
    price_strategy,
    resolve,
    tiers_by_list,
    tiers_for,
)
from comptoir.pricing.rules import RuleTrace, trace


@dataclass(frozen=True)
class ListConsidered:
    """One list of the chain and what it holds for the product in the unit asked."""

    entry: ChainEntry
    tiers: tuple[Tier, ...]
    gave_the_price: bool


@dataclass(frozen=True)
class PriceExplanation:
    sku: str
    unit_code: str
    quantity: Decimal
    company: Company | None
    strategy: str
    currency: str
    at: datetime
    lists: tuple[ListConsidered, ...]
    resolved: ResolvedPrice | None
    rule: PriceRule | None
    rule_trace: RuleTrace | None
    totals: object | None  # ordering.totals.Totals of a cart holding only this line

    @property
    def unit_price(self) -> Decimal | None:
        return self.resolved.value if self.resolved else None

    @property
    def line(self):
        return self.totals.lines[0] if self.totals is not None and self.totals.lines else None

    def summary(self) -> str:
        """One paragraph a person reads: where the price came from."""
        who = self.company.name if self.company else "a guest"
        if self.resolved is None:
            return (
                f"No list in the chain of {who} prices {self.sku} in {self.unit_code} "
                f"for {self.quantity}."
            )
        tier = self.resolved.tier
        text = (
            f"{self.sku} x {self.quantity} {self.unit_code} for {who}: "
            f"{round_money(tier.value, tier.currency)} "
            f"{tier.currency} from {tier.price_list_name}, tier from {tier.quantity} "
            f"({self.strategy.replace('_', ' ')})"
        )
        if self.rule is not None:
            text += f"; computed by the rule '{self.rule.name}': {self.rule.formula}"
        return text + "."


def checked_quantity(product: Product, unit_code: str, quantity: Decimal) -> Decimal:
    """``quantity`` of ``unit_code`` as the cart would take it, or the cart's message."""
    return checked_line(product, unit_code, quantity)[1]


def checked_line(
    product: Product, unit_code: str, quantity: Decimal
) -> tuple[ProductUnit, Decimal]:
    """The product's unit named ``unit_code`` and ``quantity`` checked as the cart checks it."""
    product_unit = (
        None
        if "\x00" in unit_code
        else product.units.select_related("unit").filter(unit__code=unit_code).first()
    )
    if product_unit is None:
        raise NotFound(
            f"{product.sku} is not sold in the unit '{excerpt(unit_code)}'",
            code="unit_not_sold",
        )
    return product_unit, check_quantity(
        quantity, precision=product_unit.precision, unit_code=unit_code
    )


def explain_price(
    *,
    company: Company | None,
    product: Product,
    unit: Unit | str,
    quantity: Decimal,
    customer_user: CustomerUser | None = None,
) -> PriceExplanation:
    """Everything that makes what ``company`` pays for ``quantity`` ``unit`` of ``product``."""
    from comptoir.ordering.totals import LineInput, compute_totals

    unit_code = unit if isinstance(unit, str) else unit.code
    product_unit, quantity = checked_line(product, unit_code, quantity)
    at = timezone.now()
    chain = price_list_chain(company, at=at)
    currency = chain_currency(chain)
    tiers = tiers_for(company, [product], chain=chain).get(product.pk, [])
    resolved = resolve(
        product=product, unit_code=unit_code, quantity=quantity, tiers=tiers, chain=chain
    )
    own = tiers_by_list(chain, [product.pk])
    lists = tuple(
        ListConsidered(
            entry=entry,
            tiers=tuple(
                t
                for t in own.get((entry.price_list_id, product.pk), [])
                if t.unit_code == unit_code
            ),
            gave_the_price=resolved is not None
            and resolved.tier.price_list_id == entry.price_list_id,
        )
        for entry in chain
    )
    rule = rule_trace = None
    if resolved is not None and resolved.tier.rule_id is not None:
        rule = (
            PriceRule.objects.select_related("price_list").filter(pk=resolved.tier.rule_id).first()
        )
        if rule is not None:
            unit_id = product_unit.unit_id
            rule_trace = trace(
                rule, product=product, unit_id=unit_id, quantity=resolved.tier.quantity
            )
    totals = None
    if resolved is not None and company is not None:
        totals = compute_totals(
            company=company,
            customer_user=customer_user,
            lines=[
                LineInput(
                    key="line",
                    product=product,
                    unit_code=unit_code,
                    quantity=quantity,
                    unit_price=resolved.value,
                    row_total=round_money(resolved.value * quantity, resolved.currency),
                )
            ],
            currency=resolved.currency,
        )
    return PriceExplanation(
        sku=product.sku,
        unit_code=unit_code,
        quantity=quantity,
        company=company,
        strategy=price_strategy(),
        currency=currency,
        at=at,
        lists=lists,
        resolved=resolved,
        rule=rule,
        rule_trace=rule_trace,
        totals=totals,
    )
