"""The company administration API: users, roles, departments, addresses and the audit log."""

import pytest

from comptoir.accounts.administration import departments, roles, users
from comptoir.accounts.models import Address, AuditEntry, CustomerRole, CustomerUser, Department
from comptoir.accounts.tokens import create_token
from tests import factories
from tests.accounts.oro_company import (
    ADMINISTRATORS,
    EAST_BUYER,
    EAST_COLLEAGUE,
    set_up_demo_companies,
)
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def api_for(customer_user: CustomerUser) -> ApiClient:
    return ApiClient(create_token(customer_user=customer_user).key)


@pytest.fixture
def tree():
    """Acme with its subsidiary Acme East, and Globex beside them."""
    acme = factories.company("Acme")
    east = factories.company("Acme East", parent=acme)
    globex = factories.company("Globex")
    return {
        "acme": acme,
        "east": east,
        "globex": globex,
        "acme_admin": factories.customer_user(acme, "admin@acme.example", role="administrator"),
        "acme_buyer": factories.customer_user(acme, "buyer@acme.example"),
        "east_admin": factories.customer_user(east, "admin@east.example", role="administrator"),
        "east_buyer": factories.customer_user(east, "buyer@east.example"),
        "globex_admin": factories.customer_user(
            globex, "admin@globex.example", role="administrator"
        ),
    }


# Users


def test_users_are_listed_down_the_company_tree_a_page_at_a_time(tree):
    api = api_for(tree["acme_admin"])

    first = api.get("/company/users", page_size=3).json()
    east_only = api.get("/company/users", company_id=tree["east"].pk).json()

    assert (first["count"], first["pages"]) == (4, 2)
    assert [item["email"] for item in first["items"]] == [
        "admin@acme.example",
        "buyer@acme.example",
        "admin@east.example",
    ]
    assert [item["email"] for item in east_only["items"]] == [
        "admin@east.example",
        "buyer@east.example",
    ]


def test_a_user_is_shown_with_company_department_roles_and_status(tree):
    sales = Department.objects.create(company=tree["acme"], name="Sales")
    member = tree["acme_buyer"]
    CustomerUser.objects.filter(pk=member.pk).update(department=sales)

    body = api_for(tree["acme_admin"]).get(f"/company/users/{member.pk}").json()

    assert body == {
        "id": member.pk,
        "email": "buyer@acme.example",
        "first_name": "Pat",
        "last_name": member.user.last_name,
        "company": {"id": tree["acme"].pk, "name": "Acme"},
        "department": {"id": sales.pk, "name": "Sales"},
        "roles": ["buyer"],
        "is_active": True,
        "created_at": body["created_at"],
    }


def test_patch_changes_what_it_names_and_keeps_the_rest(tree):
    sales = Department.objects.create(company=tree["acme"], name="Sales")
    member = tree["acme_buyer"]
    CustomerUser.objects.filter(pk=member.pk).update(department=sales)
    api = api_for(tree["acme_admin"])

    renamed = api.patch(f"/company/users/{member.pk}", {"first_name": "Ada"}).json()
    moved_out = api.patch(
        f"/company/users/{member.pk}", {"department_id": None, "roles": ["viewer"]}
    ).json()

    assert (renamed["first_name"], renamed["department"]["name"]) == ("Ada", "Sales")
    assert (moved_out["first_name"], moved_out["department"], moved_out["roles"]) == (
        "Ada",
        None,
        ["viewer"],
    )


def test_a_taken_email_is_refused_with_422(tree):
    response = api_for(tree["acme_admin"]).patch(
        f"/company/users/{tree['acme_buyer'].pk}", {"email": "Admin@Globex.example"}
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The e-mail Admin@globex.example is already used by another account.",
        "code": "email_taken",
    }


def test_disabling_a_user_stops_its_token_and_enabling_brings_it_back(tree):
    buyer_api = api_for(tree["acme_buyer"])
    admin_api = api_for(tree["acme_admin"])

    disabled = admin_api.post(f"/company/users/{tree['acme_buyer'].pk}/disable")
    refused = buyer_api.get("/me")
    enabled = admin_api.post(f"/company/users/{tree['acme_buyer'].pk}/enable")

    assert (disabled.status_code, disabled.json()["is_active"]) == (200, False)
    assert refused.status_code == 401
    assert enabled.json()["is_active"] is True
    assert buyer_api.get("/me").status_code == 200


def test_a_buyer_gets_403_for_actions_its_role_forbids_and_404_outside_its_reach(tree):
    api = api_for(tree["acme_buyer"])

    roles_list = api.get("/company/roles")
    disable = api.post(f"/company/users/{tree['acme_admin'].pk}/disable")
    other = api.get(f"/company/users/{tree['acme_admin'].pk}")
    own_roles = api.patch(f"/company/users/{tree['acme_buyer'].pk}", {"roles": ["administrator"]})

    assert (roles_list.status_code, roles_list.json()["code"]) == (403, "permission_denied")
    assert (disable.status_code, disable.json()["code"]) == (403, "permission_denied")
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert (own_roles.status_code, own_roles.json()["code"]) == (403, "permission_denied")
    assert [item["email"] for item in api.get("/company/users").json()["items"]] == [
        "buyer@acme.example"
    ]


def test_a_subsidiary_administrator_gets_404_for_the_parent_and_other_companies(tree):
    api = api_for(tree["east_admin"])

    for target in ("acme_buyer", "globex_admin"):
        target_id = tree[target].pk
        responses = [
            api.get(f"/company/users/{target_id}"),
            api.patch(f"/company/users/{target_id}", {"first_name": "X"}),
            api.post(f"/company/users/{target_id}/disable"),
            api.post(f"/company/users/{target_id}/enable"),
        ]

        assert [response.status_code for response in responses] == [404, 404, 404, 404]
    assert AuditEntry.objects.count() == 0


# Roles


def test_roles_are_listed_with_their_grants_predefined_first(tree):
    roles.create_role(
        customer_user=tree["acme_admin"], name="Lead", grants=[("orders", "view", "company")]
    )
    roles.create_role(customer_user=tree["globex_admin"], name="Globex lead", grants=[])

    body = api_for(tree["acme_admin"]).get("/company/roles").json()

    assert [(role["code"], role["is_predefined"]) for role in body] == [
        ("administrator", True),
        ("buyer", True),
        ("viewer", True),
        ("lead", False),
    ]
    assert body[3]["grants"] == [{"resource": "orders", "action": "view", "level": "company"}]
    assert body[3]["company"] == {"id": tree["acme"].pk, "name": "Acme"}
    assert {"resource": "orders", "action": "view", "level": "company"} in body[2]["grants"]


def test_a_role_is_created_changed_and_deleted(tree):
    api = api_for(tree["acme_admin"])

    created = api.post(
        "/company/roles",
        {"name": "Lead", "grants": [{"resource": "orders", "action": "view", "level": "own"}]},
    )
    role_id = created.json()["id"]
    changed = api.patch(
        f"/company/roles/{role_id}",
        {
            "name": "Team lead",
            "grants": [{"resource": "orders", "action": "reorder", "level": "department"}],
        },
    )
    deleted = api.delete(f"/company/roles/{role_id}")

    assert created.status_code == 201
    assert changed.json()["name"] == "Team lead"
    assert changed.json()["grants"] == [
        {"resource": "orders", "action": "reorder", "level": "department"}
    ]
    assert deleted.status_code == 204
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "role.created",
        "role.updated",
        "role.deleted",
    ]


def test_bad_grants_and_roles_in_use_are_refused(tree):
    api = api_for(tree["acme_admin"])
    role = roles.create_role(customer_user=tree["acme_admin"], name="Lead", grants=[])
    tree["acme_buyer"].roles.add(role)

    bad_action = api.post(
        "/company/roles",
        {"name": "Odd", "grants": [{"resource": "invoices", "action": "edit", "level": "own"}]},
    )
    bad_level = api.post(
        "/company/roles",
        {"name": "Odd", "grants": [{"resource": "orders", "action": "view", "level": "all"}]},
    )
    in_use = api.delete(f"/company/roles/{role.pk}")

    assert (bad_action.status_code, bad_action.json()) == (
        422,
        {
            "detail": "'edit' does not apply to invoices (allowed: view)",
            "code": "grants_invalid",
        },
    )
    assert (bad_level.status_code, bad_level.json()["code"]) == (422, "invalid_input")
    assert (in_use.status_code, in_use.json()) == (
        409,
        {
            "detail": "The role Lead is held by buyer@acme.example: give them another role first.",
            "code": "role_in_use",
        },
    )


def test_another_companys_role_is_404_and_a_predefined_one_is_not_changed(tree):
    globex_role = roles.create_role(customer_user=tree["globex_admin"], name="Lead", grants=[])
    api = api_for(tree["acme_admin"])
    buyer_role_id = next(
        role["id"] for role in api.get("/company/roles").json() if role["code"] == "buyer"
    )

    other = api.patch(f"/company/roles/{globex_role.pk}", {"name": "Mine"})
    predefined = api.delete(f"/company/roles/{buyer_role_id}")

    assert other.status_code == 404
    assert (predefined.status_code, predefined.json()["code"]) == (400, "role_predefined")


# Departments


def test_departments_are_created_listed_in_tree_order_moved_and_deleted(tree):
    api = api_for(tree["acme_admin"])

    sales = api.post("/company/departments", {"name": "Sales"}).json()
    support = api.post("/company/departments", {"name": "Support"}).json()
    north = api.post("/company/departments", {"name": "North", "parent_id": sales["id"]}).json()
    moved = api.patch(f"/company/departments/{north['id']}", {"parent_id": support["id"]})
    listed = api.get("/company/departments").json()
    deleted = api.delete(f"/company/departments/{sales['id']}")

    assert moved.json()["parent_id"] == support["id"]
    assert [(item["name"], item["parent_id"], item["user_count"]) for item in listed] == [
        ("Sales", None, 0),
        ("Support", None, 0),
        ("North", support["id"], 0),
    ]
    assert deleted.status_code == 204
    assert list(Department.objects.values_list("name", flat=True)) == ["North", "Support"]


def test_a_department_cycle_and_a_department_with_users_are_refused(tree):
    api = api_for(tree["acme_admin"])
    sales = departments.create_department(customer_user=tree["acme_admin"], name="Sales")
    north = departments.create_department(
        customer_user=tree["acme_admin"], name="North", parent_id=sales.pk
    )
    CustomerUser.objects.filter(pk=tree["acme_buyer"].pk).update(department=north)

    cycle = api.patch(f"/company/departments/{sales.pk}", {"parent_id": north.pk})
    in_use = api.delete(f"/company/departments/{north.pk}")

    assert (cycle.status_code, cycle.json()["code"]) == (422, "department_cycle")
    assert (in_use.status_code, in_use.json()["code"]) == (409, "department_has_users")


def test_a_subsidiary_administrator_never_reaches_the_parents_departments(tree):
    sales = departments.create_department(customer_user=tree["acme_admin"], name="Sales")
    api = api_for(tree["east_admin"])

    assert api.get(f"/company/departments/{sales.pk}").status_code == 404
    assert api.delete(f"/company/departments/{sales.pk}").status_code == 404
    assert api.post("/company/departments", {"name": "X", "parent_id": sales.pk}).status_code == (
        404
    )
    assert api.post(
        "/company/departments", {"name": "X", "company_id": tree["acme"].pk}
    ).status_code == (404)
    assert api.get("/company/departments").json() == []


# Address book


def test_addresses_are_added_changed_and_removed(tree):
    api = api_for(tree["acme_admin"])

    created = api.post(
        "/company/addresses",
        {
            "label": "Warehouse",
            "street": "1 Dock Road",
            "city": "Boston",
            "country": "us",
            "is_default_billing": True,
        },
    )
    address_id = created.json()["id"]
    changed = api.patch(f"/company/addresses/{address_id}", {"city": "Salem"})
    removed = api.delete(f"/company/addresses/{address_id}")

    assert created.status_code == 201
    assert created.json() == {
        "id": address_id,
        "label": "Warehouse",
        "name": "",
        "street": "1 Dock Road",
        "street2": "",
        "city": "Boston",
        "region": "",
        "postal_code": "",
        "country": "US",
        "is_billing": True,
        "is_shipping": True,
        "is_default_billing": True,
        "is_default_shipping": False,
        "company": {"id": tree["acme"].pk, "name": "Acme"},
    }
    assert changed.json()["city"] == "Salem"
    assert removed.status_code == 204
    assert Address.objects.get(company=tree["acme"]).is_default_billing is False


def test_a_parent_administrator_adds_to_a_subsidiarys_address_book_but_not_the_reverse(tree):
    acme_api = api_for(tree["acme_admin"])
    east_api = api_for(tree["east_admin"])
    place = {"street": "2 Road", "city": "Boston", "country": "US"}

    down = acme_api.post("/company/addresses", {**place, "company_id": tree["east"].pk})
    up = east_api.post("/company/addresses", {**place, "company_id": tree["acme"].pk})
    acme_address = Address.objects.get(company=tree["acme"])
    up_patch = east_api.patch(f"/company/addresses/{acme_address.pk}", {"city": "X"})

    assert (down.status_code, down.json()["company"]["name"]) == (201, "Acme East")
    assert (up.status_code, up_patch.status_code) == (404, 404)


def test_a_buyer_may_not_change_the_address_book(tree):
    api = api_for(tree["acme_buyer"])
    address = Address.objects.get(company=tree["acme"])

    response = api.patch(f"/company/addresses/{address.pk}", {"city": "X"})

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


# Audit log


def test_the_audit_log_is_paginated_filtered_and_scoped(tree):
    users.update_customer_user(
        customer_user=tree["acme_admin"], customer_user_id=tree["acme_buyer"].pk, last_name="A"
    )
    users.disable_customer_user(
        customer_user=tree["acme_admin"], customer_user_id=tree["east_buyer"].pk
    )
    departments.create_department(customer_user=tree["globex_admin"], name="Sales")
    acme_api = api_for(tree["acme_admin"])

    everything = acme_api.get("/company/audit-log").json()
    disabled = acme_api.get("/company/audit-log", action="customer_user.disabled").json()
    east = api_for(tree["east_admin"]).get("/company/audit-log").json()
    buyer = api_for(tree["acme_buyer"]).get("/company/audit-log")

    assert [(item["action"], item["company"]["name"]) for item in everything["items"]] == [
        ("customer_user.disabled", "Acme East"),
        ("customer_user.updated", "Acme"),
    ]
    assert disabled["items"][0] | {"id": 0, "created_at": None} == {
        "id": 0,
        "created_at": None,
        "company": {"id": tree["east"].pk, "name": "Acme East"},
        "actor": "admin@acme.example",
        "on_behalf_of": None,
        "action": "customer_user.disabled",
        "object_type": "customeruser",
        "object_id": str(tree["east_buyer"].pk),
        "object_repr": "buyer@east.example (Acme East)",
        "before": {"is_active": True},
        "after": {"is_active": False},
    }
    assert [item["company"]["name"] for item in east["items"]] == ["Acme East"]
    assert (buyer.status_code, buyer.json()["code"]) == (403, "permission_denied")


# The OroCommerce demo companies

A, EAST, WEST, B = (
    "Company A",
    "Company A - East Division",
    "Company A - West Division",
    "Wholesaler B",
)


@pytest.fixture
def oro(oro_dir) -> dict[str, CustomerUser]:
    return set_up_demo_companies(oro_dir)


def companies_in(body) -> set[str]:
    items = body["items"] if isinstance(body, dict) else body
    return {item["company"]["name"] for item in items}


@pytest.mark.oro
@pytest.mark.parametrize(
    ("viewer", "reach"),
    [
        (ADMINISTRATORS[A], {A, EAST, WEST}),
        (ADMINISTRATORS[EAST], {EAST}),
        (ADMINISTRATORS[WEST], {WEST}),
        (ADMINISTRATORS[B], {B}),
        (EAST_BUYER, {EAST}),
    ],
)
def test_on_the_demo_companies_every_list_reaches_down_the_tree_only(oro, viewer, reach):
    api = api_for(oro[viewer])

    seen = {
        path: companies_in(api.get(path, page_size=100).json())
        for path in ("/company/users", "/company/departments", "/company/audit-log")
    }

    assert seen == dict.fromkeys(seen, reach)


@pytest.mark.oro
def test_on_the_demo_companies_own_and_department_levels_narrow_the_east_buyer(oro):
    james = api_for(oro[EAST_BUYER])
    colleague = api_for(oro[EAST_COLLEAGUE])

    def emails(api: ApiClient) -> list[str]:
        return [item["email"] for item in api.get("/company/users").json()["items"]]

    assert emails(james) == [EAST_BUYER, EAST_COLLEAGUE]
    assert emails(colleague) == [EAST_COLLEAGUE]
    assert [item["name"] for item in james.get("/company/departments").json()] == ["Purchasing"]
    assert [
        (item["actor"], item["action"]) for item in james.get("/company/audit-log").json()["items"]
    ] == [(EAST_BUYER, "customer_user.updated")]
    assert james.get("/company/roles").json()["code"] == "permission_denied"
    assert (
        james.post(f"/company/users/{oro[EAST_COLLEAGUE].pk}/disable").json()["code"]
        == "permission_denied"
    )


@pytest.mark.oro
def test_on_the_demo_companies_every_record_out_of_reach_is_404(oro):
    sales = {
        company: Department.objects.get(name=f"Sales of {company}")
        for company in (A, EAST, WEST, B)
    }
    addresses_of = {
        company: Address.objects.filter(company__name=company).first()
        for company in (A, EAST, WEST, B)
    }
    users_of = {company: oro[email] for company, email in ADMINISTRATORS.items()}
    lead = CustomerRole.objects.get(name="Purchasing lead")

    requests = [
        ("get", "/company/users/{user}", None),
        ("patch", "/company/users/{user}", {"first_name": "Same"}),
        ("post", "/company/users/{user}/enable", None),
        ("get", "/company/departments/{department}", None),
        ("patch", "/company/departments/{department}", {"name": "Sales"}),
        ("patch", "/company/addresses/{address}", {"label": "Same"}),
    ]

    for administrator_of, reach in (
        (A, {A, EAST, WEST}),
        (EAST, {EAST}),
        (WEST, {WEST}),
        (B, {B}),
    ):
        api = api_for(oro[ADMINISTRATORS[administrator_of]])
        expected = {company: 200 if company in reach else 404 for company in (A, EAST, WEST, B)}

        for method, path, body in requests:
            statuses = {
                company: api.call(
                    method,
                    path.format(
                        user=users_of[company].pk,
                        department=sales[company].pk,
                        address=addresses_of[company].pk,
                    ),
                    body,
                ).status_code
                for company in (A, EAST, WEST, B)
            }

            assert (method, path, statuses) == (method, path, expected)
        assert api.get(f"/company/roles/{lead.pk}").status_code == (200 if EAST in reach else 404)
