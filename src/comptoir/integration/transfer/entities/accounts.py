"""Accounts entities: companies (keyed by code), customer users (by e-mail) and addresses.

Rows are written one at a time through ``comptoir.accounts.sync``, each in a savepoint, so that
the rules of accounts hold (no company under its own subsidiary, known roles, a user manager
left in every company, one default address of each kind) and a refused row leaves nothing
behind. An address is keyed by its company's code and its label; an address without a label
is found by its place (street, city, country and the other place columns the file has).
"""

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from comptoir.accounts.administration.common import InvalidValue
from comptoir.accounts.models import (
    Address,
    Company,
    CustomerGroup,
    CustomerUser,
    Department,
    PaymentTerm,
)
from comptoir.accounts.services import upsert_customer_group
from comptoir.accounts.sync import (
    COMPANY_CODE,
    DEPARTMENT_SEPARATOR,
    PLACE_FIELDS,
    save_address,
    save_company,
    save_customer_user,
)
from comptoir.core.errors import DomainError
from comptoir.core.records import CREATED, UNCHANGED, UpsertStatus
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Row
from comptoir.integration.transfer.registry import register
from comptoir.integration.transfer.runner import text_rows
from comptoir.taxes.models import CustomerTaxCode
from comptoir.taxes.vat import validate_vat_number

# How many names an error message lists ("known terms: ...") before it stops.
LISTED = 20


@dataclass
class KeyedRow:
    """A parsed row: its business key and the values of the columns the file has."""

    key: str
    values: dict


def save_rows(
    rows: list[Row], run: ImportRun, save: Callable[[Row], UpsertStatus], columns: dict[str, str]
) -> None:
    """Save each row in a savepoint; a refused one is reported in the column its error names
    (``columns`` maps a service's field names to the file's column names)."""
    for row in rows:
        try:
            with transaction.atomic():
                status = save(row)
        except DomainError as error:
            field = getattr(error, "field", None)
            run.refuse(row, error.message, column=columns.get(field, field))
        else:
            run.done(row, status)


def company_coded(code: str, column: str) -> Company:
    """The company whose code is ``code`` (ignoring case), or an error for ``column``."""
    company = Company.objects.filter(code__iexact=code).first()
    if company is None:
        raise InvalidValue(
            f"no company has the code '{code}'; import the company first, or correct the code",
            field=column,
            code="company_unknown",
        )
    return company


def read_company_code(fields: Fields, column: str, *, required: bool = False) -> str:
    code = fields.text(column, required=required, max_length=50)
    if code and not COMPANY_CODE.fullmatch(code):
        fields.error(
            column, f"'{code}' is not a company code: write letters, digits and . - _ / only"
        )
    return code


def _known(names) -> str:
    names = list(names)
    more = f" and {len(names) - LISTED} more" if len(names) > LISTED else ""
    return (", ".join(names[:LISTED]) or "none") + more


@register
class Companies(Entity):
    name = "companies"
    label = "Companies"
    key = ("code",)
    batch_size = 200
    columns = (
        Column(
            "code",
            "The company's code, as the ERP knows it (a customer number): letters, digits and "
            ". - _ /; unique ignoring case.",
            "C-10023",
            required=True,
        ),
        Column("name", "The company's name; unique. A new company needs one.", "Acme Corp"),
        Column(
            "parent",
            "The code of the company it is a subsidiary of; empty for none. A parent comes "
            "earlier in the file or is already there.",
            "C-10000",
        ),
        Column(
            "customer_group",
            "The name of its customer group (made if new); empty for none.",
            "Wholesale",
        ),
        Column(
            "payment_term",
            'The label of an existing payment term ("net 30"); empty for none.',
            "net 30",
        ),
        Column("tax_id", "Its tax ID, as printed on invoices.", "12-3456789"),
        Column("vat_number", "Its EU VAT number with the country prefix.", "DE123456789"),
        Column(
            "tax_code",
            "The code of its customer tax code (exempt...); empty for an ordinary taxpayer.",
            "",
        ),
    )

    def parse(self, fields: Fields, run: ImportRun) -> KeyedRow:
        code = read_company_code(fields, "code", required=True)
        fields.unique(run.state.setdefault("codes", {}), code.upper(), "code", f"company {code}")
        values: dict = {}
        if "name" in fields.record.values:
            values["name"] = fields.text("name", required=True, max_length=200)
        if "parent" in fields.record.values:
            values["parent"] = read_company_code(fields, "parent")
            if values["parent"] and values["parent"].upper() == code.upper():
                fields.error("parent", "is the company itself; a company is not its own parent")
        for column, limit in (("customer_group", 100), ("payment_term", 50), ("tax_id", 50)):
            if column in fields.record.values:
                values[column] = fields.text(column, max_length=limit)
        if "vat_number" in fields.record.values:
            number = values["vat_number"] = fields.text("vat_number", max_length=20)
            try:
                validate_vat_number(number)
            except ValidationError as error:
                fields.error("vat_number", error.messages[0])
        if "tax_code" in fields.record.values:
            values["tax_code"] = fields.text("tax_code").lower()
        return KeyedRow(key=code, values=values)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        # One row at a time, in file order, so that a parent met earlier is there for its
        # subsidiaries.
        save_rows(rows, run, lambda row: self._save(row, run), columns={})

    def _save(self, row: Row, run: ImportRun) -> UpsertStatus:
        data: KeyedRow = row.data
        values = dict(data.values)
        if "parent" in values:
            code = values["parent"]
            values["parent"] = company_coded(code, "parent") if code else None
        new_group = None
        if "customer_group" in values:
            name = values["customer_group"]
            group, group_status = _customer_group(name) if name else (None, UNCHANGED)
            values["customer_group"] = group
            if group_status == CREATED:
                new_group = group
        if "payment_term" in values:
            values["payment_term"] = _payment_term(values["payment_term"])
        if "tax_code" in values:
            values["tax_code"] = _tax_code(values["tax_code"])
        status = save_company(code=data.key, **values)[1]

        if new_group is not None:
            # ERP files name groups, so a new one is made; said, so that a misspelling shows.
            run.done(row, CREATED, entity="customer_groups")
            run.remark(
                row,
                f"customer group '{new_group.name}' did not exist and was created; if it is "
                "a misspelling of another group's name, correct the file and import it again",
                column="customer_group",
            )
        return status

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        return text_rows(self._rows())

    def _rows(self) -> Iterator[dict[str, object]]:
        # Parents before their subsidiaries, so that the file imports in one pass.
        children: dict[int | None, list[Company]] = {}
        companies = Company.objects.select_related(
            "parent", "customer_group", "payment_term", "tax_code"
        ).order_by("code")
        for company in companies:
            children.setdefault(company.parent_id, []).append(company)
        stack = list(reversed(children.get(None, [])))
        while stack:
            company = stack.pop()
            yield {
                "code": company.code,
                "name": company.name,
                "parent": company.parent.code if company.parent else None,
                "customer_group": company.customer_group.name if company.customer_group else None,
                "payment_term": company.payment_term.label if company.payment_term else None,
                "tax_id": company.tax_id,
                "vat_number": company.vat_number,
                "tax_code": company.tax_code.code if company.tax_code else None,
            }
            stack.extend(reversed(children.get(company.pk, [])))


def _customer_group(name: str) -> tuple[CustomerGroup, UpsertStatus]:
    """The customer group named ``name`` ignoring case, its own spelling kept (a company's row
    does not rename the group of others), or a new one ("created")."""
    group = CustomerGroup.objects.filter(name__iexact=name.strip()).first()
    if group is not None:
        return group, UNCHANGED
    return upsert_customer_group(name=name)


def _payment_term(label: str) -> PaymentTerm | None:
    if not label:
        return None
    term = PaymentTerm.objects.filter(label__iexact=label).first()
    if term is None:
        known = _known(PaymentTerm.objects.values_list("label", flat=True))
        raise InvalidValue(
            f"no payment term is labelled '{label}'; write one of: {known}",
            field="payment_term",
            code="payment_term_unknown",
        )
    return term


def _tax_code(code: str) -> CustomerTaxCode | None:
    if not code:
        return None
    tax_code = CustomerTaxCode.objects.filter(code=code).first()
    if tax_code is None:
        known = _known(CustomerTaxCode.objects.values_list("code", flat=True))
        raise InvalidValue(
            f"no customer tax code is '{code}'; write one of: {known}, or leave it empty",
            field="tax_code",
            code="tax_code_unknown",
        )
    return tax_code


@register
class CustomerUsers(Entity):
    name = "customer_users"
    label = "Customer users"
    key = ("email",)
    batch_size = 200
    columns = (
        Column(
            "email",
            "The e-mail the user logs in with; unique ignoring case. Imported users get no "
            "password: they set one from an invitation or a password reset.",
            "pat@example.com",
            required=True,
        ),
        Column("company", "The code of the user's company; a new user needs one.", "C-10023"),
        Column("first_name", "", "Pat"),
        Column("last_name", "", "Martin"),
        Column(
            "roles",
            "Role codes separated by commas (administrator, buyer, viewer, or the company's "
            "own); they replace the user's roles. A new user without the column is a buyer.",
            "buyer",
        ),
        Column(
            "department",
            f"The user's department, as a path from the top of the company's departments: "
            f"Sales {DEPARTMENT_SEPARATOR} North. Departments not there yet are made. Empty "
            "for none.",
            f"Sales {DEPARTMENT_SEPARATOR} North",
        ),
        Column("active", "1 if the user may log in, 0 if not; empty is 1.", "1"),
        Column(
            "language",
            "The storefront's and e-mails' language: "
            f"{', '.join(code for code, _name in settings.LANGUAGES)}; empty follows the "
            "browser.",
            "en",
        ),
    )

    def parse(self, fields: Fields, run: ImportRun) -> KeyedRow:
        email = fields.text("email", required=True, max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                fields.error(
                    "email", f"'{email}' is not an e-mail address; write one as pat@example.com"
                )
        fields.unique(run.state.setdefault("emails", {}), email.lower(), "email", f"'{email}'")
        values: dict = {}
        if "company" in fields.record.values:
            values["company"] = read_company_code(fields, "company", required=True)
        for column in ("first_name", "last_name"):
            if column in fields.record.values:
                values[column] = fields.text(column, max_length=150)
        if "roles" in fields.record.values:
            values["role_codes"] = tuple(
                code.strip().lower() for code in fields.raw("roles").split(",") if code.strip()
            )
        if "department" in fields.record.values:
            values["department"] = _department_path(fields)
        if "active" in fields.record.values:
            values["is_active"] = fields.boolean("active", default=True)
        if "language" in fields.record.values:
            language = values["language"] = fields.text("language").lower()
            codes = [code for code, _name in settings.LANGUAGES]
            if language and language not in codes:
                fields.error(
                    "language", f"'{language}' is not one of {', '.join(codes)}; or leave it empty"
                )
        return KeyedRow(key=email, values=values)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        save_rows(rows, run, self._save, columns={"is_active": "active"})

    def _save(self, row: Row) -> UpsertStatus:
        data: KeyedRow = row.data
        values = dict(data.values)
        if "company" in values:
            values["company"] = company_coded(values["company"], "company")
        return save_customer_user(email=data.key, **values)[1]

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        return text_rows(self._rows())

    def _rows(self) -> Iterator[dict[str, object]]:
        departments = {
            pk: (name, parent_id)
            for pk, name, parent_id in Department.objects.values_list("pk", "name", "parent_id")
        }
        members = (
            CustomerUser.objects.select_related("user", "company")
            .prefetch_related("roles")
            .order_by("user__email", "pk")
        )
        for member in members.iterator(chunk_size=500):
            yield {
                "email": member.user.email,
                "company": member.company.code,
                "first_name": member.user.first_name,
                "last_name": member.user.last_name,
                "roles": ", ".join(sorted(role.code for role in member.roles.all())),
                "department": _path_text(departments, member.department_id),
                "active": member.user.is_active,
                "language": member.user.language,
            }


def _department_path(fields: Fields) -> tuple[str, ...]:
    text = fields.text("department")
    if not text:
        return ()
    names = tuple(name.strip() for name in text.split(DEPARTMENT_SEPARATOR))
    if not all(names):
        fields.error(
            "department",
            f"'{text}' has an empty name; write the names from the top, each once, "
            f"as in Sales {DEPARTMENT_SEPARATOR} North",
        )
    elif any(len(name) > 200 for name in names):
        fields.error("department", "a department's name is at most 200 characters long")
    return names


def _path_text(departments: dict[int, tuple[str, int | None]], pk: int | None) -> str:
    names: list[str] = []
    while pk is not None:
        name, pk = departments[pk]
        names.insert(0, name)
    return f" {DEPARTMENT_SEPARATOR} ".join(names)


# The parts of an address, in the order of the columns that hold them, and their longest
# values: an address book's (the addresses entity) and an order's copies (the orders entity's
# billing_ and shipping_ columns) alike.
ADDRESS_PARTS = {
    "label": 100,
    "name": 200,
    "street": 200,
    "street2": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "country": 2,
}
# The parts the addresses entity reads as plain text: its label is its key, its country a code.
ADDRESS_TEXT = {
    part: limit for part, limit in ADDRESS_PARTS.items() if part not in ("label", "country")
}
ADDRESS_FLAGS = {
    "billing": ("is_billing", True),
    "shipping": ("is_shipping", True),
    "default_billing": ("is_default_billing", False),
    "default_shipping": ("is_default_shipping", False),
}


def address_columns(
    prefix: str,
    helps: Mapping[str, str],
    examples: Mapping[str, str],
    *,
    required: Collection[str] = (),
) -> tuple[Column, ...]:
    """The columns of an address's parts, in the order of ``ADDRESS_PARTS``, each named
    ``prefix`` and the part (``shipping_city``), with its help and example."""
    return tuple(
        Column(
            f"{prefix}{part}",
            helps.get(part, ""),
            examples.get(part, ""),
            required=part in required,
        )
        for part in ADDRESS_PARTS
    )


@dataclass
class AddressRow:
    company: str
    label: str
    changes: dict


@register
class Addresses(Entity):
    name = "addresses"
    label = "Addresses"
    key = ("company", "label")
    batch_size = 200
    columns = (
        Column(
            "company",
            "The code of the company whose address book it is in.",
            "C-10023",
            required=True,
        ),
        *address_columns(
            "",
            helps={
                "label": "Names the address in its company's address book (the ERP's ship-to "
                'code, or "Head office"): with the company, the row\'s key. An address '
                "without a label is found by its place: street, city, country and the other "
                "place columns given.",
                "name": "Who the parcels and invoices are addressed to.",
                "street": "Needed for a new address.",
                "city": "Needed for a new address.",
                "region": "State, province or county.",
                "country": "Two letters (ISO 3166-1); needed for a new address.",
            },
            examples={
                "label": "Head office",
                "name": "Receiving dock",
                "street": "1 Main Street",
                "street2": "Building B",
                "city": "Springfield",
                "region": "IL",
                "postal_code": "62701",
                "country": "US",
            },
            required=("label",),
        ),
        Column("billing", "1 if invoices may go there, 0 if not; empty is 1.", "1"),
        Column("shipping", "1 if orders may be shipped there, 0 if not; empty is 1.", "1"),
        Column(
            "default_billing",
            "1 makes it the company's default billing address (the others lose it); empty is 0.",
            "1",
        ),
        Column(
            "default_shipping",
            "1 makes it the company's default shipping address (the others lose it); empty is 0.",
            "1",
        ),
    )

    def parse(self, fields: Fields, run: ImportRun) -> AddressRow:
        company = read_company_code(fields, "company", required=True)
        label = fields.text("label", max_length=ADDRESS_PARTS["label"])
        changes: dict = {}
        for column, limit in ADDRESS_TEXT.items():
            if column in fields.record.values:
                changes[column] = fields.text(column, max_length=limit)
        if "country" in fields.record.values:
            country = changes["country"] = fields.text("country").upper()
            if country and (len(country) != 2 or not country.isascii() or not country.isalpha()):
                fields.error("country", f"'{country}' is not a country code: write two letters")
        for column, (field, default) in ADDRESS_FLAGS.items():
            if column in fields.record.values:
                changes[field] = fields.boolean(column, default=default)
        for kind in ("billing", "shipping"):
            if changes.get(f"is_default_{kind}") and changes.get(f"is_{kind}") is False:
                fields.error(
                    f"default_{kind}", f"a default {kind} address has 1 in the {kind} column"
                )
        if label:
            key: tuple = (company.upper(), label.lower())
        else:
            for column in ("street", "city", "country"):
                if not changes.get(column):
                    fields.error(
                        column,
                        "is empty; an address without a label is found by its street, city "
                        "and country",
                    )
            key = (company.upper(), *(str(changes.get(f, "")).lower() for f in PLACE_FIELDS))
        if not fields.problems:
            # A refused row takes no key and no default from the rows after it.
            what = f"address '{label}' of company {company}" if label else "this address"
            fields.unique(run.state.setdefault("addresses", {}), key, "label", what)
            for kind in ("billing", "shipping"):
                if changes.get(f"is_default_{kind}"):
                    fields.unique(
                        run.state.setdefault(f"default_{kind}", {}),
                        company.upper(),
                        f"default_{kind}",
                        f"the default {kind} address of company {company}",
                    )
        return AddressRow(company=company, label=label, changes=changes)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        columns = {field: column for column, (field, _default) in ADDRESS_FLAGS.items()}
        save_rows(rows, run, self._save, columns=columns)

    def _save(self, row: Row) -> UpsertStatus:
        data: AddressRow = row.data
        company = company_coded(data.company, "company")
        return save_address(company=company, label=data.label, **data.changes)[1]

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        return text_rows(self._rows())

    def _rows(self) -> Iterator[dict[str, object]]:
        addresses = Address.objects.select_related("company").order_by(
            "company__code", "label", "pk"
        )
        for address in addresses.iterator(chunk_size=1000):
            yield {
                "company": address.company.code,
                "label": address.label,
                **{column: getattr(address, column) for column in ADDRESS_TEXT},
                "country": address.country,
                **{
                    column: getattr(address, field)
                    for column, (field, _default) in ADDRESS_FLAGS.items()
                },
            }
