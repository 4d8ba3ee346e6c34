"""Company administration endpoints: users, roles, departments, addresses, audit log."""

from ninja import Router

router = Router()
