"""Rebuilds queued in the database and run by the worker, as in production."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from comptoir.pricing import services
from comptoir.pricing.models import Price, PriceRule
from tests import factories

# Committed for real: the worker is another database session, as in production.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_rule_saved_queues_its_rebuild_and_the_worker_runs_it():
    default = factories.price_list("Default")
    product = factories.product("0RT28")
    factories.price(default, product, "99.99")
    wholesale = factories.price_list("Wholesale")

    services.save_price_rule(
        PriceRule(price_list=wholesale, name="-10 %", formula='pricelist["Default"].price * 0.9')
    )

    # Queued, not run: the request that saved the rule does not wait for the prices.
    assert not Price.objects.filter(price_list=wholesale).exists()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "comptoir.pricing.tasks.rebuild_prices"

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert Price.objects.get(price_list=wholesale).value == Decimal("89.99")
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == ["Wholesale: 1 created, 0 updated, 0 removed, 0 unchanged"]
