"""The ERP API's calls kept as transfer jobs, one per batch carried out, for the sync monitor."""

import logging
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.core.files import File
from django.utils import timezone

from comptoir.integration.models import ApiClient, JobKind, JobSource, JobStatus, TransferJob
from comptoir.integration.report import Problem
from comptoir.integration.transfer.files import write_problems

logger = logging.getLogger(__name__)


class RowIssue(Protocol):
    """A problem of one row of a call: its index (from 0), the field, what is wrong."""

    index: int
    field: str
    message: str


def record_erp_job(
    *,
    client: ApiClient,
    entity: str,
    rows: int,
    started_at: datetime,
    counts: dict[str, dict[str, int]] | None = None,
    problems: Sequence[RowIssue] = (),
    warnings: Sequence[RowIssue] = (),
) -> TransferJob:
    """Keep a batch call of ``client`` as a job: ``counts`` by entity when it was carried out
    (counted as a file import's job is, none rejected), or the ``problems`` that refused it
    whole (they become its error report, where each row's index stands in the line column)."""
    refused = bool(problems)
    rejected = len({problem.index for problem in problems})
    job = TransferJob(
        kind=JobKind.IMPORT,
        entity=entity,
        source=JobSource.API,
        client=client,
        file_name=f"{entity} from {client.name}",
        all_or_nothing=True,
        status=JobStatus.FAILED if refused else JobStatus.DONE,
        rows_total=rows,
        rows_done=rows,
        counts={
            name: {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, **tally}
            for name, tally in (counts or {entity: {}}).items()
        },
        errors=len(problems),
        warnings=len(warnings),
        started_at=started_at,
        finished_at=timezone.now(),
    )
    if refused:
        job.counts[entity]["rejected"] = rejected
        job.message = (
            f"{rejected} of {rows} rows refused: nothing was written; the client was told "
            "every problem and may send the call again once fixed"
        )
    if problems or warnings:
        _attach_report(job, entity, [*problems], [*warnings])
    job.save()
    if refused:
        logger.warning(
            "ERP call of %s with %s %s refused: %s rows with problems",
            client.name,
            rows,
            entity,
            rejected,
        )
    else:
        logger.info("ERP call of %s: %s %s rows written", client.name, rows, entity)
    return job


def _attach_report(
    job: TransferJob, entity: str, problems: list[RowIssue], warnings: list[RowIssue]
) -> None:
    listed = [
        Problem(file=entity, line=issue.index, column=issue.field, message=issue.message)
        for issue in problems
    ] + [
        Problem(
            file=entity,
            line=issue.index,
            column=issue.field,
            message=issue.message,
            severity="warning",
        )
        for issue in warnings
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{entity}-errors.csv"
        write_problems(listed, path)
        with path.open("rb") as handle:
            job.error_report.save(path.name, File(handle), save=False)
