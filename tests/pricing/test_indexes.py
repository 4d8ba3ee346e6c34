"""Market indexes fed by the API, a CSV file and the command; prices following them, then and
now; the full rebuild command."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comptoir.accounts.tokens import create_token
from comptoir.integration.clients import create_client
from comptoir.pricing import services
from comptoir.pricing.index_files import import_index_values
from comptoir.pricing.models import MarketIndex, MarketIndexValue, Price, PriceRule
from comptoir.pricing.queries import price_at, price_for
from comptoir.pricing.rules import due_index_lists
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cables(django_capture_on_commit_callbacks):
    copper = services.upsert_market_index(code="COPPER", name="Copper", unit="USD per kg")[0]
    services.record_index_values(copper, [(timezone.now() - timedelta(days=2), Decimal("8.00"))])
    cable = factories.product("CAB-1", weight_kg=Decimal("2"))
    price_list = factories.price_list("Cables")
    company = factories.company("Acme")
    factories.assign(price_list, company=company)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_price_rule(
            PriceRule(
                price_list=price_list,
                name="Copper",
                formula='index["COPPER"] * product.weight_kg + 1',
            )
        )
    return copper, cable, price_list, company


def unit_price(company, product):
    return price_for(company=company, product=product, unit="item", quantity=Decimal(1)).value


def post_values(client, key, code, values):
    return client.post(
        f"/api/v1/indexes/{code}/values",
        {"values": values},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_the_erp_pushes_index_values_and_prices_follow(
    client, cables, django_capture_on_commit_callbacks
):
    copper, cable, price_list, company = cables
    key = create_client(name="ERP", scopes=["indexes:write"]).key
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_values(
            client, key, "copper", [{"effective_at": now.isoformat(), "value": "9.25"}]
        )

    assert response.status_code == 200, response.json()
    assert response.json() == {"index": "COPPER", "created": 1, "updated": 0, "unchanged": 0}
    assert unit_price(company, cable) == Decimal("19.50")
    listing = client.get("/api/v1/indexes", headers={"Authorization": f"Bearer {key}"}).json()
    assert listing == [
        {"code": "COPPER", "name": "Copper", "unit": "USD per kg", "value": "9.250000"}
    ]


def test_the_price_at_a_past_moment_is_found(client, cables, django_capture_on_commit_callbacks):
    copper, cable, price_list, company = cables
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_index_values(copper, [(timezone.now(), Decimal("10"))])

    assert unit_price(company, cable) == Decimal("21.00")
    then = price_at(company=company, product=cable, unit="item", quantity=Decimal(1), at=before)
    assert then.value == Decimal("17.00")
    earliest = before - timedelta(days=30)
    assert (
        price_at(company=company, product=cable, unit="item", quantity=Decimal(1), at=earliest)
        is None
    )

    buyer = factories.customer_user(company)
    token = create_token(customer_user=buyer).key
    response = client.get(
        "/api/v1/prices/history",
        {"sku": "CAB-1", "at": before.isoformat()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["unit_price"], response.json()["price_list"]) == ("17.00", "Cables")


def test_customers_and_unscoped_clients_cannot_push_values(client, cables):
    buyer = factories.customer_user(cables[3])
    token = create_token(customer_user=buyer).key
    values = [{"effective_at": timezone.now().isoformat(), "value": "1"}]
    assert post_values(client, token, "COPPER", values).status_code == 403
    reader = create_client(name="BI", scopes=["prices:explain"]).key
    assert post_values(client, reader, "COPPER", values).status_code == 403
    assert (
        client.post(
            "/api/v1/indexes/COPPER/values", {"values": values}, content_type="application/json"
        ).status_code
        == 401
    )
    assert MarketIndexValue.objects.count() == 1


def test_bad_values_are_refused_with_a_message(client, cables):
    key = create_client(name="ERP", scopes=["indexes:write"]).key
    unknown = post_values(client, key, "ALU", [{"effective_at": "2026-01-01", "value": "1"}])
    assert unknown.status_code == 404
    assert "known: COPPER" in unknown.json()["detail"]
    bad = post_values(client, key, "COPPER", [{"effective_at": "yesterday", "value": "x"}])
    assert bad.status_code == 422
    assert MarketIndexValue.objects.count() == 1


def test_a_csv_file_of_values(tmp_path, cables, django_capture_on_commit_callbacks):
    copper, cable, price_list, company = cables
    services.upsert_market_index(code="ALU", name="Aluminium")
    today = timezone.localdate()
    path = tmp_path / "indexes.csv"
    path.write_text(
        "\ufeffindex,effective_at,value\n"
        f"copper,{today - timedelta(days=1)},8.50\n"
        f"COPPER,{today}T00:00,9.00\n"
        f"ALU,{today},2.4\n",
        encoding="utf-8",
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = import_index_values(path)

    assert not report.errors
    assert report.counts["index values"].created == 3
    assert unit_price(company, cable) == Decimal("19.00")


def test_a_csv_file_with_a_bad_row_records_nothing(tmp_path, cables):
    path = tmp_path / "indexes.csv"
    path.write_text(
        "index,effective_at,value\n"
        "COPPER,2026-01-01,8.50\n"
        "CUPPER,2026-01-02,8.60\n"
        "COPPER,02/01/2026,8,7\n"
        "COPPER,2026-01-03,8,7\n",
        encoding="utf-8",
    )

    report = import_index_values(path)

    assert [str(problem) for problem in report.errors] == [
        "indexes.csv:3: column index: unknown index 'CUPPER' (known: COPPER); create it in "
        "the back office first",
        "indexes.csv:4: 4 fields, expected 3 (index, effective_at, value)",
        "indexes.csv:5: 4 fields, expected 3 (index, effective_at, value)",
    ]
    assert MarketIndexValue.objects.count() == 1


def test_the_command_feeds_an_index_and_rebuilds(cables, django_capture_on_commit_callbacks):
    copper, cable, price_list, company = cables
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("pricing", "index", "set", "copper", "11.5", stdout=out)
    assert "COPPER = 11.5" in out.getvalue()
    assert unit_price(company, cable) == Decimal("24.00")

    with pytest.raises(CommandError, match="not a number"):
        call_command("pricing", "index", "set", "COPPER", "11,5")
    with pytest.raises(CommandError, match="create it first"):
        call_command("pricing", "index", "set", "TIN", "3")


def test_a_value_dated_in_the_future_is_applied_by_rebuild_due(
    cables, django_capture_on_commit_callbacks
):
    copper, cable, price_list, company = cables
    assert due_index_lists() == []
    soon = timezone.now() + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_index_values(copper, [(soon, Decimal("20"))])
    assert unit_price(company, cable) == Decimal("17.00")

    MarketIndexValue.objects.filter(effective_at=soon).update(
        effective_at=timezone.now() - timedelta(seconds=1)
    )
    assert due_index_lists() == [price_list.pk]
    out = StringIO()
    call_command("pricing", "rebuild", "--due", stdout=out)

    assert "Cables: 0 created, 1 updated" in out.getvalue()
    assert unit_price(company, cable) == Decimal("41.00")
    assert due_index_lists() == []


def test_rebuild_in_full_and_by_list(cables):
    copper, cable, price_list, company = cables
    Price.objects.filter(price_list=price_list).delete()
    out = StringIO()
    call_command("pricing", "rebuild", "--list", "cables", stdout=out)
    assert out.getvalue() == "Cables: 1 created, 0 updated, 0 removed, 0 unchanged\n"

    out = StringIO()
    call_command("pricing", "rebuild", stdout=out)
    assert out.getvalue() == "Cables: 0 created, 0 updated, 0 removed, 1 unchanged\n"

    with pytest.raises(CommandError, match="No price list is named 'Nope'; known: Cables"):
        call_command("pricing", "rebuild", "--list", "Nope")


def test_index_codes_are_checked():
    with pytest.raises(Exception, match="letters, digits"):
        services.upsert_market_index(code="COP PER")
    assert not MarketIndex.objects.exists()


def test_a_file_with_semicolons_between_columns_gets_one_clear_message(tmp_path, cables):
    path = tmp_path / "indexes.csv"
    path.write_text("index;effective_at;value\nCOPPER;2026-01-01;8.50\n", encoding="utf-8")

    report = import_index_values(path)

    assert [str(problem) for problem in report.errors] == [
        "indexes.csv:1: the columns are separated by semicolons: save indexes.csv with commas "
        "between columns; expected columns: index, effective_at, value"
    ]
