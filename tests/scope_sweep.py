"""The world and the machinery of the scope sweep (``tests/test_scope_sweep.py``).

The OroCommerce demo companies are imported; the East division gets two departments and two
custom roles ("own" and "department" levels); every user places an order and leaves a line in
its cart; administrators invite a few people. Which records a visitor should reach is worked
out here from the company and department trees written out below and from the grants of the
roles the test hands out, never from the scoping code under test.
"""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from comptoir.accounts import invitations
from comptoir.accounts.models import (
    AccessLevel,
    Action,
    Address,
    ApiToken,
    AuditEntry,
    Company,
    CustomerRole,
    CustomerUser,
    Department,
    Invitation,
    Resource,
    RolePermission,
    SalesRepAssignment,
    User,
)
from comptoir.accounts.permissions import PREDEFINED_ROLES, predefined_role
from comptoir.accounts.tokens import create_token
from comptoir.catalog.models import Category
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.services import issue_invoice
from comptoir.ordering import services
from comptoir.ordering.models import Order, ShoppingList, ShoppingListLine
from tests import factories

A, EAST, WEST = "Company A", "Company A - East Division", "Company A - West Division"
B, C = "Wholesaler B", "Partner C"
# Each company and the companies under it, as the demo files make them.
COMPANY_SUBTREES = {A: {A, EAST, WEST}, EAST: {EAST}, WEST: {WEST}, B: {B}, C: {C}}
# The East division's departments: field service sits under purchasing.
PURCHASING, FIELD_SERVICE = "East purchasing", "East field service"
DEPARTMENT_SUBTREES = {PURCHASING: {PURCHASING, FIELD_SERVICE}, FIELD_SERVICE: {FIELD_SERVICE}}

AMANDA = "AmandaRCole@example.org"  # Company A, administrator
BRANDA = "BrandaJSanborn@example.org"  # Company A, buyer
LOIS = "LoisLLessard@example.org"  # Company A, buyer
LONNIE = "LonnieVTownsend@example.org"  # East, purchasing, "department" role
JAMES = "JamesSWall@example.org"  # East, purchasing, "own" role
SAM = "sam.keller@example.org"  # East, field service, buyer; made by the test
RUTH = "RuthWMaxwell@example.org"  # West, administrator
BRENT = "BrentLJohnson@example.org"  # West, buyer
NANCY = "NancyJSallee@example.com"  # Wholesaler B, administrator
MARLENE = "MarleneSBradley@example.com"  # Wholesaler B, buyer
JUANA = "JuanaPBrzezinski@example.net"  # Partner C, administrator
# People the administrators invite: (inviter, company, e-mail).
INVITED = (
    (AMANDA, A, "ann.invited@example.org"),
    (AMANDA, EAST, "evan.invited@example.org"),
    (NANCY, B, "bob.invited@example.com"),
)
REP = "rep@seller.example"  # a sales rep looking after the East division
DEPARTMENT_OF = {LONNIE: PURCHASING, JAMES: PURCHASING, SAM: FIELD_SERVICE}
# The only active user of its company who may manage users: disabling it is refused.
SOLE_USER_MANAGERS = {AMANDA, RUTH, NANCY, JUANA}
PASSWORD = "sweep-password-1"
SKU = "0RT28"

OWN, DEPARTMENT, COMPANY = AccessLevel.OWN, AccessLevel.DEPARTMENT, AccessLevel.COMPANY


def buyer_grants(level: int) -> dict[tuple[str, str], int]:
    """A buyer who sees orders, shopping lists and users at ``level``."""
    R, A_ = Resource, Action
    return {
        (R.ORDERS, A_.VIEW): level,
        (R.ORDERS, A_.CREATE): OWN,
        (R.ORDERS, A_.PLACE_ORDER): OWN,
        (R.ORDERS, A_.REORDER): level,
        (R.SHOPPING_LISTS, A_.VIEW): level,
        (R.SHOPPING_LISTS, A_.CREATE): OWN,
        (R.SHOPPING_LISTS, A_.EDIT): OWN,
        (R.SHOPPING_LISTS, A_.DELETE): OWN,
        (R.SHOPPING_LISTS, A_.PLACE_ORDER): OWN,
        (R.ADDRESSES, A_.VIEW): COMPANY,
        (R.USERS, A_.VIEW): level,
        (R.USERS, A_.EDIT): OWN,
    }


# The custom roles the East division's administrator would compose.
CUSTOM_ROLES = {
    "own-orders": ("Buyer, own orders", buyer_grants(OWN)),
    "department-orders": ("Buyer, department orders", buyer_grants(DEPARTMENT)),
}


@dataclass(frozen=True)
class Record:
    """A record of customer data as the sweep knows it: its key in URLs and who it belongs to.

    ``company`` is None for a record every company shares (a predefined role); a record
    ``company_owned`` belongs to its company as a whole (an address), not to one user.
    """

    key: str | int
    company: str | None
    owner: str | None = None
    department: str | None = None
    company_owned: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Visitor:
    """Someone visiting every route: a customer user (with a session and an API token), the
    sales rep shopping as one (storefront only), or a guest."""

    name: str
    email: str | None = None
    company: str | None = None
    department: str | None = None
    grants: dict[tuple[str, str], int] = field(default_factory=dict)
    cookies: object = None
    token: str | None = None
    is_rep: bool = False

    @property
    def is_customer(self) -> bool:
        return self.email is not None

    def level(self, resource: str, action: str) -> int:
        return self.grants.get((resource, action), AccessLevel.NONE)

    def reaches(self, resource: str, action: str, record: Record) -> bool:
        """Whether the visitor's roles reach ``record``, worked out from the trees above."""
        level = self.level(resource, action)
        if not self.is_customer or level == AccessLevel.NONE:
            return False
        if record.company is None:
            return True
        if level >= AccessLevel.COMPANY_AND_SUBSIDIARIES:
            return record.company in COMPANY_SUBTREES[self.company]
        if record.company != self.company:
            return False
        if level >= AccessLevel.COMPANY or record.company_owned or record.owner == self.email:
            return True
        return (
            level >= AccessLevel.DEPARTMENT
            and self.department is not None
            and record.department in DEPARTMENT_SUBTREES[self.department]
        )

    def client(self) -> Client:
        client = Client(raise_request_exception=False)
        if self.cookies is not None:
            client.cookies = copy.deepcopy(self.cookies)
        return client


@dataclass
class World:
    visitors: list[Visitor]
    records: dict[str, list[Record]]
    category_slug: str
    invitation_token: str

    def reached(self, visitor: Visitor, kind: str, resource: str, action: str) -> set:
        return {
            record.key
            for record in self.records[kind]
            if visitor.reaches(resource, action, record)
        }


def build_world(oro_dir) -> World:
    """The demo companies with departments, custom roles, invitations, an order and a cart
    line per user, and the visitors logged in."""
    call_command("import", "oro", str(oro_dir), password=PASSWORD, stdout=StringIO())
    east = Company.objects.get(name=EAST)
    purchasing = Department.objects.create(company=east, name=PURCHASING)
    field_service = Department.objects.create(company=east, name=FIELD_SERVICE, parent=purchasing)
    roles = {}
    for code, (name, grants) in CUSTOM_ROLES.items():
        roles[code] = CustomerRole.objects.create(company=east, code=code, name=name)
        RolePermission.objects.bulk_create(
            RolePermission(role=roles[code], resource=resource, action=action, access_level=level)
            for (resource, action), level in grants.items()
        )
    factories.customer_user(east, SAM)
    users = {cu.email: cu for cu in CustomerUser.objects.select_related("user", "company")}
    for email, role, department in (
        (LONNIE, roles["department-orders"], purchasing),
        (JAMES, roles["own-orders"], purchasing),
        (SAM, predefined_role("buyer"), field_service),
    ):
        users[email].roles.set([role])
        users[email].department = department
        users[email].save(update_fields=["department"])

    for customer_user in users.values():
        address = Address.objects.filter(company=customer_user.company).order_by("id").first()
        services.add_to_shopping_list(customer_user=customer_user, sku=SKU, quantity=1)
        order = services.place_order(
            customer_user=customer_user,
            billing_address_id=address.pk,
            shipping_address_id=address.pk,
            po_number=f"PO {customer_user.email}",
        )
        issue_invoice(order=order)
        services.add_to_shopping_list(customer_user=customer_user, sku=SKU, quantity=2)
    for inviter, company, email in INVITED:
        invitations.invite_customer_user(
            customer_user=users[inviter],
            email=email,
            first_name="Invited",
            last_name="Person",
            role_codes=["buyer"],
            company_id=Company.objects.get(name=company).pk,
            site_url="http://testserver/",
        )

    rep = User.objects.create_user(REP, PASSWORD, is_staff=True)
    SalesRepAssignment.objects.create(sales_rep=rep, company=east)
    visitors = [
        customer_visitor("Company A administrator", users[AMANDA]),
        customer_visitor("East buyer at the department level", users[LONNIE]),
        customer_visitor("East buyer at the own level", users[JAMES]),
        customer_visitor("West buyer", users[BRENT]),
        customer_visitor("Wholesaler B administrator", users[NANCY]),
        customer_visitor("Wholesaler B buyer", users[MARLENE]),
        rep_visitor(rep, users[JAMES]),
        Visitor("guest"),
    ]
    pending = Invitation.objects.order_by("id").first()
    return World(
        visitors=visitors,
        records=records(),
        category_slug=Category.objects.filter(products__sku=SKU).values_list("slug", flat=True)[0],
        invitation_token=invitations.invitation_token(pending),
    )


def grants_of(customer_user: CustomerUser) -> dict[tuple[str, str], int]:
    """What the roles the test handed out grant; the predefined ones as their definition says."""
    grants: dict[tuple[str, str], int] = {}
    for role in customer_user.roles.all():
        if role.company_id is None:
            role_grants = PREDEFINED_ROLES[role.code][1]
        else:
            role_grants = CUSTOM_ROLES[role.code][1]
        for key, level in role_grants.items():
            grants[key] = max(grants.get(key, AccessLevel.NONE), level)
    return grants


def customer_visitor(name: str, customer_user: CustomerUser) -> Visitor:
    client = Client()
    client.force_login(customer_user.user)
    return Visitor(
        name,
        email=customer_user.email,
        company=customer_user.company.name,
        department=DEPARTMENT_OF.get(customer_user.email),
        grants=grants_of(customer_user),
        cookies=client.cookies,
        token=create_token(customer_user=customer_user, name="sweep").key,
    )


def rep_visitor(rep: User, customer_user: CustomerUser) -> Visitor:
    """The sales rep shopping as ``customer_user``: the storefront as that user sees it."""
    client = Client()
    client.force_login(rep)
    client.post(reverse("storefront:shop_as", args=[customer_user.pk]))
    return Visitor(
        f"sales rep shopping as {customer_user.email}",
        email=customer_user.email,
        company=customer_user.company.name,
        department=DEPARTMENT_OF.get(customer_user.email),
        grants=grants_of(customer_user),
        cookies=client.cookies,
        is_rep=True,
    )


def record_of(key, customer_user: CustomerUser | None, company: Company, **extra) -> Record:
    owner = customer_user.email if customer_user else None
    return Record(key, company.name, owner, DEPARTMENT_OF.get(owner), extra=extra)


def records() -> dict[str, list[Record]]:
    """Every record of customer data, by kind, as the sweep knows it."""
    orders = list(Order.objects.select_related("company", "customer_user__user").order_by("id"))
    # One order per owner stands for all of its orders on the pages of one order; the lists
    # are checked against every order.
    latest = {order.customer_user.email: order for order in orders}
    lists = ShoppingList.objects.select_related("company", "customer_user__user")
    lines = ShoppingListLine.objects.select_related(
        "shopping_list__company", "shopping_list__customer_user__user"
    )
    members = CustomerUser.objects.select_related("user", "company")
    return {
        "orders": [record_of(o.number, o.customer_user, o.company) for o in orders],
        "sampled orders": [
            record_of(o.number, o.customer_user, o.company) for o in latest.values()
        ],
        # Keyed by their order's number, as the routes find them.
        "sampled invoices": [
            record_of(invoice.order.number, invoice.customer_user, invoice.company)
            for invoice in Invoice.objects.select_related(
                "order", "company", "customer_user__user"
            ).filter(order__in=latest.values())
        ],
        "shopping lists": [record_of(s.pk, s.customer_user, s.company) for s in lists],
        "lines": [
            record_of(line.pk, line.shopping_list.customer_user, line.shopping_list.company)
            for line in lines
        ],
        "addresses": [
            Record(address.pk, address.company.name, company_owned=True)
            for address in Address.objects.select_related("company")
        ],
        "customer users": [
            record_of(member.pk, member, member.company, active=member.user.is_active)
            for member in members
        ],
        "roles": [
            Record(role.pk, role.company.name if role.company else None, company_owned=True)
            for role in CustomerRole.objects.select_related("company")
        ],
        "departments": [
            Record(department.pk, department.company.name, department=department.name)
            for department in Department.objects.select_related("company")
        ],
        "tokens": [
            record_of(token.prefix, token.customer_user, token.customer_user.company)
            for token in ApiToken.objects.select_related(
                "customer_user__user", "customer_user__company"
            )
        ],
        "invitations": [
            record_of(invitation.pk, invitation.customer_user, invitation.customer_user.company)
            for invitation in Invitation.objects.select_related(
                "customer_user__user", "customer_user__company"
            )
        ],
        "audit entries": [
            record_of(entry.pk, customer_user_of(entry.actor), entry.company)
            for entry in AuditEntry.objects.select_related("company", "actor__customer_user")
        ],
    }


def customer_user_of(user: User | None) -> CustomerUser | None:
    """The customer user of a login; None for staff (a sales rep) or a deleted login."""
    return getattr(user, "customer_user", None) if user is not None else None


# The routes, as the URL configuration and the OpenAPI document list them.


@dataclass(frozen=True)
class Route:
    """A storefront URL pattern (by its name) or an API operation ("GET /api/v1/...")."""

    key: str
    is_api: bool

    def url(self, **kwargs) -> str:
        if self.is_api:
            return self.key.split(" ", 1)[1].format(**kwargs)
        return reverse(self.key, kwargs=kwargs or None)


def storefront_routes() -> list[Route]:
    """Every URL pattern outside the back office and the API, by name (or route if unnamed)."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(("admin/", "api/")):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            else:
                found.append(Route(f"{namespace}{pattern.name}" if pattern.name else route, False))

    walk(get_resolver().url_patterns, "", "")
    return found


def api_routes() -> list[Route]:
    """Every operation of the OpenAPI document."""
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    return [
        Route(f"{method.upper()} {path}", True)
        for path, operations in paths.items()
        for method in operations
    ]


# Probes: what one visitor sends to one URL, and what it must get back.


@dataclass
class Probe:
    method: str
    url: str
    status: int
    data: dict | None = None
    location: str | None = None
    arrange: Callable[[Client], None] | None = None
    check: Callable[[object], str | None] | None = None


Entry = Callable[[World, Visitor, Route], Iterable[Probe]]
Check = Callable[..., str | None]
Status = int | Callable[..., int]


def refused(route: Route, method: str, url: str, data: dict | None) -> Probe:
    """What a guest gets from a page or endpoint for customer users."""
    if route.is_api:
        return Probe(method, url, 401, data)
    return Probe(method, url, 302, data, location=reverse("storefront:login"))


def everyone(
    method: str = "get",
    status: int = 200,
    *,
    data: dict | None = None,
    location: str | None = None,
    **url_kwargs,
) -> Entry:
    """The same answer for guests and customer users alike."""

    def probes(world: World, visitor: Visitor, route: Route) -> Iterable[Probe]:
        kwargs = {
            key: value(world) if callable(value) else value for key, value in url_kwargs.items()
        }
        yield Probe(
            method, route.url(**kwargs), status, data, location=location and reverse(location)
        )

    return probes


def customers(
    method: str,
    status: Status,
    *,
    data: dict | None = None,
    location: str | None = None,
    arrange: Callable[[Visitor, Client], None] | None = None,
    check: Check | None = None,
) -> Entry:
    """A page or endpoint about the visitor's own things; guests are sent to log in.

    ``status`` may depend on the visitor (403 for a role that does not grant the action).
    """

    def probes(world: World, visitor: Visitor, route: Route) -> Iterable[Probe]:
        url = route.url()
        if not visitor.is_customer:
            yield refused(route, method, url, data)
            return
        expected = status(visitor) if callable(status) else status
        succeeds = expected < 400
        yield Probe(
            method,
            url,
            expected,
            data,
            location=location and succeeds and reverse(location),
            arrange=arrange and (lambda client: arrange(visitor, client)),
            check=check and succeeds and (lambda response: check(world, visitor, response)),
        )

    return probes


def integration_clients_only(method: str, *, data: dict | None = None, **url_kwargs) -> Entry:
    """An endpoint for the seller's integration clients: guests get 401, customer users 403."""

    def probes(world: World, visitor: Visitor, route: Route) -> Iterable[Probe]:
        url = route.url(**url_kwargs)
        if not visitor.is_customer:
            yield refused(route, method, url, data)
            return
        yield Probe(method, url, 403, data)

    return probes


def per_record(
    kind: str,
    resource: str,
    action: str,
    method: str,
    status: Status,
    param: str | None,
    *,
    denied: Callable[[Visitor], bool] | None = None,
    found_first: str | None = None,
    data: Callable[[Record], dict] | dict | None = None,
    location: str | Callable[[Record], str] | None = None,
    arrange: Callable[[Visitor, Client], None] | None = None,
    check: Check | None = None,
    check_refused: Check | None = None,
    read_only: int | None = None,
) -> Entry:
    """A route about one record, tried on every record of ``kind``: ``status`` where the
    visitor's roles reach the record, 404 elsewhere (nothing changed), and 403 for a visitor
    ``denied`` the action altogether: everywhere, or where it reaches the record for the action
    ``found_first`` when the route looks the record up before it checks the action.

    ``status`` may depend on the visitor and the record (a business rule refusing a change).
    ``read_only`` is the refusal where the visitor's roles reach the record to view it but not
    for the action (a colleague's list shared read-only), when the route says so rather than
    404.
    """

    def probes(world: World, visitor: Visitor, route: Route) -> Iterable[Probe]:
        for record in world.records[kind]:
            url = route.url(**{param: record.key}) if param else route.url()
            body = data(record) if callable(data) else data
            if not visitor.is_customer:
                yield refused(route, method, url, body)
                # A guest is refused before any record is looked up: one record shows it.
                return
            refused_read_only = False
            if found_first and not visitor.reaches(resource, found_first, record):
                expected = 404
            elif denied is not None and denied(visitor):
                expected = 403
            elif visitor.reaches(resource, action, record):
                expected = status(visitor, record) if callable(status) else status
            elif read_only is not None and visitor.reaches(resource, Action.VIEW, record):
                expected, refused_read_only = read_only, True
            else:
                expected = 404
            succeeds = expected < 400 and not refused_read_only
            record_check = check if succeeds else check_refused
            target = location(record) if callable(location) else location and reverse(location)
            yield Probe(
                method,
                url,
                expected,
                body,
                location=target if succeeds else None,
                arrange=arrange and (lambda client: arrange(visitor, client)),
                check=record_check
                and (lambda response, r=record, c=record_check: c(world, visitor, r, response)),
            )

    return probes


def lacks(resource: str, action: str, below: int = AccessLevel.OWN) -> Callable[[Visitor], bool]:
    """Whether a visitor's roles grant ``action`` on ``resource`` below the level ``below``."""
    return lambda visitor: visitor.level(resource, action) < below


# Visiting.


def send(client: Client, route: Route, visitor: Visitor, probe: Probe):
    if not route.is_api:
        return getattr(client, probe.method)(probe.url, probe.data or {})
    headers = {"Authorization": f"Bearer {visitor.token}"} if visitor.token else {}
    if probe.method == "get":
        return client.get(probe.url, probe.data or {}, headers=headers)
    return getattr(client, probe.method)(
        probe.url, probe.data, content_type="application/json", headers=headers
    )


def visit(visitor: Visitor, route: Route, probe: Probe) -> str | None:
    """The problem with the answer to ``probe``, or None; whatever it changed is undone."""
    client = visitor.client()
    with transaction.atomic():
        if probe.arrange:
            probe.arrange(client)
        response = send(client, route, visitor, probe)
        if response.status_code != probe.status:
            problem = f"answered {response.status_code}, expected {probe.status}"
        elif probe.location and response["Location"].split("?")[0] != probe.location:
            problem = f"went to {response['Location']}, expected {probe.location}"
        else:
            problem = probe.check(response) if probe.check else None
        transaction.set_rollback(True)
    return problem


def sweep(world: World, routes: list[Route], tables: dict[bool, dict[str, Entry]]):
    """Visit every route as every visitor; the problems found, and the number of visits."""
    problems, visits = [], 0
    for route in routes:
        for visitor in world.visitors:
            if route.is_api and visitor.is_rep:
                # A rep shops in the storefront only; the API acts as a token's customer user.
                continue
            for probe in tables[route.is_api][route.key](world, visitor, route):
                visits += 1
                if problem := visit(visitor, route, probe):
                    problems.append(
                        f"{visitor.name}: {probe.method.upper()} {probe.url}: {problem}"
                    )
    return problems, visits
