"""Accounts as another system states them: companies by code, customer users by e-mail and
address book entries by label.

Import files and the ERP API write through these. Each call creates or updates one record in one
transaction, and an argument left out (``KEEP``) keeps what the record holds, so that a file
with a few columns changes only those. The back office's rules hold here too: a company is not
its own ancestor, a user's roles are the predefined ones or its company's own, a company keeps
an active user who can manage users, and it has one default billing and one default shipping
address. Every change goes to the audit log with no actor (the import or the API call that made
it keeps its own record); a new company records the ``company_created`` event.
"""

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from comptoir.accounts.administration.addresses import (
    ADDRESS_FIELDS,
    AddressFields,
    checked_address,
)
from comptoir.accounts.administration.common import (
    KEEP,
    InvalidValue,
    Keep,
    clean_text,
    keep_a_user_manager,
    lock_company,
    user_managers,
)
from comptoir.accounts.audit import record_audit, snapshot
from comptoir.accounts.invitations import revoke_pending_invitations
from comptoir.accounts.models import (
    Address,
    Company,
    CustomerGroup,
    CustomerRole,
    CustomerUser,
    Department,
    PaymentTerm,
    User,
)
from comptoir.accounts.permissions import predefined_roles
from comptoir.accounts.services import record_company_created
from comptoir.core.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    UpsertStatus,
    assign_changes,
    save_changes,
)
from comptoir.taxes.models import CustomerTaxCode
from comptoir.taxes.vat import validate_vat_number

logger = logging.getLogger(__name__)

# Letters (of any script), digits and . - _ /, as ERP customer numbers are written.
COMPANY_CODE = re.compile(r"[\w.\-/]+")
COMPANY_FIELDS = (
    "code",
    "name",
    "parent",
    "customer_group",
    "payment_term",
    "tax_id",
    "vat_number",
    "tax_code",
)
# Between the names of a department path: "Sales > North".
DEPARTMENT_SEPARATOR = ">"
PLACE_FIELDS = ("street", "street2", "city", "region", "postal_code", "country")


def checked_company_code(code: str) -> str:
    """``code`` without surrounding spaces, or an ``InvalidValue`` saying how to write it."""
    code = code.strip()
    limit = Company._meta.get_field("code").max_length
    if not code:
        raise InvalidValue("A company needs a code", field="code", code="company_code_missing")
    if len(code) > limit:
        raise InvalidValue(
            f"The code '{code}' is {len(code)} characters long; at most {limit} fit",
            field="code",
            code="company_code_too_long",
        )
    if not COMPANY_CODE.fullmatch(code):
        raise InvalidValue(
            f"'{code}' is not a company code: write letters, digits and . - _ / only, "
            "as in C-10023",
            field="code",
            code="company_code_invalid",
        )
    return code


def save_company(
    *,
    code: str,
    name: str | Keep = KEEP,
    parent: Company | None | Keep = KEEP,
    customer_group: CustomerGroup | None | Keep = KEEP,
    payment_term: PaymentTerm | None | Keep = KEEP,
    tax_id: str | Keep = KEEP,
    vat_number: str | Keep = KEEP,
    tax_code: CustomerTaxCode | None | Keep = KEEP,
) -> tuple[Company, UpsertStatus]:
    """Create or update the company ``code`` (matched ignoring case); what is left out is kept.

    A new company needs a name, and names are unique ignoring case. A company's parent is
    neither the company itself nor one of its subsidiaries.
    """
    code = checked_company_code(code)
    given: dict[str, Any] = {
        "name": name,
        "parent": parent,
        "customer_group": customer_group,
        "payment_term": payment_term,
        "tax_id": tax_id,
        "vat_number": vat_number,
        "tax_code": tax_code,
    }
    values = {field: value for field, value in given.items() if value is not KEEP}
    if "name" in values:
        values["name"] = clean_text(values["name"], "name", "The name", 200, required=True)
    if "tax_id" in values:
        values["tax_id"] = clean_text(values["tax_id"], "tax_id", "The tax ID", 50)
    if "vat_number" in values:
        values["vat_number"] = _checked_vat_number(values["vat_number"])

    with transaction.atomic():
        company = Company.objects.select_for_update().filter(code__iexact=code).first()
        if "name" in values:
            _check_name_free(values["name"], company)
        if company is not None and values.get("parent") is not None:
            _check_not_within(values["parent"], company)
        if company is None:
            if "name" not in values:
                raise InvalidValue(
                    f"Company '{code}' is new: it needs a name",
                    field="name",
                    code="company_name_missing",
                )
            company = Company.objects.create(code=code, **values)
            before, status = None, CREATED
        else:
            before = snapshot(company, COMPANY_FIELDS)
            status = save_changes(company, assign_changes(company, values))
        after = snapshot(company, COMPANY_FIELDS)
        action = "company.created" if status == CREATED else "company.updated"
        record_audit(
            actor=None,
            company=company,
            action=action,
            instance=company,
            before=before,
            after=after,
        )
        if status == CREATED:
            record_company_created(company)

    if status != UNCHANGED:
        logger.info("company %s %s", company.code, status)
    return company, status


def _checked_vat_number(number: str) -> str:
    number = clean_text(number, "vat_number", "The VAT number", 20) or ""
    try:
        validate_vat_number(number)
    except ValidationError as error:
        raise InvalidValue(
            error.messages[0], field="vat_number", code="vat_number_invalid"
        ) from None
    return number


def _check_name_free(name: str, company: Company | None) -> None:
    other = Company.objects.filter(name__iexact=name)
    if company is not None:
        other = other.exclude(pk=company.pk)
    holder = other.first()
    if holder is not None:
        raise InvalidValue(
            f"The name '{name}' is already company {holder.code}'s: names are unique; give "
            f"another name, or write the code {holder.code} to change that company",
            field="name",
            code="company_name_taken",
        )


def _check_not_within(parent: Company, company: Company) -> None:
    node: Company | None = parent
    while node is not None:
        if node.pk == company.pk:
            raise InvalidValue(
                f"Company {company.code} cannot be a subsidiary of {parent.code}: {parent.code} "
                f"is {company.code} itself or one of its subsidiaries",
                field="parent",
                code="company_parent_cycle",
            )
        node = node.parent


def save_customer_user(
    *,
    email: str,
    company: Company | Keep = KEEP,
    first_name: str | Keep = KEEP,
    last_name: str | Keep = KEEP,
    role_codes: Iterable[str] | Keep = KEEP,
    department: Sequence[str] | Keep = KEEP,
    is_active: bool | Keep = KEEP,
    language: str | Keep = KEEP,
) -> tuple[CustomerUser, UpsertStatus]:
    """Create or update the customer user who logs in with ``email`` (matched ignoring case);
    what is left out is kept.

    A new user needs a company; it gets no usable password (it sets one from an invitation or
    a password reset) and, without ``role_codes``, the buyer role. ``role_codes`` replace the
    user's roles: predefined ones or roles of its company. ``department`` is a path of names
    from the top of the company's departments (empty for none); the ones it names that do not
    exist yet are made. A user moved to another company leaves its department and its former
    company's roles behind. A change that leaves a company without an active user who can
    manage users is refused.
    """
    email = _checked_email(email)
    names: dict[str, Any] = {
        field: clean_text(value, field, label, 150)
        for field, label, value in (
            ("first_name", "The first name", first_name),
            ("last_name", "The last name", last_name),
        )
        if value is not KEEP
    }
    if language is not KEEP:
        names["language"] = _checked_language(language)
    if is_active is not KEEP:
        names["is_active"] = is_active

    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        member = (
            CustomerUser.objects.select_related("company").filter(user=user).first()
            if user is not None
            else None
        )
        if member is not None:
            member.user = user
        if user is not None and member is None and user.is_staff:
            raise InvalidValue(
                f"'{email}' is a staff login; a customer user needs another e-mail",
                field="email",
                code="email_is_staff",
            )
        target = member.company if company is KEEP and member is not None else company
        if not isinstance(target, Company):
            raise InvalidValue(
                f"'{email}' is a new customer user: it needs a company",
                field="company",
                code="company_missing",
            )
        affected = {target.pk: target}
        if member is not None:
            affected.setdefault(member.company_id, member.company)
        for company_id in sorted(affected):
            lock_company(company_id)
        managers_before = {company_id: user_managers(company_id) for company_id in affected}
        before = _customer_user_snapshot(member) if member is not None else None

        if user is None:
            user = User(email=email, **names)
            user.set_unusable_password()
            user.save()
        else:
            save_changes(user, assign_changes(user, names))
        if member is None:
            member = CustomerUser.objects.create(user=user, company=target)
            role_codes = (CustomerRole.BUYER,) if role_codes is KEEP else role_codes
        elif member.company_id != target.pk:
            member.company, member.department = target, None
            member.save(update_fields=["company", "department"])
            if role_codes is KEEP:
                member.roles.remove(*member.roles.exclude(company__isnull=True))
        if department is not KEEP:
            place = _department_at(target, department)
            if member.department_id != (place.pk if place else None):
                member.department = place
                member.save(update_fields=["department"])
        if role_codes is not KEEP:
            roles = _roles_of(target, role_codes)
            if set(member.roles.all()) != set(roles):
                member.roles.set(roles)
        if names.get("is_active") is False:
            revoke_pending_invitations(invited=member)
        for company_id, each in affected.items():
            keep_a_user_manager(each, managers_before[company_id])

        after = _customer_user_snapshot(member)
        status = CREATED if before is None else UPDATED if after != before else UNCHANGED
        action = "customer_user.created" if status == CREATED else "customer_user.updated"
        record_audit(
            actor=None, company=target, action=action, instance=member, before=before, after=after
        )

    if status != UNCHANGED:
        logger.info("customer user %s %s for %s", email, status, target.code)
    return member, status


def _department_names(department: Department | None) -> list[str]:
    """The names from the top of the company's departments down to ``department``."""
    names: list[str] = []
    while department is not None:
        names.insert(0, department.name)
        department = department.parent
    return names


def _customer_user_snapshot(member: CustomerUser) -> dict[str, Any]:
    return {
        **snapshot(member.user, ("email", "first_name", "last_name", "is_active", "language")),
        "company": member.company.code,
        "department": f" {DEPARTMENT_SEPARATOR} ".join(_department_names(member.department)),
        "roles": sorted(role.code for role in member.roles.all()),
    }


def _checked_email(email: str) -> str:
    email = User.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidValue(
            f"'{email}' is not an e-mail address; write it as in pat@example.com",
            field="email",
            code="email_invalid",
        ) from None
    return email


def _checked_language(language: str) -> str:
    language = language.strip().lower()
    codes = [code for code, _name in settings.LANGUAGES]
    if language and language not in codes:
        raise InvalidValue(
            f"'{language}' is not a language of the storefront; write one of "
            f"{', '.join(codes)}, or leave it empty to follow the browser",
            field="language",
            code="language_unknown",
        )
    return language


def _department_at(company: Company, path: Sequence[str]) -> Department | None:
    """The department at ``path`` in ``company``, made (and audited) where it is missing."""
    department = None
    for raw in path:
        name = clean_text(raw, "department", "A department's name", 200, required=True)
        found = Department.objects.filter(
            company=company, parent=department, name__iexact=name
        ).first()
        if found is None:
            found = Department.objects.create(company=company, parent=department, name=name)
            record_audit(
                actor=None,
                company=company,
                action="department.created",
                instance=found,
                after={"name": found.name, "parent": department.name if department else None},
            )
        department = found
    return department


def _roles_of(company: Company, codes: Iterable[str]) -> list[CustomerRole]:
    available = {role.code: role for role in predefined_roles()}
    available |= {role.code: role for role in CustomerRole.objects.filter(company=company)}
    wanted = {code.strip().lower() for code in codes if code.strip()}
    if unknown := sorted(wanted - available.keys()):
        raise InvalidValue(
            f"Unknown role {', '.join(unknown)} for company {company.code}; its roles are: "
            f"{', '.join(sorted(available))}",
            field="roles",
            code="role_unknown",
        )
    return [available[code] for code in sorted(wanted)]


def save_address(
    *, company: Company, label: str, **changes: Unpack[AddressFields]
) -> tuple[Address, UpsertStatus]:
    """Create or update the entry of ``company``'s address book labelled ``label`` (matched
    ignoring case); the fields left out of ``changes`` are kept.

    An entry without a label is found by its place instead, among the company's entries
    without one: the street, city and country given, and the street2, region and postal code
    given (ignoring case). Making an address a default takes that default from the company's
    other addresses.
    """
    label = clean_text(label, "label", "The label", 100) or ""

    with transaction.atomic():
        lock_company(company.pk)
        address = _address_named(company, label, changes)
        if address is None:
            defaults: dict[str, Any] = {"is_billing": True, "is_shipping": True}
            checked = checked_address({**defaults, **changes, "label": label})
            address = Address.objects.create(company=company, **checked)
            before, status = None, CREATED
        else:
            before = snapshot(address, ADDRESS_FIELDS)
            checked = checked_address({**before, **changes, "label": label})
            status = save_changes(address, assign_changes(address, checked))
        after = snapshot(address, ADDRESS_FIELDS)
        action = "address.created" if status == CREATED else "address.updated"
        record_audit(
            actor=None,
            company=company,
            action=action,
            instance=address,
            before=before,
            after=after,
        )
        _take_defaults(address)

    if status != UNCHANGED:
        logger.info("address %s of %s %s", address.pk, company.code, status)
    return address, status


def _address_named(company: Company, label: str, changes: dict[str, Any]) -> Address | None:
    entries = Address.objects.select_for_update().filter(company=company).order_by("pk")
    if label:
        found = list(entries.filter(label__iexact=label)[:2])
        if len(found) > 1:
            raise InvalidValue(
                f"Company {company.code} has several addresses labelled '{label}'; give them "
                "different labels in its address book first",
                field="label",
                code="address_label_ambiguous",
            )
        return found[0] if found else None
    missing = [field for field in ("street", "city", "country") if field not in changes]
    if missing:
        raise InvalidValue(
            f"An address without a label is found by its place: give its {', '.join(missing)}",
            field="label",
            code="address_place_missing",
        )
    place = Q(label="")
    for field in PLACE_FIELDS:
        if field in changes:
            place &= Q(**{f"{field}__iexact": str(changes[field]).strip()})
    return entries.filter(place).first()


def _take_defaults(address: Address) -> None:
    for flag in ("is_default_billing", "is_default_shipping"):
        if not getattr(address, flag):
            continue
        others = Address.objects.filter(company_id=address.company_id, **{flag: True}).exclude(
            pk=address.pk
        )
        for other in others:
            setattr(other, flag, False)
            other.save(update_fields=[flag])
            record_audit(
                actor=None,
                company=address.company,
                action="address.updated",
                instance=other,
                before={flag: True},
                after={flag: False},
            )
