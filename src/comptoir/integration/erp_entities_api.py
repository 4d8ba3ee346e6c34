"""The ERP pushes rows of an importable entity (products, companies, customer users...).

``POST /erp/{entity}`` takes the rows of the entity's CSV files as JSON objects, with the same
column names, and runs them through the same parse and apply as a file import, all or nothing:
a call with a bad row writes nothing and lists every problem with the row's index and column.
A row sets the columns it names and leaves the others as they are, as a partial file does.
"""

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from comptoir.api.auth import require_scope
from comptoir.api.errors import error_responses
from comptoir.core.errors import NotFound
from comptoir.integration.erp_api import MAX_ROWS, BadRows, Batch, RowError, idempotent
from comptoir.integration.models import Scope
from comptoir.integration.report import Problem
from comptoir.integration.transfer.base import Entity
from comptoir.integration.transfer.entities.orders import ErpOrders
from comptoir.integration.transfer.registry import all_entities
from comptoir.integration.transfer.runner import run_import_rows
from comptoir.inventory.services import RowProblem

router = Router()

# The entities the ERP may push and the scope each needs. Prices have their own endpoint
# (``/erp/prices``), whose path this one cannot take.
ENTITY_SCOPES = {
    "categories": Scope.PRODUCTS_WRITE,
    "products": Scope.PRODUCTS_WRITE,
    "product_units": Scope.PRODUCTS_WRITE,
    "attributes": Scope.PRODUCTS_WRITE,
    "attribute_options": Scope.PRODUCTS_WRITE,
    "product_attribute_values": Scope.PRODUCTS_WRITE,
    "price_lists": Scope.PRICES_WRITE,
    "inventory": Scope.STOCK_WRITE,
    "companies": Scope.COMPANIES_WRITE,
    "addresses": Scope.COMPANIES_WRITE,
    "customer_users": Scope.USERS_WRITE,
    "orders": Scope.ORDERS_WRITE,
}
# The entities whose rows the ERP pushes are imported as its own changes, not a file's.
PUSHED_AS = {"orders": ErpOrders()}


class EntityRowsIn(Schema):
    rows: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ROWS,
        description="One object per row, keyed by the columns of the entity's CSV files "
        "(their template names them); values are text, numbers, true/false or null (empty).",
    )
    options: dict[str, str] = Field(
        default_factory=dict,
        description="The entity's import options, as `comptoir import --option` takes them.",
    )


class CountsOut(Schema):
    created: int
    updated: int
    unchanged: int


class EntityBatchOut(CountsOut):
    counts: dict[str, CountsOut] = Field(
        description="By entity, when rows also write others (an order's lines)."
    )
    warnings: list[RowError] = Field(description="Values taken with a remark.")


@router.post(
    "/erp/{entity}",
    response={200: EntityBatchOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Push rows of an entity",
)
def push_entity_rows(request: HttpRequest, entity: str, body: EntityRowsIn):
    """Create or update rows of `entity` (products, product_units, categories, companies,
    addresses, customer_users...), keyed by their business keys, with the columns of the
    entity's import files. Scopes: products:write for the catalog, companies:write for
    companies and addresses, users:write for customer users, orders:write for orders."""
    pushed = pushable_entity(entity)
    client = require_scope(request, ENTITY_SCOPES[pushed.name])

    def carry_out() -> Batch:
        report = run_import_rows(
            body.rows,
            entity=PUSHED_AS.get(pushed.name, pushed),
            source_name=f"{pushed.name} from {client.name}",
            options=body.options,
            all_or_nothing=True,
        )
        if report.errors:
            raise BadRows([_row_problem(problem) for problem in report.errors])
        counts = {
            name: {
                status: amount for status, amount in asdict(tally).items() if status != "rejected"
            }
            for name, tally in report.counts.items()
        }
        own = counts.get(pushed.name, {"created": 0, "updated": 0, "unchanged": 0})
        warnings = [_row_problem(problem) for problem in report.warnings]
        answer = {
            **own,
            "counts": counts,
            "warnings": [asdict(warning) for warning in warnings],
        }
        return Batch(answer=answer, counts=counts, warnings=warnings)

    return idempotent(request, client, carry_out, entity=pushed.name, rows=len(body.rows))


def pushable_entity(name: str) -> Entity:
    """The entity named ``name`` if the ERP may push it; NotFound listing those it may."""
    entities = all_entities()
    pushable = [entity for entity in entities if entity in ENTITY_SCOPES]
    wanted = name.strip().lower()
    if wanted not in pushable:
        raise NotFound(
            f"'{name.strip()[:50]}' is not an entity the ERP can push; push one of: "
            f"{', '.join(pushable)} (stock levels and prices have their own endpoints)",
            code="unknown_entity",
        )
    return entities[wanted]


def _row_problem(problem: Problem) -> RowProblem:
    return RowProblem(problem.line, problem.column or "", problem.message)
