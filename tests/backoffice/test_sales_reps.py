"""Sales reps: the back office shows them their companies only, and they shop as a customer
user with every action recorded as theirs on the user's behalf."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from comptoir.accounts.models import (
    Address,
    ApiToken,
    AuditEntry,
    Company,
    CustomerUser,
    SalesRepAssignment,
    User,
)
from comptoir.backoffice.sales_reps import sales_reps_group
from comptoir.ordering import services
from comptoir.ordering.models import Order, ShoppingListLine
from tests import factories
from tests.backoffice.test_admin import admin_url, change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """Acme (looked after by Rita the rep) and Globex (not hers), a buyer and an order each."""
    default = factories.price_list("Default")
    factories.assign(default)
    drill = factories.product("DRILL-1", name="Drill")
    factories.price(default, drill, "50.00")
    factories.price(default, factories.product("GLOVE-1", name="Gloves"), "4.00")
    acme = factories.company("Acme")
    globex = factories.company("Globex")
    acme_buyer = factories.customer_user(acme, "buyer@acme.example")
    globex_buyer = factories.customer_user(globex, "buyer@globex.example")
    orders = {}
    for buyer in (acme_buyer, globex_buyer):
        address = Address.objects.get(company=buyer.company)
        services.add_to_shopping_list(customer_user=buyer, sku="DRILL-1", quantity=2)
        orders[buyer.company.name] = services.place_order(
            customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk
        )
    rep = User.objects.create_user(
        "rita@seller.example",
        factories.PASSWORD,
        first_name="Rita",
        last_name="Rep",
        is_staff=True,
    )
    rep.groups.add(sales_reps_group())
    SalesRepAssignment.objects.create(sales_rep=rep, company=acme)
    return {
        "acme": acme,
        "globex": globex,
        "acme_buyer": acme_buyer,
        "globex_buyer": globex_buyer,
        "acme_order": orders["Acme"],
        "globex_order": orders["Globex"],
        "rep": rep,
    }


@pytest.fixture
def rep_client(shop) -> Client:
    client = Client()
    client.force_login(shop["rep"])
    return client


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))
    return client


def shop_as(client: Client, customer_user: CustomerUser):
    return client.post(reverse("storefront:shop_as", args=[customer_user.pk]))


def audit_trail(company: Company) -> list[tuple[str, str, str | None]]:
    """(action, actor, on behalf of) of a company's audit entries, oldest first."""
    return [
        (entry.action, entry.actor.email, entry.on_behalf_of and entry.on_behalf_of.email)
        for entry in AuditEntry.objects.filter(company=company).order_by("id")
    ]


def checkout(client: Client, company: Company, po_number: str = ""):
    address = Address.objects.get(company=company)
    client.post(
        reverse("storefront:checkout"),
        {"shipping_address": address.pk, "billing_address": address.pk, "po_number": po_number},
    )
    return client.post(reverse("storefront:checkout_review"))


def test_sales_reps_group_may_only_view_customer_pages():
    group = sales_reps_group()

    codenames = sorted(group.permissions.values_list("codename", flat=True))

    assert codenames == [
        "view_address",
        "view_auditentry",
        "view_company",
        "view_customeruser",
        "view_order",
        "view_orderline",
        "view_salesrepassignment",
        "view_shoppinglist",
        "view_shoppinglistline",
    ]
    assert Permission.objects.filter(codename="view_order").count() == 1


def test_rep_lists_only_the_users_of_its_companies(rep_client, shop):
    response = rep_client.get(admin_url(CustomerUser, "changelist"))

    emails = [customer_user.email for customer_user in response.context["cl"].result_list]
    assert emails == ["buyer@acme.example"]


def test_rep_lists_only_the_orders_of_its_companies(rep_client, shop):
    response = rep_client.get(admin_url(Order, "changelist"))

    numbers = [order.number for order in response.context["cl"].result_list]
    assert numbers == [shop["acme_order"].number]


def test_rep_lists_only_its_companies(rep_client, shop):
    companies = rep_client.get(admin_url(Company, "changelist"))
    assignments = rep_client.get(admin_url(SalesRepAssignment, "changelist"))

    assert [company.name for company in companies.context["cl"].result_list] == ["Acme"]
    assert [str(row.company) for row in assignments.context["cl"].result_list] == ["Acme"]
    assert assignments.context["title"] == "Your companies"


@pytest.mark.parametrize(
    ("model", "record"), [(CustomerUser, "globex_buyer"), (Order, "globex_order")]
)
def test_rep_cannot_open_a_record_of_another_company(rep_client, shop, model, record):
    response = rep_client.get(admin_url(model, "change", shop[record].pk), follow=True)

    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert "globex" not in response.text.lower()


def test_rep_reads_a_user_of_its_company_without_changing_it(rep_client, shop):
    buyer = shop["acme_buyer"]
    url = admin_url(CustomerUser, "change", buyer.pk)
    page = rep_client.get(url)

    response = rep_client.post(url, {"email": "changed@acme.example", "company": buyer.company_id})

    assert page.status_code == 200
    assert reverse("storefront:shop_as", args=[buyer.pk]) in page.text
    assert response.status_code == 403
    assert User.objects.filter(email="buyer@acme.example").exists()


def test_superuser_assigns_a_rep_on_the_company_page(superuser_client, shop):
    clerk = User.objects.create_user("clerk@seller.example", is_staff=True)
    globex = shop["globex"]
    url = admin_url(Company, "change", globex.pk)
    data = change_form_data(superuser_client.get(url))
    data.update({"sales_reps-TOTAL_FORMS": "1", "sales_reps-0-sales_rep": clerk.pk})

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    assert list(
        SalesRepAssignment.objects.filter(company=globex).values_list(
            "sales_rep__email", flat=True
        )
    ) == ["clerk@seller.example"]
    assert [group.name for group in clerk.groups.all()] == ["Sales reps"]
    assert audit_trail(globex) == [("sales_rep.assigned", "admin@seller.example", None)]


def test_superuser_unassigns_a_rep_on_the_company_page(superuser_client, shop):
    acme = shop["acme"]
    url = admin_url(Company, "change", acme.pk)
    data = change_form_data(superuser_client.get(url))
    data["sales_reps-0-DELETE"] = "on"

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    assert not SalesRepAssignment.objects.filter(company=acme).exists()
    assert audit_trail(acme) == [("sales_rep.unassigned", "admin@seller.example", None)]
    assert users_listed_to(shop["rep"]) == []


def users_listed_to(staff_user: User) -> list[str]:
    client = Client()
    client.force_login(staff_user)
    response = client.get(admin_url(CustomerUser, "changelist"))
    return [customer_user.email for customer_user in response.context["cl"].result_list]


def test_rep_shops_as_a_user_of_its_company(rep_client, shop):
    response = shop_as(rep_client, shop["acme_buyer"])
    home = rep_client.get(reverse("storefront:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:home")
    assert home.context["customer_user"] == shop["acme_buyer"]
    assert "Shopping as Pat" in home.text
    assert "for Acme (you are Rita Rep)" in home.text
    assert audit_trail(shop["acme"]) == [
        ("sales_rep.shopping_started", "rita@seller.example", "buyer@acme.example")
    ]


def test_shop_as_asks_to_confirm_first(rep_client, shop):
    response = rep_client.get(reverse("storefront:shop_as", args=[shop["acme_buyer"].pk]))

    assert response.status_code == 200
    assert response.context["candidate"] == shop["acme_buyer"]
    assert response.context["customer_user"] is None
    assert not AuditEntry.objects.exists()


def test_order_placed_while_shopping_as_is_placed_by_the_rep(rep_client, shop):
    shop_as(rep_client, shop["acme_buyer"])
    rep_client.post(
        reverse("storefront:cart_add"), {"sku": "GLOVE-1", "quantity": "3", "unit": "item"}
    )

    response = checkout(rep_client, shop["acme"], po_number="PO-REP-1")

    order = Order.objects.get(po_number="PO-REP-1")
    assert response["Location"] == reverse("storefront:order_confirmation", args=[order.number])
    assert (order.customer_user, order.placed_by, order.company) == (
        shop["acme_buyer"],
        shop["rep"],
        shop["acme"],
    )
    assert order.total == Decimal("12.0000")
    assert audit_trail(shop["acme"]) == [
        ("sales_rep.shopping_started", "rita@seller.example", "buyer@acme.example"),
        ("shopping_list.line_added", "rita@seller.example", "buyer@acme.example"),
        ("order.placed", "rita@seller.example", "buyer@acme.example"),
    ]
    placed = AuditEntry.objects.get(action="order.placed")
    assert (placed.object_repr, placed.after["po_number"], placed.after["total"]) == (
        order.number,
        "PO-REP-1",
        "12.00",
    )


def test_cart_changes_and_reorder_while_shopping_as_are_audited(rep_client, shop):
    shop_as(rep_client, shop["acme_buyer"])
    rep_client.post(
        reverse("storefront:cart_add"), {"sku": "GLOVE-1", "quantity": "3", "unit": "item"}
    )
    line = ShoppingListLine.objects.get(product__sku="GLOVE-1")

    rep_client.post(reverse("storefront:cart_line_quantity", args=[line.pk]), {"quantity": "5"})
    rep_client.post(reverse("storefront:cart_line_remove", args=[line.pk]))
    rep_client.post(reverse("storefront:reorder", args=[shop["acme_order"].number]))

    entries = list(AuditEntry.objects.filter(company=shop["acme"]).order_by("id"))
    assert [(entry.action, entry.before, entry.after) for entry in entries[1:]] == [
        ("shopping_list.line_added", None, {"sku": "GLOVE-1", "unit": "item", "quantity": "3"}),
        (
            "shopping_list.line_quantity_changed",
            {"sku": "GLOVE-1", "unit": "item", "quantity": "3"},
            {"sku": "GLOVE-1", "unit": "item", "quantity": "5"},
        ),
        ("shopping_list.line_removed", {"sku": "GLOVE-1", "unit": "item", "quantity": "5"}, None),
        ("shopping_list.line_added", None, {"sku": "DRILL-1", "unit": "item", "quantity": "2"}),
        (
            "order.reordered",
            None,
            {"added": [{"sku": "DRILL-1", "unit": "item", "quantity": "2"}], "skipped": []},
        ),
    ]
    assert {(entry.actor, entry.on_behalf_of) for entry in entries} == {
        (shop["rep"], shop["acme_buyer"])
    }


def test_a_customer_users_own_buying_writes_no_audit_entry(shop):
    client = Client()
    client.force_login(shop["acme_buyer"].user)
    client.post(
        reverse("storefront:cart_add"), {"sku": "GLOVE-1", "quantity": "3", "unit": "item"}
    )

    checkout(client, shop["acme"])

    assert Order.objects.filter(company=shop["acme"]).latest("id").placed_by == (
        shop["acme_buyer"].user
    )
    assert not AuditEntry.objects.exists()


def test_rep_gets_404_for_a_user_of_a_company_it_does_not_look_after(rep_client, shop):
    url = reverse("storefront:shop_as", args=[shop["globex_buyer"].pk])

    confirm = rep_client.get(url)
    start = rep_client.post(url)
    cart = rep_client.get(reverse("storefront:cart"))

    assert (confirm.status_code, start.status_code) == (404, 404)
    assert cart.status_code == 302
    assert not AuditEntry.objects.exists()


def test_nobody_shops_as_a_staff_user(superuser_client, shop):
    staff_buyer = shop["acme_buyer"]
    User.objects.filter(pk=staff_buyer.user_id).update(is_staff=True)

    response = shop_as(superuser_client, staff_buyer)

    assert response.status_code == 404


def test_a_customer_user_cannot_shop_as_another(shop):
    client = Client()
    client.force_login(shop["globex_buyer"].user)

    response = shop_as(client, shop["globex_buyer"])
    orders = client.get(reverse("storefront:orders"))

    assert response.status_code == 404
    assert [order.number for order in orders.context["page"]] == [shop["globex_order"].number]


def test_superuser_shops_as_a_user_of_any_company(superuser_client, shop):
    shop_as(superuser_client, shop["globex_buyer"])

    orders = superuser_client.get(reverse("storefront:orders"))

    assert [order.number for order in orders.context["page"]] == [shop["globex_order"].number]


def test_a_disabled_user_cannot_be_shopped_as(rep_client, shop):
    User.objects.filter(pk=shop["acme_buyer"].user_id).update(is_active=False)

    response = shop_as(rep_client, shop["acme_buyer"])

    assert response["Location"] == admin_url(CustomerUser, "change", shop["acme_buyer"].pk)
    assert rep_client.get(reverse("storefront:cart")).status_code == 302


def test_stop_goes_back_to_the_users_page_in_the_back_office(rep_client, shop):
    shop_as(rep_client, shop["acme_buyer"])

    response = rep_client.post(reverse("storefront:shop_as_stop"))
    home = rep_client.get(reverse("storefront:home"))

    assert response["Location"] == admin_url(CustomerUser, "change", shop["acme_buyer"].pk)
    assert home.context["customer_user"] is None
    assert "Shopping as" not in home.text
    assert [action for action, _actor, _user in audit_trail(shop["acme"])] == [
        "sales_rep.shopping_started",
        "sales_rep.shopping_stopped",
    ]


def test_logging_out_ends_shopping_as(rep_client, shop):
    shop_as(rep_client, shop["acme_buyer"])

    rep_client.post(reverse("storefront:logout"))
    rep_client.force_login(shop["rep"])
    cart = rep_client.get(reverse("storefront:cart"))

    assert cart.status_code == 302
    assert cart["Location"].startswith(reverse("storefront:login"))


def test_a_rep_unassigned_from_the_company_stops_shopping_as_at_once(rep_client, shop):
    shop_as(rep_client, shop["acme_buyer"])

    SalesRepAssignment.objects.filter(sales_rep=shop["rep"]).delete()
    cart = rep_client.get(reverse("storefront:cart"))

    assert cart.status_code == 302
    assert cart["Location"].startswith(reverse("storefront:login"))


def test_a_rep_shopping_as_a_user_cannot_make_it_an_api_token(rep_client, shop):
    shop_as(rep_client, shop["acme_buyer"])

    response = rep_client.post(reverse("storefront:account_tokens"), {"name": "rep's token"})

    assert response.status_code == 200
    assert "cannot make API tokens for it" in response.text
    assert not ApiToken.objects.filter(customer_user=shop["acme_buyer"]).exists()


def test_rep_reads_the_audit_log_of_its_companies_only(rep_client, shop):
    shop_as(rep_client, shop["acme_buyer"])
    rep_client.post(reverse("storefront:shop_as_stop"))
    AuditEntry.objects.create(
        company=shop["globex"], action="address.created", object_type="address", object_id="1"
    )

    response = rep_client.get(reverse("admin:accounts_auditentry_changelist"))

    assert response.status_code == 200
    assert [entry.action for entry in response.context["cl"].result_list] == [
        "sales_rep.shopping_stopped",
        "sales_rep.shopping_started",
    ]
