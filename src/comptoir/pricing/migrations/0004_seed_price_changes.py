"""Every price that exists when history starts is recorded as set at that moment."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    Price = apps.get_model("pricing", "Price")
    PriceChange = apps.get_model("pricing", "PriceChange")
    now = timezone.now()
    rows = Price.objects.values_list(
        "price_list_id", "product_id", "unit_id", "quantity", "value"
    ).iterator(chunk_size=5000)
    batch = []
    for price_list_id, product_id, unit_id, quantity, value in rows:
        batch.append(
            PriceChange(
                price_list_id=price_list_id,
                product_id=product_id,
                unit_id=unit_id,
                quantity=quantity,
                value=value,
                source="manual",
                changed_at=now,
            )
        )
        if len(batch) == 5000:
            PriceChange.objects.bulk_create(batch)
            batch = []
    PriceChange.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("pricing", "0003_rules_indexes_schedule")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
