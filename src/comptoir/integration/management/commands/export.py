"""``comptoir export --type ENTITY FILE``: write every row of an entity to a CSV or XLSX file."""

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.integration.transfer.runner import run_export, write_template


class Command(BaseCommand):
    help = (
        "Export an entity (products, prices, companies...) to a CSV or XLSX file, by the "
        "file's suffix, in the columns its import reads: the file imports back unchanged. "
        "--template writes the columns and an example row instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write: a .csv or .xlsx file.")
        parser.add_argument("--type", dest="entity", required=True, help="The entity to export.")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="An option of the entity's export (prices: price_list=NAME).",
        )
        parser.add_argument(
            "--template", action="store_true", help="Write the columns and an example row."
        )

    def handle(self, *args, file, entity, option, template, **options):
        values = {}
        for pair in option:
            name, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"'{pair}' is not an option: write NAME=VALUE")
            values[name.strip()] = value
        try:
            if template:
                write_template(file, entity=entity)
                self.stdout.write(f"Template of {entity} written to {file}")
                return
            count = run_export(file, entity=entity, options=values)
        except DomainError as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(f"'{file}' cannot be written: {error.strerror}") from None
        self.stdout.write(f"{count} {entity} written to {file}")
