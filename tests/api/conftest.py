from decimal import Decimal

import pytest
from django.test import Client

from comptoir.accounts.tokens import create_token
from tests import factories


class ApiClient:
    """The Django test client aimed at /api/v1, sending JSON and, if given, a bearer token."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data=None, *, raw: str | None = None):
        return self.send("post", path, data, raw)

    def patch(self, path: str, data=None, *, raw: str | None = None):
        return self.send("patch", path, data, raw)

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", headers=self.headers)

    def call(self, method: str, path: str, data=None):
        """Any method by name: GET sends ``data`` as query parameters, the others as JSON."""
        if method == "get":
            return self.get(path, **(data or {}))
        if method == "delete":
            return self.delete(path)
        return self.send(method, path, data, None)

    def send(self, method: str, path: str, data, raw: str | None):
        body = raw if raw is not None else data
        return getattr(self.client, method)(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def shop(db):
    """A lamp with tiers at 1, 10 and 20 and a set of 10; cable by the metre; two companies."""
    base = factories.price_list("Base")
    lighting = factories.category("Lighting")
    desk = factories.category("Desk lamps", parent=lighting)
    lamp = factories.product(
        "LAMP-1",
        name="Desk lamp",
        category_name=None,
        extra_units=(("set", 0, Decimal(10), True),),
        description="A steel desk lamp",
    )
    lamp.category = desk
    lamp.save()
    cable = factories.product("CABLE-1", name="Cable", unit_code="m", precision=2)
    for quantity, value in (("1", "20.00"), ("10", "19.00"), ("20", "18.50")):
        factories.price(base, lamp, value, quantity=quantity)
    factories.price(base, lamp, "180.00", unit_code="set")
    factories.price(base, cable, "1.25")
    acme = factories.company("Acme")
    globex = factories.company("Globex")
    factories.assign(base, company=acme)
    factories.assign(base, company=globex)
    buyer = factories.customer_user(acme, "buyer@acme.example")
    other = factories.customer_user(globex, "buyer@globex.example")
    return {
        "lamp": lamp,
        "cable": cable,
        "lighting": lighting,
        "desk": desk,
        "buyer": buyer,
        "other": other,
    }


@pytest.fixture
def buyer_api(shop) -> ApiClient:
    return ApiClient(create_token(customer_user=shop["buyer"], name="tests").key)


@pytest.fixture
def other_api(shop) -> ApiClient:
    return ApiClient(create_token(customer_user=shop["other"], name="tests").key)


@pytest.fixture
def guest_api() -> ApiClient:
    return ApiClient()
