"""``comptoir webhooks``: endpoints that receive the shop's events, and their deliveries."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from comptoir.core.errors import DomainError
from comptoir.core.events import EVENT_NAMES
from comptoir.integration.clients import client_by_name
from comptoir.integration.models import DeliveryStatus, WebhookEndpoint
from comptoir.integration.webhooks import create_endpoint, deliver_due, reactivate


class Command(BaseCommand):
    help = (
        "Webhook endpoints: add one (its signing secret is printed), list them with what "
        "waits for them, deliver what is due (run it from a scheduler when the worker does "
        "not run), switch one on again."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="Add an endpoint and print its secret.")
        add.add_argument("url")
        add.add_argument(
            "--event",
            action="append",
            default=[],
            dest="events",
            help=f"An event it receives ({', '.join(EVENT_NAMES)}); repeat for several; "
            "none: all events.",
        )
        add.add_argument("--description", default="")
        add.add_argument(
            "--client",
            metavar="NAME",
            help="The integration client whose system it is (see 'comptoir client list'); "
            "none: an endpoint of the shop's own.",
        )
        actions.add_parser(
            "list",
            help="List endpoints, one a line: id, URL, events (or 'all events'), state "
            "(active, or OFF and why), waiting deliveries, integration client (or 'shop' for "
            "the shop's own).",
        )
        actions.add_parser("deliver", help="Deliver every webhook that is due, now.")
        on = actions.add_parser("reactivate", help="Switch an endpoint on again by its URL.")
        on.add_argument("url")

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(options)
        except DomainError as error:
            raise CommandError(error.message) from None

    def add(self, options) -> None:
        client = client_by_name(options["client"]) if options["client"] is not None else None
        endpoint = create_endpoint(
            url=options["url"],
            event_names=options["events"],
            description=options["description"],
            client=client,
        )
        self.stdout.write(endpoint.secret)
        owner = f" for {client.name}" if client is not None else ""
        self.stderr.write(
            f"Endpoint {endpoint.pk} ({endpoint.url}){owner} added; it receives "
            f"{', '.join(endpoint.event_names) or 'every event'}. Give the secret above to the "
            "receiver to check the webhook-signature header.",
            style_func=self.style.SUCCESS,
        )

    def list(self, options) -> None:
        endpoints = (
            WebhookEndpoint.objects.select_related("client")
            .annotate(
                waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING))
            )
            .order_by("url")
        )
        for endpoint in endpoints:
            events = ",".join(endpoint.event_names) or "all events"
            state = "active" if endpoint.is_active else f"OFF ({endpoint.disabled_reason})"
            owner = endpoint.client.name if endpoint.client is not None else "shop"
            self.stdout.write(
                f"{endpoint.pk}\t{endpoint.url}\t{events}\t{state}\t"
                f"{endpoint.waiting} waiting\t{owner}"
            )

    def deliver(self, options) -> None:
        run = deliver_due()
        self.stdout.write(
            f"{run.delivered} delivered, {run.failed} failed, {run.held_back} held back, "
            f"{run.switched_off} endpoints switched off"
        )

    def reactivate(self, options) -> None:
        endpoint = WebhookEndpoint.objects.filter(url=options["url"].strip()).first()
        if endpoint is None:
            raise CommandError(f"No endpoint has the URL {options['url']}")
        count = reactivate(endpoint)
        self.stdout.write(f"{endpoint.url} is on again; {count} deliveries go out now, in order.")
