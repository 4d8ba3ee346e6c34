"""Columns of texts kept in several languages: a category's name, an attribute's name, an
option's label.

The text in the site's default language has its own column (``name``); each other language has
a column named after it and the language's code, joined by an underscore: ``name_fr``,
``name_de``, ``name_fr-ca`` for a regional variant. Codes are read as ``catalog.languages``
reads them, in any case and with a hyphen or an underscore (``name_fr_FR`` is ``name_fr-fr``,
as Akeneo's ``fr_FR`` locale is stored), and a hyphen may join the text's column and the code
too (``label-fr_FR``, as in Akeneo's files).

A cell sets the record's text in its column's language; an empty cell removes it; a file
without a language's column leaves the texts in that language as they are. A column naming a
language Django does not know stops the import before its first row, with the list of those
it does. A column of a language the shop does not offer (``settings.LANGUAGES``) is imported,
so that a PIM's export goes in whole and comes back out, with one warning on the header that
no page shows its texts. An export writes a column for each language any record of the entity
has a text in, so that it imports back unchanged.
"""

from collections.abc import Iterable

from django.db.models import Model
from django.utils.translation import get_language_info

from comptoir.catalog.languages import known_language, known_languages, offered_languages
from comptoir.core.errors import DomainError
from comptoir.integration.csvfiles import Fields
from comptoir.integration.report import Problem
from comptoir.integration.transfer.base import Column, ImportRun


def language_column(columns: Iterable[Column], cell: str) -> str | None:
    """The column of texts in other languages a header cell names, in its stored form
    ("NAME_fr_FR" is "name_fr-fr"); None for a cell that names none of them."""
    lowered = cell.strip().lower()
    for column in columns:
        stem = column.translates
        if not stem or len(lowered) <= len(stem) or not lowered.startswith(stem):
            continue
        if lowered[len(stem)] not in "_-":
            continue
        language = known_language(cell.strip()[len(stem) + 1 :])
        if language is None:
            raise DomainError(
                f"names no language: write {stem}_ and a language code, alone or with a "
                f"region ({stem}_fr, {stem}_fr-CA), one of: {', '.join(known_languages())}",
                code="language_column_unknown",
            )
        return f"{stem}_{language}"
    return None


def warn_of_languages_not_offered(
    columns: Iterable[Column], header: frozenset[str], run: ImportRun
) -> None:
    """One warning, on the header, for each of its columns of texts (``header``: the stored
    column names) in a language the shop does not offer."""
    offered = offered_languages()
    named = [f"{_language_name(code)} ({code})" for code in offered]
    shown = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
    stems = [column.translates for column in columns if column.translates]
    for name in sorted(header):
        stem = next((stem for stem in stems if name.startswith(f"{stem}_")), None)
        if stem is None:
            continue
        language = name.removeprefix(f"{stem}_")
        if language.split("-")[0] in offered:
            continue
        spoken = _language_name(language)
        run.report.warn(
            Problem(
                file=run.file_name,
                line=1,
                column=name,
                message=f"{spoken} ({language}) is not a language the shop offers, only "
                f"{shown}: the {spoken} {stem}s are kept and exported, but no page shows "
                f"them. Leave the column out if they are not wanted, or have {spoken} added "
                "to the shop's languages (the LANGUAGES setting) to show them",
            )
        )


def _language_name(code: str) -> str:
    try:
        return get_language_info(code.split("-")[0])["name"]
    except KeyError:
        return code


def texts_by_language(fields: Fields, stem: str, max_length: int) -> dict[str, str] | None:
    """The texts of the record's ``<stem>_<language>`` columns by language, empty for one to
    remove; None when the file has none of those columns."""
    prefix = f"{stem}_"
    texts = {
        column.removeprefix(prefix): fields.text(column, max_length=max_length)
        for column in fields.record.values
        if column.startswith(prefix)
    }
    return texts or None


def exported_languages(model: type[Model]) -> list[str]:
    """The languages any row of the translation ``model`` is in, in order."""
    return list(
        model._default_manager.order_by("language").values_list("language", flat=True).distinct()
    )


def exported_texts(stem: str, translations: Iterable[Model], field: str) -> dict[str, str]:
    """A record's ``translations`` (loaded) as the export's ``<stem>_<language>`` cells."""
    return {
        f"{stem}_{translation.language}": getattr(translation, field)
        for translation in translations
    }
