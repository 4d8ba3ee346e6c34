"""Large files on PostgreSQL: records copied into a staging table, checked and written in SQL.

Reading a record, checking its values and writing it row by row from Python costs tens of
microseconds; a file of millions of prices spends minutes there. For an entity that knows how
(``Entity.write_staged``), a file of ``STAGED_FROM`` records or more is copied as it is read
into a temporary table of text columns; the entity then writes, in a few statements per part of
the file, the records whose every value SQL can vouch for, exactly as its row-by-row path would
have written them. The records SQL cannot vouch for (a value in an unusual form, an unknown SKU,
a key named twice), with the records of the same products, go through the row-by-row path
afterwards in the file's order, which writes them or reports them with their own message. What
is written, and every message, is the same as without staging; only the order in which the
products are done differs.
"""

import contextlib
import itertools
import logging
import operator
import re
from collections.abc import Callable, Iterable, Iterator

from django.db import DatabaseError, connection, transaction

from comptoir.integration.csvfiles import Record
from comptoir.integration.transfer.base import ImportRun

logger = logging.getLogger(__name__)

# What SQL vouches for, over the text as it is in the file. Numbers of digits and a point,
# within the columns they go to (regular expressions of PostgreSQL): quantities, prices, and
# a price that may be empty.
PLAIN_QUANTITY = r"^ *[0-9]{1,11}(\.[0-9]{1,3})? *$"
PLAIN_PRICE = r"^ *[0-9]{1,15}(\.[0-9]{1,4})? *$"
PLAIN_PRICE_OR_EMPTY = r"^ *([0-9]{1,15}(\.[0-9]{1,4})?)? *$"
# The characters Python's ``str.strip`` drops, as a string of PostgreSQL: BTRIM drops the same.
WHITESPACE = (
    "U&'" + "".join(f"\\{code:04X}" for code in range(0x10000) if chr(code).isspace()) + "'"
)


def stripped(column: str) -> str:
    """SQL for the text of ``column`` (empty where NULL) as ``Fields.text`` strips it."""
    return f"BTRIM(COALESCE({column}, ''), {WHITESPACE})"


def sku_key(column: str) -> str:
    """SQL for the SKU of ``column`` compared as ``normalize_sku`` compares it, where
    ``plain_sku`` holds."""
    return f"UPPER({stripped(column)})"


def plain_sku(column: str) -> str:
    """SQL that holds where ``column`` is a SKU that the row-by-row path takes and compares as
    SQL does: ASCII (upper case is the same in both), 1 to 64 characters once stripped."""
    return (
        f"(octet_length({column}) = char_length({column}) "
        f"AND char_length({stripped(column)}) BETWEEN 1 AND 64)"
    )


# Files with fewer records go row by row: staging pays off past some thousands. The first
# records are held in memory until there are this many.
STAGED_FROM = 20_000
# Records written in one transaction of a staged file.
PART_SIZE = 100_000
# What the joins of a staged file may use, at most, of the database server's memory.
JOIN_MEMORY = "256MB"


class StagedFile:
    """The records of one import run in the table ``table``: their ``number`` and ``line``,
    then one text column per column of the file (NULL where a record does not have it), named
    in SQL by ``sql``. ``held`` marks records only the row-by-row path may take.

    ``resolved`` is the table, made by the entity, of the records SQL writes (by their
    ``number``): the others are handed back by ``rest``.
    """

    def __init__(self, run: ImportRun, columns: list[str]) -> None:
        self.run = run
        self.columns = columns
        name = run.entity.name.replace(" ", "_")
        self.table = f"transfer_staged_{name}"
        self.resolved: str | None = None
        # Records the row-by-row path takes: all, until the entity has resolved them.
        self.left_over = 0
        self.count = 0
        self.last_number = 0

    def sql(self, names: Iterable[str], *, of: str = "") -> dict[str, str]:
        """SQL for each of the file's columns ``names`` in a staged record (``of``: the
        record's alias): its staged column, or NULL where the file does not have it."""
        prefix = f"{of}." if of else ""
        return {
            name: f"{prefix}c{self.columns.index(name)}" if name in self.columns else "NULL"
            for name in names
        }

    def load(self, records: Iterator[Record]) -> None:
        names = ", ".join(f"c{index} text" for index in range(len(self.columns)))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} (number integer PRIMARY KEY, "
                f"line integer NOT NULL, held boolean NOT NULL, {names})"
            )
            columns = self.columns
            copied = ", ".join(f"c{index}" for index in range(len(columns)))
            statement = f"COPY {self.table} (number, line, held, {copied}) FROM STDIN"
            with connection.wrap_database_errors, cursor.copy(statement) as copy:
                values_of, single = operator.itemgetter(*columns), len(columns) == 1
                for record in records:
                    try:
                        values = values_of(record.values)
                        if single:
                            values = (values,)
                        held = "\x00" in "".join(values)
                    except (KeyError, TypeError):
                        # A record without a column, or with a value that is no text.
                        values = [record.values.get(name) for name in columns]
                        held = "\x00" in "".join(filter(None, values))
                    if held:
                        values = [_escaped(value) for value in values]
                    copy.write_row((record.number, record.line, held, *values))
                    self.count += 1
                    self.last_number = record.number
            cursor.execute(f"ANALYZE {self.table}")

    def distinct(self, *names: str, limit: int) -> list[tuple[str, ...]] | None:
        """The distinct values (empty where absent) of the file's columns ``names`` taken
        together; None when there are more than ``limit``."""
        values = ", ".join(f"COALESCE({column}, '')" for column in self.sql(names).values())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT {values} FROM {self.table} LIMIT {limit + 1}")
            rows = cursor.fetchall()
        return None if len(rows) > limit else rows

    def parts(self) -> Iterator[tuple[int, int]]:
        """The ranges of record numbers written one transaction each."""
        start = 1
        while start <= self.last_number:
            yield start, start + PART_SIZE - 1
            start += PART_SIZE

    def rest(self) -> Iterator[Record]:
        """The records not written in SQL, in the file's order, as they were read."""
        if not self.left_over:
            return
        columns = ", ".join(f"s.c{index}" for index in range(len(self.columns)))
        written = (
            ""
            if self.resolved is None
            else f"AND NOT EXISTS (SELECT 1 FROM {self.resolved} AS r WHERE r.number = s.number)"
        )
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT s.number, s.line, s.held, {columns} FROM {self.table} AS s "
                    f"WHERE s.number > %s {written} ORDER BY s.number LIMIT 5000",
                    [last],
                )
                rows = cursor.fetchall()
            if not rows:
                return
            for number, line, held, *values in rows:
                if held:
                    values = [_unescaped(value) for value in values]
                yield Record(
                    file_name=self.run.file_name,
                    line=line,
                    number=number,
                    values={
                        name: value
                        for name, value in zip(self.columns, values, strict=True)
                        if value is not None
                    },
                )
            last = rows[-1][0]

    def count_left_over(self) -> None:
        """Count the records the entity did not resolve, once it has."""
        resolved = 0
        if self.resolved is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {self.resolved}")
                (resolved,) = cursor.fetchone()
        self.left_over = self.count - resolved

    def keep_together(self, column: str, key: Callable[[str], str], statement: str) -> None:
        """Send row by row, with the records left over, the resolved records that name the
        same thing in ``column`` (a SKU, compared by ``key``) as one of them: the records
        naming one product then meet in the file's order, as without staging. ``statement``
        removes from the resolved table the records whose key is in the table ``{apart}``."""
        self.count_left_over()
        if not self.left_over:
            return
        apart = f"{self.table}_apart"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {apart}")
            cursor.execute(f"CREATE TEMPORARY TABLE {apart} (key text)")
            keys: list[str] = []
            for record in self.rest():
                keys.append(key(record.values.get(column) or ""))
                if len(keys) == 5000:
                    _copy_keys(cursor, apart, keys)
                    keys = []
            _copy_keys(cursor, apart, keys)
            cursor.execute(f"ANALYZE {apart}")
            cursor.execute(statement.format(apart=apart))
            cursor.execute(f"DROP TABLE {apart}")

    def unresolve(self, first: int, last: int) -> None:
        """Hand the records numbered ``first`` to ``last`` back to the row-by-row path."""
        if self.resolved is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {self.resolved} WHERE number BETWEEN %s AND %s", [first, last]
                )
                self.left_over += cursor.rowcount

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in (self.table, self.resolved):
                if table is not None:
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")


@contextlib.contextmanager
def _memory_for_joins():
    """More memory for the joins of a staged file (millions of rows) than the server gives a
    query by default, so that they are not done in parts on disk; as before once done."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        (before,) = cursor.fetchone()
        cursor.execute("SELECT set_config('work_mem', %s, false)", [JOIN_MEMORY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, false)", [before])


def _copy_keys(cursor, table: str, keys: list[str]) -> None:
    with connection.wrap_database_errors, cursor.copy(f"COPY {table} (key) FROM STDIN") as copy:
        for value in keys:
            copy.write_row((value,))


def _escaped(value: str | None) -> str | None:
    """A value of a record holding a NUL, which a text column cannot store: backslashes
    doubled and each NUL written as a backslash and a zero, which ``_unescaped`` reverses. The
    record is marked to go row by row, where it is refused with its message."""
    if value is None:
        return None
    return value.replace("\\", "\\\\").replace("\x00", "\\0")


def _unescaped(value: str | None) -> str | None:
    if value is None:
        return None
    return re.sub(
        r"\\(.)", lambda escape: "\x00" if escape[1] == "0" else escape[1], value, flags=re.S
    )


def fill(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert ``rows`` into a small ``table`` of a staged file (what a few values resolve to)."""
    if rows:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


@contextlib.contextmanager
def hash_joins(cursor):
    """Joins of whole staged files by hashing: the planner, misled by the checks a staged
    record passes, would otherwise probe an index once per record."""
    cursor.execute("SELECT current_setting('enable_nestloop')")
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config('enable_nestloop', 'off', false)")
    try:
        yield
    finally:
        cursor.execute("SELECT set_config('enable_nestloop', %s, false)", [before])


def stage(
    run: ImportRun, records: Iterator[Record], on_batch: Callable[[int], None] | None
) -> tuple["StagedFile | None", Iterator[Record], Callable[[int], None] | None]:
    """Write what SQL can of a large file of an entity that stages; return the staged file
    (to drop once the run is over), the records left for the row-by-row path, and the
    progress callback that path reports to."""
    if connection.vendor != "postgresql" or run.entity.group is not None:
        return None, records, on_batch
    if not hasattr(run.entity, "write_staged") or not run.entity.stages(run):
        return None, records, on_batch
    head = list(itertools.islice(records, STAGED_FROM))
    if len(head) < STAGED_FROM or run.entity.check_columns(frozenset(head[0].values), run):
        return None, itertools.chain(head, records), on_batch
    columns = [column.name for column in run.entity.columns if column.name in head[0].values]
    columns += sorted(set(head[0].values) - set(columns))
    staged = StagedFile(run, columns)
    with _memory_for_joins():
        staged.load(itertools.chain(head, records))
        run.entity.prepare_staged(staged, run)
        staged.count_left_over()
        logger.info(
            "%s: %s records read into the database, %s of them to write in SQL",
            run.file_name,
            staged.count,
            staged.count - staged.left_over,
        )
        written = 0
        for first, last in staged.parts():
            try:
                with transaction.atomic():
                    count = run.entity.write_staged(staged, first, last, run)
                    if on_batch is not None:
                        on_batch(written + count)
            except DatabaseError as error:
                # Something changed under the part (a rebuild of its list): its records go
                # row by row, where each is written or refused with its own message.
                logger.info(
                    "%s: records %s to %s go row by row, as the database refused them at once "
                    "(%s)",
                    run.file_name,
                    first,
                    last,
                    str(error).strip(),
                )
                run.settle(written=False)
                staged.unresolve(first, last)
            else:
                written += count
                logger.info("%s: %s records written in SQL", run.file_name, written)
                run.settle(written=True)
    rest = staged.rest()
    if on_batch is None:
        return staged, rest, None
    return staged, rest, lambda read: on_batch(written + read)
