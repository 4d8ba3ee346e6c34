"""``comptoir import oro DIR``: import a directory in the layout of OroCommerce's demo data."""

import sys

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from comptoir.core.errors import DomainError
from comptoir.integration.oro import layouts
from comptoir.integration.oro.importer import import_oro_directory
from comptoir.integration.report import render_summary

# Files shorter than this are read too fast for a progress bar to tell anything.
LONG_FILE_LINES = 500


class Command(BaseCommand):
    help = (
        "Import data files. 'oro DIR' loads a directory in the layout of OroCommerce's demo "
        "data: catalog, prices, companies, users and order history. Running it again with the "
        "same files changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["oro"], help="The layout of the files.")
        parser.add_argument("directory", help="The directory holding the files.")
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
            report = import_oro_directory(
                directory, password=password, payment_term=payment_term, progress=progress
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            if progress is not None:
                progress.close()

        self.stdout.write(render_summary(report, color=self.stdout.isatty()), ending="")
        if report.errors:
            raise CommandError(
                f"{report.rejected} records rejected, {len(report.errors)} errors: "
                "see the list above",
                returncode=1,
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
