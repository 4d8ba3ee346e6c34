"""Prices set by hand written a batch at a time, in a few statements whatever its size.

The prices a batch names are looked up in one query per list, new ones go in with COPY on
PostgreSQL, every change is kept in the price history and told in ``price_changed`` events,
and the lists computed from the changed ones are rebuilt once the run is over. A price a rule
computed is not written: the rule owns it. The prices entity and the OroCommerce import both
write through ``PriceWriter``.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from comptoir.core.records import CREATED, UNCHANGED, UPDATED
from comptoir.integration.transfer.base import ImportRun, Row
from comptoir.integration.transfer.bulk import (
    Rebuilds,
    adapt_datetime,
    as_text,
    fetch_in,
    insert_rows,
    update_rows,
)
from comptoir.pricing.events import record_prices_changed
from comptoir.pricing.models import Price, PriceChange, PriceList, PriceRule, PriceSource

PRICE_TABLE = Price._meta.db_table


class PriceEntry(NamedTuple):
    """One price to set by hand: what one ``unit_id`` of a product costs on a list from
    ``quantity`` up. Shaped as ``Price`` is, for the history and the events."""

    price_list_id: int
    product_id: int
    unit_id: int
    quantity: Decimal
    value: Decimal


class PriceWriter:
    """Writes the prices of a batch of rows in a few statements.

    ``load`` locks the lists and reads the prices the entries name; ``refusal`` says why an
    entry cannot be written (a rule computes that price); ``write`` writes the rest, keeps the
    history, records the events and counts each row. Prices of products created in the same
    batch need no ``load``: they have none yet.
    """

    def __init__(self, run: ImportRun, *, rebuilds: Rebuilds | None) -> None:
        self.run = run
        self.rebuilds = rebuilds
        # (list, product, unit, quantity) -> (price id, value, source, rule id)
        self.current: dict[tuple, tuple[int, Decimal, str, int | None]] = {}

    def load(self, entries: Iterable[PriceEntry]) -> None:
        pairs: dict[int, set[int]] = {}
        for entry in entries:
            pairs.setdefault(entry.price_list_id, set()).add(entry.product_id)
        if not pairs:
            return
        # Waits for a rebuild of the lists running meanwhile, which would overwrite the batch.
        list(PriceList.objects.select_for_update().filter(pk__in=pairs).order_by("pk"))
        for list_id, product_ids in pairs.items():
            for pk, product_id, unit_id, quantity, value, source, rule_id in fetch_in(
                f"SELECT id, product_id, unit_id, {as_text('quantity')}, {as_text('value')}, "
                f"source, rule_id FROM {PRICE_TABLE} "
                "WHERE price_list_id = %s AND product_id {in_values}",
                product_ids,
                params=[list_id],
            ):
                slot = (list_id, product_id, unit_id, Decimal(quantity))
                self.current[slot] = (pk, Decimal(value), source, rule_id)

    def has(self, entry: PriceEntry) -> bool:
        """Whether the price ``entry`` names is in its list (as ``load`` found it)."""
        return entry[:4] in self.current

    def refusal(self, entry: PriceEntry) -> str | None:
        found = self.current.get(entry[:4])
        if found is None or found[2] != PriceSource.RULE:
            return None
        rule = PriceRule.objects.filter(pk=found[3]).values_list("name", flat=True).first()
        return (
            f"this price is computed by the rule '{rule or 'removed since'}' of its list: "
            "change the rule, or remove the row (an import sets prices entered by hand only)"
        )

    def write(self, rows: list[tuple[Row, list[PriceEntry]]], *, entity: str = "prices") -> None:
        inserts, updates, changes, statuses = [], [], [], []
        for row, entries in rows:
            for entry in entries:
                found = self.current.get(entry[:4])
                if found is None:
                    inserts.append(entry)
                    changes.append(entry)
                    statuses.append((row, CREATED))
                elif found[1] == entry.value and found[2] == PriceSource.MANUAL:
                    statuses.append((row, UNCHANGED))
                else:
                    updates.append((found[0], entry.value, PriceSource.MANUAL.value, None))
                    changes.append(entry)
                    statuses.append((row, UPDATED))
        manual = PriceSource.MANUAL.value
        insert_rows(
            Price._meta.db_table,
            ("price_list_id", "product_id", "unit_id", "quantity", "value", "source"),
            [(*entry, manual) for entry in inserts],
        )
        update_rows(
            Price._meta.db_table,
            ("value", "source", "rule_id"),
            updates,
            types=("numeric(19, 4)", "varchar(10)", "bigint"),
        )
        self.record(changes)
        for row, status in statuses:
            self.run.done(row, status, entity=entity)

    def record(self, changes: list[PriceEntry], *, removed: bool = False) -> None:
        """Keep ``changes`` (or removals) of prices set by hand in the history and the events;
        queue the rebuilds they call for."""
        if not changes:
            return
        now = adapt_datetime(timezone.now())
        source = PriceSource.MANUAL.value
        insert_rows(
            PriceChange._meta.db_table,
            (
                "price_list_id",
                "product_id",
                "unit_id",
                "quantity",
                "value",
                "source",
                "rule_id",
                "changed_at",
            ),
            [
                (*entry[:4], None if removed else entry.value, source, None, now)
                for entry in changes
            ],
        )
        record_prices_changed(changes, removed=removed)
        if self.rebuilds is not None:
            by_list: dict[int, set[int]] = {}
            for entry in changes:
                by_list.setdefault(entry.price_list_id, set()).add(entry.product_id)
            for list_id, product_ids in by_list.items():
                self.rebuilds.price_changed(list_id, product_ids, removed=removed)
