"""The scope sweep: every storefront URL and every API endpoint, visited as users of Company A,
its East and West divisions and Wholesaler B, answers with exactly the records their roles
reach (200), or 404 for a record out of reach, or 403 where a role does not grant the action.

The world (``tests/scope_sweep.py``) is the OroCommerce demo with departments, custom roles,
orders, carts and invitations. The routes are read from the URL configuration and from the
OpenAPI document; a route without an entry in ``STOREFRONT`` or ``API`` below fails the sweep,
so a page or endpoint added later must say what each visitor gets from it.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from comptoir.accounts.models import (
    AccessLevel,
    Action,
    Address,
    ApiToken,
    CustomerRole,
    CustomerUser,
    Department,
    Invitation,
    Resource,
    User,
)
from comptoir.catalog.models import Product
from comptoir.ordering import services
from comptoir.ordering.models import Order, ShoppingList, ShoppingListLine
from comptoir.pricing.queries import price_for
from comptoir.promotions.models import AppliedCoupon, Coupon, Promotion, PromotionKind
from comptoir.promotions.services import apply_coupon
from tests.scope_sweep import (
    AMANDA,
    BRANDA,
    BRENT,
    EAST,
    JAMES,
    LOIS,
    LONNIE,
    MARLENE,
    NANCY,
    RUTH,
    SAM,
    SKU,
    SOLE_USER_MANAGERS,
    Check,
    Entry,
    Probe,
    Route,
    Status,
    Visitor,
    World,
    api_routes,
    build_world,
    customers,
    everyone,
    integration_clients_only,
    lacks,
    per_record,
    refused,
    storefront_routes,
    sweep,
)

pytestmark = [pytest.mark.django_db, pytest.mark.oro]

R, A_ = Resource, Action
USERS, MANAGE = Resource.USERS, Action.MANAGE_USERS
COMPANY_WIDE = AccessLevel.COMPANY


# Content checks: each says what is wrong with an answer, or None.


def differs(what: str, got, expected) -> str | None:
    if got == expected:
        return None
    return f"{what}: got {sorted(got)}, expected {sorted(expected)}"


def lists(kind: str, resource: str, action: str, shown) -> Check:
    """A page or endpoint listing exactly the records of ``kind`` the visitor reaches;
    ``shown(response)`` reads the keys it lists."""

    def check(world, visitor, response) -> str | None:
        return differs(kind, set(shown(response)), world.reached(visitor, kind, resource, action))

    return check


def own_cart_line_ids(visitor: Visitor) -> set[int]:
    return set(
        ShoppingListLine.objects.filter(
            shopping_list__customer_user__user__email=visitor.email,
            shopping_list__is_current=True,
        ).values_list("pk", flat=True)
    )


def cart_holds(quantity: str) -> Check:
    def check(world, visitor, *args) -> str | None:
        line = ShoppingListLine.objects.get(
            shopping_list__customer_user__user__email=visitor.email,
            shopping_list__is_current=True,
            product__sku=SKU,
        )
        held = f"{line.quantity.normalize():f}"
        return None if held == quantity else f"cart holds {held} of {SKU}, expected {quantity}"

    return check


def line_quantity(quantity: str) -> Check:
    def check(world, visitor, record, response) -> str | None:
        line = ShoppingListLine.objects.filter(pk=record.key).first()
        held = f"{line.quantity.normalize():f}" if line else "no line"
        return None if held == quantity else f"line {record.key} holds {held}, expected {quantity}"

    return check


def still_there(model, lookup: str = "pk", present: bool = True) -> Check:
    """The record the probe was about is (or is no longer) in the database."""

    def check(world, visitor, record, response) -> str | None:
        exists = model.objects.filter(**{lookup: record.key}).exists()
        if exists == present:
            return None
        return f"{model.__name__} {record.key} {'was removed' if present else 'is still there'}"

    return check


def gone(model, lookup: str = "pk") -> Check:
    return still_there(model, lookup, present=False)


def storefront_cart(world, visitor, response) -> str | None:
    priced = response.context["priced"]
    shown = {line.line.pk for line in priced.lines} if priced else set()
    return differs("cart lines", shown, own_cart_line_ids(visitor))


def shows(context_name: str, attribute: str = "pk") -> Check:
    """A page showing the record the probe was about."""

    def check(world, visitor, record, response) -> str | None:
        shown = getattr(response.context[context_name], attribute)
        return None if shown == record.key else f"shows {context_name} {shown}"

    return check


def shows_invoice_of_order(world, visitor, record, response) -> str | None:
    shown = {invoice.order.number for invoice in response.context["invoices"]}
    return None if shown == {record.key} else f"shows invoices of orders {sorted(shown)}"


def api_lists_invoices_of_order(world, visitor, record, response) -> str | None:
    shown = {invoice["order"] for invoice in response.json()}
    return None if shown == {record.key} else f"lists invoices of orders {sorted(shown)}"


def storefront_shopping_list(world, visitor, record, response) -> str | None:
    shown = response.context["priced"].shopping_list.pk
    return None if shown == record.key else f"shows shopping list {shown}"


def own_default_address(visitor: Visitor) -> Address:
    return Address.objects.filter(company__name=visitor.company).order_by("id").first()


def choose_addresses(visitor: Visitor, client) -> None:
    address = own_default_address(visitor)
    client.post(
        reverse("storefront:checkout"),
        {"shipping_address": address.pk, "billing_address": address.pk},
    )


def review_shows_own_address(world, visitor, response) -> str | None:
    shown = response.context["shipping_address"]
    return None if shown == own_default_address(visitor) else f"reviews address {shown}"


def api_me(world, visitor, response) -> str | None:
    email = response.json()["user"]["email"]
    return None if email == visitor.email else f"acts as {email}"


def api_explains_own_prices(world, visitor, response) -> str | None:
    company = response.json()["company"]
    return None if company == visitor.company else f"explains the prices of {company}"


def api_cart(world, visitor, response) -> str | None:
    shown = {line["id"] for line in response.json()["lines"]}
    return differs("cart lines", shown, own_cart_line_ids(visitor))


def api_shows(field_name: str) -> Check:
    def check(world, visitor, record, response) -> str | None:
        shown = response.json()[field_name]
        return None if shown == record.key else f"shows {field_name} {shown}"

    return check


def previews_own_price(world, visitor, response) -> str | None:
    customer_user = CustomerUser.objects.get(user__email=visitor.email)
    product = Product.objects.get(sku=SKU)
    price = price_for(
        company=customer_user.company, product=product, unit="item", quantity=Decimal(1)
    )
    shown = response.json()["lines"][0]["unit_price"]
    expected = None if price is None else price.value
    if (None if shown is None else Decimal(shown)) == expected:
        return None
    return f"previews the price {shown}, expected {expected}"


def order_placed_for_own_company(world, visitor, record, response) -> str | None:
    order = Order.objects.select_related("company").get(number=response.json()["number"])
    if order.company.name != visitor.company:
        return f"order placed for {order.company}"
    return None


def add_to_own_cart(visitor: Visitor, client) -> None:
    customer_user = CustomerUser.objects.get(user__email=visitor.email)
    services.add_to_shopping_list(customer_user=customer_user, sku=SKU, quantity=1)


SWEEP_COUPON = "SWEEP10"


def own_cart_with_coupon(visitor: Visitor, client, *, applied: bool = False) -> None:
    """A line in the visitor's cart and a coupon anyone may use, entered there if ``applied``."""
    add_to_own_cart(visitor, client)
    promotion = Promotion.objects.create(
        name="Sweep", kind=PromotionKind.LINE_PERCENTAGE, value=10, requires_coupon=True
    )
    Coupon.objects.create(promotion=promotion, code=SWEEP_COUPON)
    if applied:
        customer_user = CustomerUser.objects.get(user__email=visitor.email)
        apply_coupon(customer_user=customer_user, code=SWEEP_COUPON)


def coupon_in_own_cart(present: bool) -> Check:
    """The sweep coupon is on the visitor's cart (or not), and on no one else's."""

    def check(world, visitor, response) -> str | None:
        carts = list(
            AppliedCoupon.objects.filter(coupon__code=SWEEP_COUPON).values_list(
                "shopping_list__customer_user__user__email", flat=True
            )
        )
        expected = [visitor.email] if present else []
        return None if carts == expected else f"coupon entered on the carts of {carts}"

    return check


def coupon_removal(method: str, status: int) -> Entry:
    """Taking the sweep coupon off one's own cart; a guest is refused."""

    def probes(world: World, visitor: Visitor, route: Route):
        url = route.url(code=SWEEP_COUPON)
        if not visitor.is_customer:
            yield refused(route, method, url, None)
            return
        yield Probe(
            method,
            url,
            status,
            location=None if route.is_api else reverse("storefront:cart"),
            arrange=lambda client: own_cart_with_coupon(visitor, client, applied=True),
            check=lambda response: coupon_in_own_cart(False)(world, visitor, response),
        )

    return probes


def user_active(expected: bool | None = None) -> Check:
    """The user the probe was about is active as ``expected`` (None: as it was before)."""

    def check(world, visitor, record, response) -> str | None:
        wanted = record.extra["active"] if expected is None else expected
        active = User.objects.get(customer_user__pk=record.key).is_active
        return None if active == wanted else f"user {record.key} active is {active}"

    return check


def disabled_unless_refused(world, visitor, record, response) -> str | None:
    kept = record.owner == visitor.email or record.owner in SOLE_USER_MANAGERS
    return user_active(record.extra["active"] if kept else False)(world, visitor, record, response)


def disable_status(ok: int) -> Status:
    """Disabling oneself, or the only user manager of a company, is refused (400)."""

    def status(visitor, record) -> int:
        refused = record.owner == visitor.email or record.owner in SOLE_USER_MANAGERS
        return 400 if refused else ok

    return status


def first_name_is(name: str | None) -> Check:
    def check(world, visitor, record, response) -> str | None:
        member = CustomerUser.objects.select_related("user").get(pk=record.key)
        if name is None:
            return None if member.user.first_name != "Swept" else "first name changed"
        return None if member.user.first_name == name else f"first name {member.user.first_name}"

    return check


def revoked(present: bool) -> Check:
    def check(world, visitor, record, response) -> str | None:
        api_token = ApiToken.objects.get(prefix=record.key)
        if (api_token.revoked_at is not None) == present:
            return None
        return f"token {record.key} revoked_at is {api_token.revoked_at}"

    return check


def invitation_revoked(present: bool) -> Check:
    def check(world, visitor, record, response) -> str | None:
        invitation = Invitation.objects.get(pk=record.key)
        if (invitation.revoked_at is not None) == present:
            return None
        return f"invitation {record.key} revoked_at is {invitation.revoked_at}"

    return check


def token_status(ok: int) -> Status:
    """A visible token may be revoked by its owner or by one who manages its owner."""

    def status(visitor, record) -> int:
        if record.owner == visitor.email or visitor.reaches(USERS, MANAGE, record):
            return ok
        return 403

    return status


def tokens_page(world, visitor, response) -> str | None:
    own = set(response.context["own_tokens"].values_list("prefix", flat=True))
    managed = response.context["managed_tokens"]
    shown = own | (set(managed.values_list("prefix", flat=True)) if managed is not None else set())
    if visitor.level(USERS, MANAGE) == AccessLevel.NONE:
        expected = {r.key for r in world.records["tokens"] if r.owner == visitor.email}
    else:
        expected = world.reached(visitor, "tokens", USERS, Action.VIEW)
    return differs("tokens", shown, expected)


def grants_at_least(resource: str, action: str, level: int, ok: int) -> Status:
    return lambda visitor: ok if visitor.level(resource, action) >= level else 403


def invites(ok: int) -> Status:
    """Inviting takes the right to create or manage users, at the department level at least."""
    return grants_at_least(USERS, Action.CREATE, AccessLevel.DEPARTMENT, ok)


def role_location(record) -> str:
    return reverse("storefront:company_role", args=[record.key])


def department_location(record) -> str:
    return reverse("storefront:company_department", args=[record.key])


def shop_as(method: str, status: int) -> Entry:
    """Only the rep may shop as a user, and only as users of the company it looks after."""

    def probes(world: World, visitor: Visitor, route: Route):
        for record in world.records["customer users"]:
            allowed = visitor.is_rep and record.company == EAST
            yield Probe(method, route.url(customer_user_id=record.key), status if allowed else 404)

    return probes


def stop_shopping_as(world: World, visitor: Visitor, route: Route):
    location = reverse("storefront:home")
    if visitor.is_rep:
        customer_user = CustomerUser.objects.get(user__email=visitor.email)
        location = reverse("admin:accounts_customeruser_change", args=[customer_user.pk])
    yield Probe("post", route.url(), 302, location=location)


# Shopping lists: routes whose request names the visitor's own cart or address, and the routes
# of one line under its list.


def own_cart_id(visitor: Visitor) -> int | None:
    return (
        ShoppingList.objects.filter(customer_user__user__email=visitor.email, is_current=True)
        .values_list("pk", flat=True)
        .first()
    )


def per_record_as(
    kind: str, resource: str, action: str, method: str, status, param, *, data, **kwargs
) -> Entry:
    """``per_record`` with a request body that depends on the visitor as well as the record."""

    def probes(world: World, visitor: Visitor, route: Route):
        entry = per_record(
            kind,
            resource,
            action,
            method,
            status,
            param,
            data=lambda record: data(visitor, record) if visitor.is_customer else {},
            **kwargs,
        )
        return entry(world, visitor, route)

    return probes


class LineRoute(Route):
    """A route of one line under its list: the line's list id is filled in from the line."""

    def url(self, **kwargs) -> str:
        line_id = kwargs["line_id"]
        list_id = ShoppingListLine.objects.values_list("shopping_list_id", flat=True).get(
            pk=line_id
        )
        return super().url(shopping_list_id=list_id, line_id=line_id)


def under_its_list(entry: Entry) -> Entry:
    return lambda world, visitor, route: entry(world, visitor, LineRoute(route.key, True))


def transfer_to_own_cart(visitor: Visitor, record) -> dict:
    lines = list(
        ShoppingListLine.objects.filter(shopping_list_id=record.key).values_list("pk", flat=True)
    )
    return {"line_ids": lines, "to_shopping_list_id": own_cart_id(visitor)}


def storefront_transfer_to_own_cart(mode: str):
    def data(visitor: Visitor, record) -> dict:
        body = transfer_to_own_cart(visitor, record)
        return {"mode": mode, "to": body["to_shopping_list_id"], "line": body["line_ids"]}

    return data


def own_address_ids(visitor: Visitor, record) -> dict:
    address = own_default_address(visitor)
    return {"billing_address_id": address.pk, "shipping_address_id": address.pk}


def own_address_choice(visitor: Visitor, record) -> dict:
    address = own_default_address(visitor)
    return {"billing_address": address.pk, "shipping_address": address.pk}


def ok_unless_own(ok: int, own: int) -> Status:
    """Copying a list into one's own cart: one's own cart is refused (already there)."""
    return lambda visitor, record: own if record.owner == visitor.email else ok


def own_only(ok: int) -> Status:
    """Save for later takes a line of one's own cart only; a colleague's is not found."""
    return lambda visitor, record: ok if record.owner == visitor.email else 404


def list_named(name: str | None) -> Check:
    def check(world, visitor, record, response) -> str | None:
        held = ShoppingList.objects.get(pk=record.key).name
        renamed = held == "Swept"
        if (name == "Swept") == renamed:
            return None
        return f"list {record.key} is named {held}"

    return check


def list_url(record) -> str:
    return reverse("storefront:list", args=[record.key])


def line_noted(notes: str) -> Check:
    def check(world, visitor, record, response) -> str | None:
        held = ShoppingListLine.objects.get(pk=record.key).notes
        return None if held == notes else f"line {record.key} notes {held!r}"

    return check


def in_saved_list(world, visitor, record, response) -> str | None:
    kind = ShoppingListLine.objects.get(pk=record.key).shopping_list.kind
    return None if kind == "saved_for_later" else f"line {record.key} is on a {kind} list"


LIST_VIEW, LIST_EDIT = (R.SHOPPING_LISTS, A_.VIEW), (R.SHOPPING_LISTS, A_.EDIT)

ADD = {"sku": SKU, "quantity": "1", "unit": "item"}
QUICK_ORDER = {"lines": f"{SKU.lower()} 1 item"}
BULK = {"lines": [{"sku": SKU, "quantity": 1}]}
NEW_ADDRESS = {"street": "1 Sweep Road", "city": "Springfield", "country": "US"}
INVITE = {"email": "swept@example.org", "first_name": "Swept", "last_name": "Person"}
LINES_EDIT = (R.SHOPPING_LISTS, A_.EDIT)

STOREFRONT: dict[str, Entry] = {
    # The catalog and the pages open to everyone.
    "storefront:home": everyone(),
    "storefront:category": everyone(slug=lambda world: world.category_slug),
    "storefront:product": everyone(sku=SKU),
    "storefront:search": everyone(data={"q": SKU}),
    "storefront:login": everyone(),
    "storefront:logout": everyone("post", 302, location="storefront:home"),
    "set_language": everyone("post", 302, data={"language": "en", "next": "/"}),
    "storefront:coming_soon": everyone(status=302, location="storefront:home"),
    "storefront:register": everyone(),
    "storefront:registration_received": everyone(),
    "storefront:password_reset": everyone(),
    "storefront:password_reset_done": everyone(),
    "storefront:password_reset_confirm": everyone(uidb64="MQ", token="not-a-valid-token"),
    "storefront:password_reset_complete": everyone(),
    "storefront:accept_invitation": everyone(token=lambda world: world.invitation_token),
    # Buying.
    "storefront:cart": customers("get", 200, check=storefront_cart),
    "storefront:cart_add": customers("post", 302, data=ADD, check=cart_holds("3")),
    "storefront:cart_line_quantity": per_record(
        "lines",
        *LINES_EDIT,
        "post",
        302,
        "line_id",
        data={"quantity": "7"},
        location="storefront:cart",
        check=line_quantity("7"),
        check_refused=line_quantity("2"),
        read_only=302,
    ),
    "storefront:cart_line_remove": per_record(
        "lines",
        *LINES_EDIT,
        "post",
        302,
        "line_id",
        location="storefront:cart",
        check=gone(ShoppingListLine),
        check_refused=still_there(ShoppingListLine),
        read_only=302,
    ),
    "storefront:cart_coupon_add": customers(
        "post",
        302,
        data={"code": " sweep10 "},
        location="storefront:cart",
        arrange=own_cart_with_coupon,
        check=coupon_in_own_cart(True),
    ),
    "storefront:cart_coupon_remove": coupon_removal("post", 302),
    "storefront:shopping_list": per_record(
        "shopping lists",
        R.SHOPPING_LISTS,
        A_.VIEW,
        "get",
        200,
        "shopping_list_id",
        check=storefront_shopping_list,
    ),
    "storefront:lists": customers(
        "get",
        200,
        check=lists(
            "shopping lists",
            R.SHOPPING_LISTS,
            A_.VIEW,
            lambda response: [
                each.pk for each in response.context["own"] + response.context["shared"]
            ],
        ),
    ),
    "storefront:list_create": customers("post", 302, data={"name": "Swept", "kind": "shopping"}),
    "storefront:list": per_record(
        "shopping lists", *LIST_VIEW, "get", 200, "shopping_list_id", check=shows("shopping_list")
    ),
    "storefront:list_rename": per_record(
        "shopping lists",
        *LIST_EDIT,
        "post",
        302,
        "shopping_list_id",
        data={"name": "Swept"},
        location=list_url,
        check=list_named("Swept"),
        check_refused=list_named(None),
        read_only=302,
    ),
    "storefront:list_delete": per_record(
        "shopping lists",
        R.SHOPPING_LISTS,
        A_.DELETE,
        "post",
        # Every list in the world is a cart: its deletion is refused with a message.
        302,
        "shopping_list_id",
        location=list_url,
        check=still_there(ShoppingList),
        check_refused=still_there(ShoppingList),
        read_only=302,
    ),
    "storefront:list_line_add": per_record(
        "shopping lists",
        *LIST_EDIT,
        "post",
        302,
        "shopping_list_id",
        data={"sku": SKU, "quantity": "1"},
        location=list_url,
        read_only=302,
    ),
    "storefront:list_lines_transfer": per_record_as(
        "shopping lists",
        *LIST_VIEW,
        "post",
        302,
        "shopping_list_id",
        data=storefront_transfer_to_own_cart("copy"),
        location=list_url,
    ),
    "storefront:list_add_to_cart": per_record(
        "shopping lists", *LIST_VIEW, "post", 302, "shopping_list_id", data={"all": "1"}
    ),
    "storefront:list_order": per_record_as(
        "shopping lists",
        R.SHOPPING_LISTS,
        A_.PLACE_ORDER,
        "post",
        302,
        "shopping_list_id",
        found_first=A_.VIEW,
        data=own_address_choice,
        read_only=302,
    ),
    "storefront:list_line_notes": per_record(
        "lines",
        *LINES_EDIT,
        "post",
        302,
        "line_id",
        data={"notes": "Swept"},
        check=line_noted("Swept"),
        check_refused=line_noted(""),
        read_only=302,
    ),
    "storefront:list_move_to_cart": per_record(
        # No line is saved for later in the world: none is found.
        "lines",
        *LINES_EDIT,
        "post",
        404,
        "line_id",
    ),
    "storefront:cart_line_save_for_later": per_record(
        "lines",
        *LINES_EDIT,
        "post",
        own_only(302),
        "line_id",
        check=in_saved_list,
    ),
    "storefront:reorder_report": per_record(
        "sampled orders", R.ORDERS, A_.VIEW, "get", 200, "number", check=shows("order", "number")
    ),
    "storefront:checkout": customers(
        "get",
        200,
        check=lists(
            "addresses",
            R.ADDRESSES,
            A_.VIEW,
            lambda response: (
                response.context["form"]
                .fields["shipping_address"]
                .queryset.values_list("pk", flat=True)
            ),
        ),
    ),
    "storefront:checkout_review": customers(
        "get", 200, arrange=choose_addresses, check=review_shows_own_address
    ),
    "storefront:orders": customers(
        "get",
        200,
        check=lists(
            "orders",
            R.ORDERS,
            A_.VIEW,
            lambda response: [order.number for order in response.context["page"]],
        ),
    ),
    "storefront:order": per_record(
        "sampled orders", R.ORDERS, A_.VIEW, "get", 200, "number", check=shows("order", "number")
    ),
    "storefront:order_confirmation": per_record(
        "sampled orders", R.ORDERS, A_.VIEW, "get", 200, "number", check=shows("order", "number")
    ),
    "storefront:invoice": per_record(
        "sampled invoices",
        R.INVOICES,
        A_.VIEW,
        "get",
        200,
        "number",
        check=shows_invoice_of_order,
    ),
    "storefront:reorder": per_record(
        "sampled orders",
        R.ORDERS,
        A_.REORDER,
        "post",
        302,
        "number",
        location="storefront:cart",
        check=cart_holds("3"),
        check_refused=cart_holds("2"),
    ),
    # Quick order.
    "storefront:quick_order": customers("get", 200),
    "storefront:quick_order_add": customers(
        "post", 302, data=QUICK_ORDER, location="storefront:cart", check=cart_holds("3")
    ),
    "storefront:quick_order_template_csv": customers("get", 200),
    "storefront:quick_order_template_xlsx": customers("get", 200),
    # Sales reps.
    "storefront:shop_as": shop_as("get", 200),
    "storefront:shop_as_stop": stop_shopping_as,
    # My account: profile, password, tokens.
    "storefront:account": customers("get", 200),
    "storefront:password_change": customers("get", 200),
    "storefront:account_tokens": customers("get", 200, check=tokens_page),
    "storefront:account_token_revoke": per_record(
        "tokens",
        USERS,
        A_.VIEW,
        "post",
        token_status(302),
        "prefix",
        location="storefront:account_tokens",
        check=revoked(True),
        check_refused=revoked(False),
    ),
    # Invitations.
    "storefront:invitations": customers(
        "get",
        invites(200),
        check=lists(
            "invitations",
            USERS,
            A_.CREATE,
            lambda response: [invitation.pk for invitation, _ in response.context["invitations"]],
        ),
    ),
    "storefront:invite_user": customers("get", invites(200)),
    "storefront:invitation_resend": per_record(
        "invitations",
        USERS,
        A_.CREATE,
        "post",
        302,
        "invitation_id",
        denied=lacks(USERS, A_.CREATE, AccessLevel.DEPARTMENT),
        location="storefront:invitations",
    ),
    "storefront:invitation_revoke": per_record(
        "invitations",
        USERS,
        A_.CREATE,
        "post",
        302,
        "invitation_id",
        denied=lacks(USERS, A_.CREATE, AccessLevel.DEPARTMENT),
        location="storefront:invitations",
        check=invitation_revoked(True),
        check_refused=invitation_revoked(False),
    ),
    # Company administration.
    "storefront:company_users": customers(
        "get",
        200,
        check=lists(
            "customer users",
            USERS,
            A_.VIEW,
            lambda response: [member.pk for member in response.context["page"]],
        ),
    ),
    "storefront:company_user": per_record(
        "customer users",
        USERS,
        A_.VIEW,
        "get",
        200,
        "customer_user_id",
        denied=lacks(USERS, A_.VIEW),
    ),
    "storefront:company_user_disable": per_record(
        "customer users",
        USERS,
        MANAGE,
        "post",
        302,
        "customer_user_id",
        denied=lacks(USERS, MANAGE),
        found_first=A_.VIEW,
        location="storefront:company_users",
        check=disabled_unless_refused,
        check_refused=user_active(),
    ),
    "storefront:company_user_enable": per_record(
        "customer users",
        USERS,
        MANAGE,
        "post",
        302,
        "customer_user_id",
        denied=lacks(USERS, MANAGE),
        found_first=A_.VIEW,
        location="storefront:company_users",
        check=user_active(True),
        check_refused=user_active(),
    ),
    "storefront:company_roles": customers(
        "get",
        grants_at_least(USERS, MANAGE, AccessLevel.OWN, 200),
        check=lists(
            "roles", USERS, MANAGE, lambda response: [r.pk for r in response.context["roles"]]
        ),
    ),
    "storefront:company_role_create": customers(
        "get", grants_at_least(USERS, MANAGE, COMPANY_WIDE, 200)
    ),
    "storefront:company_role": per_record(
        "roles", USERS, MANAGE, "get", 200, "role_id", denied=lacks(USERS, MANAGE)
    ),
    "storefront:company_role_delete": per_record(
        "roles",
        USERS,
        MANAGE,
        "post",
        302,
        "role_id",
        denied=lacks(USERS, MANAGE, COMPANY_WIDE),
        # Every role in reach is predefined or held by someone: the deletion is refused.
        location=role_location,
        check=still_there(CustomerRole),
        check_refused=still_there(CustomerRole),
    ),
    "storefront:company_departments": customers(
        "get",
        200,
        check=lists(
            "departments",
            USERS,
            A_.VIEW,
            lambda response: [department.pk for department, _ in response.context["tree"]],
        ),
    ),
    "storefront:company_department": per_record(
        "departments", USERS, MANAGE, "get", 200, "department_id", denied=lacks(USERS, MANAGE)
    ),
    "storefront:company_department_delete": per_record(
        "departments",
        USERS,
        MANAGE,
        "post",
        302,
        "department_id",
        denied=lacks(USERS, MANAGE),
        # Both departments have users or departments under them: the deletion is refused.
        location=department_location,
        check=still_there(Department),
        check_refused=still_there(Department),
    ),
    "storefront:company_addresses": customers(
        "get",
        200,
        check=lists(
            "addresses",
            R.ADDRESSES,
            A_.VIEW,
            lambda response: [address.pk for address in response.context["page"]],
        ),
    ),
    "storefront:company_address_create": customers(
        "get", grants_at_least(R.ADDRESSES, A_.CREATE, AccessLevel.OWN, 200)
    ),
    "storefront:company_address": per_record(
        "addresses",
        R.ADDRESSES,
        A_.EDIT,
        "get",
        200,
        "address_id",
        denied=lacks(R.ADDRESSES, A_.EDIT),
    ),
    "storefront:company_address_delete": per_record(
        "addresses",
        R.ADDRESSES,
        A_.DELETE,
        "post",
        302,
        "address_id",
        denied=lacks(R.ADDRESSES, A_.DELETE),
        location="storefront:company_addresses",
        check=gone(Address),
        check_refused=still_there(Address),
    ),
    "storefront:company_audit_log": customers(
        "get",
        grants_at_least(R.AUDIT_LOG, A_.VIEW, AccessLevel.OWN, 200),
        check=lists(
            "audit entries",
            R.AUDIT_LOG,
            A_.VIEW,
            lambda response: [entry.pk for entry in response.context["page"]],
        ),
    ),
}

PAGE = {"page_size": 100}


def items(response) -> list:
    return response.json()["items"]


API: dict[str, Entry] = {
    # The catalog.
    "GET /api/v1/categories": everyone(),
    "GET /api/v1/products": everyone(data={"q": SKU}),
    "GET /api/v1/products/{sku}": everyone(sku=SKU),
    # Buying.
    "GET /api/v1/me": customers("get", 200, check=api_me),
    # Pricing.
    "GET /api/v1/prices/explain": customers(
        "get", 200, data={"sku": SKU, "quantity": "12"}, check=api_explains_own_prices
    ),
    "GET /api/v1/prices/history": customers(
        "get",
        200,
        data={"sku": SKU, "at": "2026-01-01T00:00:00+00:00"},
        check=api_explains_own_prices,
    ),
    "GET /api/v1/indexes": integration_clients_only("get"),
    "POST /api/v1/erp/stock-levels": integration_clients_only(
        "post", data={"levels": [{"sku": SKU, "warehouse": "MAIN", "quantity": "1"}]}
    ),
    "POST /api/v1/erp/prices": integration_clients_only(
        "post", data={"price_list": "Default Price List", "prices": [{"sku": SKU, "value": "1"}]}
    ),
    "POST /api/v1/erp/order-status": integration_clients_only(
        "post", data={"changes": [{"order": "CO000001", "status": "closed"}]}
    ),
    "POST /api/v1/erp/shipments": integration_clients_only("post", data={"shipments": []}),
    "POST /api/v1/erp/invoices": integration_clients_only("post", data={"invoices": []}),
    "POST /api/v1/erp/{entity}": integration_clients_only(
        "post", data={"rows": [{"slug": "tools", "name": "Tools"}]}, entity="categories"
    ),
    "POST /api/v1/indexes/{code}/values": integration_clients_only(
        "post",
        data={"values": [{"effective_at": "2026-01-01T00:00:00Z", "value": "1"}]},
        code="COPPER",
    ),
    "GET /api/v1/addresses": customers(
        "get",
        200,
        check=lists("addresses", R.ADDRESSES, A_.VIEW, lambda r: [a["id"] for a in r.json()]),
    ),
    "GET /api/v1/cart": customers("get", 200, check=api_cart),
    "POST /api/v1/cart/lines": customers(
        "post", 201, data={"sku": SKU, "quantity": 1}, check=cart_holds("3")
    ),
    "PATCH /api/v1/cart/lines/{line_id}": per_record(
        "lines",
        *LINES_EDIT,
        "patch",
        200,
        "line_id",
        data={"quantity": "7"},
        check=line_quantity("7"),
        check_refused=line_quantity("2"),
        read_only=403,
    ),
    "DELETE /api/v1/cart/lines/{line_id}": per_record(
        "lines",
        *LINES_EDIT,
        "delete",
        204,
        "line_id",
        check=gone(ShoppingListLine),
        check_refused=still_there(ShoppingListLine),
        read_only=403,
    ),
    "POST /api/v1/cart/lines/bulk": customers("post", 200, data=BULK, check=cart_holds("3")),
    "POST /api/v1/shopping-lists/{shopping_list_id}/lines/bulk": per_record(
        "shopping lists",
        *LINES_EDIT,
        "post",
        200,
        "shopping_list_id",
        data=BULK,
        check=api_shows("shopping_list_id"),
        read_only=403,
    ),
    "POST /api/v1/quick-order/preview": customers(
        "post", 200, data={"text": f"{SKU} 1"}, check=previews_own_price
    ),
    "POST /api/v1/cart/coupons": customers(
        "post",
        201,
        data={"code": "sweep10"},
        arrange=own_cart_with_coupon,
        check=coupon_in_own_cart(True),
    ),
    "DELETE /api/v1/cart/coupons/{code}": coupon_removal("delete", 200),
    "GET /api/v1/shopping-lists/{shopping_list_id}": per_record(
        "shopping lists",
        R.SHOPPING_LISTS,
        A_.VIEW,
        "get",
        200,
        "shopping_list_id",
        check=api_shows("id"),
    ),
    "GET /api/v1/shopping-lists": customers(
        "get",
        200,
        check=lists(
            "shopping lists", R.SHOPPING_LISTS, A_.VIEW, lambda r: [x["id"] for x in r.json()]
        ),
    ),
    "POST /api/v1/shopping-lists": customers("post", 201, data={"name": "Swept"}),
    "PATCH /api/v1/shopping-lists/{shopping_list_id}": per_record(
        "shopping lists",
        *LIST_EDIT,
        "patch",
        200,
        "shopping_list_id",
        data={"name": "Swept"},
        check=list_named("Swept"),
        check_refused=list_named(None),
        read_only=403,
    ),
    "DELETE /api/v1/shopping-lists/{shopping_list_id}": per_record(
        "shopping lists",
        R.SHOPPING_LISTS,
        A_.DELETE,
        "delete",
        # Every list in the world is a cart: its deletion is refused.
        400,
        "shopping_list_id",
        check_refused=still_there(ShoppingList),
        read_only=403,
    ),
    "POST /api/v1/shopping-lists/{shopping_list_id}/lines": per_record(
        "shopping lists",
        *LIST_EDIT,
        "post",
        201,
        "shopping_list_id",
        data={"sku": SKU, "quantity": 1, "notes": "Swept"},
        read_only=403,
    ),
    "PATCH /api/v1/shopping-lists/{shopping_list_id}/lines/{line_id}": under_its_list(
        per_record(
            "lines",
            *LINES_EDIT,
            "patch",
            200,
            "line_id",
            data={"quantity": "7", "notes": "Swept"},
            check=line_noted("Swept"),
            check_refused=line_noted(""),
            read_only=403,
        )
    ),
    "DELETE /api/v1/shopping-lists/{shopping_list_id}/lines/{line_id}": under_its_list(
        per_record(
            "lines",
            *LINES_EDIT,
            "delete",
            204,
            "line_id",
            check=gone(ShoppingListLine),
            check_refused=still_there(ShoppingListLine),
            read_only=403,
        )
    ),
    "POST /api/v1/shopping-lists/{shopping_list_id}/move-lines": per_record_as(
        "shopping lists",
        *LIST_EDIT,
        "post",
        ok_unless_own(200, 400),
        "shopping_list_id",
        data=transfer_to_own_cart,
        read_only=403,
    ),
    "POST /api/v1/shopping-lists/{shopping_list_id}/copy-lines": per_record_as(
        "shopping lists",
        *LIST_VIEW,
        "post",
        ok_unless_own(200, 400),
        "shopping_list_id",
        data=transfer_to_own_cart,
    ),
    "POST /api/v1/shopping-lists/{shopping_list_id}/add-to-cart": per_record(
        "shopping lists",
        *LIST_VIEW,
        "post",
        ok_unless_own(200, 400),
        "shopping_list_id",
        data={},
    ),
    "POST /api/v1/shopping-lists/{shopping_list_id}/order": per_record_as(
        "shopping lists",
        R.SHOPPING_LISTS,
        A_.PLACE_ORDER,
        "post",
        201,
        "shopping_list_id",
        data=own_address_ids,
        check=order_placed_for_own_company,
        read_only=403,
    ),
    "POST /api/v1/cart/lines/{line_id}/save-for-later": per_record(
        "lines", *LINES_EDIT, "post", own_only(200), "line_id", check=in_saved_list
    ),
    "POST /api/v1/saved-for-later/lines/{line_id}/move-to-cart": per_record(
        # No line is saved for later in the world: none is found.
        "lines",
        *LINES_EDIT,
        "post",
        404,
        "line_id",
    ),
    "POST /api/v1/orders": per_record(
        "addresses",
        R.ADDRESSES,
        A_.VIEW,
        "post",
        201,
        None,
        data=lambda record: {"billing_address_id": record.key, "shipping_address_id": record.key},
        arrange=add_to_own_cart,
        check=order_placed_for_own_company,
    ),
    "GET /api/v1/orders": customers(
        "get",
        200,
        data=PAGE,
        check=lists("orders", R.ORDERS, A_.VIEW, lambda r: [o["number"] for o in items(r)]),
    ),
    "GET /api/v1/orders/{number}": per_record(
        "sampled orders", R.ORDERS, A_.VIEW, "get", 200, "number", check=api_shows("number")
    ),
    "GET /api/v1/orders/{number}/invoices": per_record(
        "sampled invoices",
        R.INVOICES,
        A_.VIEW,
        "get",
        200,
        "number",
        check=api_lists_invoices_of_order,
    ),
    "POST /api/v1/orders/{number}/reorder": per_record(
        "sampled orders",
        R.ORDERS,
        A_.REORDER,
        "post",
        200,
        "number",
        check=cart_holds("3"),
        check_refused=cart_holds("2"),
    ),
    # Company users.
    "GET /api/v1/company/users": customers(
        "get",
        200,
        data=PAGE,
        check=lists("customer users", USERS, A_.VIEW, lambda r: [u["id"] for u in items(r)]),
    ),
    "GET /api/v1/company/users/{customer_user_id}": per_record(
        "customer users",
        USERS,
        A_.VIEW,
        "get",
        200,
        "customer_user_id",
        denied=lacks(USERS, A_.VIEW),
        check=api_shows("id"),
    ),
    "PATCH /api/v1/company/users/{customer_user_id}": per_record(
        "customer users",
        USERS,
        A_.EDIT,
        "patch",
        200,
        "customer_user_id",
        denied=lacks(USERS, A_.EDIT),
        data={"first_name": "Swept"},
        check=first_name_is("Swept"),
        check_refused=first_name_is(None),
    ),
    "POST /api/v1/company/users/{customer_user_id}/disable": per_record(
        "customer users",
        USERS,
        MANAGE,
        "post",
        disable_status(200),
        "customer_user_id",
        denied=lacks(USERS, MANAGE),
        check=disabled_unless_refused,
        check_refused=user_active(),
    ),
    "POST /api/v1/company/users/{customer_user_id}/enable": per_record(
        "customer users",
        USERS,
        MANAGE,
        "post",
        200,
        "customer_user_id",
        denied=lacks(USERS, MANAGE),
        check=user_active(True),
        check_refused=user_active(),
    ),
    # Roles.
    "GET /api/v1/company/roles": customers(
        "get",
        grants_at_least(USERS, MANAGE, AccessLevel.OWN, 200),
        check=lists("roles", USERS, MANAGE, lambda r: [role["id"] for role in r.json()]),
    ),
    "GET /api/v1/company/roles/{role_id}": per_record(
        "roles", USERS, MANAGE, "get", 200, "role_id", denied=lacks(USERS, MANAGE)
    ),
    "POST /api/v1/company/roles": customers(
        "post",
        grants_at_least(USERS, MANAGE, COMPANY_WIDE, 201),
        data={"name": "Swept role", "grants": []},
    ),
    "PATCH /api/v1/company/roles/{role_id}": per_record(
        "roles",
        USERS,
        MANAGE,
        "patch",
        # The predefined roles cannot be changed.
        lambda visitor, record: 400 if record.company is None else 200,
        "role_id",
        denied=lacks(USERS, MANAGE, COMPANY_WIDE),
        data={"name": "Swept role"},
    ),
    "DELETE /api/v1/company/roles/{role_id}": per_record(
        "roles",
        USERS,
        MANAGE,
        "delete",
        # Predefined roles stay; the custom ones are held by users.
        lambda visitor, record: 400 if record.company is None else 409,
        "role_id",
        denied=lacks(USERS, MANAGE, COMPANY_WIDE),
        check_refused=still_there(CustomerRole),
    ),
    # Departments.
    "GET /api/v1/company/departments": customers(
        "get",
        200,
        check=lists("departments", USERS, A_.VIEW, lambda r: [d["id"] for d in r.json()]),
    ),
    "GET /api/v1/company/departments/{department_id}": per_record(
        "departments",
        USERS,
        A_.VIEW,
        "get",
        200,
        "department_id",
        denied=lacks(USERS, A_.VIEW),
        check=api_shows("id"),
    ),
    "POST /api/v1/company/departments": customers(
        "post", grants_at_least(USERS, MANAGE, COMPANY_WIDE, 201), data={"name": "Swept"}
    ),
    "PATCH /api/v1/company/departments/{department_id}": per_record(
        "departments",
        USERS,
        MANAGE,
        "patch",
        200,
        "department_id",
        denied=lacks(USERS, MANAGE),
        data={"name": "Swept"},
    ),
    "DELETE /api/v1/company/departments/{department_id}": per_record(
        "departments",
        USERS,
        MANAGE,
        "delete",
        # Both departments have users or departments under them.
        409,
        "department_id",
        denied=lacks(USERS, MANAGE),
        check_refused=still_there(Department),
    ),
    # Address book.
    "POST /api/v1/company/addresses": customers(
        "post", grants_at_least(R.ADDRESSES, A_.CREATE, AccessLevel.OWN, 201), data=NEW_ADDRESS
    ),
    "PATCH /api/v1/company/addresses/{address_id}": per_record(
        "addresses",
        R.ADDRESSES,
        A_.EDIT,
        "patch",
        200,
        "address_id",
        denied=lacks(R.ADDRESSES, A_.EDIT),
        data={"label": "Swept"},
    ),
    "DELETE /api/v1/company/addresses/{address_id}": per_record(
        "addresses",
        R.ADDRESSES,
        A_.DELETE,
        "delete",
        204,
        "address_id",
        denied=lacks(R.ADDRESSES, A_.DELETE),
        check=gone(Address),
        check_refused=still_there(Address),
    ),
    # Audit log.
    "GET /api/v1/company/audit-log": customers(
        "get",
        grants_at_least(R.AUDIT_LOG, A_.VIEW, AccessLevel.OWN, 200),
        data=PAGE,
        check=lists("audit entries", R.AUDIT_LOG, A_.VIEW, lambda r: [e["id"] for e in items(r)]),
    ),
    # Tokens.
    "GET /api/v1/tokens": customers(
        "get",
        200,
        check=lists("tokens", USERS, A_.VIEW, lambda r: [t["prefix"] for t in r.json()]),
    ),
    "POST /api/v1/tokens": customers("post", 201, data={"name": "swept"}),
    "DELETE /api/v1/tokens/{prefix}": per_record(
        "tokens",
        USERS,
        A_.VIEW,
        "delete",
        token_status(200),
        "prefix",
        check=revoked(True),
        check_refused=revoked(False),
    ),
    # Invitations.
    "GET /api/v1/company/invitations": customers(
        "get",
        grants_at_least(USERS, A_.CREATE, AccessLevel.OWN, 200),
        check=lists("invitations", USERS, A_.CREATE, lambda r: [i["id"] for i in r.json()]),
    ),
    "POST /api/v1/company/invitations": customers("post", invites(201), data=INVITE),
    "DELETE /api/v1/company/invitations/{invitation_id}": per_record(
        "invitations",
        USERS,
        A_.CREATE,
        "delete",
        200,
        "invitation_id",
        denied=lacks(USERS, A_.CREATE),
        check=invitation_revoked(True),
        check_refused=invitation_revoked(False),
    ),
    "POST /api/v1/company/invitations/{invitation_id}/resend": per_record(
        "invitations",
        USERS,
        A_.CREATE,
        "post",
        201,
        "invitation_id",
        denied=lacks(USERS, A_.CREATE),
    ),
}


def uncovered(routes: list[Route]) -> tuple[list[str], list[str]]:
    """Routes without an entry in the tables, and entries naming no route."""
    keys = {route.key for route in routes}
    entries = set(STOREFRONT) | set(API)
    return sorted(keys - entries), sorted(entries - keys)


@pytest.fixture
def world(oro_dir, settings) -> World:
    settings.COMPTOIR_PAGE_SIZE = 100
    return build_world(oro_dir)


def test_every_route_has_an_expectation_in_the_sweep(db):
    missing, stale = uncovered(storefront_routes() + api_routes())

    assert missing == [], "routes the sweep does not visit: add them to STOREFRONT or API"
    assert stale == [], "entries of the sweep that name no route"


def test_every_route_answers_each_visitor_with_exactly_what_its_roles_reach(world):
    routes = storefront_routes() + api_routes()
    assert uncovered(routes) == ([], [])

    problems, visits = sweep(world, routes, {False: STOREFRONT, True: API})

    assert problems == [], f"{len(problems)} wrong answers:\n" + "\n".join(problems)
    assert visits > 2000


def test_orders_follow_the_company_tree(world):
    seen = {}
    for visitor in world.visitors:
        if visitor.token is None:
            continue
        response = visitor.client().get(
            "/api/v1/orders", PAGE, headers={"Authorization": f"Bearer {visitor.token}"}
        )
        seen[visitor.name] = sorted({order["placed_by"] for order in items(response)})

    assert seen == {
        "Company A administrator": sorted([AMANDA, BRANDA, LOIS, LONNIE, JAMES, SAM, RUTH, BRENT]),
        "East buyer at the department level": sorted([LONNIE, JAMES, SAM]),
        "East buyer at the own level": [JAMES],
        "West buyer": [BRENT],
        "Wholesaler B administrator": sorted([NANCY, MARLENE]),
        "Wholesaler B buyer": [MARLENE],
    }
