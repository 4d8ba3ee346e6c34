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

Both files are read before anything is written, so they are imported together, a part at a
time. What the first readings find of each customer and company (the company a customer's
addresses name, the code of each customer's company, each company's name, group and
administrator) is kept in the database (``CustomerKeys``), not in memory, so that a run's memory
stays the same whatever the number of customers.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models.functions import Lower

from comptoir.accounts.models import CustomerGroup, CustomerUser
from comptoir.accounts.services import upsert_customer_group
from comptoir.integration.csvfiles import Fields, Record
from comptoir.integration.magento import layouts
from comptoir.integration.magento.customer_rows import (
    AddressRow,
    CustomerKey,
    CustomerRow,
    read_address,
    read_customer,
)
from comptoir.integration.magento.run import (
    KeptPart,
    KeptRows,
    Lines,
    MagentoImport,
    code_of,
    mapped_record,
    parts,
)
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

# Records of a customer file read before what they name is looked up and kept.
PART_SIZE = 2000
# Between the parts of a key made of several texts.
SEPARATOR = "\x1f"


class CustomerKeys:
    """What the readings of the customer files keep, in temporary tables of the database."""

    def __init__(self) -> None:
        # By customer: the company its addresses name, and "1" if its default billing address
        # names it.
        self.named = KeptRows("named_companies", ("company", "from_billing"))
        # By customer: the code of its company.
        self.customers = KeptRows("customer_companies", ("code",))
        # By code: the company's place among the companies, name, first line, customer group,
        # tax ID, and the e-mail of its first customer, its administrator.
        self.companies = KeptRows(
            "companies", ("position", "name", "line", "customer_group", "tax_id", "administrator")
        )
        # By company name (lower case): its code, so that two people of one name get two
        # companies.
        self.names = KeptRows("company_names", ("code",))
        # The places of the addresses imported, and the defaults taken, by company.
        self.places = KeptRows("address_places", ())
        self.defaults = KeptRows("address_defaults", ())
        self.all = (
            self.named,
            self.customers,
            self.companies,
            self.names,
            self.places,
            self.defaults,
        )

    def __enter__(self) -> "CustomerKeys":
        for kept in self.all:
            kept.start()
        return self

    def __exit__(self, *exc) -> None:
        for kept in self.all:
            kept.drop()


@dataclass
class CustomerPlan:
    """What a first reading of the customer files found: besides what ``keys`` keeps, the
    customer groups of the companies (by lower-case name: the name, and the line of the first
    company in it), and the group ids no name is known for."""

    keys: CustomerKeys
    companies: int = 0
    groups: dict[str, tuple[str, int]] = field(default_factory=dict)
    unknown_groups: dict[int, Lines] = field(default_factory=dict)


def _key(customer: CustomerKey) -> str:
    return SEPARATOR.join(customer)


def import_customers(
    run: MagentoImport, customer_paths: list[Path], address_paths: list[Path]
) -> None:
    """Companies and customer users of the customers main files, then the address books of
    the customer addresses files."""
    with CustomerKeys() as keys:
        plan = CustomerPlan(keys=keys)
        for path in address_paths:
            _scan_addresses(run, path, keys)
        for path in customer_paths:
            _scan_customers(run, path, plan)
        if customer_paths:
            _import_companies(run, plan, customer_paths[0].name)
        for path in customer_paths:
            run.import_entity(
                get_entity("customer_users"),
                _user_records(run, path, keys),
                file_name=path.name,
                columns=USER_COLUMNS,
            )
        for path in address_paths:
            run.import_entity(
                get_entity("addresses"),
                _address_records(run, path, keys),
                file_name=path.name,
                columns=ADDRESS_COLUMNS,
            )


def _scan_addresses(run: MagentoImport, path: Path, keys: CustomerKeys) -> None:
    """Note the company each customer's addresses name: the default billing address's, else
    the first that names one."""
    for records in parts(run.records(path, layouts.ADDRESSES, quiet=False), PART_SIZE):
        rows: list[AddressRow] = []
        for record in records:
            fields = Fields(record)
            row = read_address(fields)
            if fields.problems:
                run.refuse(layouts.ADDRESSES.entity, fields.problems)
            elif row.company:
                rows.append(row)
        named = KeptPart(keys.named, (_key(row.customer) for row in rows))
        for row in rows:
            found = named.get(_key(row.customer))
            if found is None or (row.is_default_billing and not found[1]):
                named.put(_key(row.customer), (row.company, "1" if row.is_default_billing else ""))
        named.save()


def _scan_customers(run: MagentoImport, path: Path, plan: CustomerPlan) -> None:
    for records in parts(run.records(path, layouts.CUSTOMERS, quiet=False), PART_SIZE):
        rows: list[tuple[int, CustomerRow, str | None]] = []
        for record in records:
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
            rows.append((record.line, row, group))
        _add_customers(plan, rows)
    for group_id, lines in plan.unknown_groups.items():
        run.warn(
            path.name,
            None,
            f"the customer group {group_id} has no name, so the companies of its customers get "
            f"no group ({lines}); name it with --option customer_groups={group_id}:NAME",
            "group_id",
        )
    plan.unknown_groups.clear()


def _add_customers(plan: CustomerPlan, rows: list[tuple[int, CustomerRow, str | None]]) -> None:
    """Give each customer of a part its company: the one its addresses name, else one of its
    own; a company's first customer gives it its group and tax ID (a later one the tax ID, if
    it has none)."""
    keys = plan.keys
    named = keys.named.get(_key(row.customer) for _, row, _ in rows)
    companies: list[tuple[str, str]] = []
    for _, row, _ in rows:
        found = named.get(_key(row.customer))
        if found is not None:
            text = " ".join(found[0].split()).upper()
            companies.append(
                (found[0], code_of(text, allowed=COMPANY_CODE, limit=COMPANY_CODE_LENGTH))
            )
        else:
            name = " ".join(part for part in (row.first_name, row.last_name) if part) or row.email
            companies.append(
                (name, code_of(row.email.upper(), allowed=COMPANY_CODE, limit=COMPANY_CODE_LENGTH))
            )
    names = KeptPart(
        keys.names,
        (
            candidate.lower()
            for (name, _), (_, row, _) in zip(companies, rows, strict=True)
            for candidate in (name, f"{name} ({row.email})")
        ),
    )
    customers = KeptPart(keys.customers, ())
    kept = KeptPart(keys.companies, (code for _, code in companies))
    for (line, row, group), (name, code) in zip(rows, companies, strict=True):
        if _key(row.customer) not in named:
            taken = names.get(name.lower())
            if taken is not None and taken[0] != code:
                name = f"{name} ({row.email})"
        if names.get(name.lower()) is None:
            names.put(name.lower(), (code,))
        customers.put(_key(row.customer), (code,))
        company = kept.get(code)
        if company is None:
            plan.companies += 1
            position = f"{plan.companies:012d}"
            kept.put(code, (position, name, str(line), group or "", row.tax_id, row.email.lower()))
            if group is not None:
                plan.groups.setdefault(group.lower(), (group, line))
        elif not company[4]:
            kept.put(code, (*company[:4], row.tax_id, company[5]))
    for part in (names, customers, kept):
        part.save()


def _import_companies(run: MagentoImport, plan: CustomerPlan, file_name: str) -> None:
    _import_customer_groups(run, plan, file_name)

    def records() -> Iterator[Record]:
        for code, (_, name, line, group, tax_id, _) in plan.keys.companies.ordered("position"):
            values = {"code": code, "name": name}
            if group:
                values["customer_group"] = group
            if tax_id:
                values["tax_id"] = tax_id
            yield Record(file_name=file_name, line=int(line), number=int(line), values=values)

    run.import_entity(
        get_entity("companies"), records(), file_name=file_name, columns=COMPANY_COLUMNS
    )


def _import_customer_groups(run: MagentoImport, plan: CustomerPlan, file_name: str) -> None:
    """The customer groups the companies go in that are not in the shop yet: Magento's own, and
    those of the option customer_groups, each made at the line of its first company."""
    existing = {
        name.lower()
        for name in CustomerGroup.objects.annotate(key=Lower("name"))
        .filter(key__in=list(plan.groups))
        .values_list("name", flat=True)
    }
    for key, (name, line) in plan.groups.items():
        if key not in existing:
            run.save_row(
                "customer groups",
                file_name,
                line,
                lambda name=name: [("customer groups", upsert_customer_group(name=name)[1])],
            )


def _user_records(run: MagentoImport, path: Path, keys: CustomerKeys) -> Iterator[Record]:
    for records in parts(run.records(path, layouts.CUSTOMERS, quiet=True), PART_SIZE):
        rows = [
            (record, read_customer(Fields(record)))
            for record in records
            if not run.is_refused(record)
        ]
        codes = keys.customers.get(_key(row.customer) for _, row in rows)
        companies = keys.companies.get(code for (code,) in codes.values())
        for record, row in rows:
            code = codes[_key(row.customer)][0]
            values = {
                "email": row.email,
                "company": code,
                "first_name": row.first_name,
                "last_name": row.last_name,
            }
            if companies[code][5] == row.email.lower():
                values["roles"] = layouts.FIRST_CUSTOMER_ROLE
            yield mapped_record(record, values)


def _address_records(run: MagentoImport, path: Path, keys: CustomerKeys) -> Iterator[Record]:
    for records in parts(run.records(path, layouts.ADDRESSES, quiet=True), PART_SIZE):
        rows = [
            (record, read_address(Fields(record)))
            for record in records
            if not run.is_refused(record)
        ]
        codes = keys.customers.get(_key(row.customer) for _, row in rows)
        found = []
        for record, row in rows:
            code = codes[_key(row.customer)][0] if _key(row.customer) in codes else None
            code = code or _company_of(row.email)
            if code is None:
                run.refuse(
                    layouts.ADDRESSES.entity,
                    [
                        Problem(
                            file=record.file_name,
                            line=record.line,
                            column="_email",
                            message=f"no customer has the e-mail '{row.email}' on the website "
                            f"'{row.customer[0]}', in the customers file or in the catalog; "
                            "import the customer first",
                        )
                    ],
                )
            else:
                found.append((record, row, code))
        places = KeptPart(keys.places, (_place(code, row) for _, row, code in found))
        defaults = KeptPart(
            keys.defaults,
            (_default(code, kind) for _, _, code in found for kind in ("billing", "shipping")),
        )
        for record, row, code in found:
            if places.get(_place(code, row)) is not None:
                continue
            places.put(_place(code, row))
            yield mapped_record(record, _address_values(row, code, defaults))
        places.save()
        defaults.save()


def _place(code: str, row: AddressRow) -> str:
    """What finds an address among those of its company imported so far."""
    return SEPARATOR.join((code.upper(), *row.place))


def _default(code: str, kind: str) -> str:
    return SEPARATOR.join((code.upper(), kind))


def _address_values(row: AddressRow, code: str, defaults: KeptPart) -> dict[str, str]:
    """An address in the columns of the addresses entity; the first default billing and the
    first default shipping address of a company keep that default."""
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
        claimed = is_default and defaults.get(_default(code, kind)) is None
        if claimed:
            defaults.put(_default(code, kind))
        values[f"default_{kind}"] = "1" if claimed else "0"
    return values


def _company_of(email: str) -> str | None:
    """The code of the company of the customer user ``email`` already in the catalog."""
    return (
        CustomerUser.objects.filter(user__email__iexact=email)
        .values_list("company__code", flat=True)
        .first()
    )
