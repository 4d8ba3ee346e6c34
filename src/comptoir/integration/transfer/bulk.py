"""Many rows in a few statements, for imports: inserts, updates, the keys a run has met, and
the price rebuilds a run's changes call for.

On PostgreSQL new rows go in with COPY, and changed rows through a temporary table that one
UPDATE reads; on SQLite both are one ``executemany``. Values are passed as the ORM would
store them: datetimes through ``adapt_datetime``, decimals and booleans as they are.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection

from comptoir.pricing.rules import lists_with_rules
from comptoir.pricing.tasks import schedule_product_rebuild, schedule_rebuild


def adapt_datetime(moment: datetime):
    """``moment`` as a datetime column takes it in a raw statement (naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(moment)


# Rows each table had when last analyzed, and rows inserted into it since (PostgreSQL).
_GROWTH: dict[str, tuple[int, int]] = {}
# Rows inserted before a table's first analysis in this process.
FIRST_ANALYSIS = 20_000


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table``."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # An error of the copy (a key taken meanwhile) raised as the ORM raises it, so
            # that the runner goes row by row to find the row at fault.
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            _keep_statistics(cursor, table, len(rows))
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)


def next_ids(table: str, count: int) -> list[int] | None:
    """``count`` ids for new rows of ``table``, taken from its sequence on PostgreSQL, so that
    rows copied in need no lookup to learn their ids; None on SQLite."""
    if connection.vendor != "postgresql" or not count:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _keep_statistics(cursor, table: str, inserted: int) -> None:
    """Analyze ``table`` each time it has doubled since its last analysis: the planner of a
    table filled from empty in one run would otherwise go on believing it empty, and read it
    whole for every lookup of a batch."""
    analyzed, since = _GROWTH.get(table, (0, 0))
    since += inserted
    if since >= max(analyzed, FIRST_ANALYSIS):
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        analyzed, since = analyzed + since, 0
    _GROWTH[table] = (analyzed, since)


def update_rows(
    table: str, columns: Sequence[str], rows: Sequence[Sequence], *, types: Sequence[str]
) -> None:
    """Set ``columns`` of the rows of ``table`` whose id opens each of ``rows`` (id, values...).

    ``types`` are the SQL types of ``columns``, for PostgreSQL's temporary table.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {quote(table)} SET {assignments} WHERE id = %s",
                [(*row[1:], row[0]) for row in rows],
            )
            return
        changes = f"{table}_changes"
        definition = ", ".join(
            f"{quote(column)} {kind}" for column, kind in zip(columns, types, strict=True)
        )
        # Made anew for each update: two updates of one transaction may set other columns.
        cursor.execute(f"DROP TABLE IF EXISTS {quote(changes)}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote(changes)} "
            f"(id bigint PRIMARY KEY, {definition}) ON COMMIT DROP"
        )
        names = ", ".join(quote(column) for column in columns)
        with (
            connection.wrap_database_errors,
            cursor.copy(f"COPY {quote(changes)} (id, {names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        assignments = ", ".join(f"{quote(column)} = changes.{quote(column)}" for column in columns)
        cursor.execute(
            f"UPDATE {quote(table)} AS target SET {assignments} "
            f"FROM {quote(changes)} AS changes WHERE target.id = changes.id"
        )


def fetch_in(sql: str, values: Iterable, *, params: Sequence = ()) -> list[tuple]:
    """The rows of ``sql`` for all of ``values``: ``sql`` holds ``{in_values}`` after the
    column to match, as in ``WHERE id {in_values}``. Plain SQL, for lookups of thousands of
    keys that the ORM would spend longer preparing than the database answering. Decimals are
    selected with ``as_text``, which SQLite would otherwise give as floats."""
    values = list(values)
    rows: list[tuple] = []
    postgresql = connection.vendor == "postgresql"
    # PostgreSQL probes its indexes for a thousand keys at a time where, for more, it may read
    # the whole table; SQLite takes at most 32,766 parameters.
    part_size = 1000 if postgresql else 5000
    with connection.cursor() as cursor:
        for start in range(0, len(values), part_size):
            part = values[start : start + part_size]
            if postgresql:
                # One array literal, written here: quoting a thousand elements one by one
                # costs the driver more than the query.
                kind = "bigint" if isinstance(part[0], int) else "text"
                in_values, arguments = f"= ANY(%s::{kind}[])", [_array_literal(part)]
            else:
                in_values, arguments = f"IN ({', '.join(['%s'] * len(part))})", part
            cursor.execute(sql.format(in_values=in_values), [*params, *arguments])
            rows.extend(cursor.fetchall())
    return rows


def _array_literal(values: list) -> str:
    """``values`` (integers, or texts) as a PostgreSQL array literal."""
    if isinstance(values[0], int):
        return "{" + ",".join(map(str, values)) + "}"
    return (
        "{"
        + ",".join('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
        + "}"
    )


def as_text(column: str) -> str:
    """``column`` selected as text: a decimal read back exactly on every database."""
    return f"CAST({column} AS TEXT)"


def delete_rows(table: str, ids: Sequence[int]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {quote(table)} WHERE id IN ({marks})", part)


class SeenKeys:
    """The keys a run has met so far, each with the line that first named it and how to name it
    in a message (``"SKU 'AB-1'"``). They live in a temporary table of the database, so that a
    key met twice is found whatever the size of the file, in flat memory; what a rolled-back
    batch added goes with it.
    """

    def __init__(self, name: str) -> None:
        self.name = f"transfer_seen_{name}"
        self.table = connection.ops.quote_name(self.name)

    def start(self) -> None:
        """Begin with no key met (a table left by a run that failed is emptied)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.table} "
                "(key text PRIMARY KEY, line integer NOT NULL, label text NOT NULL)"
            )
            cursor.execute(f"DELETE FROM {self.table}")

    def earlier(self, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
        """The (line, label) of each of ``keys`` met before."""
        rows = fetch_in(f"SELECT key, line, label FROM {self.table} WHERE key {{in_values}}", keys)
        return {key: (line, label) for key, line, label in rows}

    def add(self, entries: Sequence[tuple[str, int, str]]) -> None:
        """Remember (key, line, label) entries, none of them met before."""
        insert_rows(self.name, ("key", "line", "label"), entries)

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


class Rebuilds:
    """What a run changed that prices computed by rules read: products, and manual prices per
    price list. Scheduled once at the end of the run; past ``LIMIT`` products the whole list
    is rebuilt instead of each product (a task's arguments stay small, and one pass over a
    list is faster than many)."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self.products: set[int] | None = set()
        self.prices: dict[int, set[int] | None] = {}
        # Lists that lost prices: their own rules may give those slots again.
        self.emptied: set[int] = set()

    def product_changed(self, product_ids: Iterable[int]) -> None:
        if self.products is not None:
            self.products.update(product_ids)
            if len(self.products) > self.LIMIT:
                self.products = None

    def price_changed(
        self, list_id: int, product_ids: Iterable[int] | None, *, removed: bool = False
    ) -> None:
        """Prices of ``product_ids`` (None: of too many products to name) changed on a list."""
        if removed:
            self.emptied.add(list_id)
        products = self.prices.setdefault(list_id, set())
        if product_ids is None:
            self.prices[list_id] = None
        elif products is not None:
            products.update(product_ids)
            if len(products) > self.LIMIT:
                self.prices[list_id] = None

    def schedule(self) -> None:
        """Queue the rebuilds, after the current transaction commits."""
        if self.products is None:
            schedule_rebuild(list_ids=lists_with_rules())
        else:
            schedule_product_rebuild(self.products)
        for list_id, products in self.prices.items():
            schedule_rebuild(
                list_ids=[list_id],
                product_ids=products,
                dependents_only=list_id not in self.emptied,
            )
