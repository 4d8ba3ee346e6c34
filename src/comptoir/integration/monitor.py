"""Reads for the sync monitor: how each integration keeps the shop in step with other systems.

Rows come in as transfer jobs (one per ERP API call, per file a drop brought, per upload or
command) and go out as events delivered to webhook endpoints and brokers. For each integration
client and each file drop: its last runs, the rows they brought, the runs that failed or
stalled (left running by a process that died) and the time since the last one that succeeded;
for each endpoint: what it was delivered, what waits for it, and the lag, the age of the oldest
event still waiting. A client's rows out are those of the endpoints tied to it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum

from comptoir.integration.job_recovery import stalled
from comptoir.integration.models import (
    ApiClient,
    DeliveryStatus,
    JobSource,
    JobStatus,
    TransferJob,
    WebhookDelivery,
    WebhookEndpoint,
    stale_before,
)

# The counts of the overview cover this much of the recent past.
WINDOW = timedelta(hours=24)
# The runs listed on a client's or a drop's page.
RUNS_SHOWN = 50


@dataclass(frozen=True)
class RunsSummary:
    """The recent runs of a client or a drop, counted over ``WINDOW``, and its stalled runs,
    however old."""

    runs: int
    rows_in: int
    failures: int
    stalled: int
    last_run_at: datetime | None
    last_success_at: datetime | None

    def since_success(self, now: datetime) -> timedelta | None:
        return None if self.last_success_at is None else now - self.last_success_at


@dataclass(frozen=True)
class RowsOut:
    """What the endpoints of a client were delivered over ``WINDOW``, and what waits for them."""

    delivered: int = 0
    pending: int = 0
    oldest_pending_at: datetime | None = None

    def lag(self, now: datetime) -> timedelta | None:
        return None if self.oldest_pending_at is None else now - self.oldest_pending_at


@dataclass(frozen=True)
class ClientSummary:
    client: ApiClient
    summary: RunsSummary
    out: RowsOut


@dataclass(frozen=True)
class DropSummary:
    drop: str
    summary: RunsSummary


@dataclass(frozen=True)
class EndpointSummary:
    """What an endpoint was delivered over ``WINDOW``, what waits for it, and why it fails."""

    endpoint: WebhookEndpoint
    delivered: int
    pending: int
    retrying: int
    oldest_pending_at: datetime | None
    last_error: str

    def lag(self, now: datetime) -> timedelta | None:
        return None if self.oldest_pending_at is None else now - self.oldest_pending_at


def _runs_counts(now: datetime, prefix: str = "") -> dict:
    recent = Q(**{f"{prefix}created_at__gte": now - WINDOW})
    jobs = f"{prefix}id" if prefix else "id"
    return {
        "runs": Count(jobs, filter=recent),
        "rows_in": Sum(f"{prefix}rows_total", filter=recent),
        "failures": Count(jobs, filter=recent & Q(**{f"{prefix}status": JobStatus.FAILED})),
        "stalled": Count(jobs, filter=stalled(stale_before(now), prefix)),
        "last_run_at": Max(f"{prefix}created_at"),
        "last_success_at": Max(
            f"{prefix}finished_at", filter=Q(**{f"{prefix}status": JobStatus.DONE})
        ),
    }


_RUN_FIELDS = ("runs", "rows_in", "failures", "stalled", "last_run_at", "last_success_at")


def _summary(values: dict) -> RunsSummary:
    return RunsSummary(**{**values, "rows_in": values["rows_in"] or 0})


def client_summaries(now: datetime) -> list[ClientSummary]:
    """Every integration client with its runs and its rows out over ``WINDOW``, by name."""
    clients = ApiClient.objects.annotate(**_runs_counts(now, "jobs__")).order_by("name")
    out = rows_out_by_client(now)
    return [
        ClientSummary(
            client,
            _summary({name: getattr(client, name) for name in _RUN_FIELDS}),
            out.get(client.pk, RowsOut()),
        )
        for client in clients
    ]


def rows_out_by_client(now: datetime, client: ApiClient | None = None) -> dict[int, RowsOut]:
    """The rows out of each client that has endpoints (of ``client`` only, when given), by the
    client's id: events delivered to its endpoints over ``WINDOW``, those waiting, the oldest
    waiting."""
    pending = Q(status=DeliveryStatus.PENDING)
    delivered = Q(status=DeliveryStatus.DELIVERED, delivered_at__gte=now - WINDOW)
    deliveries = WebhookDelivery.objects.filter(pending | delivered)
    deliveries = deliveries.exclude(endpoint__client=None)
    if client is not None:
        deliveries = deliveries.filter(endpoint__client=client)
    rows = (
        deliveries.values("endpoint__client")
        .annotate(
            delivered=Count("id", filter=delivered),
            pending=Count("id", filter=pending),
            oldest_pending_at=Min("event__created_at", filter=pending),
        )
        .order_by()
    )
    return {
        row["endpoint__client"]: RowsOut(
            delivered=row["delivered"],
            pending=row["pending"],
            oldest_pending_at=row["oldest_pending_at"],
        )
        for row in rows
    }


def drop_summaries(now: datetime) -> list[DropSummary]:
    """Every file drop that brought or took files, with its runs over ``WINDOW``, by name."""
    rows = (
        TransferJob.objects.filter(source=JobSource.DROP)
        .exclude(drop="")
        .values("drop")
        .annotate(**_runs_counts(now))
        .order_by("drop")
    )
    return [
        DropSummary(row["drop"], _summary({name: row[name] for name in _RUN_FIELDS}))
        for row in rows
    ]


def endpoint_summaries(now: datetime) -> list[EndpointSummary]:
    """Every webhook endpoint or broker with its deliveries, by URL."""
    pending = Q(deliveries__status=DeliveryStatus.PENDING)
    failing = WebhookDelivery.objects.filter(
        endpoint=OuterRef("pk"), status=DeliveryStatus.PENDING, attempts__gt=0
    ).order_by("event_id")
    endpoints = (
        WebhookEndpoint.objects.select_related("client")
        .annotate(
            delivered=Count(
                "deliveries",
                filter=Q(
                    deliveries__status=DeliveryStatus.DELIVERED,
                    deliveries__delivered_at__gte=now - WINDOW,
                ),
            ),
            pending=Count("deliveries", filter=pending),
            retrying=Count("deliveries", filter=pending & Q(deliveries__attempts__gt=0)),
            oldest_pending_at=Min("deliveries__event__created_at", filter=pending),
            last_error=Subquery(failing.values("last_error")[:1]),
        )
        .order_by("url")
    )
    return [
        EndpointSummary(
            endpoint=endpoint,
            delivered=endpoint.delivered,
            pending=endpoint.pending,
            retrying=endpoint.retrying,
            oldest_pending_at=endpoint.oldest_pending_at,
            last_error=endpoint.last_error or "",
        )
        for endpoint in endpoints
    ]


def runs_of_client(client: ApiClient) -> QuerySet[TransferJob]:
    """The client's last runs, newest first."""
    return TransferJob.objects.filter(client=client).order_by("-created_at", "-id")[:RUNS_SHOWN]


def runs_of_drop(drop: str) -> QuerySet[TransferJob]:
    """The drop's last runs, newest first."""
    return TransferJob.objects.filter(source=JobSource.DROP, drop=drop).order_by(
        "-created_at", "-id"
    )[:RUNS_SHOWN]


def summary_of_runs(jobs: QuerySet[TransferJob], now: datetime) -> RunsSummary:
    """The runs of ``jobs`` counted over ``WINDOW``, for one client's or drop's page."""
    return _summary(jobs.aggregate(**_runs_counts(now)))


@dataclass(frozen=True)
class Run:
    """A job as the monitor lists it: its rows counted over every entity it wrote."""

    job: TransferJob
    created: int
    updated: int
    unchanged: int
    rejected: int


def listed_runs(jobs: QuerySet[TransferJob]) -> list[Run]:
    runs = []
    for job in jobs:
        totals = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        for counts in job.counts.values():
            for name in totals:
                totals[name] += counts.get(name, 0)
        runs.append(Run(job, **totals))
    return runs
