"""File drops: folders where the ERP leaves files for the shop to import, and where the shop
leaves its exports (orders placed) for the ERP, on an SFTP server or the local disk (their
settings: ``drop_settings``).

A pass over a drop (``comptoir drops run``) imports its new files in name order, each as a
TransferJob, and moves each to ``processed/``, or to ``failed/`` when it had errors, with its
error report beside it (``NAME.errors.csv``). A file modified less than ``settle_seconds`` ago
may still be being written: it waits for the next pass. Then each export is written to
``outbox/``, when it has rows and differs from the last one written; ``since_last`` passes the
entity's export the time the last one started (``since=...``), so that it writes only what
came after. One process at a time holds a drop, through a lease in the database.
"""

import hashlib
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.db.models import Q
from django.utils import timezone

from comptoir.core.errors import DomainError
from comptoir.integration.drop_folders import (
    FAILED,
    FOLDER_ERRORS,
    OUTBOX,
    PROCESSED,
    DropError,
    DroppedFile,
)
from comptoir.integration.drop_settings import Drop, ExportRule, ImportRule, configured_drops
from comptoir.integration.jobs import (
    create_export_job,
    create_import_job,
    run_export_job,
    run_import_job,
)
from comptoir.integration.models import FileDrop, JobKind, JobSource, JobStatus, TransferJob
from comptoir.integration.report import Problem
from comptoir.integration.transfer.files import write_problems

logger = logging.getLogger(__name__)

# How long a pass holds its drop before another process may take it: renewed before each
# file, so only a process that died leaves a drop held, and not for longer than this.
LEASE = timedelta(minutes=30)

DROP_KEYS = {
    "location": "sftp://USER@HOST:PORT/PATH or a folder of this machine",
    "imports": "which files hold which entity",
    "exports": "what to write to outbox/",
    "settle_seconds": "how long a file must stay unchanged before it is taken",
    "password": "the SFTP password (from a settings module that reads it from elsewhere)",
    "password_env": "the environment variable holding the SFTP password",
    "private_key": "the private key file to log in with",
    "passphrase_env": "the environment variable holding the private key's passphrase",
    "known_hosts": "a known_hosts file holding the server's host key",
    "host_key": "the server's host key itself: 'ssh-ed25519 AAAA...'",
}
SFTP_ONLY_KEYS = ("password", "password_env", "private_key", "passphrase_env", "known_hosts")
IMPORT_KEYS = ("files", "entity", "options", "all_or_nothing")
EXPORT_KEYS = ("entity", "format", "options", "since_last")


@dataclass
class PassReport:
    """What one pass over a drop did."""

    drop: str
    busy: bool = False
    imported: list[tuple[str, str, TransferJob | None]] = field(default_factory=list)
    exported: list[tuple[str, TransferJob]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    error: str = ""


def run_drops(names: list[str] | None = None) -> list[PassReport]:
    """One pass over each drop named, or over every drop."""
    drops = configured_drops()
    for name in names or ():
        if name not in drops:
            raise DropError(
                f"no file drop is named '{name}'; drops: {', '.join(drops) or 'none configured'}"
            )
    return [run_drop(drops[name]) for name in (names or drops)]


def run_drop(drop: Drop) -> PassReport:
    """One pass over ``drop``: import its new files in name order and move each to processed/
    or failed/ with its report, then write its exports to outbox/."""
    report = PassReport(drop=drop.name)
    if not _take(drop.name):
        report.busy = True
        logger.info("drop %s: another process is on it; pass skipped", drop.name)
        return report
    try:
        with drop.open() as folder:
            settled = timezone.now() - timedelta(seconds=drop.settle_seconds)
            for dropped in sorted(folder.files(), key=lambda dropped: dropped.name):
                rule = drop.rule_for(dropped.name)
                if rule is None or dropped.name.startswith("."):
                    # Not for the shop, or hidden: a file another program is still writing.
                    continue
                if dropped.modified_at > settled:
                    report.waiting.append(dropped.name)
                    continue
                _take(drop.name, renew=True)
                report.imported.append(_import(drop, folder, dropped, rule))
            for rule in drop.exports:
                _take(drop.name, renew=True)
                written = _export(drop, folder, rule)
                if written is not None:
                    report.exported.append(written)
    except DropError as error:
        report.error = error.message
    except FOLDER_ERRORS as error:
        report.error = (
            f"the drop's folder stopped answering ({error}); the next pass takes up the files left"
        )
    finally:
        FileDrop.objects.filter(name=drop.name).update(
            busy_until=None, last_pass_at=timezone.now(), last_error=report.error
        )
    if report.error:
        logger.warning("drop %s: pass stopped: %s", drop.name, report.error)
    return report


def _import(drop: Drop, folder, dropped: DroppedFile, rule: ImportRule):
    """Import one file of the drop and move it; return its name, where it went, its job."""
    with tempfile.TemporaryDirectory() as directory:
        local = Path(directory) / dropped.name
        folder.fetch(dropped.name, local)
        try:
            with local.open("rb") as handle:
                job = create_import_job(
                    entity=rule.entity,
                    file_name=dropped.name,
                    source=JobSource.DROP,
                    drop=drop.name,
                    options=rule.options,
                    all_or_nothing=rule.all_or_nothing,
                    content=File(handle),
                )
        except DomainError as error:
            job, refusal = None, error.message
        else:
            run_import_job(job)
            refusal = job.message
        imported = job is not None and job.status == JobStatus.DONE and not job.errors
        went_to = PROCESSED if imported else FAILED
        moved = folder.move(dropped.name, went_to)
        report = Path(directory) / f"{Path(moved).stem}.errors.csv"
        if job is not None and job.error_report:
            with job.error_report.open("rb") as source, report.open("wb") as target:
                shutil.copyfileobj(source, target)
        elif refusal:
            write_problems([Problem(file=dropped.name, line=None, message=refusal)], report)
        if report.exists():
            folder.put(report, went_to, report.name)
    logger.info("drop %s: %s imported, moved to %s/%s", drop.name, dropped.name, went_to, moved)
    return dropped.name, went_to, job


def _export(drop: Drop, folder, rule: ExportRule) -> tuple[str, TransferJob] | None:
    """Write ``rule``'s export to outbox/, unless it is empty or the same as the last one."""
    last = (
        TransferJob.objects.filter(
            kind=JobKind.EXPORT,
            source=JobSource.DROP,
            drop=drop.name,
            entity=rule.entity,
            status=JobStatus.DONE,
        )
        .order_by("-started_at", "-id")
        .first()
    )
    options = dict(rule.options)
    if rule.since_last and last is not None:
        options["since"] = last.started_at.isoformat()
    job = create_export_job(
        entity=rule.entity,
        format=rule.format,
        source=JobSource.DROP,
        drop=drop.name,
        options=options,
    )
    run_export_job(job)
    if job.status == JobStatus.FAILED:
        raise DropError(f"the export of {job.entity} failed: {job.message} (job #{job.pk})")
    if not job.rows_done or (last is not None and _digest(job) == _digest(last)):
        # Nothing new for the ERP: no file, and no job to show for it.
        job.file.delete(save=False)
        job.delete()
        return None
    with tempfile.TemporaryDirectory() as directory:
        local = Path(directory) / job.file_name
        with job.file.open("rb") as source, local.open("wb") as target:
            shutil.copyfileobj(source, target)
        name = folder.put(local, OUTBOX, job.file_name)
    logger.info(
        "drop %s: %s rows of %s written to outbox/%s", drop.name, job.rows_done, job.entity, name
    )
    return name, job


def _digest(job: TransferJob) -> str | None:
    """The SHA-256 of the rows of an export's file (its header included)."""
    if not job.file or not job.file.storage.exists(job.file.name):
        return None
    digest = hashlib.sha256()
    with job.file.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _take(name: str, *, renew: bool = False) -> bool:
    """Hold the drop for this process for LEASE; False when another process holds it."""
    now = timezone.now()
    if renew:
        FileDrop.objects.filter(name=name).update(busy_until=now + LEASE)
        return True
    FileDrop.objects.get_or_create(name=name)
    free = Q(busy_until__isnull=True) | Q(busy_until__lt=now)
    return bool(FileDrop.objects.filter(free, name=name).update(busy_until=now + LEASE))


def last_passes() -> dict[str, FileDrop]:
    """The state of each drop that had a pass, by name."""
    return {drop.name: drop for drop in FileDrop.objects.all()}
