"""Integration clients: the seller's own systems (an ERP, a PIM) calling the API.

A client is not a customer user: it acts for the seller, within the scopes it was given, with
a bearer token of its own (``cpi_`` and 43 random characters), of which only the SHA-256 hash
is kept.
"""

from django.db import models


class Scope(models.TextChoices):
    PRICES_EXPLAIN = "prices:explain", "explain any company's prices"
    INDEXES_WRITE = "indexes:write", "record market index values"


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
