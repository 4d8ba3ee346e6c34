"""Storefront routes: see the views they name."""

from django.urls import path

from comptoir.storefront import account_views

urlpatterns = [
    path("account/", account_views.account, name="account"),
    path("account/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/", account_views.tokens, name="account_tokens"),
    path(
        "account/tokens/<str:prefix>/revoke/",
        account_views.revoke_token,
        name="account_token_revoke",
    ),
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("company/invitations/", account_views.invitation_list, name="invitations"),
    path("company/invitations/new/", account_views.invite_user, name="invite_user"),
    path(
        "company/invitations/<int:invitation_id>/resend/",
        account_views.resend_invitation,
        name="invitation_resend",
    ),
    path(
        "company/invitations/<int:invitation_id>/revoke/",
        account_views.revoke_invitation,
        name="invitation_revoke",
    ),
    path("invitation/<str:token>/", account_views.accept_invitation, name="accept_invitation"),
]
