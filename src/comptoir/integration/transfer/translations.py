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
it does. An export writes a column for each language any record of the entity has a text in,
so that it imports back unchanged.
"""

from collections.abc import Iterable

from django.db.models import Model

from comptoir.catalog.languages import known_language, known_languages
from comptoir.core.errors import DomainError
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column


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
