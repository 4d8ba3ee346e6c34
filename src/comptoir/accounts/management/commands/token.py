"""``comptoir token``: make, list and revoke the API tokens of customer users."""

from django.core.management.base import BaseCommand, CommandError

from comptoir.accounts.models import ApiToken
from comptoir.accounts.scoping import visible_to
from comptoir.accounts.tokens import (
    create_token,
    customer_user_by_email,
    revoke_token,
    token_by_prefix,
)
from comptoir.core.errors import DomainError


class Command(BaseCommand):
    help = "Make, list and revoke API tokens (sent as 'Authorization: Bearer TOKEN')."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create", help="Make a token for a customer user and print it (shown only once)."
        )
        create.add_argument("email", help="The customer user's login e-mail.")
        create.add_argument("--name", default="", help="What the token is for, e.g. 'ERP sync'.")
        listing = actions.add_parser("list", help="List a customer user's tokens.")
        listing.add_argument("email", help="The customer user's login e-mail.")
        revoke = actions.add_parser("revoke", help="Revoke a token from its first characters.")
        revoke.add_argument("prefix", help="The first characters of the token, e.g. cpt_AbC123.")

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                self.create(options["email"], options["name"])
            elif action == "list":
                self.list(options["email"])
            else:
                self.revoke(options["prefix"])
        except DomainError as error:
            raise CommandError(error.message) from None

    def create(self, email: str, name: str) -> None:
        created = create_token(customer_user=customer_user_by_email(email), name=name)
        # The token alone on standard output, so that scripts can capture it.
        self.stdout.write(created.key)
        self.stderr.write(
            f"Token {created.api_token.prefix}… made for {created.api_token.customer_user}. "
            "It is shown only now: store it safely.",
            style_func=self.style.SUCCESS,
        )

    def list(self, email: str) -> None:
        customer_user = customer_user_by_email(email)
        tokens = visible_to(customer_user, ApiToken.objects.filter(customer_user=customer_user))
        if not tokens:
            self.stdout.write(f"{customer_user.email} has no API token.")
        for api_token in tokens:
            state = (
                f"revoked {api_token.revoked_at:%Y-%m-%d %H:%M}"
                if api_token.revoked_at
                else "active"
            )
            last_used = (
                f"last used {api_token.last_used_at:%Y-%m-%d %H:%M}"
                if api_token.last_used_at
                else "never used"
            )
            self.stdout.write(
                f"{api_token.prefix}…  {api_token.name or '(no name)'}  "
                f"made {api_token.created_at:%Y-%m-%d %H:%M}  {last_used}  {state}"
            )

    def revoke(self, prefix: str) -> None:
        api_token = revoke_token(api_token=token_by_prefix(prefix))
        self.stdout.write(
            f"Token {api_token.prefix}… of {api_token.customer_user.email} is revoked "
            f"(since {api_token.revoked_at:%Y-%m-%d %H:%M})."
        )
