"""Domain events, written to an outbox in the same transaction as the change they record."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Event(models.Model):
    """One business event (``order_placed``...), kept for delivery to other systems."""

    name = models.CharField(max_length=100, db_index=True)
    entity_key = models.CharField(max_length=100, help_text="The business key: an order number.")
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} {self.entity_key}"
