from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone, translation
from django.utils.formats import date_format

from comptoir.accounts import invitations
from comptoir.accounts.administration import users
from comptoir.accounts.invitations import (
    EmailTaken,
    InvitationNotUsable,
    accept_invitation,
    invitation_token,
    invitations_managed_by,
    invite_customer_user,
    resend_invitation,
    revoke_invitation,
    usable_invitation,
)
from comptoir.accounts.models import (
    AccessLevel,
    Action,
    AuditEntry,
    CustomerRole,
    CustomerUser,
    Department,
    Invitation,
    Resource,
    RolePermission,
    User,
)
from comptoir.core.errors import DomainError, NotFound, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db

SITE = "http://shop.example"
NEW_PASSWORD = "a-long-new-passphrase"


@pytest.fixture
def acme():
    return factories.company("Acme")


@pytest.fixture
def admin(acme):
    return factories.customer_user(acme, "admin@acme.example", role=CustomerRole.ADMINISTRATOR)


def invite(inviter, email="new@acme.example", **fields):
    values = {"first_name": "Noa", "last_name": "Martin", "role_codes": ["buyer"], **fields}
    return invite_customer_user(customer_user=inviter, email=email, site_url=SITE, **values)


def test_invitation_creates_an_inactive_user_without_a_password(admin, acme, settings):
    settings.COMPTOIR_INVITATION_DAYS = 5
    sales = Department.objects.create(company=acme, name="Sales")

    invitation = invite(admin, " New@Acme.example ", department_id=sales.pk)

    invited = invitation.customer_user
    assert invited.user.email == "New@acme.example"
    assert (invited.user.first_name, invited.user.last_name) == ("Noa", "Martin")
    assert invited.user.is_active is False
    assert invited.user.has_usable_password() is False
    assert invited.company == acme
    assert invited.department == sales
    assert [role.code for role in invited.roles.all()] == ["buyer"]
    assert invitation.invited_by == admin.user
    expected_expiry = invitation.created_at + timedelta(days=5)
    assert abs(invitation.expires_at - expected_expiry) < timedelta(seconds=5)


def test_invitation_is_audited_with_the_inviter_as_actor(admin, acme):
    invitation = invite(admin)

    entry = AuditEntry.objects.get(action="customer_user.invited")
    assert entry.actor == admin.user
    assert entry.company == acme
    assert entry.on_behalf_of is None
    assert entry.object_id == str(invitation.customer_user.pk)
    assert entry.after["email"] == "new@acme.example"
    assert entry.after["is_active"] is False
    assert entry.after["roles"] == ["Buyer"]


def test_invitation_email_leaves_after_commit_with_a_link_in_the_invitees_language(
    admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(admin, language="fr")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@acme.example"]
    token = invitation_token(invitation).split(":")[0]
    assert f"{SITE}/invitation/{token}:" in message.body
    with translation.override("fr"):
        french_expiry = date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
    assert french_expiry in message.body
    html = message.alternatives[0]
    assert html.mimetype == "text/html"
    assert '<html lang="fr">' in html.content


def test_no_email_leaves_when_the_invitation_transaction_fails(
    admin, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError),
    ):
        invite(admin, role_codes=["no-such-role"])

    assert callbacks == []
    assert mail.outbox == []
    assert not User.objects.filter(email="new@acme.example").exists()


def test_an_email_that_already_has_an_account_is_refused_ignoring_case(admin):
    factories.customer_user(factories.company("Globex"), "taken@globex.example")

    with pytest.raises(EmailTaken) as refused:
        invite(admin, "TAKEN@globex.example")

    assert refused.value.status == 409
    assert refused.value.message.startswith("TAKEN@globex.example already has an account")
    assert Invitation.objects.count() == 0


def test_a_buyer_cannot_invite(acme):
    buyer = factories.customer_user(acme, "buyer@acme.example")

    with pytest.raises(PermissionDenied):
        invite(buyer)

    assert not User.objects.filter(email="new@acme.example").exists()


def test_an_administrator_invites_into_a_subsidiary(admin, acme):
    east = factories.company("Acme East", parent=acme)

    invitation = invite(admin, company_id=east.pk)

    assert invitation.customer_user.company == east


def test_a_subsidiary_administrator_cannot_invite_into_the_parent(acme):
    east = factories.company("Acme East", parent=acme)
    east_admin = factories.customer_user(east, role=CustomerRole.ADMINISTRATOR)

    with pytest.raises(NotFound):
        invite(east_admin, company_id=acme.pk)


def test_a_department_of_another_company_is_not_found(admin):
    elsewhere = Department.objects.create(company=factories.company("Globex"), name="Sales")

    with pytest.raises(NotFound):
        invite(admin, department_id=elsewhere.pk)


def department_manager(company, department):
    role = CustomerRole.objects.create(company=company, code="team-lead", name="Team lead")
    for action in (Action.VIEW, Action.CREATE, Action.MANAGE_USERS):
        RolePermission.objects.create(
            role=role, resource=Resource.USERS, action=action, access_level=AccessLevel.DEPARTMENT
        )
    for action in (Action.VIEW, Action.CREATE, Action.PLACE_ORDER):
        RolePermission.objects.create(
            role=role, resource=Resource.ORDERS, action=action, access_level=AccessLevel.OWN
        )
    manager = factories.customer_user(company, "lead@acme.example")
    manager.roles.set([role])
    manager.department = department
    manager.save()
    return CustomerUser.objects.get(pk=manager.pk)


def test_a_department_manager_must_invite_into_its_departments(acme):
    sales = Department.objects.create(company=acme, name="Sales")
    north = Department.objects.create(company=acme, name="North", parent=sales)
    support = Department.objects.create(company=acme, name="Support")
    lead = department_manager(acme, sales)

    with pytest.raises(DomainError) as no_department:
        invite(lead, role_codes=["team-lead"])
    with pytest.raises(NotFound):
        invite(lead, role_codes=["team-lead"], department_id=support.pk)
    invitation = invite(lead, role_codes=["team-lead"], department_id=north.pk)

    assert no_department.value.code == "department_required"
    assert invitation.customer_user.department == north


def test_nobody_gives_a_role_that_allows_more_than_its_own(acme):
    lead = department_manager(acme, Department.objects.create(company=acme, name="Sales"))

    with pytest.raises(PermissionDenied) as refused:
        invite(lead, role_codes=["buyer"], department_id=lead.department_id)

    assert "Buyer" in refused.value.message


def test_accepting_sets_the_password_activates_and_logs_the_step(admin, acme):
    invitation = invite(admin)

    invited = accept_invitation(token=invitation_token(invitation), password=NEW_PASSWORD)

    invited.user.refresh_from_db()
    invitation.refresh_from_db()
    assert invited.user.is_active is True
    assert invited.user.check_password(NEW_PASSWORD) is True
    assert invitation.accepted_at is not None
    entry = AuditEntry.objects.get(action="customer_user.invitation_accepted")
    assert entry.actor == invited.user
    assert entry.company == acme
    assert entry.before == {"is_active": False, "invitation": invitation.pk}
    assert entry.after == {"is_active": True, "invitation": invitation.pk}


def test_a_link_works_only_once(admin):
    invitation = invite(admin)
    token = invitation_token(invitation)
    accept_invitation(token=token, password=NEW_PASSWORD)

    with pytest.raises(InvitationNotUsable) as used:
        accept_invitation(token=token, password="another-long-passphrase")

    assert used.value.message.startswith("This invitation has already been used")


def test_a_weak_password_is_refused_and_the_user_stays_inactive(admin):
    invitation = invite(admin)

    with pytest.raises(DomainError) as weak:
        accept_invitation(token=invitation_token(invitation), password="short")

    assert weak.value.code == "password_invalid"
    assert "too short" in weak.value.message
    invitation.customer_user.user.refresh_from_db()
    assert invitation.customer_user.user.is_active is False


def test_an_expired_link_stops_working(admin):
    invitation = invite(admin)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    with pytest.raises(InvitationNotUsable) as expired:
        usable_invitation(invitation_token(invitation))

    assert expired.value.message.startswith("This invitation has expired")


def test_a_revoked_link_stops_working_and_the_revocation_is_audited(admin):
    invitation = invite(admin)

    revoke_invitation(customer_user=admin, invitation_id=invitation.pk)

    with pytest.raises(InvitationNotUsable):
        usable_invitation(invitation_token(invitation))
    entry = AuditEntry.objects.get(action="customer_user.invitation_revoked")
    assert entry.actor == admin.user
    assert entry.before["invitation_revoked_at"] is None


def test_disabling_an_invited_user_voids_its_link(admin):
    invitation = invite(admin)

    users.disable_customer_user(customer_user=admin, customer_user_id=invitation.customer_user_id)

    with pytest.raises(InvitationNotUsable):
        accept_invitation(token=invitation_token(invitation), password=NEW_PASSWORD)
    assert User.objects.get(pk=invitation.customer_user.user_id).is_active is False
    entry = AuditEntry.objects.get(action="customer_user.invitation_revoked")
    assert (entry.actor, entry.before, entry.after) == (
        admin.user,
        {"pending_invitations": 1},
        {"pending_invitations": 0},
    )


def test_a_link_not_signed_by_the_shop_is_refused(admin):
    invitation = invite(admin)
    forged = signing.dumps(invitation.pk, salt="anything else")

    with pytest.raises(InvitationNotUsable) as tampered:
        usable_invitation(forged)

    assert tampered.value.message.startswith("This invitation link is not valid")


def test_resending_replaces_the_link(admin, django_capture_on_commit_callbacks):
    first = invite(admin)

    with django_capture_on_commit_callbacks(execute=True):
        second = resend_invitation(customer_user=admin, invitation_id=first.pk, site_url=SITE)

    with pytest.raises(InvitationNotUsable):
        usable_invitation(invitation_token(first))
    assert usable_invitation(invitation_token(second)) == second
    assert second.customer_user == first.customer_user
    assert len(mail.outbox) == 1
    entry = AuditEntry.objects.get(action="customer_user.invitation_resent")
    assert entry.before["invitation"] == first.pk
    assert entry.after["invitation"] == second.pk


def test_an_accepted_invitation_is_not_resent(admin):
    invitation = invite(admin)
    accept_invitation(token=invitation_token(invitation), password=NEW_PASSWORD)

    with pytest.raises(DomainError) as refused:
        resend_invitation(customer_user=admin, invitation_id=invitation.pk, site_url=SITE)

    assert refused.value.code == "invitation_accepted"


def test_an_email_revoked_before_it_left_is_not_sent(admin):
    invitation = invite(admin)
    revoke_invitation(customer_user=admin, invitation_id=invitation.pk)

    sent = invitations.send_invitation_email.call(invitation_id=invitation.pk, site_url=SITE)

    assert sent is False
    assert mail.outbox == []


def test_another_companys_invitations_are_out_of_reach(admin):
    globex_admin = factories.customer_user(
        factories.company("Globex"), role=CustomerRole.ADMINISTRATOR
    )
    theirs = invite(globex_admin, "new@globex.example")

    assert list(invitations_managed_by(admin)) == []
    with pytest.raises(NotFound):
        revoke_invitation(customer_user=admin, invitation_id=theirs.pk)
    with pytest.raises(NotFound):
        resend_invitation(customer_user=admin, invitation_id=theirs.pk, site_url=SITE)
