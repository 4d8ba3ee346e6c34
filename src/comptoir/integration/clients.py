"""Making, finding and switching off integration clients (see ``integration.models``)."""

import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from comptoir.accounts.tokens import LAST_USED_PRECISION, hash_key
from comptoir.core.errors import DomainError, NotFound
from comptoir.integration.models import ApiClient, Scope

logger = logging.getLogger(__name__)

CLIENT_MARK = "cpi_"
PREFIX_LENGTH = 12


@dataclass(frozen=True)
class CreatedClient:
    client: ApiClient
    key: str


def checked_scopes(scopes: list[str]) -> list[str]:
    known = {scope.value for scope in Scope}
    unknown = sorted(set(scopes) - known)
    if unknown:
        raise DomainError(
            f"Unknown scope {', '.join(repr(s) for s in unknown)}: use {', '.join(sorted(known))}",
            code="unknown_scope",
        )
    if not scopes:
        raise DomainError(
            f"Give a client at least one scope ({', '.join(sorted(known))})", code="no_scope"
        )
    return sorted(set(scopes))


def create_client(*, name: str, scopes: list[str]) -> CreatedClient:
    """A new client with a new token; the token's clear text is returned once, never stored."""
    name = name.strip()
    if not name:
        raise DomainError("An integration client needs a name", code="client_name_missing")
    if len(name) > ApiClient._meta.get_field("name").max_length or "\x00" in name:
        raise DomainError(
            "An integration client's name has at most 100 characters, none of them NUL",
            code="client_name_invalid",
        )
    scopes = checked_scopes(scopes)
    if ApiClient.objects.filter(name__iexact=name).exists():
        raise DomainError(f"An integration client is already named '{name}'", code="duplicate")
    key = CLIENT_MARK + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, scopes=scopes, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key)
        )
    logger.info("Integration client %s made with %s", name, ", ".join(scopes))
    return CreatedClient(client=client, key=key)


def authenticate_client(key: str) -> ApiClient | None:
    """The active client a token belongs to, or None."""
    key = key.strip()
    if not key.startswith(CLIENT_MARK):
        return None
    client = ApiClient.objects.filter(key_hash=hash_key(key), is_active=True).first()
    if client is None:
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_PRECISION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def client_by_name(name: str) -> ApiClient:
    client = ApiClient.objects.filter(name__iexact=name.strip()).first()
    if client is None:
        raise NotFound(f"No integration client is named '{name.strip()}'", code="unknown_client")
    return client


def deactivate_client(client: ApiClient) -> None:
    """Switch the client off: its token is refused from now on."""
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    logger.info("Integration client %s switched off", client.name)
