"""Pricing entities: price lists, and the prices entered by hand on them.

Prices go through ``price_batches``: a batch is looked up and written in a few statements, its
changes kept in the price history; a price a rule computed is not imported into.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from comptoir.catalog.models import normalize_sku
from comptoir.core.errors import DomainError
from comptoir.core.money import checked_currency
from comptoir.core.records import CREATED, assign_changes, save_changes
from comptoir.integration.csvfiles import Fields
from comptoir.integration.transfer.base import Column, Entity, ImportRun, Option, Row
from comptoir.integration.transfer.bulk import Rebuilds, SeenKeys, delete_rows
from comptoir.integration.transfer.entities import price_staging
from comptoir.integration.transfer.entities.price_batches import PriceEntry, PriceWriter
from comptoir.integration.transfer.entities.product_batches import (
    find_products,
    number_text,
    units_by_code,
)
from comptoir.integration.transfer.registry import register
from comptoir.integration.transfer.staging import StagedFile
from comptoir.pricing.models import Price, PriceList, PriceSource

MAX_PRICE_LISTS_LISTED = 10


def _moment(fields: Fields, column: str) -> datetime | None:
    """A date (midnight) or a date and time, ISO 8601; without an offset, in the site's zone."""
    text = fields.text(column)
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = None if day is None else datetime(day.year, day.month, day.day)
    except ValueError:
        moment = None
    if moment is None:
        fields.error(
            column,
            f"'{text}' is not a date; write it as YYYY-MM-DD, or YYYY-MM-DDTHH:MM with an "
            "optional offset (2025-01-31T08:00+01:00)",
        )
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _moment_text(moment: datetime | None) -> str:
    return "" if moment is None else timezone.localtime(moment).isoformat()


@dataclass
class PriceListRow:
    name: str
    values: dict[str, Any]


@register
class PriceLists(Entity):
    name = "price_lists"
    label = "Price lists"
    key = ("name",)
    batch_size = 500
    columns = (
        Column(
            "name",
            "The list's name, unique ignoring case; price files and rules name it.",
            "Wholesale",
            required=True,
        ),
        Column(
            "currency",
            "Its ISO 4217 currency code; empty: the site's currency. A list holding prices "
            "keeps its currency.",
            "USD",
        ),
        Column("active", "1 when buyers get its prices, 0 when not; empty: 1.", "1"),
        Column(
            "active_from",
            "When it starts to apply: YYYY-MM-DD or YYYY-MM-DDTHH:MM (with an optional offset, "
            "else the site's time zone); empty: as soon as it is active.",
            "2025-01-01",
        ),
        Column(
            "active_until",
            "When it stops applying (not included), written the same way; empty: until it is "
            "switched off.",
            "",
        ),
    )

    def start(self, run: ImportRun) -> None:
        # Price lists are few: the names met are kept in memory.
        run.state["seen"] = {}

    def parse(self, fields: Fields, run: ImportRun) -> PriceListRow:
        record = fields.record.values
        name = fields.text("name", required=True, max_length=100)
        fields.unique(run.state["seen"], name.lower(), "name", f"price list '{name}'")
        values: dict[str, Any] = {}
        if "currency" in record:
            code = fields.text("currency") or settings.COMPTOIR_DEFAULT_CURRENCY
            try:
                values["currency"] = checked_currency(code)
            except DomainError as error:
                fields.error("currency", error.message)
        if "active" in record:
            values["is_active"] = fields.boolean("active", default=True)
        for column in ("active_from", "active_until"):
            if column in record:
                values[column] = _moment(fields, column)
        start, end = values.get("active_from"), values.get("active_until")
        if start is not None and end is not None and end <= start:
            fields.error(
                "active_until",
                f"'{fields.raw('active_until').strip()}' is not after active_from; write a "
                "later moment, or leave it empty",
            )
        return PriceListRow(name=name, values=values)

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        for row in rows:
            data: PriceListRow = row.data
            price_list = PriceList.objects.select_for_update().filter(name__iexact=data.name)
            price_list = price_list.first()
            if price_list is None:
                PriceList.objects.create(name=data.name, **data.values)
                run.done(row, CREATED)
                continue
            problem = _price_list_problem(price_list, data.values)
            if problem is not None:
                run.refuse(row, problem[1], column=problem[0])
                continue
            run.done(row, save_changes(price_list, assign_changes(price_list, data.values)))

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        for price_list in PriceList.objects.order_by("name").iterator():
            yield {
                "name": price_list.name,
                "currency": price_list.currency,
                "active": "1" if price_list.is_active else "0",
                "active_from": _moment_text(price_list.active_from),
                "active_until": _moment_text(price_list.active_until),
            }


def _price_list_problem(price_list: PriceList, values: dict[str, Any]) -> tuple[str, str] | None:
    currency = values.get("currency", price_list.currency)
    if currency != price_list.currency and price_list.prices.exists():
        return (
            "currency",
            f"'{price_list.name}' holds prices in {price_list.currency}: its currency stays; "
            f"write {price_list.currency}, or put the {currency} prices in a new list",
        )
    start = values.get("active_from", price_list.active_from)
    end = values.get("active_until", price_list.active_until)
    if start is not None and end is not None and end <= start:
        column = "active_until" if "active_until" in values else "active_from"
        return (
            column,
            f"'{price_list.name}' would stop applying ({_moment_text(end)}) before it starts "
            f"({_moment_text(start)}); write an active_until after active_from",
        )
    return None


@dataclass
class PriceRow:
    price_list: str
    sku: str
    unit: str
    quantity: Decimal
    value: Decimal
    currency: str


MODES = ("replace", "reset")


@register
class Prices(Entity):
    name = "prices"
    label = "Prices"
    key = ("price_list", "sku", "unit", "quantity")
    batch_size = 10_000
    columns = (
        Column(
            "price_list",
            "The name of the price list (import it first); a file without this column names "
            "its list with the option price_list.",
            "Default",
            aliases=("price list", "price list name"),
        ),
        Column(
            "sku",
            "The SKU of a product in the catalog.",
            "FS-1102",
            required=True,
            aliases=("product sku",),
        ),
        Column(
            "unit",
            "A unit the product comes in; empty: its primary unit.",
            "item",
            aliases=("unit code",),
        ),
        Column(
            "quantity",
            "The tier: the price applies from this quantity up; empty: 1.",
            "1",
        ),
        Column(
            "price",
            "What one unit costs, with a decimal point and at most 4 decimals.",
            "0.42",
            required=True,
            aliases=("value",),
        ),
        Column("currency", "Checked against the list's currency when given.", "USD"),
    )
    options = (
        Option(
            "mode",
            "replace: the prices of the file are added or replace those of the same list, SKU, "
            "unit and quantity, the others are kept; reset: the lists the file names also lose "
            "the prices entered by hand that the file does not name (only when no row is "
            "refused).",
            choices=MODES,
            default="replace",
        ),
        Option("price_list", "The price list of a file without a price_list column."),
    )

    def check_columns(self, columns: frozenset[str], run: ImportRun) -> str | None:
        if "price_list" not in columns and not run.option("price_list"):
            return (
                "the file has no price_list column: add one, or name the list of every price "
                "with the option price_list (--option price_list=NAME)"
            )
        return None

    def start(self, run: ImportRun) -> None:
        run.state["seen"] = seen = SeenKeys(self.name)
        seen.start()
        run.state["rebuilds"] = Rebuilds()
        run.state["lists"] = {}
        run.state["named_lists"] = set()

    def parse(self, fields: Fields, run: ImportRun) -> PriceRow:
        name = fields.text("price_list", max_length=100) or run.option("price_list").strip()
        if not name:
            fields.error(
                "price_list",
                "is empty; write the name of the price list, or leave the column out and name "
                "the list with the option price_list",
            )
        quantity = fields.decimal("quantity", max_decimals=3, max_digits=14)
        return PriceRow(
            price_list=name,
            sku=fields.text("sku", required=True, max_length=64),
            unit=fields.text("unit").lower(),
            quantity=Decimal(1)
            if quantity is None and not fields.raw("quantity").strip()
            else quantity,
            value=fields.decimal("price", required=True, max_decimals=4, max_digits=19),
            currency=fields.text("currency").upper(),
        )

    def apply(self, rows: list[Row], run: ImportRun) -> None:
        seen: SeenKeys = run.state["seen"]
        products = find_products(normalize_sku(row.data.sku) for row in rows)
        units = units_by_code(pk for pk, _ in products.values())
        resolved = []
        for row in rows:
            data: PriceRow = row.data
            price_list, refusal = self._list_of(run, data.price_list, data.currency)
            if price_list is None:
                run.refuse(row, refusal[1], column=refusal[0])
                continue
            product = products.get(normalize_sku(data.sku))
            if product is None:
                run.refuse(
                    row,
                    f"no product has the SKU '{data.sku}'; import it with the products file first",
                    column="sku",
                )
                continue
            sold = units.get(product[0], {})
            unit_id = sold.get(data.unit or "", (None,))[0]
            if unit_id is None:
                run.refuse(
                    row,
                    f"SKU '{product[1]}' does not come in '{data.unit}'; write one of its "
                    f"units ({', '.join(sorted(code for code in sold if code))}), or add the "
                    "unit in the product units file first",
                    column="unit",
                )
                continue
            entry = PriceEntry(price_list.pk, product[0], unit_id, data.quantity, data.value)
            resolved.append((row, entry, _price_key(entry)))

        writer = PriceWriter(run, rebuilds=run.state["rebuilds"])
        writer.load(entry for _, entry, _ in resolved)
        # A price accepted earlier in the run was written: only prices there can be repeats.
        earlier = seen.earlier(key for _, entry, key in resolved if writer.has(entry))
        in_batch: dict[str, tuple[int, str]] = {}
        accepted = []
        for row, entry, key in resolved:
            first = earlier.get(key) or in_batch.get(key)
            if first is not None:
                run.refuse(
                    row,
                    f"duplicates line {first[0]}, which prices the same SKU in the same unit "
                    "from the same quantity on the same list; keep one of the two rows",
                    column="sku",
                )
                continue
            refusal = writer.refusal(entry)
            if refusal is not None:
                run.refuse(row, refusal, column="price")
                continue
            in_batch[key] = (row.line, "")
            accepted.append((row, [entry]))
            run.state["named_lists"].add(entry.price_list_id)
        writer.write(accepted)
        seen.add([(key, line, label) for key, (line, label) in in_batch.items()])

    def _list_of(
        self, run: ImportRun, name: str, currency: str
    ) -> tuple[PriceList | None, tuple[str, str]]:
        """The list a row names and prices in ``currency`` (empty: the list's), or the column
        and the message of the row's refusal."""
        # Price imports create no list, so what is found (or not) stays true for the run.
        lists: dict[str, PriceList | None] = run.state["lists"]
        if name.lower() not in lists:
            lists[name.lower()] = PriceList.objects.filter(name__iexact=name).first()
        price_list = lists[name.lower()]
        if price_list is None:
            # Said the same way for every row of the run that names it.
            unknown = run.state.setdefault("unknown_lists", {})
            if name not in unknown:
                unknown[name] = _unknown_list(name)
            return None, ("price_list", unknown[name])
        if currency and currency != price_list.currency:
            return None, (
                "currency",
                f"'{currency}' is not the currency of '{price_list.name}' "
                f"({price_list.currency}); write the price in {price_list.currency}, or "
                f"import it into a list in {currency}",
            )
        return price_list, ("", "")

    def stages(self, run: ImportRun) -> bool:
        return True

    def prepare_staged(self, staged: StagedFile, run: ImportRun) -> None:
        price_staging.prepare(self, staged, run)

    def write_staged(self, staged: StagedFile, first: int, last: int, run: ImportRun) -> int:
        return price_staging.write(staged, first, last, run)

    def staged_list(self, run: ImportRun, name: str | None, currency: str | None) -> int | None:
        """The id of the list a staged record names in the price_list and currency columns
        (None where a column is absent), if ``parse`` and ``apply`` would take them."""
        name, currency = (name or "").strip(), (currency or "").strip().upper()
        if "\x00" in name + currency or len(name) > 100:
            return None
        price_list, _ = self._list_of(run, name or run.option("price_list").strip(), currency)
        return None if price_list is None else price_list.pk

    def finish(self, run: ImportRun) -> None:
        if run.option("mode") == "reset":
            self._reset(run)
        run.state["rebuilds"].schedule()
        run.state["seen"].drop()

    def _reset(self, run: ImportRun) -> None:
        """Remove the prices entered by hand on the lists the file named that it did not name;
        only when no row was refused, so a price whose row failed is not lost."""
        lists = PriceList.objects.filter(pk__in=run.state["named_lists"]).order_by("name")
        if run.report.errors:
            if lists:
                run.warn(
                    None,
                    f"mode reset: {', '.join(lists.values_list('name', flat=True))} kept the "
                    "prices the file does not name, as some rows were refused; correct them "
                    "and import the file again",
                )
            return
        seen: SeenKeys = run.state["seen"]
        writer = PriceWriter(run, rebuilds=run.state["rebuilds"])
        for price_list in lists:
            removed, last = 0, 0
            while True:
                prices = list(
                    Price.objects.filter(
                        price_list=price_list, source=PriceSource.MANUAL, pk__gt=last
                    )
                    .order_by("pk")
                    .values_list(
                        "pk", "price_list_id", "product_id", "unit_id", "quantity", "value"
                    )[:5000]
                )
                if not prices:
                    break
                last = prices[-1][0]
                entries = {pk: PriceEntry(*values) for pk, *values in prices}
                named = seen.earlier(_price_key(entry) for entry in entries.values())
                stale = {
                    pk: entry for pk, entry in entries.items() if _price_key(entry) not in named
                }
                delete_rows(Price._meta.db_table, list(stale))
                writer.record(list(stale.values()), removed=True)
                removed += len(stale)
            if removed:
                run.warn(
                    None,
                    f"mode reset: {removed} prices of '{price_list.name}' that the file does not "
                    "name were removed",
                )

    def export(self, options: dict[str, str]) -> Iterator[dict[str, str]]:
        prices = Price.objects.filter(source=PriceSource.MANUAL)
        name = options.get("price_list", "").strip()
        if name:
            prices = prices.filter(price_list__name__iexact=name)
        rows = prices.order_by(
            "price_list__name", "product__sku", "product_id", "unit__code", "quantity"
        ).values_list(
            "price_list__name",
            "product__sku",
            "unit__code",
            "quantity",
            "value",
            "price_list__currency",
        )
        for list_name, sku, unit, quantity, value, currency in rows.iterator(chunk_size=5000):
            yield {
                "price_list": list_name,
                "sku": sku,
                "unit": unit,
                "quantity": number_text(quantity),
                "price": number_text(value),
                "currency": currency,
            }


def _price_key(entry: PriceEntry) -> str:
    """What names a price in the run's seen keys; quantities have 3 decimals at most."""
    return f"{entry.price_list_id}|{entry.product_id}|{entry.unit_id}|{entry.quantity:.3f}"


def _unknown_list(name: str) -> str:
    names = list(PriceList.objects.order_by("name").values_list("name", flat=True))
    listed = ", ".join(names[:MAX_PRICE_LISTS_LISTED]) or "none yet"
    if len(names) > MAX_PRICE_LISTS_LISTED:
        listed += ", ..."
    return (
        f"no price list is named '{name}'; write the name of one ({listed}), or import it "
        "with the price_lists file first"
    )
