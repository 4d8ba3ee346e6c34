"""``comptoir drops run``: one pass over the file drops; ``comptoir drops watch``: a pass every
few seconds until stopped (Ctrl-C or SIGTERM, which let the pass under way finish). Each pass
first ends the jobs whose process died (see ``job_recovery``)."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from comptoir.integration.drop_folders import DropError
from comptoir.integration.drops import PassReport, run_drops
from comptoir.integration.job_recovery import end_stalled_jobs
from comptoir.integration.jobs import rows_written


class Command(BaseCommand):
    help = (
        "Import the files the ERP left in the file drops (COMPTOIR_FILE_DROPS) in name order, "
        "move each to processed/ or failed/ with its error report, and write the exports to "
        "outbox/. 'run' makes one pass (for cron); 'watch' makes one every --interval seconds."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="One pass over the drops.")
        watch = actions.add_parser("watch", help="A pass every --interval seconds.")
        watch.add_argument(
            "--interval",
            type=float,
            default=60.0,
            help="Seconds between the end of a pass and the start of the next (default 60).",
        )
        for action in (run, watch):
            action.add_argument(
                "--name",
                action="append",
                dest="names",
                metavar="NAME",
                help="Only this drop (may be given more than once); by default every drop.",
            )

    def handle(self, *args, action, names, **options):
        if action == "run":
            reports = self._pass(names)
            if any(report.error for report in reports):
                raise CommandError("a pass stopped: see above", returncode=1)
            return
        interval = options["interval"]
        if interval <= 0:
            raise CommandError("--interval is a number of seconds above 0")
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda number, frame: stop.set())
        try:
            while not stop.is_set():
                self._pass(names)
                stop.wait(interval)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("Stopped watching the file drops.")

    def _pass(self, names) -> list[PassReport]:
        for job in end_stalled_jobs():
            self.stderr.write(f"job #{job.pk} ({job.kind} of {job.entity}) {job.message}")
        try:
            reports = run_drops(names)
        except DropError as error:
            raise CommandError(error.message) from None
        for report in reports:
            self._show(report)
        return reports

    def _show(self, report: PassReport) -> None:
        if report.busy:
            self.stdout.write(f"{report.drop}: another process is on it; skipped")
            return
        for name, went_to, job in report.imported:
            outcome = f"job #{job.pk}" if job is not None else "not imported"
            if job is not None and job.errors:
                outcome += f", errors: {job.errors}"
            self.stdout.write(f"{report.drop}: {name} moved to {went_to}/ ({outcome})")
        for name, job in report.exported:
            self.stdout.write(
                f"{report.drop}: {rows_written(job.rows_done, job.entity)} written to "
                f"outbox/{name} (job #{job.pk})"
            )
        if report.waiting:
            self.stdout.write(
                f"{report.drop}: still being written, for the next pass: "
                f"{', '.join(report.waiting)}"
            )
        if report.error:
            self.stderr.write(f"{report.drop}: {report.error}")
