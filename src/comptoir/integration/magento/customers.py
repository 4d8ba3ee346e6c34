"""The customers main file and the customer addresses file: companies, customer users and
address books.

Magento's customers are people; Comptoir's buyers belong to companies. A customer whose
addresses name a company (the company field of the default billing address, else of the first
address that has one) is a user of that company, and customers naming the same company
(ignoring case and spaces) share it. A customer whose addresses name none has a company of their
own, named after them. A company's code is made of its name, or of its customer's e-mail for a
company of one person. It takes the customer group and the taxvat of its first customer in the
file, who is its administrator; the others are buyers. Each address goes to the address book of
its customer's company, once however many customers give it (it is found by its place); the
first default billing and the first default shipping address of a company keep that default.

Both files are read before anything is written, so they are imported together.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from comptoir.accounts.models import CustomerUser
from comptoir.core.countries import validate_country_code
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.magento import layouts
from comptoir.integration.magento.run import Lines, MagentoImport, code_of, mapped_record
from comptoir.integration.report import Problem
from comptoir.integration.transfer.registry import get_entity

# The characters of a company code.
COMPANY_CODE = r"\w.\-/"
COMPANY_CODE_LENGTH = 50
COMPANY_COLUMNS = {"code": "email", "name": None, "customer_group": "group_id", "tax_id": "taxvat"}
USER_COLUMNS = {"company": None, "first_name": "firstname", "last_name": "lastname"}
ADDRESS_COLUMNS = {
    "company": "_email",
    "label": None,
    "name": "firstname",
    "street2": "street",
    "postal_code": "postcode",
    "country": "country_id",
    "default_billing": "_address_default_billing_",
    "default_shipping": "_address_default_shipping_",
}

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


@dataclass
class CompanyPlan:
    code: str
    name: str
    line: int
    group: str | None
    tax_id: str
    # The e-mail of its first customer, its administrator.
    administrator: str


@dataclass
class CustomerPlan:
    """What a first reading of the customer files found."""

    # The company each customer named in its addresses, and whether its default billing
    # address named it.
    named: dict[CustomerKey, tuple[str, bool]] = field(default_factory=dict)
    companies: dict[str, CompanyPlan] = field(default_factory=dict)
    # The code of each customer's company.
    customers: dict[CustomerKey, str] = field(default_factory=dict)
    # Company names (lower case) -> code, so that two people of one name get two companies.
    names: dict[str, str] = field(default_factory=dict)
    unknown_groups: dict[int, Lines] = field(default_factory=dict)

    def add_address(self, row: AddressRow) -> None:
        if not row.company:
            return
        found = self.named.get(row.customer)
        if found is None or (row.is_default_billing and not found[1]):
            self.named[row.customer] = (row.company, row.is_default_billing)

    def add_customer(self, row: CustomerRow, line: int, group: str | None) -> None:
        named = self.named.get(row.customer)
        if named is not None:
            name = named[0]
            code = code_of(
                " ".join(name.split()).upper(), allowed=COMPANY_CODE, limit=COMPANY_CODE_LENGTH
            )
        else:
            name = " ".join(part for part in (row.first_name, row.last_name) if part) or row.email
            code = code_of(row.email.upper(), allowed=COMPANY_CODE, limit=COMPANY_CODE_LENGTH)
            if self.names.get(name.lower(), code) != code:
                name = f"{name} ({row.email})"
        self.names.setdefault(name.lower(), code)
        self.customers[row.customer] = code
        company = self.companies.get(code)
        if company is None:
            self.companies[code] = CompanyPlan(
                code=code,
                name=name,
                line=line,
                group=group,
                tax_id=row.tax_id,
                administrator=row.email.lower(),
            )
        elif not company.tax_id:
            company.tax_id = row.tax_id


def import_customers(
    run: MagentoImport, customer_paths: list[Path], address_paths: list[Path]
) -> None:
    """Companies and customer users of the customers main files, then the address books of
    the customer addresses files."""
    plan = CustomerPlan()
    for path in address_paths:
        for record in run.records(path, layouts.ADDRESSES, quiet=False):
            fields = Fields(record)
            row = read_address(fields)
            if fields.problems:
                run.refuse(layouts.ADDRESSES.entity, fields.problems)
            else:
                plan.add_address(row)
    for path in customer_paths:
        _scan_customers(run, path, plan)
    if customer_paths:
        _import_companies(run, plan, customer_paths[0].name)
    for path in customer_paths:
        run.import_entity(
            get_entity("customer_users"),
            _user_records(run, path, plan),
            file_name=path.name,
            columns=USER_COLUMNS,
        )
    for path in address_paths:
        run.import_entity(
            get_entity("addresses"),
            _address_records(run, path, plan),
            file_name=path.name,
            columns=ADDRESS_COLUMNS,
        )


def _scan_customers(run: MagentoImport, path: Path, plan: CustomerPlan) -> None:
    for record in run.records(path, layouts.CUSTOMERS, quiet=False):
        fields = Fields(record)
        row = read_customer(fields)
        if fields.problems:
            run.refuse(layouts.CUSTOMERS.entity, fields.problems)
            continue
        group = None
        if row.group_id is not None:
            group = run.customer_groups.get(row.group_id)
            if group is None:
                plan.unknown_groups.setdefault(row.group_id, Lines()).add(record.line)
            elif group == layouts.NOT_LOGGED_IN:
                group = None
        plan.add_customer(row, record.line, group)
    for group_id, lines in plan.unknown_groups.items():
        run.warn(
            path.name,
            None,
            f"the customer group {group_id} has no name, so the companies of its customers get "
            f"no group ({lines}); name it with --option customer_groups={group_id}:NAME",
            "group_id",
        )
    plan.unknown_groups.clear()


def _import_companies(run: MagentoImport, plan: CustomerPlan, file_name: str) -> None:
    def records() -> Iterator[Record]:
        for company in plan.companies.values():
            values = {"code": company.code, "name": company.name}
            if company.group is not None:
                values["customer_group"] = company.group
            if company.tax_id:
                values["tax_id"] = company.tax_id
            yield Record(
                file_name=file_name, line=company.line, number=company.line, values=values
            )

    run.import_entity(
        get_entity("companies"), records(), file_name=file_name, columns=COMPANY_COLUMNS
    )


def _user_records(run: MagentoImport, path: Path, plan: CustomerPlan) -> Iterator[Record]:
    for record in run.records(path, layouts.CUSTOMERS, quiet=True):
        if run.is_refused(record):
            continue
        row = read_customer(Fields(record))
        code = plan.customers[row.customer]
        values = {
            "email": row.email,
            "company": code,
            "first_name": row.first_name,
            "last_name": row.last_name,
        }
        if plan.companies[code].administrator == row.email.lower():
            values["roles"] = layouts.FIRST_CUSTOMER_ROLE
        yield mapped_record(record, values)


def _address_records(run: MagentoImport, path: Path, plan: CustomerPlan) -> Iterator[Record]:
    places: set[tuple[str, ...]] = set()
    defaults: set[tuple[str, str]] = set()
    for record in run.records(path, layouts.ADDRESSES, quiet=True):
        if run.is_refused(record):
            continue
        row = read_address(Fields(record))
        code = plan.customers.get(row.customer) or _company_of(row.email)
        if code is None:
            run.refuse(
                layouts.ADDRESSES.entity,
                [
                    Problem(
                        file=record.file_name,
                        line=record.line,
                        column="_email",
                        message=f"no customer has the e-mail '{row.email}' on the website "
                        f"'{row.customer[0]}', in the customers file or in the catalog; import "
                        "the customer first",
                    )
                ],
            )
            continue
        place = (code.upper(), *row.place)
        if place in places:
            continue
        places.add(place)
        values = {
            "company": code,
            "label": "",
            "name": row.name,
            "street": row.street,
            "street2": row.street2,
            "city": row.city,
            "region": row.region,
            "postal_code": row.postal_code,
            "country": row.country,
        }
        for kind, is_default in (
            ("billing", row.is_default_billing),
            ("shipping", row.is_default_shipping),
        ):
            claimed = is_default and (code.upper(), kind) not in defaults
            if claimed:
                defaults.add((code.upper(), kind))
            values[f"default_{kind}"] = "1" if claimed else "0"
        yield mapped_record(record, values)


def _company_of(email: str) -> str | None:
    """The code of the company of the customer user ``email`` already in the catalog."""
    return (
        CustomerUser.objects.filter(user__email__iexact=email)
        .values_list("company__code", flat=True)
        .first()
    )
