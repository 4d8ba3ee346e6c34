"""File drops in a local folder: new files imported in name order and moved with their report,
exports written to outbox/ when there is something new, one process at a time, and every
mistake in the settings named."""

import csv
import json
import os
import re
import signal
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comptoir.catalog.models import Category
from comptoir.integration.drop_folders import DropError
from comptoir.integration.drop_settings import configured_drops
from comptoir.integration.drops import run_drops
from comptoir.integration.models import FileDrop, JobStatus, TransferJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "exchange"
    path.mkdir()
    return path


def configure(settings, **drops) -> None:
    settings.COMPTOIR_FILE_DROPS = json.dumps(drops)


@pytest.fixture
def drop(settings, folder):
    configure(
        settings,
        erp={
            "location": str(folder),
            "settle_seconds": 0,
            "imports": [{"files": "categories*.csv", "entity": "categories"}],
            "exports": [{"entity": "categories", "since_last": True}],
        },
    )
    return folder


def put(folder, name: str, text: str, *, age: float = 60) -> None:
    """A file as the ERP leaves it, last written ``age`` seconds ago."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    moment = time.time() - age
    os.utime(path, (moment, moment))


def listing(path) -> list[str]:
    return sorted(entry.name for entry in path.iterdir())


def slugs() -> list[str]:
    return list(Category.objects.order_by("slug").values_list("slug", flat=True))


def test_new_files_are_imported_in_name_order_and_moved_to_processed(drop):
    put(drop, "categories-2.csv", "slug,name,parent\ndrills,Drills,tools\n")
    put(drop, "categories-1.csv", "slug,name,parent\ntools,Tools,\n")

    (report,) = run_drops()

    assert [(name, went_to) for name, went_to, _ in report.imported] == [
        ("categories-1.csv", "processed"),
        ("categories-2.csv", "processed"),
    ]
    assert Category.objects.get(slug="drills").parent.slug == "tools"
    assert listing(drop / "processed") == ["categories-1.csv", "categories-2.csv"]
    jobs = TransferJob.objects.filter(kind="import").order_by("id")
    assert [(job.source, job.drop, job.file_name, job.status) for job in jobs] == [
        ("drop", "erp", "categories-1.csv", "done"),
        ("drop", "erp", "categories-2.csv", "done"),
    ]
    assert jobs[0].file.read() == b"slug,name,parent\ntools,Tools,\n"


def test_a_file_with_errors_lands_in_failed_with_its_report_beside_it(drop):
    put(drop, "categories.csv", "slug,name\ntools,Tools\nBad Slug,Bad\n")

    (report,) = run_drops()

    assert report.imported[0][1] == "failed"
    assert listing(drop / "failed") == ["categories.csv", "categories.errors.csv"]
    with (drop / "failed" / "categories.errors.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["line"], row["column"], row["severity"]) for row in rows] == [
        ("3", "slug", "error")
    ]
    # Without all_or_nothing the good rows went in; the report says which did not.
    assert slugs() == ["tools"]


def test_an_all_or_nothing_drop_imports_nothing_of_a_bad_file(settings, folder):
    configure(
        settings,
        erp={
            "location": str(folder),
            "settle_seconds": 0,
            "imports": [{"files": "*.csv", "entity": "categories", "all_or_nothing": True}],
        },
    )
    put(folder, "categories.csv", "slug,name\ntools,Tools\nBad Slug,Bad\n")

    run_drops()

    assert slugs() == []
    assert listing(folder / "failed") == ["categories.csv", "categories.errors.csv"]


def test_a_file_that_cannot_be_imported_at_all_lands_in_failed_with_the_reason(settings, folder):
    configure(
        settings,
        erp={
            "location": str(folder),
            "settle_seconds": 0,
            "imports": [{"files": "categories*", "entity": "categories"}],
        },
    )
    put(folder, "categories.pdf", "%PDF-1.7")

    (report,) = run_drops()

    assert report.imported == [("categories.pdf", "failed", None)]
    report_text = (folder / "failed" / "categories.errors.csv").read_text(encoding="utf-8")
    assert "'categories.pdf' is not a file Comptoir imports" in report_text


def test_a_file_of_only_its_header_lands_in_failed_with_its_report(drop):
    put(drop, "categories.csv", "slug,name\n")

    (report,) = run_drops()

    assert report.imported[0][1] == "failed"
    assert listing(drop / "failed") == ["categories.csv", "categories.errors.csv"]
    with (drop / "failed" / "categories.errors.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["line"], row["severity"], row["message"]) for row in rows] == [
        (
            "",
            "error",
            "holds no records, only its header: no categories in it, so nothing was imported; "
            "write the categories under the header and import the file again",
        )
    ]


def test_a_file_still_being_written_waits_for_a_later_pass(settings, folder):
    configure(
        settings,
        erp={
            "location": str(folder),
            "settle_seconds": 60,
            "imports": [{"files": "categories*.csv", "entity": "categories"}],
        },
    )
    put(folder, "categories.csv", "slug,name\ntools,Tools\n", age=5)

    (first,) = run_drops()
    put(folder, "categories.csv", "slug,name\ntools,Tools\n", age=61)
    (second,) = run_drops()

    assert (first.waiting, first.imported) == (["categories.csv"], [])
    assert [name for name, _, _ in second.imported] == ["categories.csv"]
    assert slugs() == ["tools"]


def test_files_no_rule_names_and_hidden_files_are_left_where_they_are(settings, folder):
    configure(
        settings,
        erp={
            "location": str(folder),
            "settle_seconds": 0,
            "imports": [{"files": "*.csv", "entity": "categories"}],
        },
    )
    put(folder, "prices.xlsx", "sku,price\n")
    put(folder, ".categories.csv", "slug,name\ntools,Tools\n")

    (report,) = run_drops()

    assert report.imported == []
    assert listing(folder) == [".categories.csv", "failed", "outbox", "prices.xlsx", "processed"]


def test_a_name_already_in_processed_gets_the_time_added(drop):
    put(drop, "categories.csv", "slug,name\ntools,Tools\n")
    run_drops()
    put(drop, "categories.csv", "slug,name\ntools,Tools\n")

    run_drops()

    names = listing(drop / "processed")
    assert len(names) == 2
    assert "categories.csv" in names
    (renamed,) = set(names) - {"categories.csv"}
    assert re.fullmatch(r"categories\.\d{8}T\d{6}\.csv", renamed)


def test_an_export_is_written_to_outbox_only_when_there_is_something_new(drop):
    Category.objects.create(slug="tools", name="Tools")

    (first,) = run_drops()
    (unchanged,) = run_drops()
    Category.objects.create(slug="saws", name="Saws")
    (changed,) = run_drops()

    assert unchanged.exported == []
    written = [name for name, _ in first.exported + changed.exported]
    assert listing(drop / "outbox") == sorted(written)
    first_job, changed_job = TransferJob.objects.filter(kind="export").order_by("id")
    assert first_job.options == {}
    # The next export asks for what came since the last one written started.
    assert changed_job.options == {"since": first_job.started_at.isoformat()}
    last = (drop / "outbox" / written[1]).read_text(encoding="utf-8")
    assert last.splitlines() == [
        "slug,name,parent,description,sort_order",
        "saws,Saws,,,0",
        "tools,Tools,,,0",
    ]


def test_a_drop_held_by_another_process_is_left_to_it(drop):
    FileDrop.objects.create(name="erp", busy_until=timezone.now() + timedelta(minutes=5))
    put(drop, "categories.csv", "slug,name\ntools,Tools\n")

    (report,) = run_drops()

    assert report.busy is True
    assert "categories.csv" in listing(drop)
    assert slugs() == []


def test_a_drop_whose_holder_died_is_taken_again_once_its_lease_ends(drop):
    FileDrop.objects.create(name="erp", busy_until=timezone.now() - timedelta(seconds=1))
    put(drop, "categories.csv", "slug,name\ntools,Tools\n")

    (report,) = run_drops()

    state = FileDrop.objects.get()
    assert report.busy is False
    assert slugs() == ["tools"]
    assert (state.busy_until, state.last_error) == (None, "")
    assert state.last_pass_at is not None


def test_a_missing_folder_stops_the_pass_and_is_kept_for_the_back_office(settings, tmp_path):
    configure(
        settings,
        erp={
            "location": str(tmp_path / "nowhere"),
            "imports": [{"files": "*.csv", "entity": "categories"}],
        },
    )

    (report,) = run_drops()

    message = (
        f"the folder {tmp_path / 'nowhere'} does not exist; create it or correct the location"
    )
    assert report.error == message
    assert FileDrop.objects.get().last_error == message


@pytest.mark.parametrize(
    ("drops", "message"),
    [
        (
            '{"erp": {"location": "/x",}}',
            "COMPTOIR_FILE_DROPS is not valid JSON: line 1, column 26: Illegal trailing comma",
        ),
        ('["erp"]', "COMPTOIR_FILE_DROPS must map each drop's name to its settings"),
        (
            '{"erp": {"location": "/x", "imports": [], "pasword": "x"}}',
            "COMPTOIR_FILE_DROPS, drop 'erp': 'pasword' is not a setting; settings: location,",
        ),
        (
            '{"erp": {"location": "/x", "imports": [{"files": "*.csv", "entity": "kittens"}]}}',
            "COMPTOIR_FILE_DROPS, drop 'erp', imports item 1: 'kittens' is not an entity that "
            "can be imported; choose one of:",
        ),
        (
            '{"erp": {"location": "/x", "imports": [], "exports": [{"entity": "kittens"}]}}',
            "COMPTOIR_FILE_DROPS, drop 'erp', exports item 1: 'kittens' is not an entity that "
            "can be exported; choose one of:",
        ),
        (
            '{"erp": {"location": "/x", "imports": "*.csv"}}',
            "COMPTOIR_FILE_DROPS, drop 'erp': imports must be a list ([...])",
        ),
        (
            '{"erp": {"location": "/x", "exports": [{"entity": "orders"}], '
            '"settle_seconds": "ten"}}',
            "COMPTOIR_FILE_DROPS, drop 'erp': settle_seconds must be a whole number of seconds",
        ),
        (
            '{"erp": {"location": "/x", "imports": [{"files": "*.csv", "entity": "categories", '
            '"options": {"mode": "reset"}}]}}',
            "COMPTOIR_FILE_DROPS, drop 'erp', imports item 1: 'mode' is not an option of "
            "categories imports",
        ),
        (
            '{"erp": {"location": "/x"}}',
            "COMPTOIR_FILE_DROPS, drop 'erp': give the files to import (imports) or exports",
        ),
        (
            '{"erp": {"location": "sftp://erp:secret@host/x", "imports": [{"files": "*", '
            '"entity": "categories"}]}}',
            "COMPTOIR_FILE_DROPS, drop 'erp': put the password in password_env",
        ),
        (
            '{"erp": {"location": "sftp://erp@host/x", "imports": [{"files": "*", '
            '"entity": "categories"}]}}',
            "COMPTOIR_FILE_DROPS, drop 'erp': give password_env (or password) or private_key",
        ),
        (
            '{"erp": {"location": "/x", "known_hosts": "/etc/known_hosts", "imports": '
            '[{"files": "*", "entity": "categories"}]}}',
            "COMPTOIR_FILE_DROPS, drop 'erp': known_hosts is for sftp:// locations",
        ),
        (
            '{"erp": {"location": "ftp://erp@host/x", "imports": [{"files": "*", '
            '"entity": "categories"}]}}',
            "COMPTOIR_FILE_DROPS, drop 'erp': location 'ftp://erp@host/x' is neither",
        ),
    ],
)
def test_a_mistake_in_the_settings_is_named(settings, drops, message):
    settings.COMPTOIR_FILE_DROPS = drops

    with pytest.raises(DropError) as raised:
        configured_drops()

    assert raised.value.message.startswith(message)


def test_drops_may_be_a_dict_of_a_settings_module(settings, folder):
    settings.COMPTOIR_FILE_DROPS = {
        "erp": {"location": str(folder), "imports": [{"files": "*.csv", "entity": "categories"}]}
    }

    (drop,) = configured_drops().values()

    assert (drop.name, drop.folder, drop.settle_seconds) == ("erp", folder, 30)
    assert drop.rule_for("categories.csv").entity == "categories"
    assert drop.rule_for("categories.CSV") is None


def test_the_command_runs_a_pass_and_says_what_it_did(drop):
    put(drop, "categories.csv", "slug,name\ntools,Tools\nBad Slug,Bad\n")
    out = StringIO()

    call_command("drops", "run", "--name", "erp", stdout=out)

    job = TransferJob.objects.get(kind="import")
    export = TransferJob.objects.get(kind="export")
    assert out.getvalue().splitlines() == [
        f"erp: categories.csv moved to failed/ (job #{job.pk}, errors: 1)",
        f"erp: 1 row of categories written to outbox/{export.file_name} (job #{export.pk})",
    ]


def test_the_command_names_the_drops_when_one_is_unknown(drop):
    with pytest.raises(CommandError, match="no file drop is named 'crm'; drops: erp"):
        call_command("drops", "run", "--name", "crm")


def test_the_command_fails_when_a_pass_stopped(settings, tmp_path):
    configure(
        settings,
        erp={
            "location": str(tmp_path / "nowhere"),
            "imports": [{"files": "*", "entity": "categories"}],
        },
    )
    err = StringIO()

    with pytest.raises(CommandError, match="a pass stopped"):
        call_command("drops", "run", stderr=err)

    assert "erp: the folder" in err.getvalue()


def test_watching_makes_passes_until_stopped_by_sigterm(drop):
    put(drop, "categories.csv", "slug,name\ntools,Tools\n")
    processed = drop / "processed" / "categories.csv"

    def stop_once_processed() -> None:
        deadline = time.monotonic() + 60
        while not processed.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    stopper = threading.Thread(target=stop_once_processed)
    stopper.start()
    out = StringIO()
    call_command("drops", "watch", "--interval", "0.05", stdout=out)
    stopper.join()

    assert processed.exists()
    assert slugs() == ["tools"]
    assert out.getvalue().splitlines()[-1] == "Stopped watching the file drops."
    assert TransferJob.objects.filter(status=JobStatus.RUNNING).count() == 0
