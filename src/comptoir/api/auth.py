"""Who calls the API: a customer user named by a bearer token, or a guest on public reads."""

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from comptoir.accounts.models import CustomerUser
from comptoir.accounts.tokens import authenticate_token


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

    def authenticate(self, request: HttpRequest, token: str) -> CustomerUser:
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
        raise AuthenticationError(message=NOT_AUTHENTICATED)
    return customer_user
