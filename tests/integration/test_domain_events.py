"""Domain events are written in the transaction of the change they tell: prices set by hand, by
the ERP and by rules; companies created by any path."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from comptoir.accounts.models import Company, User
from comptoir.accounts.services import upsert_company
from comptoir.core.models import Event
from comptoir.integration.clients import create_client
from comptoir.pricing import events, rules, services
from comptoir.pricing.models import PriceRule
from tests import factories

pytestmark = pytest.mark.django_db


def price_events():
    return [event.payload for event in Event.objects.filter(name="price_changed").order_by("id")]


@pytest.fixture
def default():
    default = factories.price_list("Default")
    for sku in ("A-1", "B-2", "C-3"):
        factories.product(sku)
    Event.objects.all().delete()
    return default


def test_a_price_set_by_hand_is_told_with_its_value(default):
    product = factories.Product.objects.get(sku="A-1")

    services.upsert_price(
        price_list=default, product=product, unit=product.primary_unit.unit, value=Decimal("9.5")
    )

    assert price_events() == [
        {
            "price_list": "Default",
            "currency": "USD",
            "source": "manual",
            "count": 1,
            "prices": [{"sku": "A-1", "unit": "item", "quantity": "1", "value": "9.5"}],
        }
    ]


def test_an_erp_batch_is_told_in_one_event_per_list_and_a_refused_one_not_at_all(client, default):
    key = create_client(name="ERP", scopes=["prices:write"]).key

    def push(prices, idempotency_key):
        return client.post(
            "/api/v1/erp/prices",
            json.dumps({"price_list": "Default", "prices": prices}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
        )

    push([{"sku": sku, "value": "2"} for sku in ("A-1", "B-2", "C-3")], "call-1")
    push([{"sku": "A-1", "value": "3"}, {"sku": "NOPE", "value": "1"}], "call-2")

    [event] = price_events()
    assert (event["count"], [price["sku"] for price in event["prices"]]) == (
        3,
        ["A-1", "B-2", "C-3"],
    )


def test_a_large_write_is_told_once_per_list_with_its_count(client, default, monkeypatch):
    monkeypatch.setattr(events, "PRICES_PER_WRITE", 2)
    key = create_client(name="ERP", scopes=["prices:write"]).key
    skus = ("A-1", "B-2", "C-3")

    def push(prices, idempotency_key):
        return client.post(
            "/api/v1/erp/prices",
            json.dumps({"price_list": "Default", "prices": prices}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
        )

    push([{"sku": sku, "value": "2"} for sku in skus], "call-1")
    monkeypatch.setattr(events, "SKUS_PER_EVENT", 2)
    push([{"sku": sku, "value": "3"} for sku in skus], "call-2")
    push([{"sku": "A-1", "value": "4"}], "call-3")

    summary = {"price_list": "Default", "currency": "USD", "source": "manual", "count": 3}
    assert price_events()[:2] == [{**summary, "skus": list(skus)}, {**summary, "skus": None}]
    assert price_events()[2]["prices"] == [
        {"sku": "A-1", "unit": "item", "quantity": "1", "value": "4"}
    ]


def test_a_rule_rebuild_is_told_once_per_list_with_the_skus_or_only_a_count(default, monkeypatch):
    for sku in ("A-1", "B-2", "C-3"):
        product = factories.Product.objects.get(sku=sku)
        factories.price(default, product, "10.00")
    wholesale = factories.price_list("Wholesale")
    services.save_price_rule(
        PriceRule(price_list=wholesale, name="90 %", formula="pricelist['Default'].price * 0.9")
    )
    Event.objects.all().delete()

    rules.rebuild(wholesale)
    monkeypatch.setattr(rules, "SKUS_PER_EVENT", 2)
    PriceRule.objects.update(formula="pricelist['Default'].price * 0.8")
    rules.rebuild(wholesale)

    assert price_events() == [
        {
            "price_list": "Wholesale",
            "currency": "USD",
            "source": "rule",
            "count": 3,
            "skus": ["A-1", "B-2", "C-3"],
        },
        {
            "price_list": "Wholesale",
            "currency": "USD",
            "source": "rule",
            "count": 3,
            "skus": None,
        },
    ]


def test_a_rebuild_that_changes_nothing_tells_nothing(default):
    wholesale = factories.price_list("Wholesale")
    services.save_price_rule(
        PriceRule(price_list=wholesale, name="90 %", formula="pricelist['Default'].price * 0.9")
    )
    Event.objects.all().delete()

    rules.rebuild(wholesale)

    assert price_events() == []


def test_a_company_created_by_a_service_or_by_staff_is_told(client):
    staff = User.objects.create_superuser("admin@seller.example", factories.PASSWORD)
    client.force_login(staff)

    upsert_company(name="Acme")
    upsert_company(name="Acme")
    response = client.post(
        reverse("admin:accounts_company_add"),
        {
            "name": "Globex",
            "code": "GLX",
            "parent": Company.objects.get(name="Acme").pk,
            **{
                f"{prefix}-{field}": value
                for prefix in ("addresses", "price_list_assignments", "subsidiaries")
                for field, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
            "sales_reps-TOTAL_FORMS": "0",
            "sales_reps-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].errors
    events = Event.objects.filter(name="company_created").order_by("id")
    assert [(event.entity_key, event.payload) for event in events] == [
        (
            Company.objects.get(name="Acme").code,
            {"code": Company.objects.get(name="Acme").code, "name": "Acme", "parent": None},
        ),
        (
            "GLX",
            {"code": "GLX", "name": "Globex", "parent": Company.objects.get(name="Acme").code},
        ),
    ]
