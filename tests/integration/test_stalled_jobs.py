"""Jobs whose process died: each batch gives the job a sign of life; a job left "running" and
silent for longer than COMPTOIR_TRANSFER_JOB_STALE_SECONDS is shown stalled, then ended
"failed" by the sweep (job list, drops command, worker) with what went in and what to do; its
kept file runs again from the back office."""

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.catalog.models import Category
from comptoir.core.errors import DomainError
from comptoir.integration.job_recovery import end_stalled_jobs, run_again
from comptoir.integration.jobs import create_export_job, create_import_job, run_import_job
from comptoir.integration.models import JobKind, JobSource, JobStatus, TransferJob
from comptoir.integration.tasks import run_transfer_job
from tests import factories

pytestmark = pytest.mark.django_db

JOBS = reverse("admin:integration_transferjob_changelist")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))
    return client


def categories_file(count: int) -> str:
    return "slug,name\n" + "".join(f"c-{number},Category {number}\n" for number in range(count))


def import_job(*, kept: bool = True, **options) -> TransferJob:
    content = SimpleUploadedFile("categories.csv", categories_file(3).encode()) if kept else None
    return create_import_job(
        entity="categories",
        file_name="categories.csv",
        source=JobSource.BACK_OFFICE if kept else JobSource.COMMAND,
        content=content,
        **options,
    )


def killed(job: TransferJob, *, silent_for: timedelta, rows_done: int = 0) -> TransferJob:
    """The job as a run whose process was killed leaves it: running, its last sign of life
    ``silent_for`` ago."""
    last = timezone.now() - silent_for
    TransferJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=last, heartbeat_at=last, rows_done=rows_done
    )
    job.refresh_from_db()
    return job


def heard(job: TransferJob) -> str:
    return f"{timezone.localtime(job.heartbeat_at):%Y-%m-%d %H:%M:%S %Z}"


def test_the_sweep_ends_a_silent_job_failed_and_leaves_a_live_one_running():
    dead = killed(import_job(), silent_for=timedelta(minutes=11), rows_done=1500)
    live = killed(import_job(), silent_for=timedelta(seconds=30), rows_done=500)

    ended = end_stalled_jobs()

    dead.refresh_from_db()
    live.refresh_from_db()
    assert [job.pk for job in ended] == [dead.pk]
    assert dead.status == JobStatus.FAILED
    assert dead.finished_at is not None
    assert dead.message == (
        f"stopped without finishing: nothing was heard from its process after {heard(dead)}, "
        "with 1500 rows done (the process was killed or its machine restarted); rows 1 to 1500 "
        "were imported and nothing after row 1500 was. Run it again (action 'Run again' of the "
        "list of imports and exports): rows already imported stay unchanged."
    )
    assert (live.status, live.message, live.finished_at) == (JobStatus.RUNNING, "", None)


@pytest.mark.parametrize(
    ("options", "kept", "outcome"),
    [
        (
            {"all_or_nothing": True},
            True,
            "nothing was imported (the file is imported all or nothing). Run it again (action "
            "'Run again' of the list of imports and exports).",
        ),
        (
            {"validate_only": True},
            True,
            "nothing was written, as in any validation. Run it again (action 'Run again' of the "
            "list of imports and exports).",
        ),
        (
            {},
            False,
            "rows 1 to 40 were imported and nothing after row 40 was. Import the file "
            "again: rows already imported stay unchanged.",
        ),
    ],
)
def test_the_message_of_a_stalled_import_says_what_went_in_and_what_to_do(options, kept, outcome):
    job = killed(import_job(kept=kept, **options), silent_for=timedelta(hours=1), rows_done=40)

    end_stalled_jobs()

    job.refresh_from_db()
    assert job.message == (
        f"stopped without finishing: nothing was heard from its process after {heard(job)}, "
        f"with 40 rows done (the process was killed or its machine restarted); {outcome}"
    )


def test_a_stalled_export_says_no_file_was_written():
    job = create_export_job(entity="categories", format="csv", source=JobSource.BACK_OFFICE)
    job = killed(job, silent_for=timedelta(hours=1))

    end_stalled_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.endswith(
        "with 0 rows done (the process was killed or its machine restarted); no file was "
        "written. Start the export again."
    )


def test_the_silence_allowed_is_a_setting(settings):
    settings.COMPTOIR_TRANSFER_JOB_STALE_SECONDS = 60
    job = killed(import_job(), silent_for=timedelta(minutes=2))

    assert job.is_stalled is True
    assert [stalled.pk for stalled in end_stalled_jobs()] == [job.pk]


def test_each_batch_writes_the_progress_and_a_sign_of_life(django_capture_on_commit_callbacks):
    job = create_import_job(
        entity="categories",
        file_name="categories.csv",
        source=JobSource.BACK_OFFICE,
        content=SimpleUploadedFile("categories.csv", categories_file(1200).encode()),
    )

    with CaptureQueriesContext(connection) as queries:
        run_import_job(job)

    beats = [
        query["sql"]
        for query in queries.captured_queries
        if re.search(r'SET "rows_done" = \d+, "heartbeat_at" = ', query["sql"])
    ]
    assert len(beats) == 3
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.heartbeat_at >= job.started_at


def test_listing_the_jobs_ends_the_stalled_ones_and_a_job_page_shows_one_stalled(staff_client):
    job = killed(import_job(), silent_for=timedelta(minutes=20), rows_done=2)
    change = reverse("admin:integration_transferjob_change", args=[job.pk])

    before = staff_client.get(change).content.decode()
    listed = staff_client.get(JOBS).content.decode()

    assert "stalled: nothing heard from its process since" in before
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "rows 1 to 2 were imported and nothing after row 2 was" in listed


def test_the_drops_command_ends_the_stalled_jobs_and_says_so(settings):
    settings.COMPTOIR_FILE_DROPS = ""
    job = killed(import_job(), silent_for=timedelta(hours=2))
    err = StringIO()

    call_command("drops", "run", stderr=err)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert err.getvalue().startswith(
        f"job #{job.pk} (import of categories) stopped without finishing"
    )


def test_the_worker_ends_the_stalled_jobs_before_it_runs_one():
    stalled = killed(import_job(), silent_for=timedelta(hours=2))
    queued = import_job()

    result = run_transfer_job.enqueue(queued.pk)

    stalled.refresh_from_db()
    assert (result.return_value, stalled.status) == (JobStatus.DONE, JobStatus.FAILED)


def test_the_monitor_shows_a_stalled_run_of_a_drop(staff_client):
    job = killed(import_job(), silent_for=timedelta(hours=2), rows_done=7)
    TransferJob.objects.filter(pk=job.pk).update(source=JobSource.DROP, drop="erp")

    overview = staff_client.get(reverse("admin:integration_monitor"))
    page = staff_client.get(reverse("admin:integration_drop_monitor", args=["erp"]))

    [drop] = overview.context["drops"]
    assert (drop.drop, drop.summary.stalled, drop.summary.failures) == ("erp", 1, 0)
    assert page.context["summary"].stalled == 1
    assert "stalled: nothing heard from its process since" in page.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_a_stalled_jobs_kept_file_runs_again_from_the_back_office(
    staff_client, django_capture_on_commit_callbacks
):
    job = killed(import_job(), silent_for=timedelta(hours=1), rows_done=1)
    end_stalled_jobs()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            JOBS, {"action": "run_again", "_selected_action": [job.pk]}, follow=True
        )

    again = TransferJob.objects.exclude(pk=job.pk).get()
    assert (again.kind, again.status, again.source) == (
        JobKind.IMPORT,
        JobStatus.DONE,
        JobSource.BACK_OFFICE,
    )
    assert (again.file_name, again.rows_total, again.created_by.email) == (
        "categories.csv",
        3,
        "admin@seller.example",
    )
    assert again.file.name != job.file.name
    assert list(Category.objects.order_by("slug").values_list("slug", flat=True)) == [
        "c-0",
        "c-1",
        "c-2",
    ]
    assert f"job #{job.pk} as job #{again.pk}" in response.content.decode()


def test_a_job_run_again_and_the_job_it_runs_again_link_to_each_other(
    staff_client, django_capture_on_commit_callbacks
):
    job = killed(import_job(), silent_for=timedelta(hours=1), rows_done=1)
    [job] = end_stalled_jobs()
    with django_capture_on_commit_callbacks(execute=True):
        again = run_again(job, created_by=None)
        later = run_again(job, created_by=None)

    failed_page = staff_client.get(reverse("admin:integration_transferjob_change", args=[job.pk]))
    again_page = staff_client.get(reverse("admin:integration_transferjob_change", args=[again.pk]))

    assert (again.rerun_of, later.rerun_of, job.rerun_of) == (job, job, None)
    assert list(job.reruns.order_by("id")) == [again, later]
    fields = {
        line.field["name"]: line.contents()
        for fieldset in failed_page.context["adminform"]
        for row in fieldset
        for line in row
    }
    again_fields = {
        line.field["name"]: line.contents()
        for fieldset in again_page.context["adminform"]
        for row in fieldset
        for line in row
    }
    link = '<a href="/admin/integration/transferjob/{}/change/">job #{}</a>'
    assert fields["run_again_as"] == f"{link.format(again.pk, again.pk)}, " + link.format(
        later.pk, later.pk
    )
    assert fields["run_again_from"] == ""
    assert again_fields["run_again_from"] == link.format(job.pk, job.pk)
    assert again_fields["run_again_as"] == ""


def test_a_job_whose_file_is_not_kept_or_that_did_not_fail_is_not_run_again(staff_client):
    from_command = killed(import_job(kept=False), silent_for=timedelta(hours=1))
    end_stalled_jobs()
    running = killed(import_job(), silent_for=timedelta(seconds=1))

    response = staff_client.post(
        JOBS,
        {"action": "run_again", "_selected_action": [from_command.pk, running.pk]},
        follow=True,
    )

    text = response.content.decode()
    assert (
        f"The file of job #{from_command.pk} (&#x27;categories.csv&#x27;) is not kept (a file "
        "imported from the command line never is); import it again from its entity&#x27;s page"
    ) in text
    assert f"Job #{running.pk} is running: only a failed import can be run again" in text
    assert TransferJob.objects.count() == 2


def test_staff_who_may_only_view_jobs_cannot_run_one_again(client):
    from django.contrib.auth.models import Permission

    clerk = User.objects.create_user("clerk@seller.example", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(codename="view_transferjob"))
    client.force_login(clerk)
    job = killed(import_job(), silent_for=timedelta(hours=1))
    end_stalled_jobs()

    page = client.get(JOBS).content.decode()
    client.post(JOBS, {"action": "run_again", "_selected_action": [job.pk]})

    assert 'value="run_again"' not in page
    assert TransferJob.objects.count() == 1


def test_run_again_refuses_an_export():
    job = create_export_job(entity="categories", format="csv", source=JobSource.BACK_OFFICE)
    TransferJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    job.refresh_from_db()

    with pytest.raises(DomainError) as refused:
        run_again(job, created_by=None)

    assert refused.value.message == (
        f"job #{job.pk} is an export: start the export again from its entity's page"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one connection write at a time: a whole-file run writes nothing aside",
)
def test_a_whole_file_run_gives_signs_of_life_outside_its_transaction(monkeypatch):
    from django.db import DEFAULT_DB_ALIAS, connections

    from comptoir.integration.transfer.entities import catalog

    seen = []
    apply = catalog.Categories.apply

    def watched(self, rows, run):
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT rows_done, heartbeat_at IS NOT NULL FROM integration_transferjob"
                )
                seen.append(cursor.fetchone())
        finally:
            other.close()
        return apply(self, rows, run)

    monkeypatch.setattr(catalog.Categories, "apply", watched)
    job = create_import_job(
        entity="categories",
        file_name="categories.csv",
        source=JobSource.BACK_OFFICE,
        all_or_nothing=True,
        content=SimpleUploadedFile("categories.csv", categories_file(1200).encode()),
    )

    run_import_job(job)

    assert seen == [(0, True), (500, True), (1000, True)]
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (JobStatus.DONE, 1200)


# How long the killed import and the sweeps may take in all, on a slow machine: the test waits
# for what it looks for, and gives up only after this.
PATIENCE_SECONDS = 300


def comptoir(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "comptoir", *args], env=env, stdout=output, stderr=output
        )


def waited_for(condition, what: str):
    """Poll ``condition`` until it returns something true; fail after PATIENCE_SECONDS."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


def test_an_import_whose_process_is_killed_is_ended_by_the_next_sweep(tmp_path):
    """A real ``comptoir import`` killed with SIGKILL in the middle of its file, in a database
    of its own (SQLite, a file both processes open)."""
    database = tmp_path / "comptoir.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "COMPTOIR_VAR_DIR": str(tmp_path / "var"),
        "COMPTOIR_TASKS_BACKEND": "immediate",
        "COMPTOIR_FILE_DROPS": "",
    }
    log = tmp_path / "comptoir.log"
    migrate = comptoir("migrate", "--no-input", env=env, log=log)
    assert migrate.wait() == 0, log.read_text()
    big = tmp_path / "categories.csv"
    big.write_text(categories_file(100_000), encoding="utf-8")

    def read(sql: str):
        with contextlib.closing(sqlite3.connect(database)) as db:
            return db.execute(sql).fetchone()

    def job_row():
        return read("SELECT status, rows_done, message FROM integration_transferjob")

    importing = comptoir("import", str(big), "--type", "categories", env=env, log=log)
    try:
        waited_for(
            lambda: importing.poll() is not None or ((row := job_row()) and row[1] > 0),
            "the first batch",
        )
        assert importing.poll() is None, log.read_text()
        importing.send_signal(signal.SIGKILL)
        importing.wait()
    finally:
        if importing.poll() is None:
            importing.kill()
            importing.wait()
    status, rows_done, _ = job_row()
    assert status == JobStatus.RUNNING
    sweeping = {**env, "COMPTOIR_TRANSFER_JOB_STALE_SECONDS": "1"}

    def swept() -> bool:
        comptoir("drops", "run", env=sweeping, log=log).wait()
        return job_row()[0] != JobStatus.RUNNING

    waited_for(swept, "the sweep to end the job")

    status, rows_after, message = job_row()
    assert (status, rows_after) == (JobStatus.FAILED, rows_done)
    assert 0 < rows_done < 100_000
    assert read("SELECT count(*) FROM catalog_category") == (rows_done,)
    assert message.startswith(
        "stopped without finishing: nothing was heard from its process after "
    )
    assert message.endswith(
        f"with {rows_done} rows done (the process was killed or its machine restarted); rows 1 "
        f"to {rows_done} were imported and nothing after row {rows_done} was. Import the file "
        "again: rows already imported stay unchanged."
    )
