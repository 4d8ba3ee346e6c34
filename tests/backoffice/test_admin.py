from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comptoir.accounts.access import set_access_mode
from comptoir.accounts.models import (
    AccessMode,
    Address,
    ApiToken,
    AuditEntry,
    Company,
    CustomerGroup,
    CustomerRole,
    CustomerUser,
    RegistrationRequest,
    SalesRepAssignment,
    StorefrontAccess,
    User,
)
from comptoir.accounts.registrations import submit_registration_request
from comptoir.accounts.tokens import create_token
from comptoir.catalog.attribute_services import (
    set_product_attribute_values,
    set_product_family,
    upsert_attribute,
    upsert_attribute_group,
    upsert_attribute_option,
    upsert_product_family,
    upsert_product_model,
)
from comptoir.catalog.attribute_values import AttributeValue
from comptoir.catalog.models import Brand, Product
from comptoir.catalog.visibility import CategoryVisibility, ProductVisibility, Visibility
from comptoir.core.models import Event
from comptoir.integration.clients import create_client
from comptoir.integration.jobs import create_export_job
from comptoir.integration.models import ApiClient, TransferJob, WebhookDelivery
from comptoir.integration.webhooks import create_endpoint
from comptoir.inventory.services import StockRow, set_stock_levels
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.services import issue_invoice
from comptoir.ordering.models import Order, OrderStatus, ShoppingList
from comptoir.ordering.services import add_to_shopping_list, place_order
from comptoir.pricing.models import (
    MarketIndex,
    MarketIndexValue,
    Price,
    PriceAttribute,
    PriceAttributeValue,
    PriceList,
    PriceRule,
)
from comptoir.pricing.services import save_price_rule
from comptoir.pricing.tasks import rebuild_prices
from comptoir.promotions.models import CouponRedemption
from comptoir.promotions.services import apply_coupon
from tests import factories

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def staff_client(client):
    staff = User.objects.create_superuser("admin@seller.example", factories.PASSWORD)
    client.force_login(staff)
    return client


@pytest.fixture
def shop():
    """A row or more of every model the back office shows, made the way the shop makes them."""
    group = CustomerGroup.objects.create(name="Wholesale")
    default = factories.price_list("Default")
    factories.assign(default, sort_order=10)
    parent = factories.company("Acme")
    subsidiary = factories.company("Acme East", parent=parent, customer_group=group)
    factories.assign(factories.price_list("Acme prices"), company=parent, sort_order=5)
    drill = factories.product(
        "DRILL-1",
        name="Drill",
        category_name="Power tools",
        brand=Brand.objects.create(name="Forge"),
        extra_units=(("box", 0, Decimal(6), True),),
    )
    factories.price(default, drill, "50.00")
    factories.price(default, drill, "45.00", quantity="10")
    msrp = PriceAttribute.objects.create(name="MSRP", field_name="msrp")
    PriceAttributeValue.objects.create(
        attribute=msrp,
        product=drill,
        unit=drill.primary_unit.unit,
        currency="USD",
        value=Decimal("59.99"),
    )
    specs, _ = upsert_attribute_group(code="specs", name="Specifications")
    voltage, _ = upsert_attribute(code="voltage", name="Voltage", type="select", group=specs)
    volts_18, _ = upsert_attribute_option(attribute=voltage, code="18v", label="18 V")
    drills, _ = upsert_product_family(code="drills", name="Drills", attributes=[voltage])
    drill_model, _ = upsert_product_model(
        code="drill", name="Drill", family=drills, axes=[voltage]
    )
    set_product_family(product=drill, family=drills, product_model=drill_model)
    set_product_attribute_values(
        product=drill, values=[AttributeValue(voltage, options=(volts_18,))]
    )
    ProductVisibility.objects.create(product=drill, company=parent, visibility=Visibility.VISIBLE)
    CategoryVisibility.objects.create(
        category=drill.category, customer_group=group, visibility=Visibility.VISIBLE
    )
    buyer = factories.customer_user(parent, "buyer@acme.example")
    east_buyer = factories.customer_user(
        subsidiary, "buyer@east.acme.example", role=CustomerRole.ADMINISTRATOR
    )
    address = Address.objects.filter(company=parent).get()
    factories.tax_rate("6.25", country="US", region="IL", code="standard", label="Sales tax")
    factories.customer_tax_code("exempt")
    # Events recorded below wait for this endpoint (nothing is sent: no worker runs here).
    create_endpoint(url="http://127.0.0.1:9/hooks", description="ERP")
    add_to_shopping_list(customer_user=buyer, sku="DRILL-1", quantity=12)
    order = place_order(
        customer_user=buyer,
        billing_address_id=address.pk,
        shipping_address_id=address.pk,
        po_number="PO-77",
    )
    issue_invoice(order=order)
    welcome = factories.promotion("Welcome", value=Decimal(5), requires_coupon=True)
    factories.coupon(welcome, "WELCOME", usage_limit=10)
    add_to_shopping_list(customer_user=east_buyer, sku="DRILL-1", quantity=1)
    apply_coupon(customer_user=east_buyer, code="WELCOME")
    east_address = Address.objects.filter(company=subsidiary).get()
    place_order(
        customer_user=east_buyer,
        billing_address_id=east_address.pk,
        shipping_address_id=east_address.pk,
    )
    add_to_shopping_list(customer_user=buyer, sku="DRILL-1", quantity=2)
    create_token(customer_user=buyer, name="ERP")
    copper = MarketIndex.objects.create(code="COPPER", name="Copper", unit="USD per kg")
    MarketIndexValue.objects.create(index=copper, effective_at=timezone.now(), value=Decimal(8))
    save_price_rule(
        PriceRule(
            price_list=PriceList.objects.get(name="Acme prices"),
            name="Copper",
            formula='index["COPPER"] * 2',
        )
    )
    create_client(name="ERP", scopes=["indexes:write"])
    create_export_job(entity="categories", format="csv", source="back_office")
    set_stock_levels([StockRow("DRILL-1", "MAIN", Decimal(40))])
    database_tasks = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with override_settings(TASKS=database_tasks):
        rebuild_prices.enqueue(None, None, False)
    Group.objects.create(name="Catalog team")
    rep = User.objects.create_user("rep@seller.example", is_staff=True)
    SalesRepAssignment.objects.create(sales_rep=rep, company=parent)
    set_access_mode(mode=AccessMode.PILOT, companies=[parent], groups=[group])
    submit_registration_request(
        company_name="Initech",
        first_name="Bill",
        last_name="Lumbergh",
        email="bill@initech.example",
    )
    return {"buyer": buyer, "order": order, "drill": drill}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def change_form_data(response) -> dict:
    """The POST data that saves a change page as it was shown, inlines included."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_staff_opens_the_list_of_every_registered_model(staff_client, shop, model):
    response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_staff_opens_a_record_of_every_registered_model(staff_client, shop, model):
    request = RequestFactory().get("/")
    request.user = User.objects.get(email="admin@seller.example")
    record = admin.site._registry[model].get_queryset(request).first()

    response = staff_client.get(admin_url(model, "change", record.pk))

    assert response.status_code == 200


MADE_ELSEWHERE = [
    DBTaskResult,
    WebhookDelivery,
    TransferJob,
    ApiClient,
    ApiToken,
    AuditEntry,
    CouponRedemption,
    Event,
    Invoice,
    Order,
    RegistrationRequest,
    ShoppingList,
    StorefrontAccess,
]
ADDABLE = [model for model in REGISTERED if model not in MADE_ELSEWHERE]


@pytest.mark.parametrize("model", ADDABLE, ids=lambda model: model._meta.label)
def test_staff_opens_the_add_page_of_every_model_made_in_the_back_office(staff_client, model):
    response = staff_client.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", MADE_ELSEWHERE)
def test_records_made_elsewhere_cannot_be_added_in_the_back_office(staff_client, model):
    response = staff_client.get(admin_url(model, "add"))

    assert response.status_code == 403


def test_customer_user_is_sent_to_the_admin_login(client, shop):
    client.force_login(shop["buyer"].user)

    index = client.get("/admin/")
    products = client.get(admin_url(Product, "changelist"))

    assert index.status_code == 302
    assert index.url.startswith("/admin/login/")
    assert products.status_code == 302
    assert products.url.startswith("/admin/login/")


def test_customer_user_cannot_log_in_to_the_admin(client, shop):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "buyer@acme.example", "password": factories.PASSWORD},
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_staff_list_leaves_out_customer_users(staff_client, shop):
    response = staff_client.get(admin_url(User, "changelist"))

    emails = [user.email for user in response.context["cl"].result_list]
    assert emails == ["admin@seller.example", "rep@seller.example"]


@pytest.mark.argon2
def test_adding_a_staff_user_makes_a_staff_login_with_an_argon2_password(staff_client):
    response = staff_client.post(
        admin_url(User, "add"),
        {
            "email": "Clerk@Seller.example",
            "first_name": "Cam",
            "last_name": "Clerk",
            "usable_password": "true",
            "password1": "a-long-staff-password",
            "password2": "a-long-staff-password",
        },
    )

    clerk = User.objects.get(email__iexact="clerk@seller.example")
    assert response.status_code == 302
    assert clerk.is_staff is True
    assert clerk.is_superuser is False
    assert clerk.password.startswith("argon2$")
    assert clerk.check_password("a-long-staff-password") is True


@pytest.mark.argon2
def test_adding_a_customer_user_makes_its_login_company_and_roles(staff_client, shop):
    buyer_role = CustomerRole.objects.get(code=CustomerRole.BUYER)

    response = staff_client.post(
        admin_url(CustomerUser, "add"),
        {
            "email": "new.buyer@acme.example",
            "first_name": "Nia",
            "last_name": "Buyer",
            "is_active": "on",
            "company": shop["buyer"].company_id,
            "roles": [buyer_role.pk],
            "password1": "a-long-buyer-password",
            "password2": "a-long-buyer-password",
        },
    )

    made = CustomerUser.objects.select_related("user", "company").get(
        user__email="new.buyer@acme.example"
    )
    assert response.status_code == 302
    assert made.company.name == "Acme"
    assert [role.code for role in made.roles.all()] == [CustomerRole.BUYER]
    assert made.user.is_staff is False
    assert made.user.password.startswith("argon2$")
    assert made.user.check_password("a-long-buyer-password") is True


def test_customer_user_email_taken_in_another_case_is_refused(staff_client, shop):
    response = staff_client.post(
        admin_url(CustomerUser, "add"),
        {
            "email": "BUYER@acme.example",
            "is_active": "on",
            "company": shop["buyer"].company_id,
            "password1": "a-long-buyer-password",
            "password2": "a-long-buyer-password",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "A login with the e-mail address BUYER@acme.example already exists."
    ]
    assert CustomerUser.objects.count() == 2


def test_editing_a_customer_user_without_a_password_keeps_the_password(staff_client, shop):
    buyer = shop["buyer"]

    response = staff_client.post(
        admin_url(CustomerUser, "change", buyer.pk),
        {
            "email": "buyer@acme.example",
            "first_name": "Renamed",
            "last_name": "Buyer",
            "is_active": "on",
            "company": buyer.company_id,
            "roles": [role.pk for role in buyer.roles.all()],
            "password1": "",
            "password2": "",
        },
    )

    buyer.user.refresh_from_db()
    assert response.status_code == 302
    assert buyer.user.first_name == "Renamed"
    assert buyer.user.check_password(factories.PASSWORD) is True


def test_revoking_api_tokens_stamps_them_revoked(staff_client, shop):
    api_token = ApiToken.objects.get()

    response = staff_client.post(
        admin_url(ApiToken, "changelist"),
        {"action": "revoke", "_selected_action": [api_token.pk]},
    )

    api_token.refresh_from_db()
    assert response.status_code == 302
    assert api_token.revoked_at is not None


def test_staff_changes_an_order_status_and_nothing_else(staff_client, shop):
    order = shop["order"]
    url = admin_url(Order, "change", order.pk)
    data = change_form_data(staff_client.get(url))
    data.update(status=OrderStatus.CLOSED, shipping_status="shipped", po_number="changed")

    response = staff_client.post(url, data)

    order.refresh_from_db()
    assert response.status_code == 302
    assert order.status == OrderStatus.CLOSED
    # The shipping status follows the shipments the ERP sends.
    assert order.shipping_status == "not_shipped"
    assert order.po_number == "PO-77"
    assert order.total == Decimal("540.0000")


def test_order_search_finds_by_po_number(staff_client, shop):
    response = staff_client.get(admin_url(Order, "changelist"), {"q": "PO-77"})

    assert [order.number for order in response.context["cl"].result_list] == [shop["order"].number]


def test_product_search_finds_by_sku_ignoring_case(staff_client, shop):
    response = staff_client.get(admin_url(Product, "changelist"), {"q": "drill-1"})

    assert [product.sku for product in response.context["cl"].result_list] == ["DRILL-1"]


def test_product_page_shows_its_tier_prices_inline(staff_client, shop):
    response = staff_client.get(admin_url(Product, "change", shop["drill"].pk))

    price_formset = next(
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.opts.model is Price
    )
    values = sorted(form.instance.value for form in price_formset.formset.forms)
    assert values == [Decimal("45.0000"), Decimal("50.0000")]


def add_rows_of_every_kind(shop, number: int) -> None:
    """One more row of each model the back office lists, linked the way real rows are."""
    acme = shop["buyer"].company
    group = CustomerGroup.objects.create(name=f"Group {number}")
    company = factories.company(f"Acme branch {number}", parent=acme, customer_group=group)
    buyer = factories.customer_user(company, f"more{number}@acme.example")
    price_list = factories.price_list(f"List {number}")
    factories.assign(price_list, company=company)
    factories.assign(factories.price_list("Default"), company=company)
    category = factories.category(f"Category {number}", parent=shop["drill"].category)
    product = factories.product(
        f"MORE-{number}",
        category_name=None,
        brand=Brand.objects.create(name=f"Brand {number}"),
        extra_units=((f"pack{number}", 0, Decimal(4), True),),
    )
    Product.objects.filter(pk=product.pk).update(category=category)
    ProductVisibility.objects.create(
        product=product, company=company, visibility=Visibility.VISIBLE
    )
    CategoryVisibility.objects.create(
        category=category, customer_group=group, visibility=Visibility.VISIBLE
    )
    factories.price(price_list, product, "3.00")
    factories.price(factories.price_list("Default"), product, "4.00")
    PriceAttributeValue.objects.create(
        attribute=PriceAttribute.objects.get(),
        product=product,
        unit=product.primary_unit.unit,
        currency="USD",
        value=Decimal("5.00"),
    )
    create_token(customer_user=buyer)
    add_to_shopping_list(customer_user=buyer, sku="DRILL-1", quantity=1)
    address = Address.objects.filter(company=company).get()
    place_order(customer_user=buyer, billing_address_id=address.pk, shipping_address_id=address.pk)
    add_to_shopping_list(customer_user=buyer, sku=product.sku, quantity=2)
    CustomerRole.objects.create(code=f"role-{number}", name=f"Role {number}")
    staff = User.objects.create_user(f"staff{number}@seller.example", is_staff=True)
    SalesRepAssignment.objects.create(sales_rep=staff, company=company)
    Group.objects.create(name=f"Team {number}")
    create_export_job(entity="categories", format="xlsx", source="command", created_by=staff)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_list_pages_run_as_many_queries_for_many_rows_as_for_few(staff_client, shop, model):
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for number in range(4):
        add_rows_of_every_kind(shop, number)

    with CaptureQueriesContext(connection) as many:
        staff_client.get(url)

    assert len(many) == len(few)


def test_company_cannot_become_a_subsidiary_of_its_own_subsidiary(staff_client, shop):
    acme = shop["buyer"].company
    url = admin_url(Company, "change", acme.pk)
    data = change_form_data(staff_client.get(url))
    data["parent"] = Company.objects.get(name="Acme East").pk

    response = staff_client.post(url, data)

    acme.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "A company cannot be the subsidiary of itself or of one of its subsidiaries."
    ]
    assert acme.parent is None


def test_company_keeps_one_default_billing_address(staff_client, shop):
    acme = shop["buyer"].company
    url = admin_url(Company, "change", acme.pk)
    data = change_form_data(staff_client.get(url))
    data.update(
        {
            "addresses-TOTAL_FORMS": "2",
            "addresses-1-label": "Second office",
            "addresses-1-street": "9 Side Street",
            "addresses-1-city": "Springfield",
            "addresses-1-country": "US",
            "addresses-1-is_billing": "on",
            "addresses-1-is_default_billing": "on",
        }
    )

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        "Mark one address only as the default billing address."
    ]
    assert Address.objects.filter(company=acme).count() == 1


def test_company_change_page_saves_as_shown(staff_client, shop):
    acme = shop["buyer"].company
    url = admin_url(Company, "change", acme.pk)
    data = change_form_data(staff_client.get(url))
    data["tax_id"] = "US-12-3456789"

    response = staff_client.post(url, data)

    acme.refresh_from_db()
    assert response.status_code == 302
    assert acme.tax_id == "US-12-3456789"
    assert acme.subsidiaries.get().name == "Acme East"


def test_product_page_saves_as_shown(staff_client, shop):
    drill = shop["drill"]
    url = admin_url(Product, "change", drill.pk)
    data = change_form_data(staff_client.get(url))
    data["name"] = "Cordless drill"

    response = staff_client.post(url, data)

    drill.refresh_from_db()
    assert response.status_code == 302
    assert drill.name == "Cordless drill"
    assert drill.prices.count() == 2


def test_product_keeps_one_primary_unit(staff_client, shop):
    drill = shop["drill"]
    url = admin_url(Product, "change", drill.pk)
    page = staff_client.get(url)
    data = change_form_data(page)
    units = page.context["inline_admin_formsets"][0].formset
    box = next(form for form in units.forms if form.instance.unit.code == "box")
    data[box.add_prefix("is_primary")] = "on"

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        "Mark exactly one unit as the primary unit."
    ]
    assert drill.units.filter(is_primary=True).get().unit.code == "item"


def test_staff_explains_a_price_in_the_back_office(staff_client, shop):
    acme = Company.objects.get(name="Acme")
    url = reverse("admin:pricing_explain")

    response = staff_client.get(url, {"company": acme.pk, "sku": "drill-1", "quantity": "12"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "DRILL-1 x 12 item for Acme: 45.00 USD from Default, tier from 10" in text
    assert "Net: 540.00" in text
    unknown = staff_client.get(url, {"company": acme.pk, "sku": "NOPE", "quantity": "1"})
    assert "SKU &#x27;NOPE&#x27; not found" in unknown.content.decode()


def test_a_rule_with_a_bad_formula_is_refused_on_its_form(staff_client, shop):
    price_list = PriceList.objects.get(name="Acme prices")
    response = staff_client.post(
        admin_url(PriceRule, "add"),
        {
            "price_list": price_list.pk,
            "name": "Broken",
            "priority": 100,
            "formula": 'pricelist["Defualt"].price * 0.9',
            "round_direction": "nearest",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["formula"]
    assert errors == [
        "Formula, column 11: unknown price list 'Defualt' (known: Acme prices, Default); "
        "did you mean 'Default'?"
    ]
    assert not PriceRule.objects.filter(name="Broken").exists()


def test_index_values_imported_from_a_file_in_the_back_office(staff_client, shop):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("values.csv", b"index,effective_at,value\nCOPPER,2026-13-01,9\n")
    response = staff_client.post(reverse("admin:pricing_marketindex_import"), {"file": bad})
    assert "column effective_at: &#x27;2026-13-01&#x27; is not a date" in response.content.decode()
    assert MarketIndexValue.objects.count() == 1

    good = SimpleUploadedFile("values.csv", b"index,effective_at,value\nCOPPER,2026-01-01,9\n")
    response = staff_client.post(reverse("admin:pricing_marketindex_import"), {"file": good})
    assert response.status_code == 302
    assert MarketIndexValue.objects.count() == 2


def test_moving_and_removing_index_values_in_the_back_office(
    staff_client, shop, django_capture_on_commit_callbacks
):
    copper = MarketIndex.objects.get(code="COPPER")
    url = admin_url(MarketIndex, "change", copper.pk)
    data = change_form_data(staff_client.get(url))
    prefix = "values-0-"
    moved_to = (timezone.localtime() - timezone.timedelta(days=3)).replace(microsecond=0)
    data[prefix + "effective_at_0"] = moved_to.strftime("%Y-%m-%d")
    data[prefix + "effective_at_1"] = moved_to.strftime("%H:%M:%S")
    data.pop(prefix + "effective_at", None)
    data[prefix + "value"] = "9"

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    assert list(copper.values.values_list("effective_at", "value")) == [
        (moved_to, Decimal("9.000000"))
    ]
    acme_prices = Price.objects.get(price_list__name="Acme prices", rule__name="Copper")
    assert acme_prices.value == Decimal("18.00")

    data = change_form_data(staff_client.get(url))
    data[prefix + "DELETE"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, data)
    assert not copper.values.exists()
    # The rule has no value to read any more: the price it gave goes.
    assert not Price.objects.filter(price_list__name="Acme prices", rule__name="Copper").exists()
