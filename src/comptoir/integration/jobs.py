"""Import and export jobs: one entity's file imported, or its rows exported, as a TransferJob
that keeps the run's progress, counts, error report and outcome.

Every way in goes through here. The back office's uploads and export buttons queue a job that
a worker runs; the command line and the file drops run theirs in their own process. A job is
run once: the run takes it from "queued" to "running" in one UPDATE, so a task delivered twice
finds it taken and does nothing. Whatever stops a run (a bad option, a file that cannot be
read, a bug, Ctrl-C) ends the job "failed", with a message that says what to do. A run that
cannot say so itself (its process killed, its machine restarted) stops writing the sign of life
the job gets with each batch; ``job_recovery`` ends such a job "failed" once it has been silent
for too long.
"""

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from zipfile import BadZipFile

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.core.errors import DomainError
from comptoir.integration.csvfiles import Progress
from comptoir.integration.models import JobKind, JobSource, JobStatus, TransferJob
from comptoir.integration.report import ImportReport, Problem
from comptoir.integration.transfer.files import FORMATS, XLSX_SUFFIXES, file_format, write_problems
from comptoir.integration.transfer.registry import get_entity
from comptoir.integration.transfer.runner import run_export, run_import

logger = logging.getLogger(__name__)

# The names an imported file may have: delimited text (comma, semicolon, tab or bar, which
# the reading finds) or an Excel workbook.
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
IMPORT_SUFFIXES = (*TEXT_SUFFIXES, *XLSX_SUFFIXES)


def check_import_file_name(file_name: str) -> None:
    """Refuse a file that is neither delimited text nor XLSX by its name, saying which names
    are taken."""
    if not file_name.lower().endswith(IMPORT_SUFFIXES):
        raise DomainError(
            f"'{file_name}' is not a file Comptoir imports: the files taken end in "
            f"{', '.join(IMPORT_SUFFIXES[:-1])} or {IMPORT_SUFFIXES[-1]}; save it as .csv "
            "(UTF-8) or .xlsx and send it again",
            code="unsupported_file",
        )


def check_not_a_folder(path: Path | str) -> None:
    """Refuse a folder given as the file to import, whatever its name ends in."""
    path = Path(path)
    if path.is_dir():
        raise DomainError(
            f"'{path}' is a folder, not a file; name the file to import in it, as in "
            f"{path / 'FILE.csv'}. A folder exported by OroCommerce, Akeneo or Magento is "
            f"imported whole with: comptoir import oro|akeneo|magento {path}",
            code="not_a_file",
        )


def check_import_path(path: Path | str) -> None:
    """Refuse a path that is not a file this process can read, before a job is recorded for
    it, saying what to do."""
    path = Path(path)
    check_not_a_folder(path)
    if not path.exists():
        raise DomainError(
            f"'{path}' does not exist; check the path and the file's name (a relative path "
            "starts from the folder the command runs in) and run the command again",
            code="file_missing",
        )
    if not path.is_file():
        raise DomainError(
            f"'{path}' is not a regular file (a device or a pipe); copy the data to a .csv "
            "or .xlsx file and import that",
            code="not_a_file",
        )
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        raise DomainError(
            f"'{path}' cannot be read ({error.strerror or error}); give this user the right to "
            "read it, or copy it where it can be read, and run the command again",
            code="file_unreadable",
        ) from None


def create_import_job(
    *,
    entity: str,
    file_name: str,
    source: str,
    options: dict[str, str] | None = None,
    validate_only: bool = False,
    all_or_nothing: bool = False,
    content: File | None = None,
    drop: str = "",
    created_by: User | None = None,
    rerun_of: TransferJob | None = None,
) -> TransferJob:
    """Record the import of ``file_name`` as a queued job; ``content`` (the file itself), when
    given, is kept in the media storage with the job, and its rows are counted. ``rerun_of``:
    the failed job whose file this one imports again."""
    check_import_file_name(file_name)
    job = TransferJob(
        kind=JobKind.IMPORT,
        entity=get_entity(entity).name,
        source=source,
        drop=drop,
        file_name=file_name,
        options=dict(options or {}),
        validate_only=validate_only,
        all_or_nothing=all_or_nothing,
        created_by=created_by,
        rerun_of=rerun_of,
    )
    if content is not None:
        job.file.save(Path(file_name).name, content, save=False)
        job.rows_total = _count_rows(job)
    job.save()
    logger.info("transfer job %s: import of %s from %s recorded", job.pk, job.entity, file_name)
    return job


def start_import(
    *,
    upload: File,
    entity: str,
    options: dict[str, str] | None = None,
    validate_only: bool = False,
    all_or_nothing: bool = False,
    created_by: User | None = None,
) -> TransferJob:
    """Keep an uploaded file and queue its import; a worker runs it."""
    get_entity(entity).check_options(options or {})
    with transaction.atomic():
        job = create_import_job(
            entity=entity,
            file_name=Path(upload.name).name,
            source=JobSource.BACK_OFFICE,
            options=options,
            validate_only=validate_only,
            all_or_nothing=all_or_nothing,
            content=upload,
            created_by=created_by,
        )
        queue_job(job)
    return job


def create_export_job(
    *,
    entity: str,
    format: str,
    source: str,
    file_name: str = "",
    options: dict[str, str] | None = None,
    drop: str = "",
    created_by: User | None = None,
) -> TransferJob:
    """Record the export of ``entity`` to a CSV or XLSX file as a queued job."""
    name = get_entity(entity).name
    if format not in FORMATS:
        raise DomainError(
            f"'{format}' is not a file format for exports; choose one of: {', '.join(FORMATS)}",
            code="unsupported_format",
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    job = TransferJob.objects.create(
        kind=JobKind.EXPORT,
        entity=name,
        source=source,
        drop=drop,
        file_name=file_name or f"{name}-{stamp}.{format}",
        options=dict(options or {}),
        created_by=created_by,
    )
    logger.info("transfer job %s: export of %s recorded", job.pk, name)
    return job


def start_export(
    *, entity: str, format: str, options: dict[str, str] | None = None, created_by: User | None
) -> TransferJob:
    """Queue the export of ``entity`` to a file kept with the job, to download."""
    with transaction.atomic():
        job = create_export_job(
            entity=entity,
            format=format,
            source=JobSource.BACK_OFFICE,
            options=options,
            created_by=created_by,
        )
        queue_job(job)
    return job


def queue_job(job: TransferJob) -> None:
    """Have a worker run ``job`` once the current transaction commits."""
    # The task module imports this one.
    from comptoir.integration.tasks import run_transfer_job

    transaction.on_commit(lambda: run_transfer_job.enqueue(job.pk))


def run_job(job: TransferJob) -> None:
    """Run a queued job in this process (the worker's task)."""
    if job.kind == JobKind.EXPORT:
        run_export_job(job)
    else:
        run_import_job(job)


def run_import_job(
    job: TransferJob, *, path: Path | str | None = None, progress: Progress | None = None
) -> ImportReport | None:
    """Import the job's file, or the file at ``path`` (the command line's); return what the
    import did, or None when another run has the job or the run stopped (its message says
    why). ``progress`` is told of the lines read, for a progress bar."""
    if not _claim(job):
        return None
    with _ending_failed_on_error(job):
        on_batch = _ProgressWriter(job, live=not (job.validate_only or job.all_or_nothing))
        with _local_file(job, path) as local, contextlib.closing(on_batch):
            report = run_import(
                local,
                entity=job.entity,
                options=job.options,
                validate_only=job.validate_only,
                all_or_nothing=job.all_or_nothing,
                progress=progress,
                file_name=job.file_name,
                on_batch=on_batch,
            )
        _finish_import(job, report)
        return report
    return None


def run_export_job(
    job: TransferJob, *, path: Path | str | None = None, progress=None
) -> int | None:
    """Export the job's entity to a file kept with the job, or to ``path`` (the command
    line's); return how many rows were written, or None when another run has the job or the
    run stopped. ``progress`` (a bar with no total) is told of the rows written."""
    if not _claim(job):
        return None
    with _ending_failed_on_error(job):
        on_batch = _ProgressWriter(job, live=True, progress=progress)
        if progress is not None:
            progress.start(job.file_name, None)
        try:
            if path is not None:
                count = run_export(path, entity=job.entity, options=job.options, on_batch=on_batch)
            else:
                count = _export_to_storage(job, on_batch)
        finally:
            if progress is not None:
                progress.stop()
        job.rows_total = job.rows_done = count
        job.counts = {job.entity: {"exported": count}}
        _end(job, JobStatus.DONE)
        logger.info(
            "transfer job %s: %s rows of %s exported to %s",
            job.pk,
            count,
            job.entity,
            job.file_name,
        )
        return count
    return None


def rows_written(count: int, entity: str) -> str:
    """What an export wrote, in rows: an entity of several rows a record (an order and its
    lines) writes more rows than it has records."""
    entity = get_entity(entity)
    rows = f"{count} {'row' if count == 1 else 'rows'} of {entity.name}"
    if entity.group is not None:
        rows += f" (a row per line of each {entity.group_label})"
    return rows


def _export_to_storage(job: TransferJob, on_batch) -> int:
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / Path(job.file_name).name
        count = run_export(
            target,
            entity=job.entity,
            options=job.options,
            format=file_format(job.file_name),
            on_batch=on_batch,
        )
        with target.open("rb") as handle:
            job.file.save(target.name, File(handle), save=False)
    return count


def _claim(job: TransferJob) -> bool:
    """Take a queued job for this run; False when another run has taken it already."""
    now = timezone.now()
    taken = TransferJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    if not taken:
        job.refresh_from_db()
        logger.info("transfer job %s is %s already: not run again", job.pk, job.status)
        return False
    job.status, job.started_at, job.heartbeat_at = JobStatus.RUNNING, now, now
    return True


class _ProgressWriter:
    """Called after every batch with the rows read or written so far: keeps them on the job
    and, when ``live``, in the database at once, with the job's sign of life (``heartbeat_at``),
    where the back office reads them. An import calls it inside the batch's transaction, so the
    rows it counts are in the database if and only if the count is.

    A whole-file run (validate only, all or nothing) holds one transaction open to its end: a
    progress written inside it would be seen by nobody, then rolled back. Its progress and sign
    of life go through a second connection to the database instead, one that commits at once,
    where the database lets two connections write at the same time; SQLite lets only one, the
    run's, so there such a run gives no sign of life until it ends.
    """

    def __init__(self, job: TransferJob, *, live: bool, progress=None) -> None:
        self.job = job
        self.live = live
        self.progress = progress
        self._aside = None

    def __call__(self, rows: int) -> None:
        if self.progress is not None:
            self.progress.advance(rows - self.job.rows_done)
        now = timezone.now()
        self.job.rows_done, self.job.heartbeat_at = rows, now
        if self.live:
            TransferJob.objects.filter(pk=self.job.pk).update(rows_done=rows, heartbeat_at=now)
        elif connection.vendor != "sqlite":
            self._write_aside(rows, now)

    def _write_aside(self, rows: int, now: datetime) -> None:
        if self._aside is None:
            self._aside = connections.create_connection(DEFAULT_DB_ALIAS)
        quote = self._aside.ops.quote_name
        try:
            with self._aside.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(TransferJob._meta.db_table)} SET {quote('rows_done')} = %s, "
                    f"{quote('heartbeat_at')} = %s WHERE {quote('id')} = %s",
                    [rows, now, self.job.pk],
                )
        except DatabaseError as error:
            # The import itself goes on; only its progress is not seen until it ends.
            logger.warning("transfer job %s: progress not written (%s)", self.job.pk, error)

    def close(self) -> None:
        if self._aside is not None:
            self._aside.close()
            self._aside = None


@contextlib.contextmanager
def _local_file(job: TransferJob, path: Path | str | None) -> Iterator[Path]:
    """The file to import as a local path: ``path`` when given, else the job's stored file,
    in place on a local disk or copied from a remote storage."""
    if path is not None:
        yield Path(path)
        return
    if not job.file or not job.file.storage.exists(job.file.name):
        raise DomainError(
            f"the file of this job ('{job.file_name}') is no longer kept; upload it again",
            code="file_gone",
        )
    if isinstance(job.file.storage, FileSystemStorage):
        yield Path(job.file.path)
        return
    with tempfile.TemporaryDirectory() as directory:
        copy = Path(directory) / Path(job.file.name).name
        with job.file.open("rb") as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target)
        yield copy


@contextlib.contextmanager
def _ending_failed_on_error(job: TransferJob) -> Iterator[None]:
    """End the job "failed" with a message a person can act on, whatever stops its run."""
    try:
        yield
    except DomainError as error:
        _fail(job, error.message)
    except OSError as error:
        verb = "read" if job.kind == JobKind.IMPORT else "written"
        reason = error.strerror or str(error)
        _fail(job, _stopped(job, f"the file '{job.file_name}' cannot be {verb} ({reason})"))
    except (KeyboardInterrupt, SystemExit):
        _fail(job, _stopped(job, "interrupted before the end"))
        raise
    except Exception as error:
        logger.exception("transfer job %s stopped by an unexpected error", job.pk)
        _fail(
            job,
            _stopped(job, f"stopped by an unexpected error ({type(error).__name__}: {error})")
            + f" If it happens again, report job #{job.pk} with its file.",
        )


def _stopped(job: TransferJob, why: str) -> str:
    if job.kind == JobKind.EXPORT:
        return f"{why}; no file was written. Start the export again."
    if job.validate_only or job.all_or_nothing or not job.rows_done:
        kept = "nothing was imported"
    else:
        kept = f"rows 1 to {job.rows_done} were imported"
    return f"{why}; {kept}. Import the file again: rows already imported stay unchanged."


def _finish_import(job: TransferJob, report: ImportReport) -> None:
    read = any(sum(asdict(counts).values()) for counts in report.counts.values())
    if not read and not report.errors:
        report.file_error(job.entity, _no_records(job))
    job.counts = {name: asdict(counts) for name, counts in report.counts.items()}
    job.errors, job.warnings = len(report.errors), len(report.warnings)
    job.rows_total = job.rows_done
    if report.problems:
        _keep_error_report(job, report.problems)
    if report.errors and not read:
        first = report.errors[0]
        more = len(report.errors) - 1
        job.message = f"the file cannot be imported: {first}" + (
            f" (and {more} more problems in the error report)" if more else ""
        )
        _end(job, JobStatus.FAILED)
        _log_failure(job)
        return
    _end(job, JobStatus.DONE)


def _no_records(job: TransferJob) -> Problem:
    """A file of only its header: a whole-file error, as an empty file is, since a file
    exported or saved by mistake before its rows were written must not pass for done."""
    what = get_entity(job.entity).label.lower()
    return Problem(
        file=job.file_name,
        line=None,
        message=f"holds no records, only its header: no {what} in it, so nothing was "
        f"imported; write the {what} under the header and import the file again",
    )


def _keep_error_report(job: TransferJob, problems: list[Problem]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{Path(job.file_name).stem}.errors.csv"
        write_problems(problems, path)
        with path.open("rb") as handle:
            job.error_report.save(path.name, File(handle), save=False)


def _fail(job: TransferJob, message: str) -> None:
    job.message = message
    _end(job, JobStatus.FAILED)
    _log_failure(job)


def _log_failure(job: TransferJob) -> None:
    if job.source == JobSource.COMMAND:
        # The command prints the failure to whoever ran it, as its error: a warning line on
        # the same screen would say it twice.
        logger.info("transfer job %s: %s of %s failed", job.pk, job.kind, job.entity)
        return
    logger.warning(
        "transfer job %s (%s of %s) failed: %s", job.pk, job.kind, job.entity, job.message
    )


def _end(job: TransferJob, status: str) -> None:
    job.status = status
    job.finished_at = timezone.now()
    job.save()


def _count_rows(job: TransferJob) -> int | None:
    """The rows of the job's stored file, for its progress: the lines after the header of a
    CSV (a quoted newline counts as one more), the rows a workbook's sheet says it has."""
    with job.file.open("rb") as handle:
        if file_format(job.file.name) == "xlsx":
            return _count_sheet_rows(handle)
        lines, last = 0, b""
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last and last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def _count_sheet_rows(handle) -> int | None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(handle, read_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError):
        # Not a workbook: its import says so, with the reason.
        return None
    try:
        rows = workbook.worksheets[0].max_row if workbook.worksheets else None
    finally:
        workbook.close()
    return None if rows is None else max(rows - 1, 0)
