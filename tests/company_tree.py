"""A small company tree for tests of company administration."""

from dataclasses import dataclass

from comptoir.accounts.models import Company, CustomerUser
from tests import factories


@dataclass
class Tree:
    """Acme with its subsidiary Acme East, and Globex beside them; an administrator and a buyer
    in each."""

    acme: Company
    east: Company
    globex: Company
    acme_admin: CustomerUser
    acme_buyer: CustomerUser
    east_admin: CustomerUser
    east_buyer: CustomerUser
    globex_admin: CustomerUser


def make_tree() -> Tree:
    acme = factories.company("Acme")
    east = factories.company("Acme East", parent=acme)
    globex = factories.company("Globex")
    return Tree(
        acme=acme,
        east=east,
        globex=globex,
        acme_admin=factories.customer_user(acme, "admin@acme.example", role="administrator"),
        acme_buyer=factories.customer_user(acme, "buyer@acme.example"),
        east_admin=factories.customer_user(east, "admin@east.example", role="administrator"),
        east_buyer=factories.customer_user(east, "buyer@east.example"),
        globex_admin=factories.customer_user(globex, "admin@globex.example", role="administrator"),
    )
