"""The address book: each company's billing and shipping addresses and its defaults."""

import logging
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.accounts.administration.common import (
    InvalidValue,
    clean_text,
    company_for,
    lock_company,
    record_change,
)
from comptoir.accounts.audit import snapshot
from comptoir.accounts.models import (
    Action,
    Address,
    CustomerUser,
    Resource,
    User,
)
from comptoir.accounts.permissions import require
from comptoir.accounts.scoping import get_visible, visible_to

logger = logging.getLogger(__name__)


class AddressFields(TypedDict, total=False):
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


ADDRESS_FIELDS: tuple[str, ...] = tuple(AddressFields.__annotations__)
_ADDRESS_TEXT_LABELS = {
    "label": gettext_lazy("The label"),
    "name": gettext_lazy("The addressee"),
    "street": gettext_lazy("The street"),
    "street2": gettext_lazy("The second street line"),
    "city": gettext_lazy("The city"),
    "region": gettext_lazy("The region"),
    "postal_code": gettext_lazy("The postal code"),
}


def address_for(
    customer_user: CustomerUser, address_id: int, action: str = Action.VIEW
) -> Address:
    """One address of the address books ``customer_user`` may take ``action`` on."""
    require(customer_user, Resource.ADDRESSES, action)
    return get_visible(
        customer_user, Address.objects.select_related("company"), action, pk=address_id
    )


def addresses_visible_to(customer_user: CustomerUser) -> QuerySet[Address]:
    """The address book entries ``customer_user`` may see, company by company."""
    require(customer_user, Resource.ADDRESSES, Action.VIEW)
    return visible_to(customer_user, Address.objects.select_related("company")).order_by(
        "company__name", "-is_default_shipping", "-is_default_billing", "label", "id"
    )


def create_address(
    *,
    customer_user: CustomerUser,
    company_id: int | None = None,
    acting_user: User | None = None,
    **values: Unpack[AddressFields],
) -> Address:
    """Add an address to the caller's address book (or that of a subsidiary it manages).

    Making it a default billing (shipping) address takes that default from the company's other
    addresses.
    """
    require(customer_user, Resource.ADDRESSES, Action.CREATE)
    defaults: AddressFields = {"is_billing": True, "is_shipping": True}
    checked = checked_address({**defaults, **values})

    with transaction.atomic():
        company = company_for(customer_user, company_id, Resource.ADDRESSES, Action.CREATE)
        lock_company(company.pk)
        address = Address.objects.create(company=company, **checked)
        _take_defaults(customer_user, acting_user, address)
        after = snapshot(address, ADDRESS_FIELDS)
        record_change(customer_user, acting_user, company, "address.created", address, None, after)

    logger.info("address %s added to %s by %s", address.pk, company.name, customer_user.email)
    return address


def update_address(
    *,
    customer_user: CustomerUser,
    address_id: int,
    acting_user: User | None = None,
    **changes: Unpack[AddressFields],
) -> Address:
    """Change an entry of an address book; the fields left out keep their values."""
    require(customer_user, Resource.ADDRESSES, Action.EDIT)

    with transaction.atomic():
        address = address_for(customer_user, address_id, Action.EDIT)
        lock_company(address.company_id)
        before = snapshot(address, ADDRESS_FIELDS)
        checked = checked_address({**before, **changes})
        for name, value in checked.items():
            setattr(address, name, value)
        address.save(update_fields=list(checked))
        _take_defaults(customer_user, acting_user, address)
        after = snapshot(address, ADDRESS_FIELDS)
        record_change(
            customer_user, acting_user, address.company, "address.updated", address, before, after
        )

    if before != after:
        logger.info("address %s updated by %s", address.pk, customer_user.email)
    return address


def delete_address(
    *, customer_user: CustomerUser, address_id: int, acting_user: User | None = None
) -> None:
    """Remove an entry from an address book; orders keep their own copy of the address."""
    require(customer_user, Resource.ADDRESSES, Action.DELETE)

    with transaction.atomic():
        address = address_for(customer_user, address_id, Action.DELETE)
        before = snapshot(address, ADDRESS_FIELDS)
        record_change(
            customer_user, acting_user, address.company, "address.deleted", address, before, None
        )
        address.delete()

    logger.info("address %s deleted by %s", address_id, customer_user.email)


def checked_address(values: dict[str, Any]) -> dict[str, Any]:
    """Every field of an address from ``values``, trimmed and checked, or an ``InvalidValue``
    naming the field to correct."""
    checked: dict[str, Any] = {}
    for name, label in _ADDRESS_TEXT_LABELS.items():
        limit = Address._meta.get_field(name).max_length
        checked[name] = clean_text(values.get(name) or "", name, str(label), limit)
    for name in ("street", "city"):
        if not checked[name]:
            raise InvalidValue(
                _("%(field)s is required.") % {"field": _ADDRESS_TEXT_LABELS[name]},
                field=name,
                code="address_incomplete",
            )
    country = str(values.get("country") or "").strip().upper()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise InvalidValue(
            _("'%(country)s' is not a country code: write two letters, as in US.")
            % {"country": values.get("country") or ""},
            field="country",
            code="country_invalid",
        )
    checked["country"] = country
    for flag in ("is_billing", "is_shipping", "is_default_billing", "is_default_shipping"):
        checked[flag] = bool(values.get(flag))
    if checked["is_default_billing"] and not checked["is_billing"]:
        raise InvalidValue(
            _("A default billing address must be usable for billing."),
            field="is_default_billing",
            code="default_address_type",
        )
    if checked["is_default_shipping"] and not checked["is_shipping"]:
        raise InvalidValue(
            _("A default shipping address must be usable for shipping."),
            field="is_default_shipping",
            code="default_address_type",
        )
    return checked


def _take_defaults(
    customer_user: CustomerUser, acting_user: User | None, address: Address
) -> None:
    for flag in ("is_default_billing", "is_default_shipping"):
        if not getattr(address, flag):
            continue
        others = Address.objects.filter(company_id=address.company_id, **{flag: True}).exclude(
            pk=address.pk
        )
        for other in others:
            setattr(other, flag, False)
            other.save(update_fields=[flag])
            record_change(
                customer_user,
                acting_user,
                address.company,
                "address.updated",
                other,
                {flag: True},
                {flag: False},
            )
