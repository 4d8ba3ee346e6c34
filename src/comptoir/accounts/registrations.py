"""Registration requests: a new company asks for an account, and staff approve or reject it.

Approval creates the company (with the request's address as its default address) and its
first administrator, who gets an invitation e-mail with a link to set a password. Rejection
e-mails the requester the reason, in the language they asked in.
"""

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.accounts.audit import record_audit
from comptoir.accounts.emails import render_email, send_email
from comptoir.accounts.invitations import issue_invitation
from comptoir.accounts.models import (
    Company,
    CustomerRole,
    CustomerUser,
    RegistrationRequest,
    RegistrationStatus,
    User,
)
from comptoir.accounts.services import upsert_address, upsert_company, upsert_customer_user
from comptoir.core.errors import DomainError

logger = logging.getLogger(__name__)

# The fields a requester fills in, in the order the form shows them.
REQUEST_FIELDS = (
    "company_name",
    "tax_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "message",
    "language",
)
ADDRESS_FIELDS = ("street", "city", "region", "postal_code", "country")


class EmailHasAccount(DomainError):
    code = "email_taken"
    status = 409


class CompanyExists(DomainError):
    code = "company_exists"
    status = 409


class RequestPending(DomainError):
    code = "registration_pending"
    status = 409


def submit_registration_request(**values: str) -> RegistrationRequest:
    """Record a new company's request for an account, for staff to review.

    Refused when the e-mail already has an account, a company of that name exists, or a
    request for the same e-mail or company name is waiting for review.
    """
    unknown = set(values) - set(REQUEST_FIELDS)
    if unknown:
        raise TypeError(f"Unknown registration fields: {', '.join(sorted(unknown))}")
    cleaned = {name: str(values.get(name) or "").strip() for name in REQUEST_FIELDS}
    cleaned["email"] = User.objects.normalize_email(cleaned["email"])
    cleaned["country"] = cleaned["country"].upper()
    registration = RegistrationRequest(**cleaned)
    _check_fields(registration)
    _check_address(registration)

    with transaction.atomic():
        _check_free(registration)
        pending = RegistrationRequest.objects.filter(status=RegistrationStatus.PENDING)
        if pending.filter(email__iexact=registration.email).exists():
            raise RequestPending(
                _(
                    "A request for an account with the e-mail %(email)s is already waiting for "
                    "review: we will answer it by e-mail"
                )
                % {"email": registration.email}
            )
        if pending.filter(company_name__iexact=registration.company_name).exists():
            raise RequestPending(
                _(
                    "A request for an account for %(company)s is already waiting for review: "
                    "we will answer it by e-mail"
                )
                % {"company": registration.company_name}
            )
        registration.save()

    logger.info(
        "registration request %s from %s for %s",
        registration.pk,
        registration.email,
        registration.company_name,
    )
    return registration


def approve_registration_request(
    *, registration_request: RegistrationRequest, actor: User, site_url: str
) -> CustomerUser:
    """Create the company and its first administrator, and e-mail them an invitation.

    ``actor`` is the staff user approving; ``site_url`` the storefront's address, for the
    invitation link. Returns the new administrator.
    """
    with transaction.atomic():
        registration = _locked_pending(registration_request)
        _check_free(registration)
        company, _status = upsert_company(
            name=registration.company_name, tax_id=registration.tax_id
        )
        if registration.street:
            upsert_address(
                company=company,
                name=f"{registration.first_name} {registration.last_name}".strip(),
                street=registration.street,
                city=registration.city,
                region=registration.region,
                postal_code=registration.postal_code,
                country=registration.country,
                is_default_billing=True,
                is_default_shipping=True,
            )
        administrator = _invite_administrator(registration, company, actor, site_url)
        before = _decision(registration)
        registration.status = RegistrationStatus.APPROVED
        registration.decided_by = actor
        registration.decided_at = timezone.now()
        registration.company = company
        registration.save(update_fields=["status", "decided_by", "decided_at", "company"])
        record_audit(
            actor=actor,
            company=company,
            action="registration_request.approved",
            instance=registration,
            before=before,
            after={**_decision(registration), "administrator": registration.email},
        )

    logger.info(
        "registration request %s approved by %s: company %s created",
        registration.pk,
        actor,
        company.name,
    )
    return administrator


def reject_registration_request(
    *, registration_request: RegistrationRequest, reason: str, actor: User
) -> RegistrationRequest:
    """Refuse the request and e-mail the requester ``reason``; nothing else is created."""
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Give the reason for the rejection: it is sent to the requester"),
            code="rejection_reason_missing",
        )

    with transaction.atomic():
        registration = _locked_pending(registration_request)
        before = _decision(registration)
        registration.status = RegistrationStatus.REJECTED
        registration.rejection_reason = reason
        registration.decided_by = actor
        registration.decided_at = timezone.now()
        registration.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
        record_audit(
            actor=actor,
            company=None,
            action="registration_request.rejected",
            instance=registration,
            before=before,
            after={**_decision(registration), "rejection_reason": reason},
        )
        transaction.on_commit(partial(_send_rejection_email, registration))

    logger.info("registration request %s rejected by %s", registration.pk, actor)
    return registration


def _invite_administrator(
    registration: RegistrationRequest, company: Company, actor: User, site_url: str
) -> CustomerUser:
    """The company's first administrator, inactive until they set a password from the
    invitation e-mail sent after commit; accepting it goes through ``accept_invitation``."""
    administrator, _status = upsert_customer_user(
        email=registration.email,
        company=company,
        first_name=registration.first_name,
        last_name=registration.last_name,
        role_codes=(CustomerRole.ADMINISTRATOR,),
        is_active=False,
    )
    administrator.user.language = registration.language
    administrator.user.save(update_fields=["language"])
    issue_invitation(invited=administrator, invited_by=actor, site_url=site_url)
    return administrator


def _send_rejection_email(registration: RegistrationRequest) -> None:
    context = {"registration": registration, "shop_name": settings.COMPTOIR_SHOP_NAME}
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        message = render_email(
            "storefront/access/email/registration_rejected", context, to=registration.email
        )
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    send_email.enqueue(
        subject=message.subject, body=message.body, html=html, to=registration.email
    )
    logger.info("rejection of registration request %s queued for e-mail", registration.pk)


def _check_fields(registration: RegistrationRequest) -> None:
    try:
        registration.full_clean(
            exclude=["status", "decided_by", "decided_at", "rejection_reason", "company"]
        )
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            label = registration._meta.get_field(name).verbose_name
            problems.append(f"{label}: {' '.join(messages)}")
        raise DomainError("; ".join(problems), code="invalid_input") from None


def _check_address(registration: RegistrationRequest) -> None:
    given = [name for name in ADDRESS_FIELDS if getattr(registration, name)]
    if not given:
        return
    if not (registration.street and registration.city and registration.country):
        raise DomainError(
            _("An address needs a street, a city and a country; or leave the address empty"),
            code="address_incomplete",
        )
    if len(registration.country) != 2 or not registration.country.isalpha():
        raise DomainError(
            _("'%(country)s' is not a country code: write two letters, as in US")
            % {"country": registration.country},
            code="country_invalid",
        )


def _check_free(registration: RegistrationRequest) -> None:
    if User.objects.filter(email__iexact=registration.email).exists():
        raise EmailHasAccount(
            _(
                "An account already uses the e-mail %(email)s: log in, or reset your password "
                "from the login page"
            )
            % {"email": registration.email}
        )
    if Company.objects.filter(name__iexact=registration.company_name).exists():
        raise CompanyExists(
            _(
                "%(company)s already has an account: ask its administrator to invite you, or "
                "give the full name of your company if it is another one"
            )
            % {"company": registration.company_name}
        )


def _locked_pending(registration_request: RegistrationRequest) -> RegistrationRequest:
    registration = RegistrationRequest.objects.select_for_update().get(pk=registration_request.pk)
    if registration.status == RegistrationStatus.APPROVED:
        raise DomainError(
            _("The request of %(company)s was already approved")
            % {"company": registration.company_name},
            code="registration_decided",
        )
    if registration.status == RegistrationStatus.REJECTED:
        raise DomainError(
            _("The request of %(company)s was already rejected")
            % {"company": registration.company_name},
            code="registration_decided",
        )
    return registration


def _decision(registration: RegistrationRequest) -> dict[str, Any]:
    return {
        "status": registration.status,
        "decided_by": str(registration.decided_by) if registration.decided_by else None,
    }
