"""Jobs whose process died: noticed, ended "failed" with what went in, and run again.

A run that is stopped cleanly ends its job itself (``jobs``). One that is killed (SIGKILL, the
out-of-memory killer, a machine restarted) leaves it "running"; it only stops writing the sign
of life each batch gives the job (``heartbeat_at``). A job silent for longer than
``COMPTOIR_TRANSFER_JOB_STALE_SECONDS`` is stalled: ``end_stalled_jobs`` ends it "failed",
saying what was imported and what to do, when the back office lists jobs, on each pass of
``comptoir drops run|watch`` and when the worker takes a job. Its file, when kept, can be
imported again as a new job (``run_again``): imports are upserts, so rows already in stay as
they are.
"""

import logging
from datetime import datetime

from django.db import OperationalError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.core.errors import DomainError
from comptoir.integration.jobs import create_import_job, queue_job
from comptoir.integration.models import (
    JobKind,
    JobSource,
    JobStatus,
    TransferJob,
    stale_before,
)
from comptoir.integration.transfer.registry import get_entity

logger = logging.getLogger(__name__)


def stalled(before: datetime, prefix: str = "") -> Q:
    """Running jobs with no sign of life since ``before``; ``prefix`` reaches them through a
    relation (``jobs__``)."""
    return Q(**{f"{prefix}status": JobStatus.RUNNING}) & (
        Q(**{f"{prefix}heartbeat_at__lt": before})
        | Q(**{f"{prefix}heartbeat_at__isnull": True, f"{prefix}started_at__lt": before})
    )


def stalled_jobs(now: datetime | None = None) -> QuerySet[TransferJob]:
    """The jobs left "running" by a process that is gone, oldest first."""
    return TransferJob.objects.filter(stalled(stale_before(now))).order_by("id")


def end_stalled_jobs(now: datetime | None = None) -> list[TransferJob]:
    """End every stalled job "failed", with a message saying when it was last heard of, what
    was imported and what to do; return them.

    A job is ended only if it is still silent when its row is written, so a run that was only
    slow and has just finished a batch goes on. Where the database is held by another write (a
    whole-file import on SQLite), the jobs wait for the next sweep.
    """
    now = now or timezone.now()
    before = stale_before(now)
    ended = []
    for job in stalled_jobs(now):
        job.message = stalled_message(job)
        try:
            with transaction.atomic():
                taken = TransferJob.objects.filter(stalled(before), pk=job.pk).update(
                    status=JobStatus.FAILED, finished_at=now, message=job.message
                )
        except OperationalError as error:
            logger.warning("stalled transfer jobs left for the next sweep: %s", error)
            break
        if taken:
            job.status, job.finished_at = JobStatus.FAILED, now
            ended.append(job)
            logger.warning(
                "transfer job %s (%s of %s) stalled: %s", job.pk, job.kind, job.entity, job.message
            )
    return ended


def stalled_message(job: TransferJob) -> str:
    """Why a stalled job failed and what to do, for the staff who read the job list."""
    last = timezone.localtime(job.last_sign_of_life)
    rows = job.rows_done
    why = (
        f"stopped without finishing: nothing was heard from its process after "
        f"{last:%Y-%m-%d %H:%M:%S %Z}, with {rows} row{'' if rows == 1 else 's'} done (the "
        "process was killed or its machine restarted)"
    )
    if job.kind == JobKind.EXPORT:
        return f"{why}; no file was written. Start the export again."
    again = (
        "Run it again (action 'Run again' of the list of imports and exports)"
        if _file_kept(job)
        else "Import the file again"
    )
    if job.validate_only:
        return f"{why}; nothing was written, as in any validation. {again}."
    if job.all_or_nothing:
        return f"{why}; nothing was imported (the file is imported all or nothing). {again}."
    if not rows:
        return f"{why}; nothing was imported. {again}."
    return (
        f"{why}; rows 1 to {rows} were imported and nothing after row {rows} was. {again}: "
        "rows already imported stay unchanged."
    )


def run_again(job: TransferJob, *, created_by: User | None) -> TransferJob:
    """Queue a new import of a failed import job's file, kept with it, with the same entity and
    options; a worker runs it."""
    if job.kind != JobKind.IMPORT:
        raise DomainError(
            f"job #{job.pk} is an export: start the export again from its entity's page",
            code="job_not_import",
        )
    if job.status != JobStatus.FAILED:
        raise DomainError(
            f"job #{job.pk} is {job.get_status_display()}: only a failed import can be run again",
            code="job_not_failed",
        )
    if not _file_kept(job):
        raise DomainError(
            f"the file of job #{job.pk} ('{job.file_name}') is not kept (a file imported from "
            "the command line never is); import it again from its entity's page",
            code="file_gone",
        )
    get_entity(job.entity).check_options(job.options)
    with transaction.atomic(), job.file.open("rb") as stored:
        again = create_import_job(
            entity=job.entity,
            file_name=job.file_name,
            source=JobSource.BACK_OFFICE,
            options=job.options,
            validate_only=job.validate_only,
            all_or_nothing=job.all_or_nothing,
            content=stored,
            created_by=created_by,
            rerun_of=job,
        )
        queue_job(again)
    logger.info("transfer job %s runs the file of job %s again", again.pk, job.pk)
    return again


def _file_kept(job: TransferJob) -> bool:
    return bool(job.file) and job.file.storage.exists(job.file.name)
