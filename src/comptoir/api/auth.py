"""Who calls the API: a customer user named by a bearer token, an integration client (the
seller's ERP) by a token of its own, or a guest on public reads."""

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from comptoir.accounts.models import CustomerUser
from comptoir.accounts.tokens import authenticate_token
from comptoir.core.errors import PermissionDenied
from comptoir.integration.clients import CLIENT_MARK, authenticate_client
from comptoir.integration.models import ApiClient


class Guest:
    """The caller of a public endpoint who sent no token."""


GUEST = Guest()


NOT_AUTHENTICATED = "Authentication required: send an API token as 'Authorization: Bearer TOKEN'"


class InvalidToken(AuthenticationError):
    """Credentials were sent and are not ones the API accepts."""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer TOKEN`` for a customer user; ``optional`` lets guests in too.

    A token that is sent and refused is always a 401, even where guests are welcome, so that a
    client with a revoked token never silently reads the catalog as a guest.
    """

    def __init__(self, *, optional: bool = False) -> None:
        super().__init__()
        self.optional = optional

    def __call__(self, request: HttpRequest) -> CustomerUser | Guest | None:
        header = request.headers.get(self.header, "").strip()
        if not header:
            return GUEST if self.optional else None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise InvalidToken(message=f"{NOT_AUTHENTICATED}; got another kind of credentials")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> CustomerUser | ApiClient:
        if token.startswith(CLIENT_MARK):
            client = authenticate_client(token)
            if client is None:
                raise InvalidToken(
                    message="The integration client's token is not valid: it is unknown or "
                    "the client was switched off"
                )
            return client
        customer_user = authenticate_token(token)
        if customer_user is None:
            raise InvalidToken(
                message="The API token is not valid: it is unknown, revoked, or its user is "
                "inactive"
            )
        return customer_user


token_auth = TokenAuth()
token_or_guest_auth = TokenAuth(optional=True)
# Given as ``openapi_extra`` to endpoints open to guests: ninja appends it to the token
# requirement, and an empty requirement is how OpenAPI says "or no credentials at all".
GUESTS_WELCOME = {"security": [{}]}


def customer_user_of(request: HttpRequest) -> CustomerUser | None:
    """The customer user calling, or None for a guest."""
    caller = getattr(request, "auth", None)
    return caller if isinstance(caller, CustomerUser) else None


def acting_customer_user(request: HttpRequest) -> CustomerUser:
    """The customer user calling an endpoint that requires a token."""
    customer_user = customer_user_of(request)
    if customer_user is None:
        if client_of(request) is not None:
            raise PermissionDenied(
                "This endpoint acts as a customer user: call it with a customer user's token, "
                "not an integration client's",
                code="customer_user_only",
            )
        raise AuthenticationError(message=NOT_AUTHENTICATED)
    return customer_user


def client_of(request: HttpRequest) -> ApiClient | None:
    """The integration client calling, if it is one."""
    caller = getattr(request, "auth", None)
    return caller if isinstance(caller, ApiClient) else None


def require_scope(request: HttpRequest, scope: str) -> ApiClient:
    """The integration client calling, which must hold ``scope``; 403 for anyone else."""
    client = client_of(request)
    if client is None or not client.allows(scope):
        raise PermissionDenied(
            f"This endpoint is for integration clients with the scope '{scope}' "
            "(made with 'comptoir client create')",
            code="scope_required",
        )
    return client
