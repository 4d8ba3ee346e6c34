"""Integration clients: the seller's own systems (an ERP, a PIM) calling the API.

A client is not a customer user: it acts for the seller, within the scopes it was given, with
a bearer token of its own (``cpi_`` and 43 random characters), of which only the SHA-256 hash
is kept.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from comptoir.core.events import EVENT_NAMES


class Scope(models.TextChoices):
    PRICES_EXPLAIN = "prices:explain", "explain any company's prices"
    INDEXES_WRITE = "indexes:write", "record market index values"
    STOCK_WRITE = "stock:write", "push stock levels"
    PRICES_WRITE = "prices:write", "push prices"
    PRODUCTS_WRITE = "products:write", "push products, their units, categories and attributes"
    COMPANIES_WRITE = "companies:write", "push companies and their addresses"
    USERS_WRITE = "users:write", "push customer users"
    ORDERS_WRITE = "orders:write", "push order status changes and orders placed elsewhere"
    SHIPMENTS_WRITE = "shipments:write", "push shipments"
    INVOICES_WRITE = "invoices:write", "push invoices"


class ApiClient(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="Which system: 'ERP'.")
    scopes = models.JSONField(default=list, help_text="What it may do (see Scope).")
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "integration client"

    def __str__(self):
        return self.name

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes


BROKER_SCHEMES = ("amqp", "amqps", "redis", "rediss")


def validate_endpoint_url(url: str) -> None:
    """An endpoint is an http(s) URL, or a message broker: ``amqp://user:password@host/vhost
    ?exchange=NAME`` (RabbitMQ, a topic exchange, routing key = event type) or
    ``redis://host:port/db?stream=NAME`` (a Redis stream)."""
    parts = urlsplit(url)
    try:
        if parts.scheme in BROKER_SCHEMES:
            if not parts.hostname:
                raise ValidationError("no host")
        else:
            URLValidator(schemes=["http", "https"])(url)
    except (ValueError, ValidationError):
        raise ValidationError(
            f"'{url}' is not an endpoint: give an http or https URL, as in "
            "https://erp.example.com/hooks/comptoir, or a broker, as in "
            "amqp://user:password@rabbitmq.example.com/?exchange=comptoir.events or "
            "redis://redis.example.com:6379/0?stream=comptoir-events",
            code="webhook_url_invalid",
        ) from None


def validate_event_names(names: list[str]) -> None:
    """``names`` lists events the shop records (``core.events.EVENT_NAMES``), or none."""
    known = ", ".join(EVENT_NAMES)
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValidationError(
            f'Give the events as a list of names, as in ["order_placed"], or [] for all of '
            f"them; the events: {known}",
            code="webhook_events_invalid",
        )
    unknown = sorted(set(names) - set(EVENT_NAMES))
    if unknown:
        raise ValidationError(
            f"Unknown event {', '.join(repr(name) for name in unknown)}: the events are "
            f"{known} (none: all of them)",
            code="webhook_event_unknown",
        )


def validate_url_unused(url: str, *, endpoint_pk: int | None = None) -> None:
    """No other endpoint has ``url``: each event would go out to it twice."""
    other = WebhookEndpoint.objects.filter(url=url).exclude(pk=endpoint_pk).first()
    if other is not None:
        raise ValidationError(
            f"Endpoint {other.pk} already has the URL {url}: each event would go out to it "
            f"twice. Change the events of endpoint {other.pk} in the back office instead, or "
            "give another URL",
            code="webhook_url_taken",
        )


class WebhookEndpoint(models.Model):
    """A URL of the seller's systems that receives the shop's events, signed with ``secret``
    (Standard Webhooks: ``whsec_`` and the key in base64)."""

    url = models.CharField(
        max_length=500,
        validators=[validate_endpoint_url],
        help_text="Where events go: an http(s) URL they are POSTed to, or a broker "
        "(amqp://...?exchange=NAME, redis://...?stream=NAME).",
    )
    description = models.CharField(max_length=200, blank=True)
    client = models.ForeignKey(
        ApiClient,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_endpoints",
        verbose_name="integration client",
        help_text="The integration client whose system receives these events, for the sync "
        "monitor; empty: an endpoint of the shop's own.",
    )
    event_names = models.JSONField(
        default=list, blank=True, help_text="The events it receives; empty: all of them."
    )
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField("active", default=True)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]

    def __str__(self):
        return self.url

    def clean(self):
        errors = {}
        for field, check in (
            ("event_names", lambda: validate_event_names(self.event_names)),
            ("url", lambda: validate_url_unused(self.url, endpoint_pk=self.pk)),
        ):
            try:
                check()
            except ValidationError as error:
                errors[field] = error
        if errors:
            raise ValidationError(errors)

    def wants(self, event_name: str) -> bool:
        return not self.event_names or event_name in self.event_names


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "waiting to be delivered"
    DELIVERED = "delivered", "delivered"


class WebhookDelivery(models.Model):
    """One event for one endpoint: tried until the endpoint answers 2xx, at least once."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["endpoint", "event"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_unique")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} to {self.endpoint} ({self.status})"


class IdempotentRequest(models.Model):
    """A batch call of a client with its ``Idempotency-Key``: sent again, it is answered with
    the stored response instead of being carried out twice."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path, body.")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique")
        ]

    def __str__(self):
        return f"{self.client_id} {self.key}"


class JobKind(models.TextChoices):
    IMPORT = "import", "import"
    EXPORT = "export", "export"


class JobSource(models.TextChoices):
    BACK_OFFICE = "back_office", "back office upload"
    COMMAND = "command", "command line"
    DROP = "drop", "file drop"
    API = "api", "ERP API"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "waiting"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class TransferJob(models.Model):
    """One import or export run of an entity's rows: a file uploaded, dropped or written, or a
    batch the ERP pushed; what it did, its progress while it runs, and its error report."""

    kind = models.CharField(max_length=10, choices=JobKind, default=JobKind.IMPORT)
    entity = models.CharField(max_length=50, help_text="What the rows are: products, prices...")
    source = models.CharField(max_length=20, choices=JobSource)
    client = models.ForeignKey(
        ApiClient,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        help_text="The integration client that sent the rows, for the ERP API.",
    )
    drop = models.CharField(
        max_length=100, blank=True, help_text="The file drop the file came from or went to."
    )
    file = models.FileField(upload_to="transfers/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(max_length=255, blank=True, help_text="As it was named.")
    options = models.JSONField(default=dict, blank=True)
    validate_only = models.BooleanField(default=False)
    all_or_nothing = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=JobStatus, default=JobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Rows in the file, when known before reading it."
    )
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows read or written so far.")
    counts = models.JSONField(
        default=dict, blank=True, help_text="Per entity: created, updated, unchanged, rejected."
    )
    errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    error_report = models.FileField(
        upload_to="transfers/reports/%Y/%m/", max_length=300, blank=True
    )
    message = models.TextField(blank=True, help_text="Why a failed job stopped.")
    rerun_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
        verbose_name="run again from",
        help_text="The failed import whose kept file this job imports again.",
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        "last sign of life",
        null=True,
        blank=True,
        help_text="The last sign of life of the process running the job: its start, then "
        "each batch.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-created_at"]),
            models.Index(
                fields=["heartbeat_at"],
                condition=models.Q(status=JobStatus.RUNNING),
                name="transfer_job_running",
            ),
        ]
        verbose_name = "import or export"
        verbose_name_plural = "imports and exports"

    def __str__(self):
        return f"{self.kind} of {self.entity} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def last_sign_of_life(self) -> datetime | None:
        return self.heartbeat_at or self.started_at

    @property
    def is_stalled(self) -> bool:
        """Still "running", but silent for longer than the limit: its process is gone."""
        last = self.last_sign_of_life
        return self.status == JobStatus.RUNNING and last is not None and last < stale_before()


def stale_before(now: datetime | None = None) -> datetime:
    """A running job with no sign of life since this moment has stopped without finishing."""
    limit = timedelta(seconds=settings.COMPTOIR_TRANSFER_JOB_STALE_SECONDS)
    return (now or timezone.now()) - limit


class FileDrop(models.Model):
    """A file drop's state between passes: which process holds it, and how its last pass went.

    The drops themselves (where, which files, credentials) are settings, in
    ``COMPTOIR_FILE_DROPS``; a row is made on a drop's first pass.
    """

    name = models.CharField(max_length=100, unique=True)
    busy_until = models.DateTimeField(
        null=True, blank=True, help_text="A pass holds the drop until then (a lease)."
    )
    last_pass_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Why the last pass stopped, if it did.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
