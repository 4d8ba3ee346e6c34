"""The OroCommerce demo companies made ready for the company administration tests."""

from pathlib import Path

from django.core.management import call_command

from comptoir.accounts.administration import departments, roles, users
from comptoir.accounts.models import Company, CustomerUser
from tests import factories

ADMINISTRATORS = {
    "Company A": "AmandaRCole@example.org",
    "Company A - East Division": "LonnieVTownsend@example.org",
    "Company A - West Division": "RuthWMaxwell@example.org",
    "Wholesaler B": "NancyJSallee@example.com",
}
EAST_BUYER = "JamesSWall@example.org"
EAST_COLLEAGUE = "colleague@example.org"


def set_up_demo_companies(oro_dir: Path) -> dict[str, CustomerUser]:
    """Import the demo; give each company a department made by its administrator; put the East
    buyer and a new colleague in East's "Purchasing" under a custom East role that sees the
    department's users, and its own records of the rest.

    Returns the customer users by e-mail.
    """
    call_command("import", "oro", str(oro_dir), password="demo-password", verbosity=0)
    by_email = {
        member.email: member for member in CustomerUser.objects.select_related("user", "company")
    }
    for company_name, email in ADMINISTRATORS.items():
        departments.create_department(
            customer_user=by_email[email], name=f"Sales of {company_name}"
        )
    lonnie = by_email[ADMINISTRATORS["Company A - East Division"]]
    purchasing = departments.create_department(customer_user=lonnie, name="Purchasing")
    east = Company.objects.get(name="Company A - East Division")
    colleague = factories.customer_user(east, EAST_COLLEAGUE)
    lead = roles.create_role(
        customer_user=lonnie,
        name="Purchasing lead",
        grants=[
            ("users", "view", "department"),
            ("users", "edit", "own"),
            ("addresses", "view", "own"),
            ("audit_log", "view", "own"),
        ],
    )
    james = by_email[EAST_BUYER]
    for member in (james, colleague):
        users.update_customer_user(
            customer_user=lonnie,
            customer_user_id=member.pk,
            department_id=purchasing.pk,
            role_codes=["buyer", lead.code] if member == james else ["buyer"],
        )
    users.update_customer_user(customer_user=james, customer_user_id=james.pk, last_name="W.")
    return {
        member.email: member for member in CustomerUser.objects.select_related("user", "company")
    }
