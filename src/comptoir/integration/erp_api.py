"""The ERP's batch endpoints: stock levels and prices, thousands of rows a call.

Each call needs an ``Idempotency-Key`` header: the same key sent again (a retry after a timeout)
gets the first answer back and changes nothing more. A call is all or nothing: when a row is
wrong, the answer lists every wrong row (its index and field) and nothing is written. Every
call carried out, refused ones too, is kept as a transfer job of the client, which the sync
monitor shows. The other batch endpoints (entities, order status, shipments, invoices) are in
``erp_entities_api`` and ``erp_orders_api`` and share ``idempotent`` and ``BadRows``.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models.functions import Upper
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema

from comptoir.api.auth import require_scope
from comptoir.api.errors import error_responses
from comptoir.catalog.models import Product, ProductUnit, normalize_sku
from comptoir.core.errors import DomainError
from comptoir.integration.erp_jobs import record_erp_job
from comptoir.integration.models import ApiClient, IdempotentRequest, Scope
from comptoir.inventory.services import (
    RowProblem,
    StockRow,
    check_stock_rows,
    set_stock_levels,
)
from comptoir.pricing.models import Price, PriceList
from comptoir.pricing.services import delete_prices, upsert_list_prices
from comptoir.pricing.tasks import schedule_rebuild

router = Router()

MAX_ROWS = 10_000
IDEMPOTENCY_HEADER = "Idempotency-Key"
# The longest key kept (``IdempotentRequest.key``).
IDEMPOTENCY_KEY_MAX_LENGTH = 100


class RowError(Schema):
    index: int | None = Field(
        description="The row's place in the list, from 0; null for the call as a whole."
    )
    field: str
    message: str


class BatchOut(Schema):
    created: int
    updated: int
    unchanged: int
    removed: int = 0


class StockLevelIn(Schema):
    sku: str
    warehouse: str
    quantity: Decimal = Field(description="In the product's primary unit.")


class StockLevelsIn(Schema):
    levels: list[StockLevelIn] = Field(max_length=MAX_ROWS)


class PriceIn(Schema):
    sku: str
    unit: str | None = Field(None, description="A unit code; the primary unit if left out.")
    quantity: Decimal = Field(Decimal(1), description="The tier: from this quantity up.")
    value: Decimal


class PricesIn(Schema):
    price_list: str
    mode: str = Field(
        "add_and_replace",
        description="add_and_replace: the prices named are set, the others kept; "
        "reset_and_add: the list's prices entered by hand for the products named that the "
        "call does not name are removed.",
    )
    prices: list[PriceIn] = Field(max_length=MAX_ROWS)


class BadRows(DomainError):
    code = "invalid_rows"
    status = 422

    def __init__(self, problems: list) -> None:
        super().__init__(
            f"{len(problems)} row problem{'' if len(problems) == 1 else 's'}: nothing was "
            "written; fix the rows listed and send the call again"
        )
        self.problems = problems


@dataclass(frozen=True)
class Batch:
    """What a batch call did: the answer to send, and its counts by entity for the call's job
    (created, updated, unchanged...)."""

    answer: dict
    counts: dict[str, dict[str, int]]
    # Values taken with a remark, kept in the job's report.
    warnings: list = field(default_factory=list)


def checked_idempotency_key(request: HttpRequest) -> str:
    """The call's ``Idempotency-Key``, or a DomainError saying what is wrong with it."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise DomainError(
            f"Send an {IDEMPOTENCY_HEADER} header (up to {IDEMPOTENCY_KEY_MAX_LENGTH} "
            "characters, a new one per call, the same one when you send a call again)",
            code="idempotency_key_missing",
        )
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise DomainError(
            f"The {IDEMPOTENCY_HEADER} header is {len(key)} characters long; at most "
            f"{IDEMPOTENCY_KEY_MAX_LENGTH} fit: send a shorter key (a UUID is 36 characters)",
            code="idempotency_key_too_long",
        )
    if any(not character.isprintable() for character in key):
        raise DomainError(
            f"The {IDEMPOTENCY_HEADER} header holds a control character; send a key of "
            "letters, digits and dashes (a UUID, for instance)",
            code="idempotency_key_invalid",
        )
    return key


def idempotent(
    request: HttpRequest,
    client: ApiClient,
    carry_out: Callable[[], Batch],
    *,
    entity: str,
    rows: int,
) -> JsonResponse:
    """Carry out the call once per ``Idempotency-Key``; a repeat gets the stored answer.

    Each call carried out is kept as a transfer job of ``entity`` (``rows`` rows) for the sync
    monitor, a refused one too: its rows' problems are its error report.
    """
    key = checked_idempotency_key(request)
    fingerprint = hashlib.sha256(
        request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
    ).hexdigest()
    stored = IdempotentRequest.objects.filter(client=client, key=key).first()
    if stored is None:
        started_at = timezone.now()
        refused = None
        try:
            with transaction.atomic():
                try:
                    batch = carry_out()
                except BadRows as error:
                    refused = error
                    transaction.set_rollback(True)
                else:
                    record_erp_job(
                        client=client,
                        entity=entity,
                        rows=rows,
                        counts=batch.counts,
                        warnings=batch.warnings,
                        started_at=started_at,
                    )
                    IdempotentRequest.objects.create(
                        client=client,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=200,
                        response=batch.answer,
                    )
        except IntegrityError:
            # The same key carried out meanwhile by another request: answer as it did.
            stored = IdempotentRequest.objects.get(client=client, key=key)
        else:
            if refused is None:
                return JsonResponse(batch.answer, status=200)
            record_erp_job(
                client=client,
                entity=entity,
                rows=rows,
                problems=refused.problems,
                started_at=started_at,
            )
            body = {
                "detail": refused.message,
                "code": refused.code,
                "errors": [
                    {"index": p.index, "field": p.field, "message": p.message}
                    for p in refused.problems
                ],
            }
            return JsonResponse(body, status=refused.status)
    if stored.fingerprint != fingerprint:
        raise DomainError(
            f"The {IDEMPOTENCY_HEADER} '{key}' was used for another call: use a new key for a "
            "new call",
            code="idempotency_key_reused",
        )
    response = JsonResponse(stored.response, status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


@router.post(
    "/erp/stock-levels",
    response={200: BatchOut, **error_responses(400, 401, 403, 422)},
    summary="Push stock levels",
)
def push_stock_levels(request: HttpRequest, body: StockLevelsIn):
    """Set the stock of products in warehouses (unknown warehouse codes are created)."""
    client = require_scope(request, Scope.STOCK_WRITE)
    rows = [StockRow(level.sku, level.warehouse, level.quantity) for level in body.levels]

    def carry_out() -> Batch:
        _, problems = check_stock_rows(rows)
        if problems:
            raise BadRows(problems)
        counts = {str(status): count for status, count in set_stock_levels(rows).items()}
        return Batch(answer={**counts, "removed": 0}, counts={"stock_levels": counts})

    return idempotent(request, client, carry_out, entity="stock_levels", rows=len(rows))


@router.post(
    "/erp/prices",
    response={200: BatchOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Push prices",
)
def push_prices(request: HttpRequest, body: PricesIn):
    """Set prices of one list (entered by hand: rules never overwrite them); the lists
    computed from it are rebuilt for the products named, in the background."""
    client = require_scope(request, Scope.PRICES_WRITE)
    if body.mode not in ("add_and_replace", "reset_and_add"):
        raise DomainError(
            f"mode '{body.mode}' is not add_and_replace or reset_and_add", code="invalid_mode"
        )
    price_list = PriceList.objects.filter(name__iexact=body.price_list.strip()).first()
    if price_list is None:
        raise DomainError(
            f"No price list is named '{body.price_list.strip()[:100]}'", code="unknown_price_list"
        )

    def carry_out() -> Batch:
        tiers, problems = _check_prices(body.prices)
        if problems:
            raise BadRows(problems)
        counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
        for _, status in upsert_list_prices(price_list=price_list, tiers=tiers, rebuild=False):
            counts[str(status)] += 1
        products = {product.pk for product, _ in tiers}
        if body.mode == "reset_and_add":
            named = {
                (product.pk, unit.pk, quantity)
                for (product, unit), by_quantity in tiers.items()
                for quantity in by_quantity
            }
            stale = [
                price
                for price in Price.objects.filter(
                    price_list=price_list, product_id__in=products, source="manual"
                )
                if (price.product_id, price.unit_id, price.quantity) not in named
            ]
            counts["removed"] = delete_prices(stale)
        schedule_rebuild(list_ids=[price_list.pk], product_ids=products, dependents_only=True)
        return Batch(answer=counts, counts={"prices": counts})

    return idempotent(request, client, carry_out, entity="prices", rows=len(body.prices))


def _check_prices(prices: list[PriceIn]):
    wanted = {normalize_sku(price.sku).upper() for price in prices}
    products = {
        product.sku.upper(): product
        for product in Product.objects.annotate(key=Upper("sku")).filter(key__in=wanted)
    }
    units: dict[int, dict[str, ProductUnit]] = defaultdict(dict)
    for product_unit in ProductUnit.objects.filter(product__in=products.values()).select_related(
        "unit"
    ):
        units[product_unit.product_id][product_unit.unit.code.lower()] = product_unit
    tiers: dict[tuple, dict[Decimal, Decimal]] = defaultdict(dict)
    problems = []
    for index, price in enumerate(prices):
        product = products.get(normalize_sku(price.sku).upper())
        if product is None:
            problems.append(RowProblem(index, "sku", f"unknown SKU '{price.sku.strip()[:64]}'"))
            continue
        sold = units[product.pk]
        if price.unit:
            product_unit = sold.get(price.unit.strip().lower())
        else:
            product_unit = next((pu for pu in sold.values() if pu.is_primary), None)
        if product_unit is None:
            problems.append(
                RowProblem(
                    index,
                    "unit",
                    f"{product.sku} does not come in '{(price.unit or '').strip()[:20]}' "
                    f"(it comes in: {', '.join(sorted(sold)) or 'none'})",
                )
            )
            continue
        if not price.value.is_finite() or price.value < 0 or price.value >= Decimal("1e15"):
            problems.append(
                RowProblem(index, "value", "a price from 0 below 1,000,000,000,000,000")
            )
            continue
        if -price.value.normalize().as_tuple().exponent > 4:
            problems.append(RowProblem(index, "value", "at most 4 decimals"))
            continue
        if (
            not price.quantity.is_finite()
            or price.quantity < 0
            or price.quantity >= Decimal("1e11")
        ):
            problems.append(RowProblem(index, "quantity", "a tier quantity from 0"))
            continue
        tiers[product, product_unit.unit][price.quantity] = price.value
    return tiers, problems
