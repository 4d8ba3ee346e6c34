"""The back office's imports and exports: an entity's columns and templates, an upload that
becomes a job, the jobs with their progress and downloads, exports to download, the file
drops' state; staff only, and starting a job takes the permission to."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from comptoir.accounts.models import User
from comptoir.catalog.models import Category
from comptoir.integration.jobs import create_import_job
from comptoir.integration.models import FileDrop, JobSource, JobStatus, TransferJob
from comptoir.integration.transfer import registry
from comptoir.integration.transfer.base import Option
from comptoir.integration.transfer.entities.catalog import Categories
from tests import factories

pytestmark = pytest.mark.django_db

JOBS = reverse("admin:integration_transferjob_changelist")
CATEGORIES = reverse("admin:integration_entity", args=["categories"])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))
    return client


def staff_with(client, *codenames: str):
    clerk = User.objects.create_user("clerk@seller.example", is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(content_type__app_label="integration", codename__in=codenames)
    )
    client.force_login(clerk)
    return client


def test_the_admin_index_links_to_imports_and_exports(staff_client):
    response = staff_client.get(reverse("admin:index"))

    assert f'<a href="{JOBS}"' in response.content.decode()
    assert "Imports and exports" in response.content.decode()


def test_an_entity_page_explains_its_columns_and_offers_its_templates(staff_client):
    response = staff_client.get(CATEGORIES)

    text = response.content.decode()
    assert response.status_code == 200
    assert "Rows are matched on slug" in text
    assert "The slug of the category it belongs to" in text
    assert reverse("admin:integration_entity_template", args=["categories", "xlsx"]) in text


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_template_downloads_with_the_columns_and_an_example_row(staff_client, format):
    response = staff_client.get(
        reverse("admin:integration_entity_template", args=["categories", format])
    )

    assert response["Content-Disposition"] == (
        f'attachment; filename="categories-template.{format}"'
    )
    if format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == [
        ["slug", "name", "name_fr", "parent", "description", "sort_order"],
        [
            "office-chairs",
            "Office chairs",
            "Chaises de bureau",
            "furniture",
            "Chairs for every desk.",
            "10",
        ],
    ]


def test_an_upload_becomes_a_job_shown_with_its_counts_and_error_report(
    staff_client, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("categories.csv", b"slug,name\ntools,Tools\nBad Slug,Bad\n")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(CATEGORIES, {"file": upload, "all_or_nothing": ""})
    listing = staff_client.get(JOBS)

    job = TransferJob.objects.get()
    assert response.status_code == 302 and response.url == JOBS
    assert (job.status, job.source, job.created_by.email) == (
        JobStatus.DONE,
        JobSource.BACK_OFFICE,
        "admin@seller.example",
    )
    text = listing.content.decode()
    assert f"The import of categories.csv is job #{job.pk}." in text
    assert '<progress max="2" value="2"></progress> 2 of 2 rows' in text
    assert "categories: 1 created, 0 updated, 0 unchanged, 1 rejected; 1 error, 0 warnings" in text
    report = staff_client.get(
        reverse("admin:integration_transferjob_download", args=[job.pk, "errors"])
    )
    assert report["Content-Disposition"] == 'attachment; filename="categories.errors.csv"'
    assert b"'Bad Slug' is not a slug" in b"".join(report.streaming_content)
    assert list(Category.objects.values_list("slug", flat=True)) == ["tools"]


def test_a_validation_only_upload_is_listed_as_writing_nothing(
    staff_client, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("categories.csv", b"slug,name\ntools,Tools\n")

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(CATEGORIES, {"file": upload, "validate_only": "on"})
    listing = staff_client.get(JOBS)

    assert listing.status_code == 200
    assert (
        "categories: 1 created, 0 updated, 0 unchanged, 0 rejected; "
        "validation only: nothing was written"
    ) in listing.content.decode()
    assert not Category.objects.exists()


class ModedCategories(Categories):
    """Categories with options, as prices have theirs."""

    name = "moded"
    label = "Moded categories"
    options = (
        Option("mode", "How the rows replace what is there.", ("replace", "reset"), "replace"),
        Option("prefix", "Put before every slug."),
    )


def test_the_form_offers_the_entity_options_and_the_job_keeps_them(staff_client, monkeypatch):
    registry.all_entities()
    monkeypatch.setitem(registry._ENTITIES, "moded", ModedCategories())
    url = reverse("admin:integration_entity", args=["moded"])

    form = staff_client.get(url).context["form"]
    response = staff_client.post(
        url,
        {
            "file": SimpleUploadedFile("moded.csv", b"slug,name\ntools,Tools\n"),
            "option_mode": "reset",
            "option_prefix": "x-",
            "validate_only": "on",
        },
    )

    assert [(name, field.initial) for name, field in form.fields.items()][3:] == [
        ("option_mode", "replace"),
        ("option_prefix", ""),
    ]
    assert response.status_code == 302
    job = TransferJob.objects.get()
    assert (job.entity, job.options, job.validate_only) == (
        "moded",
        {"mode": "reset", "prefix": "x-"},
        True,
    )


def test_a_file_that_is_not_csv_or_xlsx_is_refused_on_the_form(staff_client):
    upload = SimpleUploadedFile("categories.pdf", b"%PDF-1.7")

    response = staff_client.post(CATEGORIES, {"file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "'categories.pdf' is not a file Comptoir imports: the files taken end in .csv, .tsv, "
        ".txt, .xlsx or .xlsm; save it as .csv (UTF-8) or .xlsx and send it again"
    ]
    assert 'accept=".csv,.tsv,.txt,.xlsx,.xlsm"' in response.content.decode()
    assert not TransferJob.objects.exists()


@pytest.mark.parametrize("name", ["categories.tsv", "categories.TXT"])
def test_a_tab_separated_upload_is_taken_and_imported(
    staff_client, django_capture_on_commit_callbacks, name
):
    upload = SimpleUploadedFile(name, b"slug\tname\ntools\tTools\n")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(CATEGORIES, {"file": upload})

    assert response.status_code == 302
    job = TransferJob.objects.get()
    assert (job.file_name, job.status, job.rows_done) == (name, JobStatus.DONE, 1)
    assert list(Category.objects.values_list("slug", "name")) == [("tools", "Tools")]


def test_an_export_becomes_a_job_whose_file_downloads(
    staff_client, django_capture_on_commit_callbacks
):
    Category.objects.create(slug="tools", name="Tools")
    url = reverse("admin:integration_entity_export", args=["categories"])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"format": "xlsx"})

    job = TransferJob.objects.get()
    assert response.url == JOBS
    assert (job.kind, job.status, job.rows_done) == ("export", "done", 1)
    download = staff_client.get(
        reverse("admin:integration_transferjob_download", args=[job.pk, "file"])
    )
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert [cell.value for cell in sheet[2]] == ["tools", "Tools", None, None, "0"]


def test_an_export_is_started_by_a_post_only(staff_client):
    response = staff_client.get(reverse("admin:integration_entity_export", args=["categories"]))

    assert response.status_code == 405
    assert not TransferJob.objects.exists()


def test_the_list_reloads_itself_while_a_job_waits_and_stops_once_all_are_done(staff_client):
    job = create_import_job(
        entity="categories", file_name="categories.csv", source=JobSource.COMMAND
    )

    waiting = staff_client.get(JOBS).content.decode()
    TransferJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    done = staff_client.get(JOBS).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "waiting for a worker" in waiting
    assert 'http-equiv="refresh"' not in done


def test_a_running_job_shows_how_far_it_has_gone(staff_client):
    TransferJob.objects.create(
        entity="categories",
        source=JobSource.BACK_OFFICE,
        file_name="big.csv",
        status=JobStatus.RUNNING,
        rows_total=10000,
        rows_done=2500,
    )

    text = staff_client.get(JOBS).content.decode()

    assert '<progress max="10000" value="2500"></progress> 2500 of 10000 rows' in text


def test_a_failed_job_shows_its_message(staff_client):
    TransferJob.objects.create(
        entity="categories",
        source=JobSource.DROP,
        drop="erp",
        file_name="categories.csv",
        status=JobStatus.FAILED,
        message="the file cannot be imported: categories.csv: is not UTF-8",
    )

    text = staff_client.get(JOBS).content.decode()

    assert "the file cannot be imported: categories.csv: is not UTF-8" in text
    assert "file drop · erp" in text


def test_the_file_drops_and_their_last_pass_are_shown(staff_client, settings, tmp_path):
    settings.COMPTOIR_FILE_DROPS = json.dumps(
        {
            "erp": {
                "location": str(tmp_path),
                "imports": [{"files": "c*.csv", "entity": "categories"}],
            }
        }
    )
    FileDrop.objects.create(name="erp", last_error="the folder /srv/erp does not exist")

    text = staff_client.get(JOBS).content.decode()

    assert "<code>c*.csv</code> → categories" in text
    assert "the folder /srv/erp does not exist" in text


def test_a_mistake_in_the_file_drops_settings_is_shown(staff_client, settings):
    settings.COMPTOIR_FILE_DROPS = '{"erp": '

    text = staff_client.get(JOBS).content.decode()

    assert "COMPTOIR_FILE_DROPS is not valid JSON: line 1, column 9" in text


def test_staff_who_may_only_view_jobs_cannot_start_one(client):
    staff_with(client, "view_transferjob")

    page = client.get(JOBS)
    upload = client.post(CATEGORIES, {"file": SimpleUploadedFile("c.csv", b"slug\nx\n")})
    export = client.post(
        reverse("admin:integration_entity_export", args=["categories"]), {"format": "csv"}
    )

    assert page.status_code == 200
    assert "Import a file" not in client.get(CATEGORIES).content.decode()
    assert (upload.status_code, export.status_code) == (403, 403)
    assert not TransferJob.objects.exists()


def test_staff_without_the_permission_to_view_jobs_is_turned_away(client):
    staff_with(client)

    assert client.get(JOBS).status_code == 403
    assert client.get(CATEGORIES).status_code == 403


def test_a_customer_user_is_sent_to_the_admin_login(client):
    buyer = factories.customer_user(factories.company(), "buyer@acme.example")
    client.force_login(buyer.user)

    response = client.get(CATEGORIES)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
