"""File drops on an SFTP server started on 127.0.0.1: files dropped there are imported and
moved, exports appear in outbox/, and an unknown or changed host key is refused before any
password is sent."""

import csv
import io
import json
import os
import time

import asyncssh
import pytest

from comptoir.accounts.models import Address
from comptoir.catalog.models import Category
from comptoir.integration.drops import run_drops
from comptoir.integration.models import FileDrop, TransferJob
from comptoir.ordering.services import add_to_shopping_list, place_order
from tests import factories
from tests.integration.sftp_server import running_sftp_server

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "sftp"
    (root / "exchange").mkdir(parents=True)
    with running_sftp_server(root, password=PASSWORD) as server:
        yield server


@pytest.fixture
def known_hosts(tmp_path, server):
    path = tmp_path / "known_hosts"
    path.write_text(server.known_hosts_line, encoding="utf-8")
    return path


def configure(settings, monkeypatch, server, **access) -> None:
    monkeypatch.setenv("COMPTOIR_TEST_SFTP_PASSWORD", PASSWORD)
    settings.COMPTOIR_FILE_DROPS = json.dumps(
        {
            "erp": {
                "location": f"sftp://{server.user}@127.0.0.1:{server.port}/exchange",
                "settle_seconds": 0,
                "imports": [{"files": "categories*.csv", "entity": "categories"}],
                "exports": [{"entity": "categories", "since_last": True}],
                **access,
            }
        }
    )


def drop_file(server, name: str, text: str) -> None:
    """A file as the ERP leaves it on its server, written a minute ago."""
    path = server.root / "exchange" / name
    path.write_text(text, encoding="utf-8")
    moment = time.time() - 60
    os.utime(path, (moment, moment))


def listing(server, folder: str = "") -> list[str]:
    return sorted(entry.name for entry in (server.root / "exchange" / folder).iterdir())


def test_files_dropped_on_the_server_are_imported_moved_and_an_export_written_back(
    settings, monkeypatch, server, known_hosts
):
    configure(
        settings,
        monkeypatch,
        server,
        known_hosts=str(known_hosts),
        password_env="COMPTOIR_TEST_SFTP_PASSWORD",
    )
    drop_file(server, "categories-1.csv", "slug,name,parent\ntools,Tools,\n")
    drop_file(server, "categories-2.csv", "slug,name,parent\nsaws,Saws,tools\nBad Slug,X,\n")

    (report,) = run_drops()

    assert report.error == ""
    assert [(name, went_to) for name, went_to, _ in report.imported] == [
        ("categories-1.csv", "processed"),
        ("categories-2.csv", "failed"),
    ]
    assert Category.objects.get(slug="saws").parent.slug == "tools"
    assert listing(server) == ["failed", "outbox", "processed"]
    assert listing(server, "processed") == ["categories-1.csv"]
    assert listing(server, "failed") == ["categories-2.csv", "categories-2.errors.csv"]
    report_lines = (
        (server.root / "exchange/failed/categories-2.errors.csv").read_text().splitlines()
    )
    assert report_lines[1].startswith("3,slug,error,")
    ((name, job),) = report.exported
    assert listing(server, "outbox") == [name]
    assert (server.root / "exchange" / "outbox" / name).read_text().splitlines() == [
        "slug,name,parent,description,sort_order",
        "tools,Tools,,,0",
        "saws,Saws,tools,,0",
    ]
    assert (job.source, job.drop, job.rows_done) == ("drop", "erp", 2)


def test_a_private_key_logs_in(settings, monkeypatch, tmp_path, known_hosts):
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(client_key.export_private_key("openssh"))
    root = tmp_path / "keyed"
    (root / "exchange").mkdir(parents=True)
    public = client_key.export_public_key("openssh").decode()
    with running_sftp_server(root, client_key=public) as server:
        configure(
            settings,
            monkeypatch,
            server,
            host_key=server.public_host_key,
            private_key=str(key_file),
        )
        drop_file(server, "categories.csv", "slug,name\ntools,Tools\n")

        (report,) = run_drops()

        assert report.error == ""
        assert listing(server, "processed") == ["categories.csv"]


def test_an_unknown_host_key_is_refused_and_nothing_is_taken(
    settings, monkeypatch, server, tmp_path
):
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("", encoding="utf-8")
    configure(
        settings,
        monkeypatch,
        server,
        known_hosts=str(empty),
        password_env="COMPTOIR_TEST_SFTP_PASSWORD",
    )
    drop_file(server, "categories.csv", "slug,name\ntools,Tools\n")

    (report,) = run_drops()

    fingerprint = server.host_key.get_fingerprint("sha256")
    assert report.error.startswith(
        f"127.0.0.1:{server.port} offered the host key ssh-ed25519 {fingerprint}, which is not "
        f"in {empty}; refused."
    )
    assert listing(server) == ["categories.csv"]
    assert FileDrop.objects.get().last_error == report.error
    assert not TransferJob.objects.exists()


def test_a_changed_host_key_is_refused(settings, monkeypatch, server):
    impostor = asyncssh.generate_private_key("ssh-ed25519")
    pinned = " ".join(impostor.export_public_key("openssh").decode().split()[:2])
    configure(
        settings,
        monkeypatch,
        server,
        host_key=pinned,
        password_env="COMPTOIR_TEST_SFTP_PASSWORD",
    )
    drop_file(server, "categories.csv", "slug,name\ntools,Tools\n")

    (report,) = run_drops()

    assert report.error == (
        f"the host key of 127.0.0.1:{server.port} has changed: it offered ssh-ed25519 "
        f"{server.host_key.get_fingerprint('sha256')}, expected ssh-ed25519 "
        f"{impostor.get_fingerprint('sha256')}. It may not be the ERP's server; ask its "
        "administrators whether the key was renewed, and only then update known_hosts or "
        "host_key"
    )
    assert listing(server) == ["categories.csv"]
    assert not Category.objects.exists()


def test_a_wrong_password_is_refused_with_what_to_check(
    settings, monkeypatch, server, known_hosts
):
    configure(settings, monkeypatch, server, known_hosts=str(known_hosts), password="wrong")

    (report,) = run_drops()

    assert report.error == (
        f"127.0.0.1:{server.port} refused the login of 'erp' with the password given; check "
        "the user and the credentials"
    )


def test_a_drop_without_host_keys_to_check_is_refused(settings, monkeypatch, server):
    configure(settings, monkeypatch, server, password_env="COMPTOIR_TEST_SFTP_PASSWORD")

    (report,) = run_drops()

    assert report.error.startswith(f"no host key to check 127.0.0.1:{server.port} against")


def test_a_password_variable_missing_from_the_environment_is_named(
    settings, monkeypatch, server, known_hosts
):
    configure(
        settings,
        monkeypatch,
        server,
        known_hosts=str(known_hosts),
        password_env="COMPTOIR_NO_SUCH_VARIABLE",
    )

    (report,) = run_drops()

    assert report.error == (
        "the environment variable COMPTOIR_NO_SUCH_VARIABLE (password_env) is not set for this "
        "process"
    )


@pytest.fixture
def buyer():
    price_list = factories.price_list("Base")
    factories.price(price_list, factories.product("LAMP-1", name="Lamp"), "20.00")
    acme = factories.company("Acme")
    factories.assign(price_list, company=acme)
    return factories.customer_user(acme, "buyer@acme.example")


def place(buyer, quantity: int):
    add_to_shopping_list(customer_user=buyer, sku="LAMP-1", quantity=quantity)
    address = Address.objects.filter(company=buyer.company).first()
    return place_order(
        customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
    )


def test_orders_placed_since_the_last_export_are_written_back_to_the_server(
    settings, monkeypatch, server, known_hosts, buyer
):
    configure(
        settings,
        monkeypatch,
        server,
        known_hosts=str(known_hosts),
        password_env="COMPTOIR_TEST_SFTP_PASSWORD",
        exports=[{"entity": "orders", "since_last": True}],
    )
    first = place(buyer, 2)

    (first_pass,) = run_drops()
    (quiet_pass,) = run_drops()
    second = place(buyer, 3)
    (second_pass,) = run_drops()

    assert quiet_pass.exported == []
    written = [name for name, _ in first_pass.exported + second_pass.exported]
    assert listing(server, "outbox") == sorted(written)

    def numbers_and_quantities(name: str) -> list[tuple[str, str, str]]:
        text = (server.root / "exchange" / "outbox" / name).read_text(encoding="utf-8")
        return [
            (row["order_number"], row["sku"], row["quantity"])
            for row in csv.DictReader(io.StringIO(text))
        ]

    assert numbers_and_quantities(written[0]) == [(first.number, "LAMP-1", "2")]
    assert numbers_and_quantities(written[1]) == [(second.number, "LAMP-1", "3")]


def test_a_folder_missing_on_the_server_is_named(settings, monkeypatch, server, known_hosts):
    configure(
        settings,
        monkeypatch,
        server,
        known_hosts=str(known_hosts),
        password_env="COMPTOIR_TEST_SFTP_PASSWORD",
        location=f"sftp://erp@127.0.0.1:{server.port}/nowhere",
    )

    (report,) = run_drops()

    assert report.error.startswith(
        f"the folder /nowhere on 127.0.0.1:{server.port} cannot be used"
    )
    assert report.error.endswith("check the location's path and the rights of 'erp' there")
