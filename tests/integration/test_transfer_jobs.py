"""Import and export jobs: queued from an upload, run once by a worker with their progress,
counts and error report kept; a failure of any kind ends the job "failed" with a message."""

import csv
import io
import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from comptoir.catalog.models import Category
from comptoir.core.models import Event
from comptoir.integration.csvfiles import Fields
from comptoir.integration.jobs import (
    create_export_job,
    create_import_job,
    run_export_job,
    run_import_job,
    start_export,
    start_import,
)
from comptoir.integration.models import JobSource, JobStatus, TransferJob
from comptoir.integration.tasks import run_transfer_job
from comptoir.integration.transfer import registry
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(text: str, name: str = "categories.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def categories_file(count: int) -> str:
    return "slug,name\n" + "".join(f"c-{number},Category {number}\n" for number in range(count))


def slugs() -> list[str]:
    return list(Category.objects.order_by("slug").values_list("slug", flat=True))


def started(text: str, django_capture_on_commit_callbacks, **options) -> TransferJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(upload=upload(text), entity="categories", created_by=None, **options)
    job.refresh_from_db()
    return job


def test_an_uploaded_file_is_kept_counted_queued_and_imported_by_the_task(
    django_capture_on_commit_callbacks, media
):
    text = "slug,name,parent\ntools,Tools,\ndrills,Drills,tools\nBad Slug,Bad,\n"

    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = start_import(upload=upload(text), entity="categories", created_by=None)
    waiting = TransferJob.objects.get()
    for callback in queued:
        callback()

    job.refresh_from_db()
    assert (waiting.status, waiting.rows_total, waiting.rows_done) == (JobStatus.QUEUED, 3, 0)
    assert (job.status, job.source, job.rows_total, job.rows_done) == (
        JobStatus.DONE,
        JobSource.BACK_OFFICE,
        3,
        3,
    )
    assert job.counts == {
        "categories": {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    }
    assert (job.errors, job.warnings, job.message) == (1, 0, "")
    assert job.file.read().decode() == text
    assert job.file.path.startswith(str(media))
    assert list(csv.reader(job.error_report.read().decode().splitlines())) == [
        ["line", "column", "severity", "message"],
        [
            "4",
            "slug",
            "error",
            "'Bad Slug' is not a slug; write lower-case letters, digits and hyphens, as in "
            "'bad-slug'",
        ],
    ]
    assert slugs() == ["drills", "tools"]
    assert job.started_at is not None and job.finished_at >= job.started_at


def test_a_job_run_twice_is_imported_once(django_capture_on_commit_callbacks):
    job = started("slug,name\ntools,Tools\n", django_capture_on_commit_callbacks)

    again = run_transfer_job.enqueue(job.pk)

    assert again.return_value == JobStatus.DONE
    assert Event.objects.filter(name="import_finished").count() == 1
    job.refresh_from_db()
    assert job.counts["categories"]["created"] == 1


def test_a_job_taken_by_another_run_is_left_to_it():
    job = create_import_job(
        entity="categories", file_name="categories.csv", source=JobSource.COMMAND
    )
    TransferJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    report = run_import_job(job, path="nowhere.csv")

    assert report is None
    assert job.status == JobStatus.RUNNING
    assert job.message == ""


def test_progress_is_written_after_every_batch(django_capture_on_commit_callbacks):
    with CaptureQueriesContext(connection) as queries:
        job = started(categories_file(1200), django_capture_on_commit_callbacks)

    progress = [
        int(found.group(1))
        for query in queries.captured_queries
        if (found := re.search(r'SET "rows_done" = (\d+)', query["sql"]))
    ]
    assert progress == [500, 1000, 1200]
    assert (job.rows_total, job.rows_done) == (1200, 1200)


def test_a_validation_run_keeps_its_progress_for_the_end_and_writes_nothing(
    django_capture_on_commit_callbacks,
):
    with CaptureQueriesContext(connection) as queries:
        job = started(
            categories_file(1200), django_capture_on_commit_callbacks, validate_only=True
        )

    assert not [query for query in queries.captured_queries if 'SET "rows_done"' in query["sql"]]
    assert (job.status, job.rows_done, job.validate_only) == (JobStatus.DONE, 1200, True)
    assert job.counts["categories"]["created"] == 1200
    assert slugs() == []


def test_an_option_the_entity_does_not_have_fails_the_job_with_what_to_write():
    job = create_import_job(
        entity="categories",
        file_name="categories.csv",
        source=JobSource.DROP,
        options={"mode": "reset"},
        content=upload("slug,name\ntools,Tools\n"),
    )

    assert run_import_job(job) is None

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "'mode' is not an option of categories imports (options: none)"
    assert slugs() == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "categories.xlsx",
            b"not a workbook",
            "the file cannot be imported: categories.xlsx: is not a readable XLSX workbook",
        ),
        (
            "categories.csv",
            b"code,title\nx,y\n",
            "the file cannot be imported: categories.csv:1: column code: unknown column; "
            "expected columns: slug, name, parent, description, sort_order, name_<language> "
            "(and 2 more problems in the error report)",
        ),
    ],
)
def test_a_file_that_cannot_be_read_fails_the_job_with_its_report(name, content, message):
    job = create_import_job(
        entity="categories",
        file_name=name,
        source=JobSource.DROP,
        content=SimpleUploadedFile(name, content),
    )

    run_import_job(job)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith(message)
    assert job.error_report.name.endswith(".errors.csv")


def test_a_file_no_longer_kept_fails_the_job_saying_to_upload_it_again():
    job = create_import_job(
        entity="categories",
        file_name="categories.csv",
        source=JobSource.BACK_OFFICE,
        content=upload("slug,name\ntools,Tools\n"),
    )
    job.file.storage.delete(job.file.name)

    run_import_job(job)

    job.refresh_from_db()
    assert (job.status, job.message) == (
        JobStatus.FAILED,
        "the file of this job ('categories.csv') is no longer kept; upload it again",
    )


class Fragile(Entity):
    """Categories whose third batch breaks, as a bug or a lost database would."""

    name = "fragile"
    label = "Fragile"
    key = ("slug",)
    columns = (Column("slug", "A slug.", required=True),)
    batch_size = 2
    error: type[BaseException] = RuntimeError

    def parse(self, fields: Fields, run: ImportRun) -> str:
        return fields.text("slug", required=True)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        if rows[0].line > 5:
            raise self.error("the disk is full")
        for row in rows:
            Category.objects.create(slug=row.data, name=row.data)
            run.done(row, "created")

    def export(self, options) -> Iterator[dict[str, str]]:
        yield {"slug": "a"}
        raise self.error("the disk is full")


@pytest.fixture
def fragile(monkeypatch) -> Fragile:
    entity = Fragile()
    registry.all_entities()
    monkeypatch.setitem(registry._ENTITIES, "fragile", entity)
    return entity


def test_a_crash_ends_the_job_failed_saying_what_was_imported(fragile):
    job = create_import_job(
        entity="fragile",
        file_name="fragile.csv",
        source=JobSource.BACK_OFFICE,
        content=upload("slug\na\nb\nc\nd\ne\nf\n", "fragile.csv"),
    )

    run_import_job(job)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "stopped by an unexpected error (RuntimeError: the disk is full); rows 1 to 4 were "
        "imported. Import the file again: rows already imported stay unchanged. If it happens "
        f"again, report job #{job.pk} with its file."
    )
    assert slugs() == ["a", "b", "c", "d"]


def test_an_interrupted_run_ends_the_job_failed_and_stops(fragile):
    fragile.error = KeyboardInterrupt
    job = create_import_job(
        entity="fragile",
        file_name="fragile.csv",
        source=JobSource.COMMAND,
        all_or_nothing=True,
        content=upload("slug\na\nb\nc\nd\ne\nf\n", "fragile.csv"),
    )

    with pytest.raises(KeyboardInterrupt):
        run_import_job(job)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "interrupted before the end; nothing was imported. Import the file again: rows already "
        "imported stay unchanged."
    )
    assert slugs() == []


def test_a_failed_export_writes_no_file_and_says_so(fragile):
    job = create_export_job(entity="fragile", format="csv", source=JobSource.BACK_OFFICE)

    assert run_export_job(job) is None

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith(
        "stopped by an unexpected error (RuntimeError: the disk is full); no file was written."
    )
    assert not job.file


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_export_job_keeps_its_file_to_download(format, django_capture_on_commit_callbacks):
    Category.objects.create(slug="tools", name="Tools")
    Category.objects.create(slug="saws", name="Saws, hand", sort_order=2)

    with django_capture_on_commit_callbacks(execute=True):
        job = start_export(entity="categories", format=format, created_by=None)

    job.refresh_from_db()
    assert (job.status, job.kind, job.rows_done, job.rows_total) == ("done", "export", 2, 2)
    assert re.fullmatch(rf"categories-\d{{8}}-\d{{6}}\.{format}", job.file_name)
    if format == "csv":
        assert job.file.read().decode().splitlines()[1:] == [
            "tools,Tools,,,0",
            'saws,"Saws, hand",,,2',
        ]
    else:
        sheet = load_workbook(job.file.path).worksheets[0]
        assert [cell.value for cell in sheet[3]] == ["saws", "Saws, hand", None, None, "2"]


def test_an_export_to_an_unknown_format_is_refused():
    with pytest.raises(
        Exception, match="'pdf' is not a file format for exports; choose one of: csv, xlsx"
    ):
        start_export(entity="categories", format="pdf", created_by=None)

    assert not TransferJob.objects.exists()


def test_a_remote_storage_is_read_through_a_local_copy(
    settings, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

    job = started("slug,name\ntools,Tools\n", django_capture_on_commit_callbacks)

    assert (job.status, slugs()) == (JobStatus.DONE, ["tools"])


def test_the_import_command_records_its_job(tmp_path, capsys):
    path = tmp_path / "categories.csv"
    path.write_text("slug,name\ntools,Tools\n", encoding="utf-8")

    call_command("import", str(path), "--type", "categories")

    job = TransferJob.objects.get()
    assert (job.source, job.status, job.file_name, job.rows_done) == (
        "command",
        "done",
        "categories.csv",
        1,
    )
    assert not job.file
    assert "Import summary" in capsys.readouterr().out


def test_the_import_command_refuses_a_missing_file_before_recording_a_job(tmp_path):
    missing = tmp_path / "missing.csv"

    with pytest.raises(CommandError) as raised:
        call_command("import", str(missing), "--type", "categories")

    assert raised.value.returncode == 1
    assert str(raised.value) == (
        f"'{missing}' does not exist; check the path and the file's name (a relative path "
        "starts from the folder the command runs in) and run the command again"
    )
    assert not TransferJob.objects.exists()


@pytest.mark.parametrize("name", ["categories.csv", "export"])
def test_the_import_command_refuses_a_folder_before_recording_a_job(tmp_path, name):
    """A folder is said to be one, whatever its name ends in."""
    folder = tmp_path / name
    folder.mkdir()

    with pytest.raises(CommandError) as raised:
        call_command("import", str(folder), "--type", "categories")

    assert str(raised.value) == (
        f"'{folder}' is a folder, not a file; name the file to import in it, as in "
        f"{folder}/FILE.csv. A folder exported by OroCommerce, Akeneo or Magento is imported "
        f"whole with: comptoir import oro|akeneo|magento {folder}"
    )
    assert not TransferJob.objects.exists()


def test_the_import_command_prints_a_whole_file_error_once_as_its_error(tmp_path, caplog):
    path = tmp_path / "categories.xlsx"
    path.write_bytes(b"not a workbook")
    out = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import", str(path), "--type", "categories", stdout=out)

    job = TransferJob.objects.get()
    assert (job.status, job.errors) == (JobStatus.FAILED, 1)
    assert "is not a readable XLSX workbook" in job.message
    assert raised.value.returncode == 1
    assert str(raised.value) == (
        f"categories.xlsx was not imported (job #{job.pk}): correct the error above and "
        "import it again"
    )
    assert out.getvalue().count("is not a readable XLSX workbook") == 1
    assert "Import summary" not in out.getvalue()
    assert [record.getMessage() for record in caplog.records if record.levelname != "INFO"] == []


def test_a_failed_job_of_a_file_drop_is_logged_as_a_warning(caplog):
    job = create_import_job(
        entity="categories",
        file_name="categories.csv",
        source=JobSource.DROP,
        content=SimpleUploadedFile("categories.csv", b"title\nTools\n"),
    )

    run_import_job(job)

    assert [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == "comptoir.integration.jobs" and record.levelname != "INFO"
    ] == [("WARNING", f"transfer job {job.pk} (import of categories) failed: {job.message}")]


def test_the_import_command_says_a_file_of_only_its_header_holds_no_records(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text("slug,name\n", encoding="utf-8")
    out = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import", str(path), "--type", "categories", stdout=out)

    job = TransferJob.objects.get()
    assert raised.value.returncode == 1
    assert str(raised.value) == (
        f"categories.csv was not imported (job #{job.pk}): correct the error above and "
        "import it again"
    )
    assert out.getvalue() == (
        "Errors (1)\ncategories.csv: holds no records, only its header: no categories in it, "
        "so nothing was imported; write the categories under the header and import the file "
        "again\n"
    )
    assert (job.status, job.errors, job.error_report.name.endswith(".errors.csv")) == (
        JobStatus.FAILED,
        1,
        True,
    )


def test_an_uploaded_file_of_only_its_header_fails_its_job(django_capture_on_commit_callbacks):
    job = started("slug,name\r\n", django_capture_on_commit_callbacks)

    assert (job.status, job.errors) == (JobStatus.FAILED, 1)
    assert job.message == (
        "the file cannot be imported: categories.csv: holds no records, only its header: no "
        "categories in it, so nothing was imported; write the categories under the header and "
        "import the file again"
    )


def test_the_import_command_refuses_a_file_that_is_not_csv_or_xlsx(tmp_path):
    with pytest.raises(
        CommandError,
        match=r"'categories.xls' is not a file Comptoir imports: the files taken end in \.csv, "
        r"\.tsv, \.txt, \.xlsx or \.xlsm",
    ):
        call_command("import", str(tmp_path / "categories.xls"), "--type", "categories")

    assert not TransferJob.objects.exists()


def test_the_import_command_takes_a_tab_separated_file(tmp_path, capsys):
    path = tmp_path / "categories.tsv"
    path.write_text("slug\tname\ntools\tTools\n", encoding="utf-8")

    call_command("import", str(path), "--type", "categories")

    assert (TransferJob.objects.get().status, slugs()) == (JobStatus.DONE, ["tools"])


def test_the_export_command_records_its_job(tmp_path, capsys):
    Category.objects.create(slug="tools", name="Tools")

    call_command("export", str(tmp_path / "out.xlsx"), "--type", "categories")

    job = TransferJob.objects.get()
    assert (job.kind, job.source, job.status, job.file_name, job.rows_done) == (
        "export",
        "command",
        "done",
        "out.xlsx",
        1,
    )
    assert capsys.readouterr().out == f"1 row of categories written to {tmp_path / 'out.xlsx'}\n"


@pytest.mark.parametrize("template", [[], ["--template"]])
def test_the_export_command_refuses_a_missing_folder_before_recording_a_job(tmp_path, template):
    target = tmp_path / "no" / "such" / "products.csv"

    with pytest.raises(CommandError) as raised:
        call_command("export", "--type", "products", str(target), *template)

    assert str(raised.value) == (
        f"the folder '{tmp_path / 'no' / 'such'}' does not exist; make it, or give a path in a "
        "folder that exists, and run the command again"
    )
    assert not TransferJob.objects.exists()


def test_the_export_command_refuses_a_file_taken_for_a_folder(tmp_path):
    (tmp_path / "products.csv").write_text("sku\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command("export", "--type", "products", str(tmp_path / "products.csv" / "x.csv"))

    assert str(raised.value).startswith(
        f"the folder '{tmp_path / 'products.csv'}' is not a folder;"
    )
    assert not TransferJob.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_import_as_in_production():
    job = start_import(
        upload=upload("slug,name\ntools,Tools\n"), entity="categories", created_by=None
    )

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "comptoir.integration.tasks.run_transfer_job"
    assert TransferJob.objects.get().status == JobStatus.QUEUED

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    job.refresh_from_db()
    queued.refresh_from_db()
    assert (job.status, slugs()) == (JobStatus.DONE, ["tools"])
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "done")
