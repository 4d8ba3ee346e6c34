"""Background work of integrations: delivering webhooks, running import and export jobs."""

from django.tasks import task

from comptoir.integration.job_recovery import end_stalled_jobs
from comptoir.integration.jobs import run_job
from comptoir.integration.models import TransferJob
from comptoir.integration.webhooks import deliver_due


@task
def deliver_webhooks() -> dict[str, int]:
    """Deliver every webhook that is due (safe to run twice: each endpoint is taken by one
    worker at a time, and a delivered event is not sent again)."""
    run = deliver_due()
    return {
        "delivered": run.delivered,
        "failed": run.failed,
        "held_back": run.held_back,
        "switched_off": run.switched_off,
    }


@task
def run_transfer_job(job_id: int) -> str:
    """Run a queued import or export job; return its status (safe to run twice: a job that is
    running or finished is left as it is). Jobs of runs that died are ended first."""
    end_stalled_jobs()
    job = TransferJob.objects.filter(pk=job_id).first()
    if job is None:
        return "gone"
    run_job(job)
    return job.status
