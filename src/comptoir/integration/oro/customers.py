"""The customer steps of the OroCommerce import: customer groups, payment terms, companies,
customer users with their address book, and the price list assignments."""

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from comptoir.accounts.models import Company, CustomerGroup, CustomerUser, PaymentTerm
from comptoir.accounts.services import (
    upsert_address,
    upsert_company,
    upsert_customer_group,
    upsert_customer_user,
    upsert_payment_term,
)
from comptoir.core.errors import DomainError
from comptoir.core.records import UpsertStatus
from comptoir.integration.csvfiles import CsvLayout, Fields, Record
from comptoir.integration.oro import layouts
from comptoir.integration.oro.run import (
    OroImport,
    Outcomes,
)
from comptoir.integration.rows import RowRefused
from comptoir.pricing.models import PriceList
from comptoir.pricing.services import upsert_price_list_assignment

logger = logging.getLogger(__name__)

_SORT_ORDER_RANGE = {"minimum": -(2**31), "maximum": 2**31 - 1}


def check_payment_term(run: OroImport) -> None:
    """Refuse to start when companies are to get a payment term that will not exist."""
    known = {label.lower() for label in layouts.PAYMENT_TERMS} | {
        label.lower() for label in PaymentTerm.objects.values_list("label", flat=True)
    }
    if run.payment_term_label.lower() not in known:
        raise DomainError(
            f"Payment term '{run.payment_term_label}' does not exist; "
            f"known terms: {', '.join(sorted(known))}",
            code="payment_term_unknown",
        )


def import_customer_groups_and_payment_terms(run: OroImport) -> None:
    """The groups and terms the demo loader makes in code."""
    for name in layouts.CUSTOMER_GROUPS:
        _, status = upsert_customer_group(name=name)
        run.report.count("customer groups", status)
    for label, days in layouts.PAYMENT_TERMS.items():
        _, status = upsert_payment_term(label=label, days=days)
        run.report.count("payment terms", status)
    run.payment_term = PaymentTerm.objects.get(label__iexact=run.payment_term_label)


@dataclass(frozen=True)
class UserRow:
    company_name: str
    email: str
    first_name: str
    last_name: str
    role_codes: frozenset[str]
    address_key: tuple[str, ...] | None
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    types: frozenset[str]
    default_types: frozenset[str]


@dataclass
class AddressEntry:
    """One entry of a company's address book, merged from every user row that gives it."""

    company_name: str
    row: UserRow
    is_billing: bool
    is_shipping: bool
    is_default_billing: bool = False
    is_default_shipping: bool = False


class UserRows:
    """The valid rows of the users file; with ``quiet`` off, the others are reported."""

    def __init__(self, run: OroImport, *, quiet: bool) -> None:
        self.run = run
        self.quiet = quiet
        self.emails: dict[str, int] = {}

    def __iter__(self) -> Iterator[tuple[Record, UserRow]]:
        for record in self.run.records(layouts.CUSTOMER_USERS, "customer users", quiet=self.quiet):
            fields = Fields(record)
            row = self._read(fields)
            if fields.problems:
                self.run.reject("customer users", fields.problems, quiet=self.quiet)
                continue
            yield record, row

    def _read(self, fields: Fields) -> UserRow:
        company_name = " ".join(fields.text("customer", required=True, max_length=200).split())
        email = fields.text("email", required=True, max_length=254)
        if email and ("@" not in email or " " in email):
            fields.error("email", f"'{email}' is not an e-mail address")
        fields.unique(self.emails, email.lower(), "email", f"e-mail '{email}'")
        roles = fields.choices("role", tuple(layouts.ROLES)) or {"buyer"}
        place = {
            "street": fields.text("street", max_length=200),
            "city": fields.text("city", max_length=100),
            "region": fields.text("state", max_length=100),
            "postal_code": fields.text("zipCode", max_length=20),
            "country": fields.text("country").upper(),
        }
        if any(place.values()):
            for column, key in (("street", "street"), ("city", "city"), ("country", "country")):
                if not place[key]:
                    fields.error(column, "is empty; an address needs a street, city and country")
            if place["country"] and (len(place["country"]) != 2 or not place["country"].isalpha()):
                fields.error("country", f"'{place['country']}' is not a two-letter country code")
        types = fields.choices("types", layouts.ADDRESS_TYPES) or set(layouts.ADDRESS_TYPES)
        default_types = fields.choices("defaultTypes", layouts.ADDRESS_TYPES)
        if default_types - types:
            fields.error(
                "defaultTypes",
                f"'{', '.join(sorted(default_types - types))}' is a default but not in types",
            )
        return UserRow(
            company_name=company_name,
            email=email,
            first_name=fields.text("firstName", max_length=150),
            last_name=fields.text("lastName", max_length=150),
            role_codes=frozenset(layouts.ROLES[role] for role in roles),
            address_key=(
                (company_name.lower(), *(value.lower() for value in place.values()))
                if place["street"]
                else None
            ),
            types=frozenset(types),
            default_types=frozenset(default_types),
            **place,
        )


def import_companies_users_and_addresses(run: OroImport) -> None:
    """Companies named by the users file, then its users, then their companies' address books.

    A user row's address goes to its company's address book, once however many users share
    it; the first address of a company that the file makes a default keeps that default.
    """
    companies: dict[str, tuple[str, Record]] = {}
    entries: dict[tuple[str, ...], AddressEntry] = {}
    claimed: dict[tuple[str, str], tuple[str, ...]] = {}
    for record, row in UserRows(run, quiet=False):
        companies.setdefault(row.company_name.lower(), (row.company_name, record))
        if row.address_key is not None:
            _add_to_address_book(entries, claimed, row)

    for name, record in companies.values():
        _import_company(run, name, record)

    done: set[tuple[str, ...]] = set()
    for record, row in UserRows(run, quiet=True):
        saved = run.save_row(
            "customer users",
            record,
            lambda row=row: _write_user(run, row, entries.get(row.address_key), done),
        )
        if saved and run.order_owner is None:
            run.order_owner = CustomerUser.objects.select_related("company", "user").get(
                user__email__iexact=row.email
            )


def _add_to_address_book(
    entries: dict[tuple[str, ...], AddressEntry],
    claimed: dict[tuple[str, str], tuple[str, ...]],
    row: UserRow,
) -> None:
    key = row.address_key
    assert key is not None
    entry = entries.get(key)
    if entry is None:
        entry = entries[key] = AddressEntry(
            company_name=row.company_name, row=row, is_billing=False, is_shipping=False
        )
    entry.is_billing |= "billing" in row.types
    entry.is_shipping |= "shipping" in row.types
    for address_type in row.default_types:
        owner = claimed.setdefault((row.company_name.lower(), address_type), key)
        if owner == key:
            setattr(entry, f"is_default_{address_type}", True)


def _import_company(run: OroImport, name: str, record: Record) -> Company | None:
    """The company ``name``, after its parent company when the name says it has one."""
    if name.lower() in run.companies:
        return run.companies[name.lower()]
    parent = None
    if layouts.SUBSIDIARY_SEPARATOR in name:
        parent_name = name.split(layouts.SUBSIDIARY_SEPARATOR, 1)[0].strip()
        parent = _import_company(run, parent_name, record)
        if parent is None:
            return None
    # A company the demo loader does not name takes its parent's group, if it has a parent.
    group_name = layouts.COMPANY_GROUPS.get(name.lower())
    if group_name is not None:
        group = CustomerGroup.objects.get(name__iexact=group_name)
    else:
        group = parent.customer_group if parent is not None else None

    def write() -> Outcomes:
        company, status = upsert_company(
            name=name, parent=parent, customer_group=group, payment_term=run.payment_term
        )
        run.companies[name.lower()] = company
        return [("companies", status)]

    run.save_row("companies", record, write)
    return run.companies.get(name.lower())


def _write_user(
    run: OroImport, row: UserRow, entry: AddressEntry | None, done: set[tuple[str, ...]]
) -> Outcomes:
    company = run.companies.get(row.company_name.lower())
    if company is None:
        raise RowRefused(f"company '{row.company_name}' was not imported", column="customer")
    _, status = upsert_customer_user(
        email=row.email,
        company=company,
        first_name=row.first_name,
        last_name=row.last_name,
        role_codes=row.role_codes,
        password=run.password,
    )
    outcomes: Outcomes = [("customer users", status)]
    if entry is not None and row.address_key not in done:
        outcomes.append(("addresses", _write_address(company, entry)))
        done.add(row.address_key)  # type: ignore[arg-type]  # not None with an entry
    return outcomes


def _write_address(company: Company, entry: AddressEntry) -> UpsertStatus:
    first = entry.row
    _, status = upsert_address(
        company=company,
        street=first.street,
        city=first.city,
        region=first.region,
        postal_code=first.postal_code,
        country=first.country,
        name=f"{first.first_name} {first.last_name}".strip(),
        is_billing=entry.is_billing,
        is_shipping=entry.is_shipping,
        is_default_billing=entry.is_default_billing,
        is_default_shipping=entry.is_default_shipping,
    )
    return status


def import_price_list_assignments(run: OroImport) -> None:
    """The chains: the default website's, each customer group's and each company's."""
    _import_assignments(run, layouts.WEBSITE_ASSIGNMENTS, None)
    _import_assignments(run, layouts.GROUP_ASSIGNMENTS, "customerGroup")
    _import_assignments(run, layouts.COMPANY_ASSIGNMENTS, "customer")


def _import_assignments(run: OroImport, layout: CsvLayout, level_column: str | None) -> None:
    entity = "price list assignments"
    seen: dict[tuple[str, str], int] = {}
    for record in run.records(layout, entity):
        fields = Fields(record)
        price_list = _price_list(run, fields)
        target_name = fields.text(level_column, required=True) if level_column else ""
        company = group = None
        if level_column == "customer" and target_name:
            company = (
                run.companies.get(target_name.lower())
                or Company.objects.filter(name__iexact=target_name).first()
            )
            if company is None:
                fields.error(
                    level_column,
                    f"unknown company '{target_name}'; companies come from "
                    f"{layouts.CUSTOMER_USERS.file_name}",
                )
        elif level_column == "customerGroup" and target_name:
            group = CustomerGroup.objects.filter(name__iexact=target_name).first()
            if group is None:
                known = ", ".join(CustomerGroup.objects.values_list("name", flat=True))
                fields.error(
                    level_column, f"unknown customer group '{target_name}'; known: {known}"
                )
        sort_order = fields.integer("sort_order", **_SORT_ORDER_RANGE)
        merge_allowed = fields.boolean("mergeAllowed", default=True)
        if price_list is not None:
            fields.unique(
                seen,
                (target_name.lower(), price_list.name.lower()),
                "priceList",
                f"price list '{price_list.name}' for '{target_name or 'the website'}'",
            )
        if fields.problems:
            run.reject(entity, fields.problems)
            continue

        def write(
            price_list=price_list,
            company=company,
            group=group,
            sort_order=sort_order,
            merge_allowed=merge_allowed,
        ):
            _, status = upsert_price_list_assignment(
                price_list=price_list,
                company=company,
                customer_group=group,
                sort_order=100 if sort_order is None else sort_order,
                merge_allowed=merge_allowed,
            )
            return [(entity, status)]

        run.save_row(entity, record, write)


def _price_list(run: OroImport, fields: Fields) -> PriceList | None:
    name = fields.text("priceList", required=True)
    price_list = run.price_lists.get(name.lower())
    if price_list is None and name:
        known = ", ".join(price_list.name for price_list in run.price_lists.values()) or "none"
        fields.error("priceList", f"unknown price list '{name}'; known: {known}")
    return price_list
