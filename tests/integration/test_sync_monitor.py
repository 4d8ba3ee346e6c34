"""The sync monitor: per integration client and file drop its runs, rows in and failures; per
endpoint what was delivered, what waits and the lag; linked from the back office's index."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.core.events import record_event
from comptoir.core.models import Event
from comptoir.integration.clients import create_client
from comptoir.integration.models import JobSource, JobStatus, TransferJob
from comptoir.integration.webhooks import create_endpoint, deliver_due
from tests import factories
from tests.integration.test_webhooks import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))
    return client


@pytest.fixture
def receivers():
    made = [Receiver(), Receiver(refusals=100)]
    yield made
    for receiver in made:
        receiver.close()


def push_categories(client, key, rows, idempotency_key):
    return client.post(
        "/api/v1/erp/categories",
        json.dumps({"rows": rows}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
    )


def test_the_monitor_shows_rows_in_failures_rows_out_and_the_lag(client, staff_client, receivers):
    healthy, refusing = receivers
    create_endpoint(url=healthy.url, event_names=["import_finished"])
    create_endpoint(url=refusing.url, event_names=["import_finished"])
    erp = create_client(name="ERP", scopes=["products:write"])
    create_client(name="PIM", scopes=["products:write"])
    good = [{"slug": "tools", "name": "Tools"}, {"slug": "saws", "name": "Saws"}]
    push_categories(client, erp.key, good, "call-1")
    push_categories(client, erp.key, [{"slug": "Bad Slug", "name": "Bad"}], "call-2")
    TransferJob.objects.create(
        entity="categories",
        source=JobSource.DROP,
        drop="erp-sftp",
        file_name="categories-0001.csv",
        status=JobStatus.DONE,
        rows_total=40,
        counts={"categories": {"created": 40, "updated": 0, "unchanged": 0, "rejected": 0}},
        finished_at=timezone.now(),
    )
    deliver_due()
    Event.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    page = staff_client.get(reverse("admin:integration_monitor"))

    assert page.status_code == 200
    clients = {item.client.name: item.summary for item in page.context["clients"]}
    assert (clients["ERP"].runs, clients["ERP"].rows_in, clients["ERP"].failures) == (2, 3, 1)
    assert clients["ERP"].last_success_at is not None
    assert (clients["PIM"].runs, clients["PIM"].last_run_at) == (0, None)
    [drop] = page.context["drops"]
    assert (drop.drop, drop.summary.runs, drop.summary.rows_in) == ("erp-sftp", 1, 40)
    endpoints = {item.endpoint.url: item for item in page.context["endpoints"]}
    assert (endpoints[healthy.url].delivered, endpoints[healthy.url].pending) == (1, 0)
    assert endpoints[healthy.url].oldest_pending_at is None
    failing = endpoints[refusing.url]
    assert (failing.delivered, failing.pending, failing.retrying) == (0, 1, 1)
    assert failing.last_error == "answered 503 Service Unavailable"
    assert failing.lag(page.context["now"]) >= timedelta(minutes=5)
    assert len(healthy.received) == 1
    body = json.loads(healthy.received[0]["body"])
    assert body["id"] == healthy.received[0]["headers"]["webhook-id"]
    text = page.content.decode()
    assert reverse("admin:integration_client_monitor", args=[erp.client.pk]) in text
    assert reverse("admin:integration_drop_monitor", args=["erp-sftp"]) in text
    assert '<td class="monitor-lag">5' in text


def test_a_clients_page_lists_its_runs_with_their_error_reports(client, staff_client):
    erp = create_client(name="ERP", scopes=["products:write"])
    push_categories(client, erp.key, [{"slug": "tools", "name": "Tools"}], "call-1")
    push_categories(client, erp.key, [{"slug": "tools", "colour": "red"}], "call-2")
    refused = TransferJob.objects.get(status=JobStatus.FAILED)

    page = staff_client.get(reverse("admin:integration_client_monitor", args=[erp.client.pk]))
    report_url = reverse("admin:integration_transferjob_download", args=[refused.pk, "errors"])
    report = staff_client.get(report_url)

    runs = page.context["runs"]
    assert [(run.job.status, run.created, run.rejected) for run in runs] == [
        (JobStatus.FAILED, 0, 1),
        (JobStatus.DONE, 1, 0),
    ]
    assert (page.context["summary"].runs, page.context["summary"].failures) == (2, 1)
    assert f'href="{report_url}"' in page.content.decode()
    assert b"".join(report.streaming_content).decode().splitlines()[1].startswith("0,colour,")


def test_the_index_links_the_monitor_for_staff_who_may_see_clients(client, staff_client):
    clerk = User.objects.create_user("clerk@seller.example", factories.PASSWORD, is_staff=True)

    index = staff_client.get(reverse("admin:index"))
    client.force_login(clerk)
    clerk_index = client.get(reverse("admin:index"))
    clerk_monitor = client.get(reverse("admin:integration_monitor"))

    assert reverse("admin:integration_monitor") in index.content.decode()
    assert reverse("admin:integration_monitor") not in clerk_index.content.decode()
    assert clerk_monitor.status_code == 403


def test_an_unknown_drop_has_no_page(staff_client):
    response = staff_client.get(reverse("admin:integration_drop_monitor", args=["nowhere"]))

    assert response.status_code == 404


def test_events_recorded_in_a_transaction_carry_their_id_for_deduplication(receivers):
    healthy, _ = receivers
    create_endpoint(url=healthy.url)

    event = record_event("order_placed", entity_key="CO1", payload={})
    deliver_due()

    [message] = healthy.received
    assert json.loads(message["body"])["id"] == f"evt_{event.pk}"
    assert message["headers"]["webhook-id"] == f"evt_{event.pk}"


def test_a_clients_rows_out_are_the_events_delivered_to_its_endpoints(staff_client, receivers):
    healthy, refusing = receivers
    erp = create_client(name="ERP", scopes=["products:write"]).client
    create_client(name="PIM", scopes=["products:write"])
    create_endpoint(url=healthy.url, client=erp)
    create_endpoint(url=refusing.url, client=erp)
    own = create_endpoint(url=healthy.url + "/shop")
    record_event("order_placed", entity_key="CO1", payload={})
    record_event("order_placed", entity_key="CO2", payload={})
    deliver_due()
    Event.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    page = staff_client.get(reverse("admin:integration_monitor"))
    client_page = staff_client.get(reverse("admin:integration_client_monitor", args=[erp.pk]))

    clients = {item.client.name: item.out for item in page.context["clients"]}
    assert (clients["ERP"].delivered, clients["ERP"].pending) == (2, 2)
    assert clients["ERP"].lag(page.context["now"]) >= timedelta(minutes=5)
    assert (clients["PIM"].delivered, clients["PIM"].pending, clients["PIM"].lag(now=None)) == (
        0,
        0,
        None,
    )
    endpoints = {item.endpoint.url: item.endpoint.client for item in page.context["endpoints"]}
    assert endpoints == {healthy.url: erp, refusing.url: erp, own.url: None}
    assert len(healthy.received) == 4
    text = page.content.decode()
    assert '<td class="monitor-rows-out">2</td>' in text
    assert "the shop's own" in text
    out = client_page.context["out"]
    assert (out.delivered, out.pending) == (2, 2)
    assert [endpoint.url for endpoint in client_page.context["endpoints"]] == sorted(
        [healthy.url, refusing.url]
    )
