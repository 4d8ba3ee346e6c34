"""Quick order endpoints: preview pasted lines or a file, and add many lines to a list at once.

Handlers read the request and call ``ordering.quick_order``; a named shopping list is fetched
through ``accounts.scoping`` there, so another company's list answers 404 as a missing one.
"""

import json

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from comptoir.api.auth import acting_customer_user
from comptoir.api.errors import error_responses
from comptoir.api.formats import Quantity, money_text, quantity_text
from comptoir.core.errors import DomainError
from comptoir.ordering.quick_order import (
    QuickOrderLine,
    QuickOrderReport,
    add_quick_order_lines,
    preview_quick_order,
)
from comptoir.ordering.quick_order_reading import (
    MAX_LINES,
    EnteredLine,
    read_text,
    read_upload,
)

router = Router()

PREVIEW_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["text"],
                "properties": {
                    "text": {
                        "type": "string",
                        "description": "Lines of SKU, quantity and an optional unit, separated "
                        "by tabs, semicolons, commas or spaces.",
                        "examples": ["LAMP-1\t4\nCABLE-1;2,5;m"],
                    }
                },
            }
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A CSV (any common delimiter, UTF-8 or Windows-1252) "
                        "or XLSX file with the columns SKU, Quantity, Unit.",
                    }
                },
            }
        },
    },
}


class QuickOrderLineOut(Schema):
    line: int = Field(description="The line number in the text, the file or the list sent.")
    entered: str = Field(description="What was read on the line.")
    sku: str = Field(description="The SKU as entered.")
    product_sku: str | None = Field(description="The SKU of the product found.")
    name: str | None
    unit: str | None
    quantity: str | None = Field(description="With the merged lines' quantities added.")
    unit_price: str | None
    row_total: str | None
    price_list: str | None
    problem: str | None = Field(description="Why the line cannot be added, if it cannot.")
    code: str | None = Field(description='A stable code for the problem: "unknown_sku"...')
    suggestions: list[str] = Field(description="SKUs close to an unknown one.")
    merged_lines: list[int] = Field(description="Later lines of the same product and unit.")
    merged_into: int | None = Field(description="The earlier line this one was added to.")
    added: bool = Field(description="Whether the line went onto the shopping list.")
    in_stock: str | None = Field(
        description="What the warehouses hold, in the product's primary unit; null when the "
        "stock is not known."
    )
    availability: str | None = Field(description="In stock, only part, or out of stock.")


class QuickOrderReportOut(Schema):
    lines: list[QuickOrderLineOut]
    orderable_count: int = Field(description="Lines that can be (or were) added.")
    problem_count: int
    subtotal: str = Field(description="The row totals of the lines that can be added.")
    currency: str
    notes: list[str] = Field(description="Remarks on the whole paste, such as lines not read.")
    shopping_list_id: int | None = Field(description="The list the lines were added to.")


class BulkLineIn(Schema):
    sku: str
    quantity: Quantity
    unit: str | None = Field(None, description="A unit code or label; the primary unit if none.")


class BulkLinesIn(Schema):
    lines: list[BulkLineIn] = Field(max_length=MAX_LINES)


@router.post(
    "/quick-order/preview",
    response={200: QuickOrderReportOut, **error_responses(401, 422)},
    openapi_extra={"requestBody": PREVIEW_BODY},
)
def preview_quick_order_lines(request: HttpRequest):
    """Resolve pasted lines or an uploaded file: per line the product, unit, price, or why
    the line cannot be ordered. Changes nothing."""
    customer_user = acting_customer_user(request)
    report = preview_quick_order(customer_user=customer_user, entered=entered_lines_of(request))
    return report_out(report)


@router.post(
    "/cart/lines/bulk",
    response={200: QuickOrderReportOut, **error_responses(401, 404, 422)},
)
def add_cart_lines(request: HttpRequest, payload: BulkLinesIn):
    """Add many lines to the cart at once; lines with a problem are reported, not added."""
    report = add_quick_order_lines(
        customer_user=acting_customer_user(request), entered=bulk_lines(payload)
    )
    return report_out(report)


@router.post(
    "/shopping-lists/{shopping_list_id}/lines/bulk",
    response={200: QuickOrderReportOut, **error_responses(401, 404, 422)},
)
def add_shopping_list_lines(request: HttpRequest, shopping_list_id: int, payload: BulkLinesIn):
    """Add many lines to one of the caller's shopping lists at once, reporting the others."""
    report = add_quick_order_lines(
        customer_user=acting_customer_user(request),
        entered=bulk_lines(payload),
        shopping_list_id=shopping_list_id,
    )
    return report_out(report)


def entered_lines_of(request: HttpRequest):
    """The lines sent: a ``file`` of a multipart form, or ``text`` in JSON (or a form)."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is not None:
            return read_upload(upload.name or "", upload)
        text = request.POST.get("text")
    else:
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            body = None
        text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise DomainError(
            _(
                'Send the lines as JSON {"text": "..."} or upload a CSV or XLSX file in the '
                'multipart field "file"'
            ),
            code="no_lines",
        )
    return read_text(text)


def bulk_lines(payload: BulkLinesIn) -> list[EnteredLine]:
    return [
        EnteredLine(
            number=number,
            sku=line.sku,
            quantity=line.quantity if isinstance(line.quantity, str) else str(line.quantity),
            unit=line.unit or "",
        )
        for number, line in enumerate(payload.lines, start=1)
    ]


def report_out(report: QuickOrderReport) -> dict:
    return {
        "lines": [line_out(line) for line in report.lines],
        "orderable_count": len(report.orderable_lines),
        "problem_count": len(report.problem_lines),
        "subtotal": money_text(report.subtotal, report.currency),
        "currency": report.currency,
        "notes": report.notes,
        "shopping_list_id": report.shopping_list.pk if report.shopping_list else None,
    }


def line_out(line: QuickOrderLine) -> dict:
    price = line.price
    return {
        "line": line.number,
        "entered": line.entered,
        "sku": line.sku,
        "product_sku": line.product.sku if line.product else None,
        "name": line.product.name if line.product else None,
        "unit": line.unit_code or None,
        "quantity": quantity_text(line.quantity) if line.quantity is not None else None,
        "unit_price": money_text(price.value, price.currency) if price else None,
        "row_total": (
            money_text(line.row_total, price.currency)
            if price and line.row_total is not None
            else None
        ),
        "price_list": price.price_list_name if price else None,
        "problem": line.problem or None,
        "code": line.code or None,
        "suggestions": line.suggestions,
        "merged_lines": line.merged_lines,
        "merged_into": line.merged_into,
        "added": line.added,
        "in_stock": quantity_text(line.in_stock) if line.in_stock is not None else None,
        "availability": line.availability or None,
    }
