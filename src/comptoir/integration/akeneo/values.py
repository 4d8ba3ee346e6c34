"""The value columns of products.csv and product_models.csv: which attribute, locale, channel
and currency each holds, and the typed values and prices of a record.

Rich text (an Akeneo text area with its editor on) comes in as HTML and is kept as plain text:
Comptoir writes long texts with their line breaks, never as markup.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.catalog.attribute_values import AttributeValue, value_from_text
from comptoir.catalog.attributes import Attribute, AttributeType
from comptoir.catalog.languages import best_language, normalize_language
from comptoir.core.errors import DomainError
from comptoir.core.money import checked_currency
from comptoir.integration.akeneo import layouts
from comptoir.integration.akeneo.run import AkeneoImport, AttributeSpec
from comptoir.integration.csvfiles import Fields
from comptoir.integration.oro.catalog import html_to_text
from comptoir.integration.report import Problem


@dataclass(frozen=True)
class ValueColumn:
    """A column holding one attribute's values, in one language if it is localizable."""

    name: str
    spec: AttributeSpec
    attribute: Attribute
    language: str
    # A measure's unit column ("weight-unit"); a price column's currency.
    unit_column: str = ""
    currency: str = ""


@dataclass
class ValueColumns:
    """What the columns of a file hold, read from its header."""

    values: list[ValueColumn] = field(default_factory=list)
    prices: list[ValueColumn] = field(default_factory=list)
    associations: list[str] = field(default_factory=list)
    # Every column understood, imported or left out on purpose.
    known: set[str] = field(default_factory=set)
    other_channels: set[str] = field(default_factory=set)


def value_columns(run: AkeneoImport, header: Iterable[str]) -> ValueColumns:
    """The value, price and association columns of ``header``, for the run's channel.

    Columns of attributes left out (images, files) are known and skipped; columns of other
    channels too, reported once. A column none of this describes is reported by the reading
    of the file as not imported.
    """
    columns = ValueColumns()
    units: dict[tuple[int, str], str] = {}
    for name in header:
        code, *rest = name.split("-")
        spec = run.attributes.get(code.lower())
        if spec is None:
            if layouts.ASSOCIATION_COLUMN.fullmatch(name):
                columns.associations.append(name)
                columns.known.add(name)
            continue
        if spec.attribute is None:
            columns.known.add(name)
            continue
        parsed = _parse(spec, spec.attribute, rest)
        if parsed is None:
            continue
        language, channel, currency, is_unit = parsed
        columns.known.add(name)
        if spec.is_scopable and channel.lower() != run.channel.lower():
            columns.other_channels.add(channel)
            continue
        column = ValueColumn(name, spec, spec.attribute, language, currency=currency)
        if is_unit:
            units[(spec.attribute.pk, language)] = name
        elif spec.attribute.type == AttributeType.PRICE:
            columns.prices.append(column)
        else:
            columns.values.append(column)
    columns.values = [
        ValueColumn(
            column.name,
            column.spec,
            column.attribute,
            column.language,
            unit_column=units.get((column.attribute.pk, column.language), ""),
        )
        for column in columns.values
    ]
    return columns


def _parse(
    spec: AttributeSpec, attribute: Attribute, rest: list[str]
) -> tuple[str, str, str, bool] | None:
    """(language, channel, currency, whether it is a unit column) of a column whose name is
    the attribute's code then ``rest``, or None if that is not how its columns are named."""
    rest = list(rest)
    is_unit = attribute.type == AttributeType.METRIC and rest[-1:] == ["unit"]
    if is_unit:
        rest.pop()
    currency = ""
    if attribute.type == AttributeType.PRICE:
        if not rest or not layouts.CURRENCY.fullmatch(rest[-1]):
            return None
        try:
            currency = checked_currency(rest.pop())
        except DomainError:
            return None
    language = ""
    if spec.is_localizable:
        if not rest or not layouts.LOCALE.fullmatch(rest[0]):
            return None
        language = normalize_language(rest.pop(0))
    channel = ""
    if spec.is_scopable:
        if not rest:
            return None
        channel = rest.pop(0)
    if rest:
        return None
    return language, channel, currency, is_unit


def other_channels_warning(run: AkeneoImport, file_name: str, columns: ValueColumns) -> None:
    if columns.other_channels:
        run.report.warn(
            Problem(
                file=file_name,
                line=1,
                message=f"the values of the channels {', '.join(sorted(columns.other_channels))} "
                f"are not imported: the import takes the channel '{run.channel}'",
            )
        )


def read_values(run: AkeneoImport, fields: Fields, columns: ValueColumns) -> list[AttributeValue]:
    """The record's attribute values (none for an empty cell); a bad one is noted on
    ``fields`` with its column."""
    values = []
    for column in columns.values:
        text = fields.raw(column.name)
        if not text.strip():
            continue
        if column.spec.is_rich_text:
            text = html_to_text(text)
        unit = fields.raw(column.unit_column) if column.unit_column else ""
        try:
            values.append(
                value_from_text(
                    column.attribute,
                    text,
                    options=run.options.get(column.attribute.pk, {}),
                    language=column.language,
                    unit=unit,
                )
            )
        except DomainError as error:
            fields.error(column.name, error.message)
    return values


def read_prices(fields: Fields, columns: ValueColumns) -> dict[tuple[str, str], Decimal]:
    """The record's prices by (price attribute code, currency)."""
    prices = {}
    for column in columns.prices:
        amount = fields.decimal(column.name, max_decimals=4, max_digits=19)
        if amount is not None:
            prices[(column.attribute.code, column.currency)] = amount
    return prices


def text_in_default_language(
    values: Iterable[AttributeValue], attribute: Attribute, language: str
) -> str:
    """The text of ``attribute`` among ``values``: its only one, or the one in ``language``
    (else in the first language that has one); empty if it has none."""
    texts = {value.language: value.text for value in values if value.attribute.pk == attribute.pk}
    if "" in texts:
        return texts[""]
    chosen = best_language(texts, language)
    if chosen is not None:
        return texts[chosen]
    return next((texts[key] for key in sorted(texts)), "")
