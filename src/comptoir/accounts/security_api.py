"""Account security endpoints: invitations and API tokens."""

from ninja import Router

router = Router()
