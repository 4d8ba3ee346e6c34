"""Who may come in: the storefront's access mode, registration requests, invitations and the
login throttle."""

from django.conf import settings
from django.db import models


class AccessMode(models.TextChoices):
    # Anyone may browse; logging in is needed to see prices (if hidden) and to order.
    OPEN = "open", "Open"
    # Guests see only the login page and the pages marked public.
    LOGIN_REQUIRED = "login_required", "Login required"
    # Only users of the selected companies or customer groups may log in or use the API; the
    # others see a "coming soon" page.
    PILOT = "pilot", "Pilot"


class StorefrontAccess(models.Model):
    """The one row that says who may use the storefront and the API; read on every request, so
    a change applies without a restart."""

    mode = models.CharField(max_length=20, choices=AccessMode, default=AccessMode.OPEN)
    pilot_companies = models.ManyToManyField(
        "accounts.Company", blank=True, related_name="+", help_text="Pilot mode: these companies."
    )
    pilot_groups = models.ManyToManyField(
        "accounts.CustomerGroup",
        blank=True,
        related_name="+",
        help_text="Pilot mode: the companies of these customer groups.",
    )
    basic_auth_username = models.CharField(
        max_length=100,
        blank=True,
        help_text="If set, an HTTP basic-auth gate stands in front of the whole site.",
    )
    basic_auth_password = models.CharField(
        max_length=128, blank=True, help_text="Stored hashed, like user passwords."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "storefront access"
        verbose_name_plural = "storefront access"

    def __str__(self):
        return f"Storefront access: {self.get_mode_display()}"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class RegistrationRequest(models.Model):
    """A new company asking for an account; staff approve it (which creates the company and its
    first administrator) or reject it."""

    company_name = models.CharField(max_length=200)
    tax_id = models.CharField("tax ID", max_length=50, blank=True)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=50, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    message = models.TextField(blank=True)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, blank=True)
    status = models.CharField(
        max_length=20, choices=RegistrationStatus, default=RegistrationStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    company = models.ForeignKey(
        "accounts.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.company_name} ({self.get_status_display()})"


class Invitation(models.Model):
    """An e-mail sent to a new customer user with a signed, expiring link to set a password."""

    customer_user = models.ForeignKey(
        "accounts.CustomerUser", on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation of {self.customer_user}"


class LoginThrottle(models.Model):
    """Failed logins in a row for one key (an account's e-mail or a client address).

    Kept in the database so that every web process sees the same counts.
    """

    key = models.CharField(max_length=300, unique=True, help_text='"email:..." or "address:..."')
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.key}: {self.failures} failures"
