"""``comptoir access``: show or switch who may use the storefront and the API.

The running web processes read the setting on every request: a switch made here applies at
once, without a restart.
"""

from django.core.management.base import BaseCommand, CommandError

from comptoir.accounts.access import (
    access_facts,
    clear_basic_auth,
    companies_named,
    customer_groups_named,
    set_access_mode,
    set_basic_auth,
    storefront_access,
)
from comptoir.accounts.models import AccessMode
from comptoir.core.errors import DomainError


class Command(BaseCommand):
    help = "Show or switch the storefront access mode and the basic-auth gate."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("show", help="Show the access mode, the pilot and the gate.")
        actions.add_parser("open", help="Open the storefront to everyone.")
        actions.add_parser(
            "login-required", help="Show guests only the login page and the public pages."
        )
        pilot = actions.add_parser(
            "pilot",
            help="Let only users of these companies (with their subsidiaries) and customer "
            "groups log in or use the API; the others see 'coming soon'.",
        )
        pilot.add_argument(
            "--company",
            action="append",
            default=[],
            metavar="NAME",
            help="A company in the pilot (repeat for more); its subsidiaries are in it too.",
        )
        pilot.add_argument(
            "--group",
            action="append",
            default=[],
            metavar="NAME",
            help="A customer group whose companies are in the pilot (repeat for more).",
        )
        gate = actions.add_parser(
            "basic-auth", help="Set or remove the HTTP basic-auth gate in front of the site."
        )
        gate.add_argument("--username", help="The username the browser asks for.")
        gate.add_argument("--password", help="The password the browser asks for.")
        gate.add_argument("--off", action="store_true", help="Remove the gate.")

    def handle(self, *args, action, **options):
        try:
            if action == "open":
                set_access_mode(mode=AccessMode.OPEN)
            elif action == "login-required":
                set_access_mode(mode=AccessMode.LOGIN_REQUIRED)
            elif action == "pilot":
                self.pilot(options["company"], options["group"])
            elif action == "basic-auth":
                self.basic_auth(options["username"], options["password"], options["off"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.show()

    def pilot(self, company_names: list[str], group_names: list[str]) -> None:
        # Both lists are checked before either is used, so one message names every mistake.
        problems, companies, groups = [], [], []
        try:
            companies = companies_named(company_names)
        except DomainError as error:
            problems.append(error.message)
        try:
            groups = customer_groups_named(group_names)
        except DomainError as error:
            problems.append(error.message)
        if problems:
            raise CommandError("; ".join(problems))
        set_access_mode(mode=AccessMode.PILOT, companies=companies, groups=groups)
        if not companies and not groups:
            self.stderr.write(
                "The pilot holds no company and no group: only staff users may log in. Name "
                "members with --company NAME and --group NAME.",
                style_func=self.style.WARNING,
            )

    def basic_auth(self, username: str | None, password: str | None, off: bool) -> None:
        if off:
            if username or password:
                raise CommandError("Give either --off or --username and --password, not both")
            clear_basic_auth()
            return
        if not username or not password:
            raise CommandError("Give --username and --password to set the gate, or --off")
        set_basic_auth(username=username, password=password)

    def show(self) -> None:
        access = storefront_access()
        facts = access_facts(access)
        self.stdout.write(f"Access mode: {access.get_mode_display()} ({access.mode})")
        if access.mode == AccessMode.PILOT:
            companies = ", ".join(facts["pilot_companies"]) or "none"
            groups = ", ".join(facts["pilot_groups"]) or "none"
            self.stdout.write(f"Pilot companies (with their subsidiaries): {companies}")
            self.stdout.write(f"Pilot customer groups: {groups}")
        if facts["basic_auth_username"]:
            self.stdout.write(f"Basic-auth gate: on, username {facts['basic_auth_username']}")
        else:
            self.stdout.write("Basic-auth gate: off")
