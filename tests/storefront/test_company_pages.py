"""The storefront's company section: users, roles, departments, address book and audit log."""

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.accounts.administration import departments, roles, users
from comptoir.accounts.models import (
    Address,
    AuditEntry,
    CustomerRole,
    CustomerUser,
    Department,
    User,
)
from tests import factories
from tests.accounts.oro_company import (
    ADMINISTRATORS,
    EAST_BUYER,
    EAST_COLLEAGUE,
    set_up_demo_companies,
)
from tests.company_tree import Tree, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return make_tree()


def logged_in(customer_user: CustomerUser) -> Client:
    client = Client()
    client.force_login(customer_user.user)
    return client


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# The section and its menu


def test_the_header_links_to_the_company_section_only_for_those_who_manage_users(tree):
    admin_page = logged_in(tree.acme_admin).get(reverse("storefront:orders"))
    buyer_page = logged_in(tree.acme_buyer).get(reverse("storefront:orders"))

    link = f'<a href="{reverse("storefront:company_users")}">Company</a>'
    assert link in admin_page.text
    assert link not in buyer_page.text


def test_a_buyer_is_refused_the_roles_and_audit_log_pages_with_a_403(tree):
    buyer = logged_in(tree.acme_buyer)

    roles_page = buyer.get(reverse("storefront:company_roles"))
    audit_page = buyer.get(reverse("storefront:company_audit_log"))

    assert (roles_page.status_code, audit_page.status_code) == (403, 403)
    assert roles_page.context["message"] == (
        "Your role does not allow you to manage users users; ask your company's administrator"
    )
    assert [label for _url, label, _current in roles_page.context["sections"]] == [
        "Users",
        "Address book",
    ]


def test_guests_are_sent_to_log_in(tree):
    response = Client().get(reverse("storefront:company_users"))

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/company/users/"


# Users


def test_the_users_page_shows_role_department_and_status_down_the_tree_only(tree):
    sales = Department.objects.create(company=tree.east, name="Sales")
    CustomerUser.objects.filter(pk=tree.east_buyer.pk).update(department=sales)
    User.objects.filter(pk=tree.acme_buyer.user_id).update(is_active=False)

    acme_page = logged_in(tree.acme_admin).get(reverse("storefront:company_users"))
    east_page = logged_in(tree.east_admin).get(reverse("storefront:company_users"))

    assert [(member.email, member.company.name) for member in acme_page.context["page"]] == [
        ("admin@acme.example", "Acme"),
        ("buyer@acme.example", "Acme"),
        ("admin@east.example", "Acme East"),
        ("buyer@east.example", "Acme East"),
    ]
    assert [member.email for member in east_page.context["page"]] == [
        "admin@east.example",
        "buyer@east.example",
    ]
    assert "Disabled" in acme_page.text
    assert ">Sales</td>" in acme_page.text
    assert f'href="{reverse("storefront:invite_user")}"' in acme_page.text
    assert "admin@globex.example" not in acme_page.text


def test_the_users_page_is_paginated(tree, settings):
    settings.COMPTOIR_PAGE_SIZE = 3

    response = logged_in(tree.acme_admin).get(reverse("storefront:company_users"), {"page": 2})

    assert [member.email for member in response.context["page"]] == ["buyer@east.example"]
    assert "Page 2 of 2" in response.text


def test_editing_a_user_saves_redirects_and_says_so(tree):
    admin = logged_in(tree.acme_admin)
    sales = Department.objects.create(company=tree.acme, name="Sales")
    url = reverse("storefront:company_user", args=[tree.acme_buyer.pk])

    response = admin.post(
        url,
        {
            "email": "ada@acme.example",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "department": str(sales.pk),
            "roles": ["buyer", "viewer"],
        },
        follow=True,
    )

    member = CustomerUser.objects.get(pk=tree.acme_buyer.pk)
    assert response.redirect_chain == [(reverse("storefront:company_users"), 302)]
    assert shown_messages(response) == ["ada@acme.example saved."]
    assert (member.user.email, member.user.get_full_name(), member.department) == (
        "ada@acme.example",
        "Ada Lovelace",
        sales,
    )
    assert sorted(member.roles.values_list("code", flat=True)) == ["buyer", "viewer"]
    assert AuditEntry.objects.get().action == "customer_user.updated"


def test_a_refused_email_is_shown_next_to_the_field_and_nothing_typed_is_lost(tree):
    admin = logged_in(tree.acme_admin)
    url = reverse("storefront:company_user", args=[tree.acme_buyer.pk])

    response = admin.post(
        url,
        {"email": "ADMIN@globex.example", "first_name": "Ada", "last_name": "L", "roles": []},
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors == {
        "email": ["The e-mail ADMIN@globex.example is already used by another account."]
    }
    assert form["first_name"].value() == "Ada"
    assert User.objects.get(pk=tree.acme_buyer.user_id).first_name == "Pat"


def test_a_buyer_edits_its_own_name_only(tree):
    buyer = logged_in(tree.acme_buyer)

    own = buyer.get(reverse("storefront:company_user", args=[tree.acme_buyer.pk]))
    other = buyer.get(reverse("storefront:company_user", args=[tree.acme_admin.pk]))

    assert list(own.context["form"].fields) == ["email", "first_name", "last_name"]
    assert other.status_code == 404


def test_disable_and_enable_buttons_post_and_come_back(tree):
    admin = logged_in(tree.acme_admin)

    disabled = admin.post(
        reverse("storefront:company_user_disable", args=[tree.acme_buyer.pk]), follow=True
    )
    enabled = admin.post(
        reverse("storefront:company_user_enable", args=[tree.acme_buyer.pk]), follow=True
    )

    assert shown_messages(disabled) == ["buyer@acme.example is disabled."]
    assert shown_messages(enabled) == ["buyer@acme.example can log in again."]
    assert User.objects.get(pk=tree.acme_buyer.user_id).is_active is True
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "customer_user.disabled",
        "customer_user.enabled",
    ]


def test_a_refused_disable_says_why(tree):
    admin = logged_in(tree.acme_admin)

    response = admin.post(
        reverse("storefront:company_user_disable", args=[tree.acme_admin.pk]), follow=True
    )

    assert shown_messages(response) == [
        "You cannot disable your own account; another administrator can."
    ]


def test_a_disabled_users_session_stops_working(tree):
    buyer = logged_in(tree.acme_buyer)

    logged_in(tree.acme_admin).post(
        reverse("storefront:company_user_disable", args=[tree.acme_buyer.pk])
    )
    response = buyer.get(reverse("storefront:orders"))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "storefront:company_user"),
        ("post", "storefront:company_user"),
        ("post", "storefront:company_user_disable"),
        ("post", "storefront:company_user_enable"),
    ],
)
def test_users_of_the_parent_company_or_a_sibling_are_404(tree, method, url_name):
    east = logged_in(tree.east_admin)

    for target in (tree.acme_buyer, tree.globex_admin):
        response = getattr(east, method)(reverse(url_name, args=[target.pk]), {"first_name": "X"})

        assert response.status_code == 404
    assert AuditEntry.objects.count() == 0


def test_every_form_needs_the_csrf_token(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.acme_admin.user)

    response = client.post(reverse("storefront:company_user_disable", args=[tree.acme_buyer.pk]))

    assert response.status_code == 403
    assert User.objects.get(pk=tree.acme_buyer.user_id).is_active is True


# Roles


def test_the_role_editor_makes_a_role_from_the_grid(tree):
    admin = logged_in(tree.acme_admin)
    form_page = admin.get(reverse("storefront:company_role_create"))

    response = admin.post(
        reverse("storefront:company_role_create"),
        {
            "name": "Purchasing lead",
            "company": str(tree.acme.pk),
            "grant__orders__view": "department",
            "grant__orders__place_order": "own",
            "grant__users__view": "",
        },
        follow=True,
    )

    role = CustomerRole.objects.get(name="Purchasing lead")
    assert 'name="grant__orders__view"' in form_page.text
    assert 'name="grant__invoices__delete"' not in form_page.text
    assert shown_messages(response) == ["Role Purchasing lead created."]
    assert roles.grants_of_role(role) == {("orders", "view"): 2, ("orders", "place_order"): 1}


def test_the_role_editor_refuses_a_grant_beyond_ones_own_and_keeps_the_grid(tree):
    lead = factories.customer_user(tree.acme, "lead@acme.example", role="viewer")
    role = roles.create_role(
        customer_user=tree.acme_admin,
        name="Lead",
        grants=[("users", "view", "company"), ("users", "manage_users", "company")],
    )
    lead.roles.set([role])

    response = logged_in(lead).post(
        reverse("storefront:company_role_create"),
        {"name": "Wide", "grant__orders__view": "company"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": [
            "You cannot grant more than your own roles do: view orders at Company (yours: None)."
        ]
    }
    assert response.context["form"]["grant__orders__view"].value() == "company"
    assert not CustomerRole.objects.filter(name="Wide").exists()


def test_a_department_level_manager_is_refused_the_role_editor(tree):
    lead = factories.customer_user(tree.acme, "lead@acme.example", role="viewer")
    role = roles.create_role(
        customer_user=tree.acme_admin,
        name="Lead",
        grants=[("users", "view", "department"), ("users", "manage_users", "department")],
    )
    lead.roles.set([role])

    response = logged_in(lead).get(reverse("storefront:company_role_create"))

    assert response.status_code == 403
    assert response.context["message"] == (
        "Roles apply to a whole company: managing them takes the right to manage the users of "
        "the company; ask your company's administrator."
    )


def test_a_taken_role_name_is_shown_next_to_the_name(tree):
    roles.create_role(customer_user=tree.acme_admin, name="Lead", grants=[])

    response = logged_in(tree.acme_admin).post(
        reverse("storefront:company_role_create"),
        {"name": "lead", "company": str(tree.acme.pk), "grant__orders__view": "own"},
    )

    assert response.context["form"].errors == {
        "name": ["A role named lead already exists for Acme."]
    }
    assert response.context["form"]["grant__orders__view"].value() == "own"


def test_a_predefined_role_is_shown_but_not_changed(tree):
    buyer_role = CustomerRole.objects.get(code="buyer", company=None)
    admin = logged_in(tree.acme_admin)

    page = admin.get(reverse("storefront:company_role", args=[buyer_role.pk]))
    posted = admin.post(reverse("storefront:company_role", args=[buyer_role.pk]), {"name": "X"})

    assert page.context["form"]["grant__orders__view"].value() == "own"
    assert page.context["form"].fields["name"].disabled is True
    assert posted.status_code == 403
    assert CustomerRole.objects.get(pk=buyer_role.pk).name == "Buyer"


def test_deleting_a_role_in_use_names_its_holders(tree):
    role = roles.create_role(customer_user=tree.acme_admin, name="Lead", grants=[])
    tree.acme_buyer.roles.add(role)

    response = logged_in(tree.acme_admin).post(
        reverse("storefront:company_role_delete", args=[role.pk]), follow=True
    )

    assert shown_messages(response) == [
        "The role Lead is held by buyer@acme.example: give them another role first."
    ]
    assert CustomerRole.objects.filter(pk=role.pk).exists()


def test_another_companys_role_is_404(tree):
    globex_role = roles.create_role(customer_user=tree.globex_admin, name="Lead", grants=[])

    response = logged_in(tree.acme_admin).get(
        reverse("storefront:company_role", args=[globex_role.pk])
    )

    assert response.status_code == 404


# Departments


def test_the_departments_page_shows_the_tree_and_adds_a_department(tree):
    admin = logged_in(tree.acme_admin)
    sales = departments.create_department(customer_user=tree.acme_admin, name="Sales")

    response = admin.post(
        reverse("storefront:company_departments"),
        {"name": "North", "parent": str(sales.pk), "company": str(tree.acme.pk)},
        follow=True,
    )

    assert shown_messages(response) == ["Department North added."]
    assert [(department.name, depth) for department, depth in response.context["tree"]] == [
        ("Sales", 0),
        ("North", 1),
    ]


def test_moving_a_department_inside_itself_is_shown_next_to_the_parent(tree):
    sales = departments.create_department(customer_user=tree.acme_admin, name="Sales")
    north = departments.create_department(
        customer_user=tree.acme_admin, name="North", parent_id=sales.pk
    )
    admin = logged_in(tree.acme_admin)

    page = admin.get(reverse("storefront:company_department", args=[sales.pk]))
    response = admin.post(
        reverse("storefront:company_department", args=[sales.pk]),
        {"name": "Sales", "parent": str(north.pk)},
    )

    assert [choice for choice, _label in page.context["form"].fields["parent"].choices] == [""]
    assert response.context["form"].errors == {
        "parent": [f"Select a valid choice. {north.pk} is not one of the available choices."]
    }


def test_a_department_with_users_is_not_deleted_and_the_page_says_why(tree):
    sales = departments.create_department(customer_user=tree.acme_admin, name="Sales")
    CustomerUser.objects.filter(pk=tree.acme_buyer.pk).update(department=sales)

    response = logged_in(tree.acme_admin).post(
        reverse("storefront:company_department_delete", args=[sales.pk]), follow=True
    )

    assert shown_messages(response) == [
        "The department Sales has users: buyer@acme.example. Move them first."
    ]
    assert Department.objects.filter(pk=sales.pk).exists()


# Address book


def test_the_address_book_adds_edits_and_deletes_addresses(tree):
    admin = logged_in(tree.acme_admin)
    head_office = Address.objects.get(company=tree.acme)
    fields = {
        "label": "Warehouse",
        "street": "1 Dock Road",
        "city": "Boston",
        "country": "us",
        "is_shipping": "on",
        "is_default_shipping": "on",
        "company": str(tree.acme.pk),
    }

    added = admin.post(reverse("storefront:company_address_create"), fields, follow=True)
    warehouse = Address.objects.get(label="Warehouse")
    edited = admin.post(
        reverse("storefront:company_address", args=[warehouse.pk]),
        {**fields, "city": "Salem"},
        follow=True,
    )
    deleted = admin.post(
        reverse("storefront:company_address_delete", args=[head_office.pk]), follow=True
    )

    warehouse.refresh_from_db()
    assert shown_messages(added) == ["Address added: 1 Dock Road, Boston, US."]
    assert shown_messages(edited) == ["Address saved: 1 Dock Road, Salem, US."]
    assert shown_messages(deleted) == [f"Address deleted: {head_office.one_line()}."]
    assert (warehouse.is_billing, warehouse.is_shipping, warehouse.is_default_shipping) == (
        False,
        True,
        True,
    )
    assert list(Address.objects.filter(company=tree.acme)) == [warehouse]


def test_an_invalid_country_is_shown_next_to_the_country(tree):
    response = logged_in(tree.acme_admin).post(
        reverse("storefront:company_address_create"),
        {"street": "1 Dock Road", "city": "Boston", "country": "1X", "is_billing": "on"},
    )

    assert response.context["form"].errors == {
        "country": ["'1X' is not a country code: write two letters, as in US."]
    }


def test_a_buyer_reads_the_address_book_without_buttons_and_cannot_add(tree):
    buyer = logged_in(tree.acme_buyer)

    book = buyer.get(reverse("storefront:company_addresses"))
    form = buyer.get(reverse("storefront:company_address_create"))

    assert [address.label for address in book.context["page"]] == ["Head office"]
    assert reverse("storefront:company_address_create") not in book.text
    assert form.status_code == 403


def test_another_companys_address_is_404(tree):
    globex_address = Address.objects.get(company=tree.globex)
    admin = logged_in(tree.acme_admin)

    edit = admin.get(reverse("storefront:company_address", args=[globex_address.pk]))
    delete = admin.post(reverse("storefront:company_address_delete", args=[globex_address.pk]))

    assert (edit.status_code, delete.status_code) == (404, 404)
    assert Address.objects.filter(pk=globex_address.pk).exists()


# Audit log


def test_the_audit_log_shows_who_when_what_and_before_after_with_on_behalf_of(tree):
    rep = User.objects.create_user("rep@seller.example", "rep-password", is_staff=True)
    users.update_customer_user(
        customer_user=tree.acme_admin,
        customer_user_id=tree.acme_buyer.pk,
        last_name="Lovelace",
        acting_user=rep,
    )
    users.disable_customer_user(customer_user=tree.acme_admin, customer_user_id=tree.east_buyer.pk)

    response = logged_in(tree.acme_admin).get(reverse("storefront:company_audit_log"))

    assert [
        (entry.action, entry.actor.email, changes) for entry, changes in response.context["rows"]
    ] == [
        ("customer_user.disabled", "admin@acme.example", [("is_active", "yes", "no")]),
        (
            "customer_user.updated",
            "rep@seller.example",
            [("last_name", tree.acme_buyer.user.last_name, "Lovelace")],
        ),
    ]
    assert "on behalf of admin@acme.example" in response.text


def test_the_audit_log_is_filtered_and_east_never_sees_acmes_entries(tree):
    users.update_customer_user(
        customer_user=tree.acme_admin, customer_user_id=tree.acme_buyer.pk, last_name="A"
    )
    departments.create_department(customer_user=tree.east_admin, name="Sales")

    roles_only = logged_in(tree.acme_admin).get(
        reverse("storefront:company_audit_log"), {"action": "department"}
    )
    east = logged_in(tree.east_admin).get(reverse("storefront:company_audit_log"))

    assert [entry.action for entry, _changes in roles_only.context["rows"]] == [
        "department.created"
    ]
    assert [entry.company.name for entry, _changes in east.context["rows"]] == ["Acme East"]


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


def companies_on(response, page_name: str) -> set[str]:
    if page_name == "storefront:company_departments":
        return {department.company.name for department, _depth in response.context["tree"]}
    if page_name == "storefront:company_audit_log":
        return {entry.company.name for entry, _changes in response.context["rows"]}
    return {record.company.name for record in response.context["page"]}


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
def test_on_the_demo_companies_every_list_page_reaches_down_the_tree_only(oro, viewer, reach):
    client = logged_in(oro[viewer])

    seen = {
        page_name: companies_on(client.get(reverse(page_name)), page_name)
        for page_name in (
            "storefront:company_users",
            "storefront:company_departments",
            "storefront:company_addresses",
            "storefront:company_audit_log",
        )
    }

    assert seen == dict.fromkeys(seen, reach)


@pytest.mark.oro
def test_on_the_demo_companies_own_and_department_levels_narrow_the_east_buyers_view(oro):
    james = logged_in(oro[EAST_BUYER])
    colleague = logged_in(oro[EAST_COLLEAGUE])

    james_users = james.get(reverse("storefront:company_users"))
    james_departments = james.get(reverse("storefront:company_departments"))
    james_audit = james.get(reverse("storefront:company_audit_log"))
    colleague_users = colleague.get(reverse("storefront:company_users"))

    assert [member.email for member in james_users.context["page"]] == [
        EAST_BUYER,
        EAST_COLLEAGUE,
    ]
    assert [department.name for department, _depth in james_departments.context["tree"]] == [
        "Purchasing"
    ]
    assert [(entry.actor.email, entry.action) for entry, _ in james_audit.context["rows"]] == [
        (EAST_BUYER, "customer_user.updated")
    ]
    assert [member.email for member in colleague_users.context["page"]] == [EAST_COLLEAGUE]
    assert colleague.get(reverse("storefront:company_audit_log")).status_code == 403


@pytest.mark.oro
def test_on_the_demo_companies_every_detail_page_out_of_reach_is_404(oro):
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

    def statuses(viewer: str, url_name: str, records: dict) -> dict[str, int]:
        client = logged_in(oro[viewer])
        return {
            company: client.get(reverse(url_name, args=[record.pk])).status_code
            for company, record in records.items()
        }

    for administrator_of, reach in ((A, {A, EAST, WEST}), (EAST, {EAST}), (WEST, {WEST})):
        viewer = ADMINISTRATORS[administrator_of]
        expected = {company: 200 if company in reach else 404 for company in (A, EAST, WEST, B)}
        assert statuses(viewer, "storefront:company_user", users_of) == expected
        assert statuses(viewer, "storefront:company_department", sales) == expected
        assert statuses(viewer, "storefront:company_address", addresses_of) == expected
    assert statuses(ADMINISTRATORS[B], "storefront:company_user", users_of) == {
        A: 404,
        EAST: 404,
        WEST: 404,
        B: 200,
    }
    assert statuses(ADMINISTRATORS[A], "storefront:company_role", {EAST: lead}) == {EAST: 200}
    assert statuses(ADMINISTRATORS[WEST], "storefront:company_role", {EAST: lead}) == {EAST: 404}
    assert statuses(EAST_BUYER, "storefront:company_user", users_of) == {
        A: 404,
        EAST: 404,
        WEST: 404,
        B: 404,
    }
    assert statuses(EAST_BUYER, "storefront:company_user", {EAST: oro[EAST_COLLEAGUE]}) == {
        EAST: 200
    }
