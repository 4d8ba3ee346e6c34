"""``comptoir demo``: load the demo data set, and serve the shop with it on this machine."""

import argparse
import logging
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.demo import data
from comptoir.demo.loader import LoadSummary, load_demo

STATUSES = ("created", "updated", "unchanged")


class Command(BaseCommand):
    help = "Load the demo data set (an invented distributor and its customers), or serve it."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser(
            "load", help="Create or update the demo data; a second run changes nothing."
        )
        load.add_argument(
            "-v",
            "--verbosity",
            type=int,
            choices=[0, 1, 2, 3],
            default=argparse.SUPPRESS,
            help="2 or more: show the log lines written while loading.",
        )
        serve = actions.add_parser(
            "serve", help="Print the URLs and demo logins, then run a local web server."
        )
        serve.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        serve.add_argument("--port", type=int, default=8000, help="Port to listen on.")

    def handle(self, *args, action, **options):
        if action == "load":
            self.load(verbosity=options["verbosity"])
        else:
            self.serve(options["host"], options["port"])

    def load(self, *, verbosity: int) -> None:
        services_logger = logging.getLogger("comptoir")
        level = services_logger.level
        if verbosity < 2:
            # Log lines about single records would bury the summary; -v 2 shows them.
            services_logger.setLevel(logging.WARNING)
        try:
            summary = load_demo()
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            services_logger.setLevel(level)

        self.write_summary(summary)
        self.write_logins()

    def write_summary(self, summary: LoadSummary) -> None:
        width = max(len(entity) for entity in summary.entities)
        self.stdout.write(f"{'':{width}}  " + "  ".join(f"{s:>9}" for s in STATUSES))
        for entity in summary.entities:
            counts = "  ".join(f"{summary.count(entity, s):>9}" for s in STATUSES)
            self.stdout.write(f"{entity:{width}}  {counts}")
        if summary.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded: {summary.changed} records created or updated."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already in place: nothing changed."))

    def write_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                f"Demo logins, all with the password '{data.DEMO_PASSWORD}'. It is a demo: "
                "never load this data into a shop that real people use."
            )
        )
        self.stdout.write(f"  back office (staff)  {data.STAFF_EMAIL}")
        for company in data.COMPANIES:
            for user in company.users:
                self.stdout.write(f"  {user.role:<20} {user.email}  ({company.name})")

    def serve(self, host: str, port: int) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"Port {port} is not a TCP port (1 to 65535)")
        base = f"http://{host}:{port}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Storefront:   {base}/"))
        self.stdout.write(f"API docs:     {base}/api/v1/docs")
        self.stdout.write(f"Back office:  {base}/admin/")
        self.write_logins()
        self.stdout.write("")
        worker = None
        if settings.COMPTOIR_TASKS_BACKEND == "database":
            # Background work (e-mails, price rebuilds) runs in a worker beside the server.
            self.stdout.write("Worker:       comptoir db_worker (background work)")
            worker = subprocess.Popen(
                [sys.executable, "-m", "comptoir", "db_worker", "--no-startup-delay"]
            )
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
