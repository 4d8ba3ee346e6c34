"""``comptoir import FILE --type ENTITY``: import one entity's CSV or XLSX file;
``comptoir import oro DIR``: import a directory in the layout of OroCommerce's demo data;
``comptoir import akeneo DIR``: import an Akeneo export directory;
``comptoir import magento DIR``: import a Magento 2 export directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.integration.akeneo.importer import import_akeneo_directory
from comptoir.integration.akeneo.layouts import DEFAULT_CHANNEL
from comptoir.integration.console import RichProgress
from comptoir.integration.jobs import (
    check_import_file_name,
    check_import_path,
    check_not_a_folder,
    create_import_job,
    run_import_job,
)
from comptoir.integration.magento.importer import import_magento_directory
from comptoir.integration.models import JobSource, JobStatus
from comptoir.integration.oro import layouts
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.integration.report import render_summary
from comptoir.integration.transfer.files import write_problems
from comptoir.integration.transfer.registry import all_entities, get_entity

DIRECTORY_FORMATS = ("oro", "akeneo", "magento")


class Command(BaseCommand):
    help = (
        "Import data files. 'FILE --type ENTITY' imports one file of an entity (products, "
        "prices, companies...), keyed by business keys: .csv, .tsv or .txt (comma, semicolon, "
        "tab or bar between values) or .xlsx. 'oro DIR' loads a directory "
        "in the layout of OroCommerce's demo data: catalog, prices, companies, users and order "
        "history. 'akeneo DIR' loads an Akeneo export: categories, attributes, families, "
        "product models and their variants. 'magento DIR' loads a Magento 2 export: products "
        "and their variants, tier prices, customers and their addresses. Running any of them "
        "again with the same files changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            help="A .csv, .tsv, .txt or .xlsx file, or the layout of a directory: "
            f"{', '.join(DIRECTORY_FORMATS)}.",
        )
        parser.add_argument("directory", nargs="?", help="The directory holding the files.")
        parser.add_argument("--type", dest="entity", help="What the file holds: an entity name.")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="An option of the entity's import (prices: mode=replace or mode=reset), or of "
            "the Magento import (store_languages=french:fr, currency=EUR...).",
        )
        parser.add_argument(
            "--validate-only",
            action="store_true",
            help="Check every row and report what would change; write nothing.",
        )
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="Import nothing if any row is refused (by default the good rows go in).",
        )
        parser.add_argument(
            "--errors",
            metavar="REPORT.csv",
            help="Write every problem to this CSV file (line, column, severity, message).",
        )
        parser.add_argument(
            "--password",
            help="Set this password on every imported customer user (for demos and tests). "
            "Without it new users get an unusable password.",
        )
        parser.add_argument(
            "--payment-term",
            default=layouts.DEFAULT_PAYMENT_TERM,
            help=f"The payment term companies get (default: '{layouts.DEFAULT_PAYMENT_TERM}').",
        )
        parser.add_argument(
            "--channel",
            default=DEFAULT_CHANNEL,
            help="Akeneo: the channel whose category tree and values are imported "
            f"(default: '{DEFAULT_CHANNEL}').",
        )

    def handle(self, *args, source, directory, password, payment_term, channel, **options):
        progress = RichProgress() if self.stderr.isatty() else None
        job = None
        try:
            if directory is not None:
                if source not in DIRECTORY_FORMATS:
                    raise CommandError(
                        f"'{source}' is not a directory layout; use one of "
                        f"{', '.join(DIRECTORY_FORMATS)}, or import a file with "
                        f"'comptoir import FILE --type ENTITY'"
                    )
                if source == "akeneo":
                    report = import_akeneo_directory(directory, channel=channel, progress=progress)
                elif source == "magento":
                    report = import_magento_directory(
                        directory, options=option_values(options["option"]), progress=progress
                    )
                else:
                    report = import_oro_directory(
                        directory, password=password, payment_term=payment_term, progress=progress
                    )
            else:
                job, report = self._import_file(source, progress=progress, **options)
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            if progress is not None:
                progress.close()
        all_of_them = ": write them all to a file with --errors FILE"
        if options.get("errors"):
            count = write_problems(report.problems, options["errors"])
            self.stderr.write(f"{count} problems written to {options['errors']}")
            all_of_them = f": all of them are in {options['errors']}"

        if job is not None and job.status == JobStatus.FAILED:
            # A whole-file error: nothing was read, so no counts, only what is wrong.
            self.stdout.write(
                render_summary(
                    report, color=self.stdout.isatty(), counts=False, all_of_them=all_of_them
                ),
                ending="",
            )
            errors = len(report.errors)
            raise CommandError(
                f"{job.file_name} was not imported (job #{job.pk}): correct the "
                f"{'error' if errors == 1 else f'{errors} errors'} above and import it again",
                returncode=1,
            )
        self.stdout.write(
            render_summary(report, color=self.stdout.isatty(), all_of_them=all_of_them),
            ending="",
        )
        if report.errors:
            errors = len(report.errors)
            raise CommandError(
                f"{report.rejected} {'record' if report.rejected == 1 else 'records'} "
                f"rejected, {errors} {'error' if errors == 1 else 'errors'}: see the list above",
                returncode=1,
            )

    def _import_file(
        self, path, *, progress, entity, option, validate_only, all_or_nothing, **rest
    ):
        if source_is_layout := path in DIRECTORY_FORMATS:
            raise CommandError(
                f"'{path}' needs the directory to import: comptoir import {path} DIR"
            )
        del source_is_layout
        if not entity:
            raise CommandError(
                f"Say what '{path}' holds with --type, one of: {', '.join(all_entities())}"
            )
        get_entity(entity)
        check_not_a_folder(path)
        check_import_file_name(Path(path).name)
        check_import_path(path)
        job = create_import_job(
            entity=entity,
            file_name=Path(path).name,
            source=JobSource.COMMAND,
            options=option_values(option),
            validate_only=validate_only,
            all_or_nothing=all_or_nothing,
        )
        report = run_import_job(job, path=path, progress=progress)
        if report is None:
            raise CommandError(f"{job.message} (job #{job.pk})")
        return job, report


def option_values(pairs: list[str]) -> dict[str, str]:
    """The ``--option NAME=VALUE`` pairs by name."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise CommandError(f"'{pair}' is not an option: write NAME=VALUE")
        values[name.strip()] = value
    return values
