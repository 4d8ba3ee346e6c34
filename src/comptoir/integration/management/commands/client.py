"""``comptoir client``: make, list and switch off integration clients and their tokens."""

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.integration.clients import client_by_name, create_client, deactivate_client
from comptoir.integration.models import ApiClient, Scope


class Command(BaseCommand):
    help = (
        "Integration clients: the seller's systems (ERP, PIM) calling the API with a token of "
        "their own, within scopes. Scopes: "
        + ", ".join(f"{scope.value} ({scope.label})" for scope in Scope)
        + "."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create", help="Make a client and print its token (shown only once)."
        )
        create.add_argument("name", help="Which system, e.g. ERP.")
        create.add_argument(
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            help="What it may do; repeat for several.",
        )
        actions.add_parser("list", help="List the clients.")
        off = actions.add_parser("deactivate", help="Switch a client off: its token is refused.")
        off.add_argument("name")

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                created = create_client(name=options["name"], scopes=options["scopes"])
                # The token alone on standard output, so that scripts can capture it.
                self.stdout.write(created.key)
                self.stderr.write(
                    f"Client {created.client.name} made ({', '.join(created.client.scopes)}). "
                    "Its token is shown only now: store it safely.",
                    style_func=self.style.SUCCESS,
                )
            elif action == "list":
                for client in ApiClient.objects.all():
                    state = "active" if client.is_active else "off"
                    used = client.last_used_at.isoformat() if client.last_used_at else "never"
                    self.stdout.write(
                        f"{client.name}\t{client.prefix}…\t{state}\t"
                        f"{','.join(client.scopes)}\tlast used {used}"
                    )
            else:
                deactivate_client(client_by_name(options["name"]))
                self.stdout.write(f"Client {options['name']} switched off.")
        except DomainError as error:
            raise CommandError(error.message) from None
