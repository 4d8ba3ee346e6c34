"""The access services, ``comptoir access``, and registration requests from new companies."""

import base64
import re
from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from comptoir.accounts.access import (
    basic_auth_passes,
    clear_basic_auth,
    may_enter,
    set_access_mode,
    set_basic_auth,
    storefront_access,
)
from comptoir.accounts.invitations import accept_invitation
from comptoir.accounts.models import (
    AccessMode,
    Address,
    AuditEntry,
    Company,
    CustomerGroup,
    CustomerUser,
    RegistrationRequest,
    RegistrationStatus,
    StorefrontAccess,
    User,
)
from comptoir.accounts.registrations import (
    approve_registration_request,
    reject_registration_request,
    submit_registration_request,
)
from comptoir.core.errors import DomainError
from tests import factories

pytestmark = pytest.mark.django_db

SITE_URL = "http://testserver/"


@pytest.fixture
def staff():
    return User.objects.create_superuser("admin@seller.example", factories.PASSWORD)


@pytest.fixture
def companies():
    """Acme with a subsidiary two levels down, Initech in the Partners group, and Globex."""
    acme = factories.company("Acme")
    acme_east = factories.company("Acme East", parent=acme)
    partners = CustomerGroup.objects.create(name="Partners")
    return {
        "acme": acme,
        "acme_east": acme_east,
        "acme_east_north": factories.company("Acme East North", parent=acme_east),
        "partners": partners,
        "initech": factories.company("Initech", customer_group=partners),
        "globex": factories.company("Globex"),
        "wholesale": CustomerGroup.objects.create(name="Wholesale"),
    }


def run_access(*args: str) -> str:
    out = StringIO()
    call_command("access", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# Reading and switching the access mode


def test_reading_the_access_before_any_change_gives_open_without_writing():
    access = storefront_access()

    assert access.mode == AccessMode.OPEN
    assert access.basic_auth_username == ""
    assert StorefrontAccess.objects.count() == 0


def test_switching_to_pilot_records_the_members_and_audits_the_change(staff, companies):
    access = set_access_mode(
        mode=AccessMode.PILOT,
        companies=[companies["globex"], companies["acme"]],
        groups=[companies["partners"]],
        actor=staff,
    )

    entry = AuditEntry.objects.get()
    assert StorefrontAccess.objects.get().pk == access.pk
    assert storefront_access().mode == AccessMode.PILOT
    assert (entry.actor, entry.company, entry.action) == (
        staff,
        None,
        "storefront_access.mode_changed",
    )
    assert entry.before == {
        "mode": "open",
        "pilot_companies": [],
        "pilot_groups": [],
        "basic_auth_username": "",
    }
    assert entry.after == {
        "mode": "pilot",
        "pilot_companies": ["Acme", "Globex"],
        "pilot_groups": ["Partners"],
        "basic_auth_username": "",
    }


def test_switching_mode_without_members_keeps_them_for_the_next_pilot(companies):
    set_access_mode(mode=AccessMode.PILOT, companies=[companies["acme"]])

    set_access_mode(mode=AccessMode.OPEN)
    set_access_mode(mode=AccessMode.PILOT)

    assert list(storefront_access().pilot_companies.all()) == [companies["acme"]]


def test_unknown_mode_is_refused_and_changes_nothing():
    with pytest.raises(DomainError, match="Unknown access mode 'closed'"):
        set_access_mode(mode="closed")

    assert StorefrontAccess.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_setting_the_same_mode_again_writes_no_audit_entry(staff):
    set_access_mode(mode=AccessMode.LOGIN_REQUIRED, actor=staff)

    set_access_mode(mode=AccessMode.LOGIN_REQUIRED, actor=staff)

    assert AuditEntry.objects.count() == 1


# Who may enter a pilot


def test_pilot_admits_its_companies_their_subsidiaries_and_its_groups(companies):
    set_access_mode(
        mode=AccessMode.PILOT, companies=[companies["acme"]], groups=[companies["partners"]]
    )

    admitted = {
        name: may_enter(factories.customer_user(companies[name]))
        for name in ("acme", "acme_east", "acme_east_north", "initech", "globex")
    }

    assert admitted == {
        "acme": True,
        "acme_east": True,
        "acme_east_north": True,
        "initech": True,
        "globex": False,
    }


def test_pilot_of_a_subsidiary_does_not_admit_its_parent(companies):
    set_access_mode(mode=AccessMode.PILOT, companies=[companies["acme_east"]])

    assert may_enter(factories.customer_user(companies["acme_east_north"])) is True
    assert may_enter(factories.customer_user(companies["acme"])) is False


def test_subsidiary_made_after_the_pilot_started_is_in_it(companies):
    set_access_mode(mode=AccessMode.PILOT, companies=[companies["acme"]])
    buyer = factories.customer_user(companies["globex"])

    assert may_enter(buyer) is False
    companies["globex"].parent = companies["acme_east_north"]
    companies["globex"].save()
    buyer.refresh_from_db()

    assert may_enter(buyer) is True


def test_every_customer_user_may_enter_outside_pilot_mode(companies):
    set_access_mode(mode=AccessMode.PILOT, companies=[companies["acme"]])
    buyer = factories.customer_user(companies["globex"])

    set_access_mode(mode=AccessMode.LOGIN_REQUIRED)

    assert may_enter(buyer) is True


# The basic-auth gate


def test_gate_password_is_stored_hashed_and_kept_out_of_the_audit_log(staff):
    set_basic_auth(username="preview", password="early-bird-42", actor=staff)

    access = storefront_access()
    entry = AuditEntry.objects.get()
    assert access.basic_auth_username == "preview"
    assert access.basic_auth_password != "early-bird-42"
    assert check_password("early-bird-42", access.basic_auth_password) is True
    assert entry.action == "storefront_access.basic_auth_set"
    assert entry.before == {"basic_auth_username": "", "basic_auth_password": ""}
    assert entry.after == {"basic_auth_username": "preview", "basic_auth_password": "new"}


def test_gate_accepts_only_its_username_and_password():
    set_basic_auth(username="preview", password="early-bird-42")
    access = storefront_access()

    assert basic_auth_passes(access, basic("preview", "early-bird-42")) is True
    assert basic_auth_passes(access, basic("Preview", "early-bird-42")) is False
    assert basic_auth_passes(access, basic("preview", "early-bird-4")) is False
    assert basic_auth_passes(access, "Basic not-base64!") is False
    assert basic_auth_passes(access, "Bearer early-bird-42") is False
    assert basic_auth_passes(access, "") is False


def test_removing_the_gate_lets_nobody_pass_with_its_old_credentials(staff):
    set_basic_auth(username="preview", password="early-bird-42", actor=staff)

    clear_basic_auth(actor=staff)

    access = storefront_access()
    assert (access.basic_auth_username, access.basic_auth_password) == ("", "")
    assert basic_auth_passes(access, basic("preview", "early-bird-42")) is False
    assert AuditEntry.objects.filter(action="storefront_access.basic_auth_cleared").count() == 1


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "secret", "needs a username"),
        ("pre:view", "secret", "cannot contain a colon"),
        ("preview", "", "needs a password"),
    ],
)
def test_gate_credentials_a_browser_cannot_send_are_refused(username, password, message):
    with pytest.raises(DomainError, match=message):
        set_basic_auth(username=username, password=password)

    assert StorefrontAccess.objects.count() == 0


# comptoir access


def test_access_show_describes_the_mode_the_pilot_and_the_gate(companies):
    set_access_mode(
        mode=AccessMode.PILOT, companies=[companies["acme"]], groups=[companies["partners"]]
    )
    set_basic_auth(username="preview", password="early-bird-42")

    output = run_access("show")

    assert output.splitlines() == [
        "Access mode: Pilot (pilot)",
        "Pilot companies (with their subsidiaries): Acme",
        "Pilot customer groups: Partners",
        "Basic-auth gate: on, username preview",
    ]


def test_access_commands_switch_the_mode(companies):
    assert (
        run_access("login-required").splitlines()[0]
        == "Access mode: Login required (login_required)"
    )
    assert storefront_access().mode == AccessMode.LOGIN_REQUIRED

    assert run_access("open").splitlines() == ["Access mode: Open (open)", "Basic-auth gate: off"]
    assert storefront_access().mode == AccessMode.OPEN


def test_access_pilot_matches_repeated_names_ignoring_case(companies):
    output = run_access(
        "pilot",
        "--company",
        "ACME",
        "--company",
        "globex",
        "--group",
        " partners ",
        "--group",
        "WHOLESALE",
    )

    access = storefront_access()
    assert access.mode == AccessMode.PILOT
    assert sorted(company.name for company in access.pilot_companies.all()) == ["Acme", "Globex"]
    assert sorted(group.name for group in access.pilot_groups.all()) == ["Partners", "Wholesale"]
    assert "Pilot companies (with their subsidiaries): Acme, Globex" in output
    assert AuditEntry.objects.get().actor is None


def test_access_pilot_with_an_unknown_company_lists_close_names_and_changes_nothing(companies):
    with pytest.raises(CommandError) as refused:
        run_access("pilot", "--company", "Acme Est", "--group", "Partner")

    assert str(refused.value) == (
        "No company is named 'Acme Est'; did you mean: Acme East, Acme East North, Acme?; "
        "No customer group is named 'Partner'; did you mean: Partners?"
    )
    assert refused.value.returncode == 1
    assert storefront_access().mode == AccessMode.OPEN
    assert AuditEntry.objects.count() == 0


def test_access_pilot_with_a_name_close_to_nothing_says_so(companies):
    with pytest.raises(CommandError, match="No company is named 'Zorglub', nor anything close"):
        run_access("pilot", "--company", "Zorglub")


def test_access_basic_auth_sets_and_removes_the_gate():
    on = run_access("basic-auth", "--username", "preview", "--password", "early-bird-42")
    passes = basic_auth_passes(storefront_access(), basic("preview", "early-bird-42"))
    off = run_access("basic-auth", "--off")

    assert "Basic-auth gate: on, username preview" in on
    assert passes is True
    assert "Basic-auth gate: off" in off
    assert storefront_access().basic_auth_username == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["basic-auth", "--username", "preview"], "Give --username and --password"),
        (["basic-auth", "--off", "--username", "preview"], "Give either --off or"),
        (["basic-auth", "--username", "a:b", "--password", "x"], "cannot contain a colon"),
    ],
)
def test_access_basic_auth_refuses_incomplete_options(args, message):
    with pytest.raises(CommandError, match=message):
        run_access(*args)

    assert StorefrontAccess.objects.count() == 0


# Registration requests


def registration(**changes) -> RegistrationRequest:
    values = {
        "company_name": "Initrode",
        "tax_id": "FR40303265045",
        "first_name": "Peter",
        "last_name": "Gibbons",
        "email": "peter@initrode.example",
        "phone": "+33 1 23 45 67 89",
        "street": "12 rue de la Paix",
        "city": "Paris",
        "postal_code": "75002",
        "country": "fr",
        "message": "We buy lamps for our offices.",
        "language": "fr",
        **changes,
    }
    return submit_registration_request(**values)


def test_registration_request_waits_for_review():
    request = registration()

    request.refresh_from_db()
    assert request.status == RegistrationStatus.PENDING
    assert (request.company_name, request.email, request.country) == (
        "Initrode",
        "peter@initrode.example",
        "FR",
    )
    assert Company.objects.filter(name="Initrode").exists() is False


def test_registration_for_an_email_with_an_account_is_refused():
    factories.customer_user(factories.company("Acme"), "peter@initrode.example")

    with pytest.raises(DomainError) as refused:
        registration(email="Peter@Initrode.example")

    assert refused.value.code == "email_taken"
    assert refused.value.message == (
        "An account already uses the e-mail Peter@initrode.example: log in, or reset your "
        "password from the login page"
    )
    assert RegistrationRequest.objects.count() == 0


def test_registration_for_an_existing_company_name_is_refused():
    factories.company("Initrode")

    with pytest.raises(DomainError) as refused:
        registration(company_name="INITRODE")

    assert refused.value.code == "company_exists"
    assert refused.value.message.startswith(
        "INITRODE already has an account: ask its administrator"
    )


def test_second_registration_while_the_first_waits_is_refused():
    registration()

    with pytest.raises(DomainError, match="already waiting for review") as refused:
        registration(company_name="Initrode Europe")

    assert refused.value.code == "registration_pending"
    assert RegistrationRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"city": ""}, "An address needs a street, a city and a country"),
        ({"country": "France"}, "Ensure this value has at most 2 characters"),
        ({"email": "peter-at-initrode"}, "Enter a valid email address"),
        ({"company_name": " "}, "This field cannot be blank"),
    ],
)
def test_registration_with_bad_fields_says_which(changes, message):
    with pytest.raises(DomainError, match=message):
        registration(**changes)

    assert RegistrationRequest.objects.count() == 0


def test_approval_creates_the_company_its_address_and_invites_its_administrator(
    staff, django_capture_on_commit_callbacks
):
    request = registration()

    with django_capture_on_commit_callbacks(execute=True):
        administrator = approve_registration_request(
            registration_request=request, actor=staff, site_url=SITE_URL
        )

    request.refresh_from_db()
    company = Company.objects.get(name="Initrode")
    address = Address.objects.get(company=company)
    login = administrator.user
    assert (request.status, request.company, request.decided_by) == (
        RegistrationStatus.APPROVED,
        company,
        staff,
    )
    assert company.tax_id == "FR40303265045"
    assert (address.street, address.city, address.postal_code, address.country) == (
        "12 rue de la Paix",
        "Paris",
        "75002",
        "FR",
    )
    assert (address.is_default_billing, address.is_default_shipping) == (True, True)
    assert administrator.company == company
    assert [role.code for role in administrator.roles.all()] == ["administrator"]
    assert (login.email, login.first_name, login.last_name, login.language) == (
        "peter@initrode.example",
        "Peter",
        "Gibbons",
        "fr",
    )
    assert login.is_active is False
    assert login.has_usable_password() is False
    assert [message.to for message in mail.outbox] == [["peter@initrode.example"]]
    entry = AuditEntry.objects.get(action="registration_request.approved")
    assert (entry.actor, entry.company) == (staff, company)
    assert entry.after == {
        "status": "approved",
        "decided_by": "admin@seller.example",
        "administrator": "peter@initrode.example",
    }


def test_approved_administrator_sets_a_password_from_the_invitation_and_logs_in(
    client, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approve_registration_request(
            registration_request=registration(), actor=staff, site_url=SITE_URL
        )
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]

    administrator = accept_invitation(token=token, password="a long enough password")
    logged_in = client.post(
        reverse("storefront:login"),
        {"username": "peter@initrode.example", "password": "a long enough password"},
    )

    assert administrator.user.is_active is True
    assert logged_in.status_code == 302
    assert client.session["_auth_user_id"] == str(administrator.user.pk)


def test_approval_is_refused_when_the_email_got_an_account_meanwhile(
    staff, django_capture_on_commit_callbacks
):
    request = registration()
    factories.customer_user(factories.company("Acme"), "peter@initrode.example")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError, match="An account already uses the e-mail"),
    ):
        approve_registration_request(registration_request=request, actor=staff, site_url=SITE_URL)

    request.refresh_from_db()
    assert request.status == RegistrationStatus.PENDING
    assert Company.objects.filter(name="Initrode").exists() is False
    assert mail.outbox == []


def test_a_decided_request_cannot_be_decided_again(staff):
    request = registration()
    approve_registration_request(registration_request=request, actor=staff, site_url=SITE_URL)

    with pytest.raises(DomainError, match="The request of Initrode was already approved"):
        reject_registration_request(registration_request=request, reason="Duplicate", actor=staff)

    assert CustomerUser.objects.filter(company__name="Initrode").count() == 1


def test_rejection_emails_the_reason_and_creates_nothing(
    staff, django_capture_on_commit_callbacks
):
    request = registration(language="en")

    with django_capture_on_commit_callbacks(execute=True):
        reject_registration_request(
            registration_request=request,
            reason="We sell to registered retailers only.",
            actor=staff,
        )

    request.refresh_from_db()
    message = mail.outbox[0]
    assert (request.status, request.rejection_reason, request.decided_by) == (
        RegistrationStatus.REJECTED,
        "We sell to registered retailers only.",
        staff,
    )
    assert message.to == ["peter@initrode.example"]
    assert message.subject == "Your request for an account for Initrode on Comptoir"
    assert "We sell to registered retailers only." in message.body
    assert Company.objects.filter(name="Initrode").exists() is False
    assert User.objects.filter(email="peter@initrode.example").exists() is False
    entry = AuditEntry.objects.get(action="registration_request.rejected")
    assert (entry.actor, entry.company) == (staff, None)


def test_rejection_needs_a_reason(staff, django_capture_on_commit_callbacks):
    request = registration()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError, match="Give the reason for the rejection"),
    ):
        reject_registration_request(registration_request=request, reason="  ", actor=staff)

    request.refresh_from_db()
    assert request.status == RegistrationStatus.PENDING
    assert mail.outbox == []


# The storefront form


def test_registration_form_records_the_request_and_thanks(client):
    response = client.post(
        reverse("storefront:register"),
        {
            "company_name": "Initrode",
            "first_name": "Peter",
            "last_name": "Gibbons",
            "email": "peter@initrode.example",
            "language": "en",
        },
        follow=True,
    )

    assert response.redirect_chain == [(reverse("storefront:registration_received"), 302)]
    assert "Thank you: your request is received" in response.text
    assert RegistrationRequest.objects.get().email == "peter@initrode.example"


def test_registration_form_shows_a_refusal_beside_its_field(client):
    factories.company("Initrode")

    response = client.post(
        reverse("storefront:register"),
        {
            "company_name": "Initrode",
            "first_name": "Peter",
            "last_name": "Gibbons",
            "email": "peter@initrode.example",
            "language": "en",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["company_name"] == [
        "Initrode already has an account: ask its administrator to invite you, or give the "
        "full name of your company if it is another one"
    ]
    assert RegistrationRequest.objects.count() == 0


# The back office


def admin_changelist(model) -> str:
    return reverse(f"admin:accounts_{model._meta.model_name}_changelist")


def test_staff_approve_requests_from_the_back_office(
    client, staff, django_capture_on_commit_callbacks
):
    request = registration()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_changelist(RegistrationRequest),
            {"action": "approve_requests", "_selected_action": [request.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 request approved: the administrator is invited by e-mail." in response.text
    assert Company.objects.filter(name="Initrode").exists() is True
    assert len(mail.outbox) == 1


def test_staff_reject_requests_from_the_back_office_with_a_reason(
    client, staff, django_capture_on_commit_callbacks
):
    request = registration(language="en")
    client.force_login(staff)
    selected = {"action": "reject_requests", "_selected_action": [request.pk]}

    asked = client.post(admin_changelist(RegistrationRequest), selected)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            admin_changelist(RegistrationRequest),
            {**selected, "apply": "1", "reason": "Outside our sales area."},
            follow=True,
        )

    request.refresh_from_db()
    assert asked.status_code == 200
    assert "Reject and send the reason" in asked.text
    assert "1 request rejected: the requester is told why by e-mail." in done.text
    assert (request.status, request.rejection_reason) == ("rejected", "Outside our sales area.")
    assert "Outside our sales area." in mail.outbox[0].body


def test_staff_switch_the_mode_and_set_the_gate_from_the_back_office(client, staff, companies):
    client.force_login(staff)
    access_url = reverse("admin:accounts_storefrontaccess_change", args=[1])
    client.get(admin_changelist(StorefrontAccess))

    response = client.post(
        access_url,
        {
            "mode": "pilot",
            "pilot_companies": [companies["acme"].pk],
            "pilot_groups": [companies["partners"].pk],
            "basic_auth_username": "preview",
            "new_gate_password": "early-bird-42",
        },
    )

    access = storefront_access()
    assert response.status_code == 302
    assert access.mode == AccessMode.PILOT
    assert list(access.pilot_companies.all()) == [companies["acme"]]
    assert basic_auth_passes(access, basic("preview", "early-bird-42")) is True
    assert sorted(AuditEntry.objects.values_list("action", "actor__email")) == [
        ("storefront_access.basic_auth_set", "admin@seller.example"),
        ("storefront_access.mode_changed", "admin@seller.example"),
    ]


def test_back_office_refuses_a_gate_username_without_a_password(client, staff):
    client.force_login(staff)
    client.get(admin_changelist(StorefrontAccess))

    response = client.post(
        reverse("admin:accounts_storefrontaccess_change", args=[1]),
        {"mode": "open", "basic_auth_username": "preview"},
    )

    assert response.status_code == 200
    assert "The basic-auth gate needs a password" in response.text
    assert storefront_access().basic_auth_username == ""
