"""A row of the customers main file or of the customer addresses file, read: every value the
import cannot take is noted, with its column, on the row's ``Fields``."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from comptoir.core.countries import validate_country_code
from comptoir.integration.csvfiles import Fields

# A customer, as the two files name them: (website, e-mail), both in lower case.
CustomerKey = tuple[str, str]


@dataclass(frozen=True)
class AddressRow:
    customer: CustomerKey
    email: str
    company: str
    name: str
    street: str
    street2: str
    city: str
    region: str
    postal_code: str
    country: str
    is_default_billing: bool
    is_default_shipping: bool

    @property
    def place(self) -> tuple[str, ...]:
        """What finds the address in its company's address book (as the addresses entity
        compares places)."""
        return tuple(
            value.lower()
            for value in (
                self.street,
                self.street2,
                self.city,
                self.region,
                self.postal_code,
                self.country,
            )
        )


def read_address(fields: Fields) -> AddressRow:
    email = fields.text("_email", required=True, max_length=254)
    lines = [line.strip() for line in fields.raw("street").splitlines() if line.strip()]
    if not lines:
        fields.error("street", "is empty; an address needs its street")
    country = fields.text("country_id", required=True).upper()
    if country:
        try:
            validate_country_code(country)
        except ValidationError as error:
            fields.error("country_id", error.messages[0])
    name = " ".join(part for part in (fields.text("firstname"), fields.text("lastname")) if part)
    return AddressRow(
        customer=(fields.text("_website").lower(), email.lower()),
        email=email,
        company=" ".join(fields.text("company").split()),
        name=name,
        street=lines[0] if lines else "",
        street2=", ".join(lines[1:]),
        city=fields.text("city", required=True),
        region=fields.text("region"),
        postal_code=fields.text("postcode"),
        country=country,
        is_default_billing=fields.boolean("_address_default_billing_"),
        is_default_shipping=fields.boolean("_address_default_shipping_"),
    )


@dataclass(frozen=True)
class CustomerRow:
    customer: CustomerKey
    email: str
    first_name: str
    last_name: str
    group_id: int | None
    tax_id: str


def read_customer(fields: Fields) -> CustomerRow:
    email = fields.text("email", required=True, max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fields.error("email", f"'{email}' is not an e-mail address, as pat@example.com")
    return CustomerRow(
        customer=(fields.text("_website").lower(), email.lower()),
        email=email,
        first_name=fields.text("firstname"),
        last_name=fields.text("lastname"),
        group_id=fields.integer("group_id"),
        tax_id=fields.text("taxvat", max_length=50),
    )
