"""``comptoir export --type ENTITY FILE``: write every row of an entity to a CSV or XLSX file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.integration.console import RichProgress
from comptoir.integration.jobs import create_export_job, rows_written, run_export_job
from comptoir.integration.models import JobSource
from comptoir.integration.transfer.files import file_format
from comptoir.integration.transfer.runner import write_template


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
        if not file.lower().endswith((".csv", ".xlsx")):
            raise CommandError(
                f"'{file}' does not end in .csv or .xlsx: name the file to say which to write"
            )
        folder = Path(file).parent
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise CommandError(
                f"the folder '{folder}' {what}; make it, or give a path in a folder that "
                "exists, and run the command again"
            )
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
            job = create_export_job(
                entity=entity,
                format=file_format(file),
                source=JobSource.COMMAND,
                file_name=Path(file).name,
                options=values,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(f"'{file}' cannot be written: {error.strerror}") from None
        progress = RichProgress(unit="rows") if self.stderr.isatty() else None
        try:
            count = run_export_job(job, path=file, progress=progress)
        finally:
            if progress is not None:
                progress.close()
        if count is None:
            raise CommandError(f"{job.message} (job #{job.pk})")
        self.stdout.write(f"{rows_written(count, job.entity)} written to {file}")
