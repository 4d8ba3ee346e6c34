"""Company administration services: users, roles, departments, address book, audit log."""

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from comptoir.accounts.administration import addresses, departments, roles, users
from comptoir.accounts.administration.audit_log import audit_log_for
from comptoir.accounts.administration.common import InUse, InvalidValue
from comptoir.accounts.models import (
    Address,
    AuditEntry,
    Company,
    CustomerRole,
    CustomerUser,
    Department,
    User,
)
from comptoir.accounts.tokens import authenticate_token, create_token
from comptoir.core.errors import DomainError, NotFound, PermissionDenied
from tests import factories
from tests.company_tree import Tree, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return make_tree()


def entries(**filters) -> list[tuple]:
    return list(
        AuditEntry.objects.filter(**filters)
        .order_by("id")
        .values_list("action", "actor__email", "company__name", "before", "after")
    )


def manager_role(company: Company, level: str, name: str = "Team lead") -> CustomerRole:
    """A custom role that manages and views users, and views orders, at ``level``."""
    role = CustomerRole.objects.create(
        code=name.lower().replace(" ", "-"), name=name, company=company
    )
    for resource, action in (("users", "view"), ("users", "manage_users"), ("orders", "view")):
        role.permissions.create(
            resource=resource, action=action, access_level=roles.LEVEL_NAMES[level]
        )
    return role


# Users


def test_administrator_changes_names_department_and_roles_with_before_and_after(tree):
    purchasing = Department.objects.create(company=tree.acme, name="Purchasing")

    member = users.update_customer_user(
        customer_user=tree.acme_admin,
        customer_user_id=tree.acme_buyer.pk,
        first_name=" Ada ",
        last_name="Lovelace",
        department_id=purchasing.pk,
        role_codes=["viewer", "buyer"],
    )

    member.refresh_from_db()
    assert (member.user.first_name, member.user.last_name, member.department) == (
        "Ada",
        "Lovelace",
        purchasing,
    )
    assert sorted(member.roles.values_list("code", flat=True)) == ["buyer", "viewer"]
    assert entries(action="customer_user.updated") == [
        (
            "customer_user.updated",
            "admin@acme.example",
            "Acme",
            {
                "email": "buyer@acme.example",
                "first_name": "Pat",
                "last_name": tree.acme_buyer.user.last_name,
                "is_active": True,
                "department": None,
                "roles": ["Buyer"],
            },
            {
                "email": "buyer@acme.example",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "is_active": True,
                "department": "Purchasing",
                "roles": ["Buyer", "Viewer"],
            },
        )
    ]


def test_a_change_to_nothing_writes_no_audit_entry(tree):
    users.update_customer_user(
        customer_user=tree.acme_admin, customer_user_id=tree.acme_buyer.pk, first_name="Pat"
    )

    assert entries() == []


def test_email_change_is_refused_when_another_account_has_it_ignoring_case(tree):
    with pytest.raises(InvalidValue) as refusal:
        users.update_customer_user(
            customer_user=tree.acme_admin,
            customer_user_id=tree.acme_buyer.pk,
            email="ADMIN@Globex.example",
        )

    assert (refusal.value.field, refusal.value.code, refusal.value.message) == (
        "email",
        "email_taken",
        "The e-mail ADMIN@globex.example is already used by another account.",
    )
    assert User.objects.get(pk=tree.acme_buyer.user_id).email == "buyer@acme.example"


def test_a_buyer_edits_its_own_name_but_neither_its_roles_nor_anyone_else(tree):
    users.update_customer_user(
        customer_user=tree.acme_buyer, customer_user_id=tree.acme_buyer.pk, first_name="Sam"
    )

    with pytest.raises(PermissionDenied) as refusal:
        users.update_customer_user(
            customer_user=tree.acme_buyer,
            customer_user_id=tree.acme_buyer.pk,
            role_codes=["administrator"],
        )
    with pytest.raises(NotFound):
        users.update_customer_user(
            customer_user=tree.acme_buyer, customer_user_id=tree.acme_admin.pk, first_name="Eve"
        )

    assert refusal.value.message == (
        "Your role does not allow you to manage users users; ask your company's administrator"
    )
    assert User.objects.get(pk=tree.acme_buyer.user_id).first_name == "Sam"
    assert User.objects.get(pk=tree.acme_admin.user_id).first_name == "Pat"
    assert list(tree.acme_buyer.roles.values_list("code", flat=True)) == ["buyer"]


def test_parent_administrator_manages_subsidiary_users_but_never_the_other_way(tree):
    users.update_customer_user(
        customer_user=tree.acme_admin, customer_user_id=tree.east_buyer.pk, last_name="East"
    )

    with pytest.raises(NotFound):
        users.update_customer_user(
            customer_user=tree.east_admin, customer_user_id=tree.acme_buyer.pk, last_name="Up"
        )
    with pytest.raises(NotFound):
        users.disable_customer_user(
            customer_user=tree.acme_admin, customer_user_id=tree.globex_admin.pk
        )

    assert User.objects.get(pk=tree.east_buyer.user_id).last_name == "East"
    assert [member.email for member in users.customer_users_visible_to(tree.east_admin)] == [
        "admin@east.example",
        "buyer@east.example",
    ]
    assert [member.email for member in users.customer_users_visible_to(tree.acme_admin)] == [
        "admin@acme.example",
        "buyer@acme.example",
        "admin@east.example",
        "buyer@east.example",
    ]


def test_a_user_is_given_only_predefined_roles_and_its_own_companys_custom_roles(tree):
    acme_role = manager_role(tree.acme, "company", "Acme lead")
    manager_role(tree.globex, "company", "Globex lead")

    with pytest.raises(InvalidValue) as refusal:
        users.update_customer_user(
            customer_user=tree.acme_admin,
            customer_user_id=tree.east_buyer.pk,
            role_codes=[acme_role.code],
        )

    assert refusal.value.message == (
        "Unknown role acme-lead for Acme East; the roles are: administrator, buyer, viewer."
    )
    assert [role.code for role in users.assignable_roles(tree.acme_admin, tree.acme_buyer)] == [
        "administrator",
        "buyer",
        "viewer",
        "acme-lead",
    ]


def test_a_manager_cannot_give_a_role_that_grants_more_than_its_own(tree):
    lead = factories.customer_user(tree.acme, "lead@acme.example", role="viewer")
    lead.roles.set([manager_role(tree.acme, "company")])

    with pytest.raises(PermissionDenied) as refusal:
        users.update_customer_user(
            customer_user=lead, customer_user_id=tree.acme_buyer.pk, role_codes=["administrator"]
        )

    assert refusal.value.message.startswith(
        "You cannot give or take the role Administrator: it grants more than your own roles "
        "(create addresses at Company and subsidiaries (yours: None); "
    )
    assert list(tree.acme_buyer.roles.values_list("code", flat=True)) == ["buyer"]


def test_the_department_must_be_of_the_users_company(tree):
    east_sales = Department.objects.create(company=tree.east, name="Sales")

    with pytest.raises(InvalidValue) as refusal:
        users.update_customer_user(
            customer_user=tree.acme_admin,
            customer_user_id=tree.acme_buyer.pk,
            department_id=east_sales.pk,
        )

    assert refusal.value.message == "The department Sales belongs to Acme East, not to Acme."


def test_a_disabled_user_cannot_log_in_nor_use_its_session_or_token(tree):
    token = create_token(customer_user=tree.acme_buyer).key
    session = Client()
    session.force_login(tree.acme_buyer.user)

    users.disable_customer_user(customer_user=tree.acme_admin, customer_user_id=tree.acme_buyer.pk)

    assert authenticate(username="buyer@acme.example", password=factories.PASSWORD) is None
    assert authenticate_token(token) is None
    assert session.get("/orders/").status_code == 302
    assert entries() == [
        (
            "customer_user.disabled",
            "admin@acme.example",
            "Acme",
            {"is_active": True},
            {"is_active": False},
        )
    ]


def test_a_re_enabled_user_logs_in_again(tree):
    users.disable_customer_user(customer_user=tree.acme_admin, customer_user_id=tree.acme_buyer.pk)

    users.enable_customer_user(customer_user=tree.acme_admin, customer_user_id=tree.acme_buyer.pk)

    assert authenticate(username="buyer@acme.example", password=factories.PASSWORD) is not None
    assert [entry[0] for entry in entries()] == [
        "customer_user.disabled",
        "customer_user.enabled",
    ]


def test_an_administrator_cannot_disable_itself(tree):
    with pytest.raises(DomainError) as refusal:
        users.disable_customer_user(
            customer_user=tree.acme_admin, customer_user_id=tree.acme_admin.pk
        )

    assert refusal.value.code == "disable_self"
    assert User.objects.get(pk=tree.acme_admin.user_id).is_active is True


def test_the_last_user_able_to_manage_users_keeps_that_right(tree):
    with pytest.raises(DomainError) as refusal:
        users.update_customer_user(
            customer_user=tree.acme_admin,
            customer_user_id=tree.acme_admin.pk,
            role_codes=["buyer"],
        )
    with pytest.raises(DomainError):
        users.disable_customer_user(
            customer_user=tree.acme_admin, customer_user_id=tree.east_admin.pk
        )

    assert (refusal.value.code, refusal.value.message) == (
        "last_user_manager",
        "This would leave Acme without an active user who can manage users: give that right "
        "to another user first.",
    )
    assert tree.acme_admin.has_role("administrator")
    assert User.objects.get(pk=tree.east_admin.user_id).is_active is True
    assert entries() == []


def test_a_second_administrator_may_be_disabled(tree):
    second = factories.customer_user(tree.acme, "second@acme.example", role="administrator")

    users.disable_customer_user(customer_user=tree.acme_admin, customer_user_id=second.pk)

    assert User.objects.get(pk=second.user_id).is_active is False


def test_a_sales_rep_acting_for_a_user_is_the_actor_on_its_behalf(tree):
    rep = User.objects.create_user("rep@seller.example", "rep-password", is_staff=True)

    users.update_customer_user(
        customer_user=tree.acme_admin,
        customer_user_id=tree.acme_buyer.pk,
        last_name="Changed",
        acting_user=rep,
    )

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.on_behalf_of) == (rep, tree.acme_admin)


# Roles


def test_administrator_creates_a_custom_role_with_its_grants(tree):
    role = roles.create_role(
        customer_user=tree.acme_admin,
        name="Purchasing lead",
        grants=[("orders", "view", "department"), ("users", "view", 1), ("quotes", "view", 0)],
    )

    assert (role.code, role.name, role.company) == (
        "purchasing-lead",
        "Purchasing lead",
        tree.acme,
    )
    assert roles.grants_of_role(role) == {("orders", "view"): 2, ("users", "view"): 1}
    assert entries() == [
        (
            "role.created",
            "admin@acme.example",
            "Acme",
            None,
            {
                "name": "Purchasing lead",
                "grants": {"orders.view": "department", "users.view": "own"},
            },
        )
    ]


def test_grants_that_do_not_apply_are_refused_with_the_reason(tree):
    with pytest.raises(InvalidValue) as refusal:
        roles.create_role(
            customer_user=tree.acme_admin,
            name="Odd",
            grants=[("invoices", "delete", "own"), ("orders", "view", "everything")],
        )

    assert refusal.value.message == (
        "'delete' does not apply to invoices (allowed: view); unknown access level "
        "'everything' (known: own, department, company, company_and_subsidiaries)"
    )
    assert not CustomerRole.objects.filter(name="Odd").exists()


def test_nobody_grants_more_than_its_own_roles_do(tree):
    lead = factories.customer_user(tree.acme, "lead@acme.example", role="viewer")
    lead.roles.set([manager_role(tree.acme, "company")])

    with pytest.raises(PermissionDenied) as refusal:
        roles.create_role(
            customer_user=lead,
            name="Wider",
            grants=[("orders", "view", "company_and_subsidiaries")],
        )

    assert refusal.value.message == (
        "You cannot grant more than your own roles do: view orders at Company and subsidiaries "
        "(yours: Company)."
    )


def test_a_department_level_manager_cannot_manage_roles(tree):
    lead = factories.customer_user(tree.acme, "lead@acme.example", role="viewer")
    lead.roles.set([manager_role(tree.acme, "department")])

    with pytest.raises(PermissionDenied):
        roles.create_role(customer_user=lead, name="Mine", grants=[])


def test_a_role_is_renamed_and_its_grants_replaced(tree):
    role = roles.create_role(
        customer_user=tree.acme_admin, name="Lead", grants=[("orders", "view", "own")]
    )

    roles.update_role(
        customer_user=tree.acme_admin,
        role_id=role.pk,
        name="Team lead",
        grants=[("orders", "view", "company"), ("orders", "reorder", "own")],
    )

    role.refresh_from_db()
    assert (role.code, role.name) == ("lead", "Team lead")
    assert entries(action="role.updated") == [
        (
            "role.updated",
            "admin@acme.example",
            "Acme",
            {"name": "Lead", "grants": {"orders.view": "own"}},
            {"name": "Team lead", "grants": {"orders.reorder": "own", "orders.view": "company"}},
        )
    ]


def test_role_names_are_unique_in_a_company_and_never_a_predefined_one(tree):
    roles.create_role(customer_user=tree.acme_admin, name="Lead", grants=[])

    with pytest.raises(InvalidValue) as taken:
        roles.create_role(customer_user=tree.acme_admin, name="lead", grants=[])
    with pytest.raises(InvalidValue) as predefined:
        roles.create_role(customer_user=tree.acme_admin, name="Buyer", grants=[])

    assert taken.value.message == "A role named lead already exists for Acme."
    assert predefined.value.message == "A role named Buyer already exists for Acme."


def test_the_predefined_roles_cannot_be_changed(tree):
    buyer = CustomerRole.objects.get(code="buyer", company=None)

    with pytest.raises(DomainError) as refusal:
        roles.update_role(customer_user=tree.acme_admin, role_id=buyer.pk, name="Shopper")

    assert refusal.value.code == "role_predefined"


def test_a_role_in_use_is_not_deleted_and_the_refusal_names_who_holds_it(tree):
    role = roles.create_role(customer_user=tree.acme_admin, name="Lead", grants=[])
    tree.acme_buyer.roles.add(role)

    with pytest.raises(InUse) as refusal:
        roles.delete_role(customer_user=tree.acme_admin, role_id=role.pk)
    tree.acme_buyer.roles.remove(role)
    roles.delete_role(customer_user=tree.acme_admin, role_id=role.pk)

    assert refusal.value.message == (
        "The role Lead is held by buyer@acme.example: give them another role first."
    )
    assert not CustomerRole.objects.filter(pk=role.pk).exists()
    assert entries(action="role.deleted") == [
        ("role.deleted", "admin@acme.example", "Acme", {"name": "Lead", "grants": {}}, None)
    ]


def test_roles_of_other_companies_are_out_of_reach(tree):
    globex_role = roles.create_role(customer_user=tree.globex_admin, name="Lead", grants=[])
    acme_role = roles.create_role(customer_user=tree.acme_admin, name="Lead", grants=[])
    east_role = roles.create_role(
        customer_user=tree.acme_admin, name="East lead", grants=[], company_id=tree.east.pk
    )

    with pytest.raises(NotFound):
        roles.delete_role(customer_user=tree.acme_admin, role_id=globex_role.pk)
    with pytest.raises(NotFound):
        roles.role_for(tree.east_admin, acme_role.pk)

    assert [role.name for role in roles.roles_visible_to(tree.east_admin)] == [
        "Administrator",
        "Buyer",
        "Viewer",
        "East lead",
    ]
    assert east_role.company == tree.east


# Departments


def test_departments_are_created_renamed_and_moved_with_audit(tree):
    sales = departments.create_department(customer_user=tree.acme_admin, name="Sales")
    north = departments.create_department(
        customer_user=tree.acme_admin, name="North", parent_id=sales.pk
    )
    support = departments.create_department(customer_user=tree.acme_admin, name="Support")

    departments.update_department(
        customer_user=tree.acme_admin,
        department_id=north.pk,
        name="North desk",
        parent_id=support.pk,
    )

    assert [
        (department.name, depth)
        for department, depth in departments.department_tree(
            departments.departments_visible_to(tree.acme_admin)
        )
    ] == [("Sales", 0), ("Support", 0), ("North desk", 1)]
    assert entries(action="department.updated") == [
        (
            "department.updated",
            "admin@acme.example",
            "Acme",
            {"name": "North", "parent": "Sales"},
            {"name": "North desk", "parent": "Support"},
        )
    ]


def test_a_department_cannot_move_inside_itself_nor_to_another_company(tree):
    sales = departments.create_department(customer_user=tree.acme_admin, name="Sales")
    north = departments.create_department(
        customer_user=tree.acme_admin, name="North", parent_id=sales.pk
    )
    east_sales = departments.create_department(
        customer_user=tree.acme_admin, name="Sales", company_id=tree.east.pk
    )

    with pytest.raises(InvalidValue) as cycle:
        departments.update_department(
            customer_user=tree.acme_admin, department_id=sales.pk, parent_id=north.pk
        )
    with pytest.raises(InvalidValue) as elsewhere:
        departments.update_department(
            customer_user=tree.acme_admin, department_id=north.pk, parent_id=east_sales.pk
        )

    assert cycle.value.message == "Sales cannot move under North, which is inside it."
    assert elsewhere.value.message == (
        "A department stays in its company: Sales belongs to Acme East."
    )
    assert Department.objects.get(pk=north.pk).parent == sales


def test_a_department_with_users_or_departments_under_it_is_not_deleted(tree):
    sales = departments.create_department(customer_user=tree.acme_admin, name="Sales")
    north = departments.create_department(
        customer_user=tree.acme_admin, name="North", parent_id=sales.pk
    )
    CustomerUser.objects.filter(pk=tree.acme_buyer.pk).update(department=north)

    with pytest.raises(InUse) as has_users:
        departments.delete_department(customer_user=tree.acme_admin, department_id=north.pk)
    with pytest.raises(InUse) as has_children:
        departments.delete_department(customer_user=tree.acme_admin, department_id=sales.pk)

    assert has_users.value.message == (
        "The department North has users: buyer@acme.example. Move them first."
    )
    assert has_children.value.message == (
        "The department Sales has departments under it: North. Move or delete them first."
    )


def test_an_empty_department_is_deleted(tree):
    sales = departments.create_department(customer_user=tree.acme_admin, name="Sales")

    departments.delete_department(customer_user=tree.acme_admin, department_id=sales.pk)

    assert not Department.objects.exists()
    assert entries(action="department.deleted") == [
        (
            "department.deleted",
            "admin@acme.example",
            "Acme",
            {"name": "Sales", "parent": None},
            None,
        )
    ]


def test_sibling_department_names_are_unique_ignoring_case(tree):
    departments.create_department(customer_user=tree.acme_admin, name="Sales")

    with pytest.raises(InvalidValue) as refusal:
        departments.create_department(customer_user=tree.acme_admin, name="SALES")

    assert refusal.value.message == "A department named SALES is already there."


def test_a_department_level_manager_manages_only_its_department_and_those_under_it(tree):
    sales = Department.objects.create(company=tree.acme, name="Sales")
    north = Department.objects.create(company=tree.acme, name="North", parent=sales)
    support = Department.objects.create(company=tree.acme, name="Support")
    lead = factories.customer_user(tree.acme, "lead@acme.example", role="viewer")
    lead.roles.set([manager_role(tree.acme, "department")])
    CustomerUser.objects.filter(pk=lead.pk).update(department=sales)
    lead.refresh_from_db()

    desk = departments.create_department(customer_user=lead, name="Desk", parent_id=north.pk)
    with pytest.raises(NotFound):
        departments.create_department(customer_user=lead, name="Desk", parent_id=support.pk)
    with pytest.raises(PermissionDenied):
        departments.create_department(customer_user=lead, name="Top")

    assert desk.company == tree.acme
    assert sorted(d.name for d in departments.departments_visible_to(lead)) == [
        "Desk",
        "North",
        "Sales",
    ]


# Address book


def test_a_new_default_address_takes_the_default_from_the_other(tree):
    head_office = Address.objects.get(company=tree.acme)

    address = addresses.create_address(
        customer_user=tree.acme_admin,
        label=" Warehouse ",
        street="1 Dock Road",
        city="Boston",
        country="us",
        is_default_shipping=True,
    )

    head_office.refresh_from_db()
    assert (address.label, address.country, address.is_billing, address.is_shipping) == (
        "Warehouse",
        "US",
        True,
        True,
    )
    assert (head_office.is_default_billing, head_office.is_default_shipping) == (True, False)
    assert [(action, before, after) for action, _, _, before, after in entries()] == [
        ("address.updated", {"is_default_shipping": True}, {"is_default_shipping": False}),
        (
            "address.created",
            None,
            {
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
                "is_default_billing": False,
                "is_default_shipping": True,
            },
        ),
    ]


def test_an_address_is_edited_field_by_field_and_checked(tree):
    head_office = Address.objects.get(company=tree.acme)

    addresses.update_address(
        customer_user=tree.acme_admin, address_id=head_office.pk, city="Chicago"
    )
    with pytest.raises(InvalidValue) as bad_country:
        addresses.update_address(
            customer_user=tree.acme_admin, address_id=head_office.pk, country="USA"
        )
    with pytest.raises(InvalidValue) as not_billing:
        addresses.update_address(
            customer_user=tree.acme_admin, address_id=head_office.pk, is_billing=False
        )

    head_office.refresh_from_db()
    assert (head_office.city, head_office.country, head_office.is_billing) == (
        "Chicago",
        "US",
        True,
    )
    assert bad_country.value.message == (
        "'USA' is not a country code: write two letters, as in US."
    )
    assert (not_billing.value.field, not_billing.value.message) == (
        "is_default_billing",
        "A default billing address must be usable for billing.",
    )
    [(_action, _actor, _company, before, after)] = entries(action="address.updated")
    assert (before["city"], after["city"]) == ("Springfield", "Chicago")


def test_a_buyer_sees_the_address_book_but_does_not_change_it(tree):
    head_office = Address.objects.get(company=tree.acme)

    with pytest.raises(PermissionDenied):
        addresses.create_address(
            customer_user=tree.acme_buyer, street="1 Road", city="Boston", country="US"
        )
    with pytest.raises(PermissionDenied):
        addresses.delete_address(customer_user=tree.acme_buyer, address_id=head_office.pk)

    assert list(addresses.addresses_visible_to(tree.acme_buyer)) == [head_office]


def test_an_address_is_deleted_and_other_companies_addresses_are_out_of_reach(tree):
    head_office = Address.objects.get(company=tree.acme)
    globex_office = Address.objects.get(company=tree.globex)

    addresses.delete_address(customer_user=tree.acme_admin, address_id=head_office.pk)
    with pytest.raises(NotFound):
        addresses.delete_address(customer_user=tree.acme_admin, address_id=globex_office.pk)
    with pytest.raises(NotFound):
        addresses.create_address(
            customer_user=tree.east_admin,
            company_id=tree.acme.pk,
            street="1 Road",
            city="Boston",
            country="US",
        )

    assert list(Address.objects.values_list("company__name", flat=True).order_by("id")) == [
        "Acme East",
        "Globex",
    ]
    assert entries(action="address.deleted")[0][:3] == (
        "address.deleted",
        "admin@acme.example",
        "Acme",
    )


# Audit log


def test_the_audit_log_reaches_down_the_company_tree_only(tree):
    users.update_customer_user(
        customer_user=tree.acme_admin, customer_user_id=tree.acme_buyer.pk, last_name="A"
    )
    users.update_customer_user(
        customer_user=tree.east_admin, customer_user_id=tree.east_buyer.pk, last_name="E"
    )
    users.update_customer_user(
        customer_user=tree.globex_admin, customer_user_id=tree.globex_admin.pk, last_name="G"
    )

    assert [entry.company.name for entry in audit_log_for(tree.acme_admin)] == [
        "Acme East",
        "Acme",
    ]
    assert [entry.company.name for entry in audit_log_for(tree.east_admin)] == ["Acme East"]
    assert [
        entry.company.name for entry in audit_log_for(tree.acme_admin, company_id=tree.acme.pk)
    ] == ["Acme"]
    assert list(audit_log_for(tree.acme_admin, action="address")) == []
    with pytest.raises(PermissionDenied):
        audit_log_for(tree.acme_buyer)
