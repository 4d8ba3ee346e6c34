"""Every API error is JSON: ``{"detail": what went wrong and what to do, "code": a stable code}``.

Domain errors carry their own status and code; the rest (bad JSON, invalid input, missing or
refused token, unknown endpoint, wrong method, a crash) are mapped here, so that a client never
has to parse HTML or a traceback.
"""

import functools
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from comptoir.api.auth import NOT_AUTHENTICATED
from comptoir.core.errors import DomainError

logger = logging.getLogger(__name__)

_CODES_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}
# Where ninja found a bad value, as a client calls it.
_SOURCES = {"body": "body", "query": "query parameter", "path": "path", "header": "header"}


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[FieldError] | None = None


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error statuses an endpoint may answer, for its OpenAPI description."""
    return dict.fromkeys(statuses, ErrorOut)


def error_body(detail: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "code": code, **extra}


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every exception raised in an endpoint of ``api`` with a JSON error."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
        return respond(request, error.status, error_body(error.message, error.code))

    @api.exception_handler(ValidationError)
    def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
        problems = [field_error(item) for item in error.errors]
        detail = "; ".join(f"{problem['field']}: {problem['message']}" for problem in problems)
        return respond(request, 422, error_body(detail, "invalid_input", errors=problems))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        if isinstance(error.__cause__, ValueError):
            # ninja wraps whatever its parser raised; a ValueError is a body that is not JSON.
            detail = f"The request body is not valid JSON: {error.__cause__}"
            return respond(request, 400, error_body(detail, "malformed_json"))
        detail = error.message
        if type(error) is AuthenticationError:
            detail = NOT_AUTHENTICATED
        code = _CODES_BY_STATUS.get(error.status_code, "error")
        return respond(request, error.status_code, error_body(detail, code))

    @api.exception_handler(RequestDataTooBig)
    def body_too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        detail = f"The request body is larger than {limit} bytes: send less in one request"
        return respond(request, 413, error_body(detail, "body_too_large"))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return respond(request, 404, error_body("Not found", "not_found"))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
        logger.exception("API request %s %s failed", request.method, request.path)
        detail = "The server failed to answer this request; it has been logged"
        return respond(request, 500, error_body(detail, "server_error"))


def field_error(item: dict[str, Any]) -> dict[str, str]:
    """One of ninja's validation errors as ``{"field": "quantity", "message": ...}``."""
    location = [str(part) for part in item.get("loc", ())]
    source = location[0] if location else ""
    # A body is read into one parameter whose name means nothing to the client.
    path = location[2:] if source == "body" else location[1:]
    field = ".".join(path) if path else _SOURCES.get(source, source) or "input"
    message = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
    if item.get("type") == "missing":
        message = "this field is required"
    if item.get("type") == "extra_forbidden":
        message = "this call takes no such field: remove it (the OpenAPI document lists them)"
    return {"field": field, "message": message}


def unknown_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """The answer for a path under the API that names no endpoint."""
    detail = f"There is no API endpoint at {request.path}; the list is in the OpenAPI document"
    return JsonResponse(error_body(detail, "not_found"), status=404)


def json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an endpoint view so that a method it does not take gets a JSON 405."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        detail = f"{request.method} is not allowed on {request.path}; use {allowed}"
        not_allowed = JsonResponse(
            error_body(detail, "method_not_allowed"), status=HTTPStatus.METHOD_NOT_ALLOWED
        )
        not_allowed["Allow"] = allowed
        return not_allowed

    return wrapper
