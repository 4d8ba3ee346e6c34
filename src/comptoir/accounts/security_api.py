"""Account security endpoints: the caller's API tokens, and the invitations of new users.

A user lists, makes and revokes its own tokens; a user who manages users also sees and revokes
theirs. Invitations need the right to create or manage users. Records are reached through
``accounts.scoping``: another company's token or invitation answers 404, as a missing one does.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from comptoir.accounts import invitations
from comptoir.accounts.models import ApiToken, Invitation
from comptoir.accounts.tokens import create_own_token, revoke_visible_token, visible_tokens_for
from comptoir.api.auth import acting_customer_user
from comptoir.api.errors import error_responses

router = Router()


class TokenOut(Schema):
    prefix: str = Field(description="The token's first characters, kept in clear to tell it.")
    name: str
    user: str = Field(description="The e-mail of the customer user the token acts as.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="To the minute; null if never used.")
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field("", description="What the token is for, up to 100 characters.")


class CreatedTokenOut(TokenOut):
    token: str = Field(description="The token itself: shown in this answer only, never again.")


class InvitationOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    company: str
    department: str | None
    roles: list[str] = Field(description="The codes of the roles the user will have.")
    status: str = Field(description="pending, accepted, revoked or expired.")
    invited_by: str | None = Field(description="The e-mail of the login that sent it.")
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationIn(Schema):
    email: str
    first_name: str
    last_name: str
    roles: list[str] = Field(["buyer"], description="Role codes, e.g. buyer, viewer.")
    company_id: int | None = Field(
        None, description="A company you manage (a subsidiary); yours if left out."
    )
    department_id: int | None = None
    language: str = Field(
        "", description="The language of the e-mail and the shop (en, fr); blank: the browser's."
    )


@router.get("/tokens", response={200: list[TokenOut], **error_responses(401)})
def list_tokens(request: HttpRequest):
    """The caller's tokens and, for a user who manages users, theirs; newest first."""
    return [
        token_out(api_token) for api_token in visible_tokens_for(acting_customer_user(request))
    ]


@router.post("/tokens", response={201: CreatedTokenOut, **error_responses(401, 422)})
def create_api_token(request: HttpRequest, payload: TokenIn):
    """Make a token acting as the caller; the answer is the only time it is shown."""
    created = create_own_token(customer_user=acting_customer_user(request), name=payload.name)
    return Status(201, {**token_out(created.api_token), "token": created.key})


@router.delete("/tokens/{prefix}", response={200: TokenOut, **error_responses(401, 403, 404)})
def revoke_api_token(request: HttpRequest, prefix: str):
    """Revoke a token from its prefix: the caller's own, or one of a user it manages."""
    api_token = revoke_visible_token(customer_user=acting_customer_user(request), prefix=prefix)
    return token_out(api_token)


@router.get(
    "/company/invitations", response={200: list[InvitationOut], **error_responses(401, 403)}
)
def list_invitations(request: HttpRequest):
    """The invitations of the users the caller manages, newest first."""
    managed = invitations.invitations_managed_by(acting_customer_user(request))
    return [
        invitation_out(invitation)
        for invitation in managed.prefetch_related("customer_user__roles")
    ]


@router.post(
    "/company/invitations",
    response={201: InvitationOut, **error_responses(400, 401, 403, 404, 409)},
)
def create_invitation(request: HttpRequest, payload: InvitationIn):
    """Invite a person: the account is made inactive and an e-mail with a link to choose a
    password is sent; the link works once, until the invitation expires."""
    invitation = invitations.invite_customer_user(
        customer_user=acting_customer_user(request),
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        role_codes=payload.roles,
        company_id=payload.company_id,
        department_id=payload.department_id,
        language=payload.language,
        site_url=request.build_absolute_uri("/"),
    )
    return Status(201, invitation_out(invitation))


@router.delete(
    "/company/invitations/{invitation_id}",
    response={200: InvitationOut, **error_responses(400, 401, 404)},
)
def revoke_invitation(request: HttpRequest, invitation_id: int):
    """Withdraw an invitation: its link stops working and the user stays inactive."""
    invitation = invitations.revoke_invitation(
        customer_user=acting_customer_user(request), invitation_id=invitation_id
    )
    return invitation_out(invitation)


@router.post(
    "/company/invitations/{invitation_id}/resend",
    response={201: InvitationOut, **error_responses(400, 401, 404)},
)
def resend_invitation(request: HttpRequest, invitation_id: int):
    """Send a new invitation to a user who has not accepted; the answer is the new invitation
    and the previous link stops working."""
    invitation = invitations.resend_invitation(
        customer_user=acting_customer_user(request),
        invitation_id=invitation_id,
        site_url=request.build_absolute_uri("/"),
    )
    return Status(201, invitation_out(invitation))


def token_out(api_token: ApiToken) -> dict:
    return {
        "prefix": api_token.prefix,
        "name": api_token.name,
        "user": api_token.customer_user.user.email,
        "created_at": api_token.created_at,
        "last_used_at": api_token.last_used_at,
        "revoked_at": api_token.revoked_at,
    }


def invitation_out(invitation: Invitation) -> dict:
    invited = invitation.customer_user
    return {
        "id": invitation.pk,
        "email": invited.user.email,
        "first_name": invited.user.first_name,
        "last_name": invited.user.last_name,
        "company": invited.company.name,
        "department": invited.department.name if invited.department_id else None,
        "roles": sorted(role.code for role in invited.roles.all()),
        "status": invitations.status_of(invitation),
        "invited_by": invitation.invited_by.email if invitation.invited_by else None,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
        "revoked_at": invitation.revoked_at,
    }
