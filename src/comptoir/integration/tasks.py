"""Background work of integrations: delivering webhooks."""

from django.tasks import task

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
