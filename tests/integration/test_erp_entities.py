"""The ERP pushes rows of an entity (categories, products, companies...) in JSON batches that
go through the same parse and apply as the entity's files, all or nothing, once per key."""

import csv
import json

import pytest

from comptoir.catalog.models import Category
from comptoir.core.models import Event
from comptoir.demo.loader import load_demo
from comptoir.integration.clients import create_client
from comptoir.integration.erp_entities_api import ENTITY_SCOPES
from comptoir.integration.models import IdempotentRequest, JobSource, JobStatus, TransferJob
from comptoir.integration.transfer.registry import all_entities

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp():
    made = create_client(name="ERP", scopes=sorted(set(ENTITY_SCOPES.values())))
    return made.key


def push(client, key, entity, rows, idempotency_key="call-1", **extra):
    return client.post(
        f"/api/v1/erp/{entity}",
        json.dumps({"rows": rows, **extra}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
    )


TREE = [
    {"slug": "furniture", "name": "Furniture", "sort_order": 1},
    {"slug": "office-chairs", "name": "Office chairs", "parent": "furniture"},
    {"slug": "desks", "name": "Desks", "parent": "furniture", "description": "Sit or stand."},
]


def test_pushed_categories_are_created_then_unchanged_and_each_call_is_a_job(client, erp):
    first = push(client, erp, "categories", TREE)
    again = push(client, erp, "categories", TREE, idempotency_key="call-2")

    assert first.status_code == 200, first.json()
    assert first.json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "counts": {"categories": {"created": 3, "updated": 0, "unchanged": 0}},
        "warnings": [],
    }
    assert again.json()["unchanged"] == 3
    chairs = Category.objects.get(slug="office-chairs")
    assert (chairs.name, chairs.parent.slug) == ("Office chairs", "furniture")
    jobs = list(TransferJob.objects.order_by("id"))
    assert [(job.entity, job.source, job.status, job.client.name) for job in jobs] == [
        ("categories", JobSource.API, JobStatus.DONE, "ERP"),
        ("categories", JobSource.API, JobStatus.DONE, "ERP"),
    ]
    assert jobs[0].counts == {
        "categories": {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    }
    assert (jobs[0].rows_total, jobs[0].errors, jobs[0].error_report.name) == (3, 0, "")
    finished = Event.objects.filter(name="import_finished").first()
    assert finished.payload["counts"]["categories"]["created"] == 3


def test_the_back_offices_job_list_shows_a_pushed_call_with_its_counts(client, erp, admin_client):
    push(client, erp, "categories", TREE)

    response = admin_client.get("/admin/integration/transferjob/")

    assert response.status_code == 200
    assert "categories: 3 created, 0 updated, 0 unchanged, 0 rejected" in response.text


def test_a_row_sets_only_the_columns_it_names(client, erp):
    push(client, erp, "categories", TREE)

    response = push(client, erp, "categories", [{"slug": "desks", "name": "Work desks"}], "call-2")

    assert response.json()["updated"] == 1
    desks = Category.objects.get(slug="desks")
    assert (desks.name, desks.description, desks.parent.slug) == (
        "Work desks",
        "Sit or stand.",
        "furniture",
    )


def test_a_retry_with_the_same_key_is_answered_again_without_a_second_job(client, erp):
    first = push(client, erp, "categories", TREE)
    retry = push(client, erp, "categories", TREE)

    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert TransferJob.objects.count() == 1
    assert Category.objects.count() == 3


def test_a_call_with_bad_rows_writes_nothing_and_names_every_row_and_column(client, erp):
    rows = [
        {"slug": "furniture", "name": "Furniture"},
        {"slug": "Office Chairs", "name": "Chairs", "colour": "red"},
        {"name": "No slug"},
        {"slug": "lamps", "name": "Lamps", "parent": "lighting"},
        {"slug": "rugs", "name": {"en": "Rugs"}, "sort_order": "ten"},
    ]

    response = push(client, erp, "categories", rows)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert body["detail"] == (
        "4 row problems: nothing was written; fix the rows listed and send the call again"
    )
    expected_columns = (
        "expected columns: slug, name, parent, description, sort_order, name_<language>"
    )
    assert body["errors"] == [
        {"index": 1, "field": "colour", "message": f"unknown column; {expected_columns}"},
        {"index": 2, "field": "slug", "message": f"missing; {expected_columns}"},
        {
            "index": 4,
            "field": "name",
            "message": "must be a text, a number, true or false, or null",
        },
        {
            "index": 3,
            "field": "parent",
            "message": "no category has the slug 'lighting'; put the parent's row before its "
            "children, or create it first",
        },
    ]
    assert not Category.objects.exists()
    assert not IdempotentRequest.objects.exists()
    job = TransferJob.objects.get()
    assert (job.status, job.errors, job.counts["categories"]["rejected"]) == (
        JobStatus.FAILED,
        4,
        4,
    )
    with job.error_report.open("r") as report:
        lines = list(csv.reader(report))
    assert lines[0] == ["line", "column", "severity", "message"]
    assert sorted((line[0], line[1]) for line in lines[1:]) == [
        ("1", "colour"),
        ("2", "slug"),
        ("3", "parent"),
        ("4", "name"),
    ]


def test_a_required_column_with_a_list_is_named_once_not_as_missing_too(client, erp):
    response = push(client, erp, "categories", [{"slug": ["chairs"], "name": "Chairs"}])

    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "slug",
            "message": "must be a text, a number, true or false, or null",
        }
    ]


def test_values_are_read_as_the_files_cells_are(client, erp):
    response = push(
        client,
        erp,
        "categories",
        [{"slug": "tools", "name": "Tools", "sort_order": 12, "description": None}],
    )

    assert response.status_code == 200, response.json()
    tools = Category.objects.get(slug="tools")
    assert (tools.sort_order, tools.description) == (12, "")


def test_an_entity_needs_its_scope_and_an_unknown_one_is_named(client):
    reader = create_client(name="Stock only", scopes=["stock:write"]).key

    refused = push(client, reader, "categories", TREE)
    unknown = push(client, reader, "widgets", TREE)

    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        "This endpoint is for integration clients with the scope 'products:write'"
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"].startswith(
        "'widgets' is not an entity the ERP can push; push one of: categories"
    )
    assert not Category.objects.exists()


def test_an_unknown_option_is_refused_before_anything_is_read(client, erp):
    response = push(client, erp, "categories", TREE, options={"mode": "reset"})

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "'mode' is not an option of categories imports (options: none)"
    )


@pytest.mark.parametrize(
    "entity", sorted(name for name in all_entities() if name in ENTITY_SCOPES)
)
def test_every_pushable_entity_takes_back_its_own_export_unchanged(client, erp, entity):
    load_demo()
    exported = list(all_entities()[entity].export({}))
    if not exported:
        pytest.skip(f"the demo data holds no {entity}")

    response = push(client, erp, entity, exported)

    assert response.status_code == 200, response.json()
    assert (response.json()["created"], response.json()["updated"]) == (0, 0)
    assert response.json()["unchanged"] == len(exported)
