"""Every write of accounts: customer groups, payment terms, companies, addresses, customer users.

Each upsert creates or updates one record from the values it is given, in one transaction, and
returns it with ``"created"``, ``"updated"`` or ``"unchanged"``. Values are compared before
anything is saved, so a second call with the same values writes nothing.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from comptoir.accounts.models import (
    Address,
    Company,
    CustomerGroup,
    CustomerRole,
    CustomerUser,
    PaymentTerm,
    User,
)
from comptoir.accounts.permissions import PREDEFINED_ROLES, predefined_roles
from comptoir.core.errors import DomainError
from comptoir.core.events import record_event
from comptoir.core.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    UpsertStatus,
    assign_changes,
    save_changes,
    upsert,
)

logger = logging.getLogger(__name__)


def upsert_customer_group(*, name: str) -> tuple[CustomerGroup, UpsertStatus]:
    """Create the customer group ``name``, or take the one already named so ignoring case."""
    name = name.strip()
    if not name:
        raise DomainError("A customer group needs a name", code="customer_group_name_missing")
    with transaction.atomic():
        return upsert(CustomerGroup, match=Q(name__iexact=name), values={"name": name})


def upsert_payment_term(*, label: str, days: int) -> tuple[PaymentTerm, UpsertStatus]:
    """Create or update the payment term ``label`` ("net 30"), due ``days`` after invoicing."""
    label = label.strip()
    if not label:
        raise DomainError("A payment term needs a label", code="payment_term_label_missing")
    if days < 0:
        raise DomainError(f"Payment term '{label}' cannot be due before the invoice date")
    with transaction.atomic():
        return upsert(
            PaymentTerm, match=Q(label__iexact=label), values={"label": label, "days": days}
        )


def upsert_company(
    *,
    name: str,
    parent: Company | None = None,
    customer_group: CustomerGroup | None = None,
    payment_term: PaymentTerm | None = None,
    tax_id: str | None = None,
) -> tuple[Company, UpsertStatus]:
    """Create or update the company ``name`` (matched ignoring case).

    A company with a ``parent`` is one of its subsidiaries. A ``tax_id`` left to None keeps
    the one the company has.
    """
    name = name.strip()
    if not name:
        raise DomainError("A company needs a name", code="company_name_missing")
    values: dict[str, object] = {
        "name": name,
        "parent": parent,
        "customer_group": customer_group,
        "payment_term": payment_term,
    }
    if tax_id is not None:
        values["tax_id"] = tax_id.strip()

    with transaction.atomic():
        existing = Company.objects.filter(name__iexact=name).first()
        node = parent
        while existing is not None and node is not None:
            if node.pk == existing.pk:
                raise DomainError(
                    f"Company '{name}' cannot be a subsidiary of '{parent}': "
                    f"'{parent}' is '{name}' or one of its subsidiaries",
                    code="company_parent_cycle",
                )
            node = node.parent
        company, status = upsert(Company, match=Q(name__iexact=name), values=values)
        if status == CREATED:
            record_company_created(company)

    if status != UNCHANGED:
        logger.debug("company %s %s", company.name, status)
    return company, status


def record_company_created(company: Company) -> None:
    """Tell other systems of a new company (``company_created``); call in the transaction
    that creates it."""
    record_event(
        "company_created",
        entity_key=company.code,
        payload={
            "code": company.code,
            "name": company.name,
            "parent": company.parent.code if company.parent else None,
        },
    )


def upsert_address(
    *,
    company: Company,
    street: str,
    city: str,
    country: str,
    street2: str = "",
    region: str = "",
    postal_code: str = "",
    label: str = "",
    name: str = "",
    is_billing: bool = True,
    is_shipping: bool = True,
    is_default_billing: bool = False,
    is_default_shipping: bool = False,
) -> tuple[Address, UpsertStatus]:
    """Add an address to ``company``'s address book, or update the entry at the same place.

    An entry is the same place when street, street2, city, region, postal code and country
    match ignoring case. Making it a default takes that default from the company's other
    addresses: a company has one default billing and one default shipping address.
    """
    place = {
        "street": street.strip(),
        "street2": street2.strip(),
        "city": city.strip(),
        "region": region.strip(),
        "postal_code": postal_code.strip(),
        "country": country.strip().upper(),
    }
    if not place["street"] or not place["city"]:
        raise DomainError("An address needs a street and a city", code="address_incomplete")
    if len(place["country"]) != 2 or not place["country"].isalpha():
        raise DomainError(
            f"'{country}' is not a country code: write two letters, as in US",
            code="country_invalid",
        )
    if (is_default_billing and not is_billing) or (is_default_shipping and not is_shipping):
        raise DomainError(
            "A default billing (shipping) address must be usable for billing (shipping)",
            code="default_address_type",
        )
    values = {
        **place,
        "label": label.strip(),
        "name": name.strip(),
        "is_billing": is_billing,
        "is_shipping": is_shipping,
        "is_default_billing": is_default_billing,
        "is_default_shipping": is_default_shipping,
    }
    match = Q(company=company)
    for field_name, value in place.items():
        match &= Q(**{f"{field_name}__iexact": value})

    with transaction.atomic():
        address, status = upsert(Address, match=match, values={"company": company, **values})
        others = Address.objects.filter(company=company).exclude(pk=address.pk)
        if is_default_billing:
            others.filter(is_default_billing=True).update(is_default_billing=False)
        if is_default_shipping:
            others.filter(is_default_shipping=True).update(is_default_shipping=False)
    return address, status


def upsert_customer_user(
    *,
    email: str,
    company: Company,
    first_name: str = "",
    last_name: str = "",
    role_codes: Iterable[str] = (CustomerRole.BUYER,),
    password: str | None = None,
    is_active: bool = True,
) -> tuple[CustomerUser, UpsertStatus]:
    """Create or update the customer user who logs in with ``email`` (matched ignoring case).

    ``role_codes`` replace the user's roles; the standard roles (administrator, buyer) are
    made when first given. ``password`` is set when given and different; a new user without
    one gets an unusable password, and an existing user's password is kept.
    """
    email = User.objects.normalize_email(email.strip())
    if "@" not in email:
        raise DomainError(f"'{email}' is not an e-mail address", code="email_invalid")
    codes = {code.strip().lower() for code in role_codes}

    with transaction.atomic():
        roles = _roles(codes)
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        names = {"first_name": first_name.strip(), "last_name": last_name.strip()}
        if user is None:
            user = User(email=email, is_active=is_active, **names)
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
            user_status = CREATED
        else:
            if user.is_staff and not CustomerUser.objects.filter(user=user).exists():
                raise DomainError(
                    f"'{email}' is a staff login; a customer user needs another e-mail",
                    code="email_is_staff",
                )
            changed = assign_changes(user, {"email": email, "is_active": is_active, **names})
            if password is not None and not user.check_password(password):
                user.set_password(password)
                changed.append("password")
            user_status = save_changes(user, changed)

        customer_user, membership_status = upsert(
            CustomerUser, match={"user": user}, values={"company": company}
        )
        roles_changed = {role.pk for role in customer_user.roles.all()} != {
            role.pk for role in roles
        }
        if roles_changed:
            customer_user.roles.set(roles)

    if CREATED in (user_status, membership_status):
        status = CREATED
    elif user_status == UPDATED or membership_status == UPDATED or roles_changed:
        status = UPDATED
    else:
        status = UNCHANGED
    if status != UNCHANGED:
        logger.debug("customer user %s %s for %s", email, status, company.name)
    return customer_user, status


def _roles(codes: set[str]) -> list[CustomerRole]:
    roles = {role.code: role for role in predefined_roles() if role.code in codes}
    for code in codes - roles.keys():
        known = ", ".join(sorted(PREDEFINED_ROLES))
        raise DomainError(f"Unknown role '{code}' (known: {known})", code="role_unknown")
    return sorted(roles.values(), key=lambda role: role.code)
