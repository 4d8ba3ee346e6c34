"""Products' attribute values written a batch at a time, in a few statements whatever the
batch's size.

The values a batch's products have for the attributes it names are read in two queries (the
values, then their options); new values are inserted together, changed ones updated together,
emptied ones deleted together. The values given must be checked already, as
``value_from_text`` and the product attribute values entity check them: an attribute that is
not a price, a language only for a localizable attribute and in its stored form, options of
the attribute. The product attribute values entity and the Magento import write through here.
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection

from comptoir.catalog.attribute_values import AttributeValue
from comptoir.catalog.attributes import ProductAttributeValue
from comptoir.core.records import CREATED, UNCHANGED, UPDATED, UpsertStatus
from comptoir.integration.transfer.bulk import (
    as_text,
    fetch_in,
    insert_rows,
    next_ids,
    update_rows,
)

# The fields that hold a value, as the attribute's type says.
STORED_FIELDS = ("text", "number", "boolean", "date", "unit")

VALUE_TABLE = ProductAttributeValue._meta.db_table
ValueOptions = ProductAttributeValue.options.through
ValueKey = tuple[int, int, str]


def write_attribute_values(values: Sequence[tuple[int, AttributeValue]]) -> list[UpsertStatus]:
    """Give each product (by id) its value; an empty value removes the one it had. Returns
    the status of each value, in order. A value given again for a product (the same attribute
    and language) is written after the first, and is compared with it."""
    statuses: list[UpsertStatus] = []
    part: list[tuple[int, AttributeValue]] = []
    keys: set[ValueKey] = set()
    for product_id, value in values:
        key = (product_id, value.attribute.pk, value.language)
        if key in keys:
            statuses += _write(part)
            part, keys = [], set()
        part.append((product_id, value))
        keys.add(key)
    if part:
        statuses += _write(part)
    return statuses


def _write(values: list[tuple[int, AttributeValue]]) -> list[UpsertStatus]:
    """Write ``values``, no two of them for one product, attribute and language."""
    current = _current_values(values)
    options = _current_options([pk for pk, _ in current.values()])

    statuses: list[UpsertStatus] = []
    new: list[tuple[int, AttributeValue]] = []
    changed: dict[tuple[str, ...], list[tuple]] = {}
    removed: list[int] = []
    options_added: list[tuple[int, int]] = []
    options_removed: dict[int, set[int]] = {}
    for product_id, value in values:
        found = current.get((product_id, value.attribute.pk, value.language))
        if value.is_empty:
            if found is not None:
                removed.append(found[0])
            statuses.append(UNCHANGED if found is None else UPDATED)
            continue
        if found is None:
            new.append((product_id, value))
            statuses.append(CREATED)
            continue
        pk, stored = found
        names = tuple(
            name
            for name, kept in zip(STORED_FIELDS, stored, strict=True)
            if getattr(value, name) != kept
        )
        if names:
            changed.setdefault(names, []).append(
                (pk, *(_prepared(name, getattr(value, name)) for name in names))
            )
        have = options.get(pk, set())
        wanted = {option.pk for option in value.options}
        options_added += [(pk, option_id) for option_id in wanted - have]
        if have - wanted:
            options_removed[pk] = have - wanted
        statuses.append(UPDATED if names or have != wanted else UNCHANGED)

    if removed:
        ProductAttributeValue.objects.filter(pk__in=removed).delete()
    for names, rows in changed.items():
        fields = [ProductAttributeValue._meta.get_field(name) for name in names]
        update_rows(
            VALUE_TABLE,
            [field.column for field in fields],
            rows,
            types=[field.db_type(connection) for field in fields],
        )
    for value_id, option_ids in options_removed.items():
        ValueOptions.objects.filter(
            productattributevalue_id=value_id, attributeoption_id__in=option_ids
        ).delete()
    ids = _insert_values(new)
    options_added += [
        (pk, option.pk)
        for pk, (_, value) in zip(ids, new, strict=True)
        for option in value.options
    ]
    insert_rows(
        ValueOptions._meta.db_table,
        ("productattributevalue_id", "attributeoption_id"),
        options_added,
    )
    return statuses


def _insert_values(values: list[tuple[int, AttributeValue]]) -> list[int]:
    """Insert ``values`` (product id, value); return their ids, in order."""
    if not values:
        return []
    rows = [
        (
            product_id,
            value.attribute.pk,
            value.language,
            value.text,
            _prepared("number", value.number),
            value.boolean,
            _prepared("date", value.date),
            value.unit,
        )
        for product_id, value in values
    ]
    columns = ("product_id", "attribute_id", "language", *STORED_FIELDS)
    ids = next_ids(VALUE_TABLE, len(rows))
    if ids is not None:
        insert_rows(
            VALUE_TABLE, ("id", *columns), [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        )
        return ids
    insert_rows(VALUE_TABLE, columns, rows)
    found = {key: pk for key, (pk, _) in _current_values(values, lock=False).items()}
    return [found[product_id, value.attribute.pk, value.language] for product_id, value in values]


def _prepared(name: str, stored: object) -> object:
    """A value of the field ``name`` as a raw statement takes it (a date as text on SQLite)."""
    if stored is None or name not in ("number", "date"):
        return stored
    return ProductAttributeValue._meta.get_field(name).get_db_prep_save(stored, connection)


def _current_values(
    values: list[tuple[int, AttributeValue]], *, lock: bool = True
) -> dict[ValueKey, tuple[int, tuple]]:
    """The id and stored fields (``STORED_FIELDS``) of the values the products have for the
    attributes ``values`` names, by key; locked, with ``lock``, where the database can."""
    attribute_ids = sorted({value.attribute.pk for _, value in values})
    marks = ", ".join(["%s"] * len(attribute_ids))
    locking = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    rows = fetch_in(
        f"SELECT id, product_id, attribute_id, language, text, {as_text('number')}, boolean, "
        f"{as_text('date')}, unit FROM {VALUE_TABLE} WHERE attribute_id IN ({marks}) "
        f"AND product_id {{in_values}}{locking}",
        sorted({product_id for product_id, _ in values}),
        params=attribute_ids,
    )
    return {
        (product_id, attribute_id, language): (
            pk,
            (
                text,
                None if number is None else Decimal(number),
                None if boolean is None else bool(boolean),
                None if date is None else datetime.date.fromisoformat(date[:10]),
                unit,
            ),
        )
        for pk, product_id, attribute_id, language, text, number, boolean, date, unit in rows
    }


def _current_options(value_ids: list[int]) -> dict[int, set[int]]:
    """The options of each value, by value id."""
    options: dict[int, set[int]] = {}
    rows = fetch_in(
        "SELECT productattributevalue_id, attributeoption_id FROM "
        f"{ValueOptions._meta.db_table} WHERE productattributevalue_id {{in_values}}",
        value_ids,
    )
    for value_id, option_id in rows:
        options.setdefault(value_id, set()).add(option_id)
    return options
