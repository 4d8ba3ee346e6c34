"""The languages catalog texts are translated into, and which translation a reader is shown.

A translated record (a category, an attribute, an option) holds its text in the site's default
language, and translation rows hold it in others, each under a Django language code in lower
case: "fr", or "fr-fr" for a regional variant (an Akeneo locale "fr_FR" is stored so). A reader
of "fr" is shown the "fr" text, else a regional "fr-..." one; a reader of "fr-ca" the "fr-ca"
text, else "fr", else another "fr-..." one; then the default text.
"""

import re
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db.models import Model, Prefetch, Q

from comptoir.core.errors import DomainError

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")

# The longest language code stored: "zh-hant-tw" and the like.
LANGUAGE_MAX_LENGTH = 15


def normalize_language(code: str) -> str:
    """``code`` in its stored form: "fr_FR", "fr-FR" and " fr-fr " are all "fr-fr"."""
    language = code.strip().replace("_", "-").lower()
    if not _LANGUAGE.fullmatch(language) or len(language) > LANGUAGE_MAX_LENGTH:
        raise DomainError(
            f"'{code}' is not a language; write a code such as fr, fr-FR or fr_FR",
            code="language_invalid",
        )
    return language


def known_languages() -> list[str]:
    """The languages a file may name: the site's and every other one Django knows, by their
    codes without a region."""
    codes = [*LANG_INFO, *(code for code, _name in settings.LANGUAGES)]
    return sorted({code.split("-")[0].lower() for code in codes})


def offered_languages() -> list[str]:
    """The languages the shop's pages are shown in (``settings.LANGUAGES``), by their codes
    without a region: a text in another one is kept but shown to nobody."""
    return sorted({code.split("-")[0].lower() for code, _name in settings.LANGUAGES})


def known_language(code: str) -> str | None:
    """``code`` in its stored form if it is a language ``known_languages`` has, alone or with
    a region ("fr", "fr-CA", "fr_FR"); else None."""
    try:
        language = normalize_language(code)
    except DomainError:
        return None
    return language if language.split("-")[0] in known_languages() else None


def best_language(available: Iterable[str], language: str) -> str | None:
    """The one of the ``available`` languages a reader of ``language`` is shown, or None."""
    available = sorted(set(available))
    wanted = language.lower()
    if wanted in available:
        return wanted
    base = wanted.split("-")[0]
    if base in available:
        return base
    return next((code for code in available if code.split("-")[0] == base), None)


def readable_in(language: str) -> Q:
    """The translation rows ``best_language`` may choose from for a reader of ``language``:
    those in its language, regional variants included ("fr", "fr-fr" and "fr-ca" for "fr")."""
    base = language.lower().split("-")[0]
    return Q(language=base) | Q(language__startswith=f"{base}-")


def translations_in(lookup: str, model: type[Model], language: str) -> Prefetch:
    """A prefetch of the ``model`` translations under ``lookup`` that a reader of ``language``
    may be shown, and only those: ``translation_for`` then reads them without a query."""
    return Prefetch(lookup, queryset=model._default_manager.filter(readable_in(language)))


class Translation(Protocol):
    language: str


def translation_for[T: Translation](translations: Iterable[T], language: str) -> T | None:
    """The translation a reader of ``language`` is shown, among ``translations`` (loaded)."""
    by_language = {translation.language: translation for translation in translations}
    chosen = best_language(by_language, language)
    return None if chosen is None else by_language[chosen]
