"""Pricing in the API: why a price is what it is, and market index values pushed by the ERP."""

from datetime import UTC, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from comptoir.accounts.models import Company, CustomerUser
from comptoir.api.auth import acting_customer_user, client_of, require_scope
from comptoir.api.errors import error_responses
from comptoir.api.formats import money_text, quantity_text
from comptoir.catalog.models import Product
from comptoir.catalog.queries import audience_of, product_by_sku, visible_product_by_sku
from comptoir.core.errors import DomainError, NotFound, PermissionDenied, excerpt
from comptoir.core.quantities import parse_quantity, plain
from comptoir.integration.models import Scope
from comptoir.pricing.explain import PriceExplanation, checked_quantity, explain_price
from comptoir.pricing.models import MarketIndex
from comptoir.pricing.queries import price_at
from comptoir.pricing.rules import index_values
from comptoir.pricing.services import record_index_values

router = Router()


class ExplainQuery(Schema):
    sku: str
    unit: str | None = Field(
        None, description="A unit code; the product's primary unit if left out."
    )
    quantity: str = Field("1", description="How many units are bought, with a decimal point.")
    company: str | None = Field(
        None,
        description="Integration clients with the scope prices:explain name the company; "
        "a customer user always gets its own company's prices.",
    )


class TierOut(Schema):
    quantity: str
    value: str
    source: str = Field(description="manual (entered by hand) or rule (computed by a rule).")


class ListOut(Schema):
    price_list: str
    level: str = Field(description="company, group or website")
    sort_order: int
    merge_allowed: bool
    currency: str
    tiers: list[TierOut]
    gave_the_price: bool


class RuleOut(Schema):
    name: str
    formula: str
    priority: int
    inputs: dict[str, str] = Field(description="What the formula reads, as it stands now.")
    result: str | None = Field(description="The formula's exact result.")
    rounding: str
    rounded: str | None
    up_to_date: bool = Field(description="False while a rebuild is still to write the price.")
    problem: str


class DiscountOut(Schema):
    label: str
    amount: str
    level: str


class TaxOut(Schema):
    label: str
    rate: str
    base: str
    amount: str


class ExplanationOut(Schema):
    sku: str
    unit: str
    quantity: str
    company: str | None
    strategy: str
    currency: str
    unit_price: str | None
    price_list: str | None
    tier_quantity: str | None
    lists: list[ListOut]
    rule: RuleOut | None
    row_total: str | None
    discounts: list[DiscountOut] = Field(
        description="Promotions a cart holding only this line gets."
    )
    net: str | None
    taxes: list[TaxOut]
    tax_notes: list[str]
    total: str | None = Field(description="The line's net plus its tax.")
    summary: str


@router.get(
    "/prices/explain",
    response={200: ExplanationOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Why this price",
)
def explain_a_price(request: HttpRequest, query: Query[ExplainQuery]):
    """The chain of price lists, the tier chosen, the rule and its inputs, the promotions and
    the tax behind a price: what the storefront priced with, step by step."""
    company, customer_user = _whose_prices(request, query.company)
    product = _product(query.sku, company, customer_user)
    explanation = explain_price(
        company=company,
        product=product,
        unit=_unit_code(product, query.unit),
        quantity=parse_quantity(query.quantity),
        customer_user=customer_user,
    )
    return explanation_out(explanation)


class HistoryQuery(ExplainQuery):
    at: datetime = Field(description="The past moment (ISO 8601).")


class PastPriceOut(Schema):
    sku: str
    unit: str
    quantity: str
    company: str
    at: datetime
    unit_price: str | None
    currency: str | None
    price_list: str | None
    tier_quantity: str | None


@router.get(
    "/prices/history",
    response={200: PastPriceOut, **error_responses(400, 401, 403, 404, 422)},
    summary="The price at a past moment",
)
def price_at_a_moment(request: HttpRequest, query: Query[HistoryQuery]):
    """What the company paid at a past moment, from the price history of the lists in effect
    then (the company's assignments are today's)."""
    company, customer_user = _whose_prices(request, query.company)
    product = _product(query.sku, company, customer_user)
    try:
        at = query.at if timezone.is_aware(query.at) else timezone.make_aware(query.at)
        at.astimezone(UTC)
    except (OverflowError, ValueError):
        raise DomainError(
            f"'{query.at}' is out of range: give a moment between the years 1 and 9999 in UTC",
            code="moment_out_of_range",
        ) from None
    unit = _unit_code(product, query.unit)
    quantity = checked_quantity(product, unit, parse_quantity(query.quantity))
    resolved = price_at(company=company, product=product, unit=unit, quantity=quantity, at=at)
    return {
        "sku": product.sku,
        "unit": unit,
        "quantity": quantity_text(quantity),
        "company": company.name,
        "at": at,
        "unit_price": money_text(resolved.value, resolved.currency) if resolved else None,
        "currency": resolved.currency if resolved else None,
        "price_list": resolved.price_list_name if resolved else None,
        "tier_quantity": quantity_text(resolved.tier.quantity) if resolved else None,
    }


def _whose_prices(request: HttpRequest, named: str | None) -> tuple[Company, CustomerUser | None]:
    """The company whose prices are asked: the caller's own, or the one an integration client
    with the scope prices:explain names."""
    if client_of(request) is not None:
        require_scope(request, Scope.PRICES_EXPLAIN)
        if not named:
            raise DomainError(
                "Name the company whose price to explain: ?company=NAME",
                code="company_required",
            )
        company = (
            None if "\x00" in named else Company.objects.filter(name__iexact=named.strip()).first()
        )
        if company is None:
            raise NotFound(
                f"No company is named '{excerpt(named.strip())}'", code="unknown_company"
            )
        return company, None
    customer_user = acting_customer_user(request)
    if named and named.strip().lower() != customer_user.company.name.lower():
        raise PermissionDenied(
            "A customer user sees its own company's prices only: leave out 'company'",
            code="other_company",
        )
    return customer_user.company, customer_user


def _product(sku: str, company: Company, customer_user: CustomerUser | None) -> Product:
    """The product asked about: for a customer user, one its company may see."""
    if customer_user is None:
        return product_by_sku(sku)
    return visible_product_by_sku(sku, audience_of(company))


def _unit_code(product: Product, unit: str | None) -> str:
    if unit and unit.strip():
        return unit.strip()
    return product.primary_unit.unit.code if product.primary_unit else ""


def explanation_out(explanation: PriceExplanation) -> dict:
    currency = explanation.currency
    resolved = explanation.resolved
    totals, line = explanation.totals, explanation.line
    trace = explanation.rule_trace
    rule = None
    if explanation.rule is not None and trace is not None:
        rule = {
            "name": explanation.rule.name,
            "formula": explanation.rule.formula,
            "priority": explanation.rule.priority,
            "inputs": {name: str(plain(value)) for name, value in trace.inputs.items()},
            "result": None if trace.result is None else str(plain(trace.result)),
            "rounding": trace.rounding,
            "rounded": None if trace.rounded is None else money_text(trace.rounded, currency),
            "up_to_date": resolved is not None and trace.rounded == resolved.value,
            "problem": trace.problem,
        }
    return {
        "sku": explanation.sku,
        "unit": explanation.unit_code,
        "quantity": quantity_text(explanation.quantity),
        "company": explanation.company.name if explanation.company else None,
        "strategy": explanation.strategy,
        "currency": currency,
        "unit_price": money_text(resolved.value, currency) if resolved else None,
        "price_list": resolved.price_list_name if resolved else None,
        "tier_quantity": quantity_text(resolved.tier.quantity) if resolved else None,
        "lists": [
            {
                "price_list": considered.entry.price_list_name,
                "level": considered.entry.level,
                "sort_order": considered.entry.sort_order,
                "merge_allowed": considered.entry.merge_allowed,
                "currency": considered.entry.currency,
                "tiers": [
                    {
                        "quantity": quantity_text(tier.quantity),
                        "value": money_text(tier.value, tier.currency),
                        "source": tier.source,
                    }
                    for tier in considered.tiers
                ],
                "gave_the_price": considered.gave_the_price,
            }
            for considered in explanation.lists
        ],
        "rule": rule,
        "row_total": money_text(line.row_total, currency) if line else None,
        "discounts": [
            {"label": d.label, "amount": money_text(d.amount, currency), "level": str(d.level)}
            for d in (totals.discounts if totals else ())
        ],
        "net": money_text(line.net, currency) if line else None,
        "taxes": [
            {
                "label": tax.label,
                "rate": str(tax.rate),
                "base": money_text(tax.base, currency),
                "amount": money_text(tax.amount, currency),
            }
            for tax in (totals.tax_lines if totals else ())
        ],
        "tax_notes": list(line.tax_notes) if line else [],
        "total": money_text(line.net + line.tax_total, currency) if line else None,
        "summary": explanation.summary(),
    }


class IndexOut(Schema):
    code: str
    name: str
    unit: str
    value: str | None = Field(description="The value in force now.")


class IndexValueIn(Schema):
    effective_at: datetime = Field(
        description="From when the value applies (ISO 8601; without an offset, the shop's "
        "time zone)."
    )
    value: Decimal


class IndexValuesIn(Schema):
    values: list[IndexValueIn] = Field(max_length=10_000)


class IndexValuesOut(Schema):
    index: str
    created: int
    updated: int
    unchanged: int


@router.get("/indexes", response={200: list[IndexOut], **error_responses(401, 403)})
def list_indexes(request: HttpRequest):
    """Every market index with the value in force now (integration clients only)."""
    require_scope(request, Scope.INDEXES_WRITE)
    now_values = index_values()
    return [
        {"code": i.code, "name": i.name, "unit": i.unit, "value": _text(now_values.get(i.code))}
        for i in MarketIndex.objects.all()
    ]


@router.post(
    "/indexes/{code}/values",
    response={200: IndexValuesOut, **error_responses(401, 403, 404, 422)},
)
def record_values(request: HttpRequest, code: str, body: IndexValuesIn):
    """Record dated values of an index (a value for a moment already known replaces it); the
    prices computed from the index are rebuilt in the background."""
    require_scope(request, Scope.INDEXES_WRITE)
    index = (
        None if "\x00" in code else MarketIndex.objects.filter(code__iexact=code.strip()).first()
    )
    if index is None:
        known = ", ".join(MarketIndex.objects.values_list("code", flat=True)) or "none yet"
        raise NotFound(
            f"No market index has the code '{excerpt(code.strip())}' (known: {known})",
            code="unknown_index",
        )
    values = []
    for value in body.values:
        moment = value.effective_at
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        values.append((moment, value.value))
    counts = record_index_values(index, values)
    return {
        "index": index.code,
        "created": counts.get("created", 0),
        "updated": counts.get("updated", 0),
        "unchanged": counts.get("unchanged", 0),
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
