"""``comptoir import FILE --type ENTITY``: import one entity's CSV or XLSX file;
``comptoir import oro DIR``: import a directory in the layout of OroCommerce's demo data."""

import sys

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from comptoir.core.errors import DomainError
from comptoir.integration.oro import layouts
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.integration.report import render_summary
from comptoir.integration.transfer.files import write_problems
from comptoir.integration.transfer.registry import all_entities
from comptoir.integration.transfer.runner import run_import

DIRECTORY_FORMATS = ("oro",)

# Files shorter than this are read too fast for a progress bar to tell anything.
LONG_FILE_LINES = 500


class Command(BaseCommand):
    help = (
        "Import data files. 'FILE --type ENTITY' imports one CSV or XLSX file of an entity "
        "(products, prices, companies...), keyed by business keys. 'oro DIR' loads a directory "
        "in the layout of OroCommerce's demo data: catalog, prices, companies, users and order "
        "history. Running either again with the same files changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            help="A CSV or XLSX file, or the layout of a directory: "
            f"{', '.join(DIRECTORY_FORMATS)}.",
        )
        parser.add_argument("directory", nargs="?", help="The directory holding the files.")
        parser.add_argument("--type", dest="entity", help="What the file holds: an entity name.")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="An option of the entity's import (prices: mode=replace or mode=reset).",
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

    def handle(self, *args, source, directory, password, payment_term, **options):
        progress = RichProgress() if self.stderr.isatty() else None
        try:
            if directory is not None:
                if source not in DIRECTORY_FORMATS:
                    raise CommandError(
                        f"'{source}' is not a directory layout; use one of "
                        f"{', '.join(DIRECTORY_FORMATS)}, or import a file with "
                        f"'comptoir import FILE --type ENTITY'"
                    )
                report = import_oro_directory(
                    directory, password=password, payment_term=payment_term, progress=progress
                )
            else:
                report = self._import_file(source, progress=progress, **options)
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            if progress is not None:
                progress.close()
        if options.get("errors"):
            count = write_problems(report.problems, options["errors"])
            self.stderr.write(f"{count} problems written to {options['errors']}")

        self.stdout.write(render_summary(report, color=self.stdout.isatty()), ending="")
        if report.errors:
            raise CommandError(
                f"{report.rejected} records rejected, {len(report.errors)} errors: "
                "see the list above",
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
        values = {}
        for pair in option:
            name, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"'{pair}' is not an option: write NAME=VALUE")
            values[name.strip()] = value
        return run_import(
            path,
            entity=entity,
            options=values,
            validate_only=validate_only,
            all_or_nothing=all_or_nothing,
            progress=progress,
        )


class RichProgress:
    """A progress bar per long file, on the terminal's standard error."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("lines"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self.task = None
        self.bar.start()

    def start(self, label: str, total: int) -> None:
        self.task = self.bar.add_task(label, total=total) if total >= LONG_FILE_LINES else None

    def advance(self, amount: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, amount)

    def stop(self) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
            self.task = None

    def close(self) -> None:
        self.bar.stop()
