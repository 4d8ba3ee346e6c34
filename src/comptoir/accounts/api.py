"""Account endpoints: who the token acts as, and the company's address book."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from comptoir.accounts.models import Address
from comptoir.accounts.scoping import visible_to
from comptoir.api.auth import acting_customer_user
from comptoir.api.errors import error_responses

router = Router()


class UserOut(Schema):
    email: str
    first_name: str
    last_name: str


class PaymentTermOut(Schema):
    label: str = Field(description='As shown to buyers: "net 30".')
    days: int


class CompanyOut(Schema):
    id: int
    name: str
    parent: str | None = Field(description="The parent company's name, for a subsidiary.")
    payment_term: PaymentTermOut | None


class MeOut(Schema):
    user: UserOut
    company: CompanyOut
    roles: list[str]


class AddressOut(Schema):
    id: int
    label: str
    name: str
    street: str
    street2: str
    city: str
    region: str
    postal_code: str
    country: str
    is_billing: bool
    is_shipping: bool
    is_default_billing: bool
    is_default_shipping: bool


@router.get("/me", response={200: MeOut, **error_responses(401)})
def me(request: HttpRequest):
    """The customer user the token acts as, its company, roles and payment term."""
    customer_user = acting_customer_user(request)
    company = customer_user.company
    term = company.payment_term
    return {
        "user": {
            "email": customer_user.user.email,
            "first_name": customer_user.user.first_name,
            "last_name": customer_user.user.last_name,
        },
        "company": {
            "id": company.pk,
            "name": company.name,
            "parent": company.parent.name if company.parent_id else None,
            "payment_term": {"label": term.label, "days": term.days} if term else None,
        },
        "roles": sorted(role.code for role in customer_user.roles.all()),
    }


@router.get("/addresses", response={200: list[AddressOut], **error_responses(401)})
def list_addresses(request: HttpRequest):
    """The company's address book, the default shipping address first."""
    return list(visible_to(acting_customer_user(request), Address.objects.all()))
