"""Running an import or an export of one entity's file.

An import streams the file: records are parsed one by one and handed to the entity in batches,
each batch in a transaction, so memory stays flat whatever the file's size. A row the entity
refuses is reported with its line and column and nothing of it is written; the other rows go
in. ``all_or_nothing`` runs the whole file in one transaction that is rolled back if any row is
refused; ``validate_only`` does everything and rolls it all back, so its report says what a
real run would do.
"""

import contextlib
import logging
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path

from django.db import DatabaseError, transaction

from comptoir.core.errors import DomainError
from comptoir.core.events import record_event
from comptoir.integration.csvfiles import CsvLayout, Fields, Progress, Record
from comptoir.integration.report import ImportReport, Problem
from comptoir.integration.transfer.base import Entity, ImportRun, Row
from comptoir.integration.transfer.files import TableWriter, read_rows, read_table
from comptoir.integration.transfer.registry import get_entity
from comptoir.integration.transfer.staging import stage
from comptoir.integration.transfer.translations import language_column

logger = logging.getLogger(__name__)

# Rows an export writes between two reports of its progress.
EXPORT_BATCH = 1000


class _RollBack(Exception):
    """Raised to leave the run's transaction without keeping it."""


def layout_of(entity: Entity, file_name: str) -> CsvLayout:
    aliases = tuple(
        (alias.lower(), column.name) for column in entity.columns for alias in column.aliases
    )
    per_language = tuple(column for column in entity.columns if column.translates)
    return CsvLayout(
        file_name=file_name,
        columns=tuple(column.name for column in entity.columns if not column.translates),
        required=frozenset(column.name for column in entity.columns if column.required),
        aliases=aliases,
        patterns=tuple(column.name for column in per_language),
        pattern_column=partial(language_column, per_language) if per_language else None,
    )


def run_import(
    path: Path | str,
    *,
    entity: str | Entity,
    options: dict[str, str] | None = None,
    validate_only: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
    file_name: str | None = None,
    on_batch=None,
) -> ImportReport:
    """Import the CSV or XLSX file at ``path`` as ``entity``; return what was done.

    ``options`` are the entity's run options (prices: ``mode``); a bad option raises a
    DomainError before anything is read. ``on_batch(records_read)`` is called after each batch,
    for a job's progress.
    """
    path = Path(path)
    entity = get_entity(entity) if isinstance(entity, str) else entity
    checked = entity.check_options(options or {})
    if not path.is_file():
        raise DomainError(f"'{path.name}' is not a file", code="not_a_file")
    run = ImportRun(
        entity=entity,
        file_name=file_name or path.name,
        options=checked,
        validate_only=validate_only,
    )
    records = read_table(
        path,
        layout_of(entity, run.file_name),
        report=run.report,
        entity=entity.name,
        progress=progress,
    )
    return _run(run, records, all_or_nothing=all_or_nothing, on_batch=on_batch)


def run_import_rows(
    rows: Iterable[dict[str, object]],
    *,
    entity: str | Entity,
    source_name: str,
    options: dict[str, str] | None = None,
    validate_only: bool = False,
    all_or_nothing: bool = False,
) -> ImportReport:
    """Import rows held in memory (a batch the ERP API received) as ``entity``, as
    ``run_import`` imports a file's records; ``source_name`` stands for the file's name and
    each row's index (from 0) for its line in the report."""
    entity = get_entity(entity) if isinstance(entity, str) else entity
    run = ImportRun(
        entity=entity,
        file_name=source_name,
        options=entity.check_options(options or {}),
        validate_only=validate_only,
    )
    records = read_rows(
        rows, layout_of(entity, source_name), report=run.report, entity=entity.name
    )
    return _run(run, records, all_or_nothing=all_or_nothing, on_batch=None, from_file=False)


def _run(
    run: ImportRun,
    records: Iterator[Record],
    *,
    all_or_nothing: bool,
    on_batch,
    from_file: bool = True,
) -> ImportReport:
    validate_only = run.validate_only
    whole = validate_only or all_or_nothing
    try:
        with transaction.atomic() if whole else contextlib.nullcontext():
            import_records(run, records, on_batch=on_batch, from_file=from_file)
            if validate_only or (all_or_nothing and run.report.errors):
                raise _RollBack
            if not validate_only:
                _record_finished(run)
    except _RollBack:
        if all_or_nothing and not validate_only and run.report.errors:
            run.report.warn(
                Problem(
                    file=run.file_name,
                    line=None,
                    message="nothing was imported: the file is imported all or nothing and "
                    "has errors; correct them and import it again",
                )
            )
    logger.info(
        "%s imported from %s%s: %s changed, %s rejected",
        run.entity.name,
        run.file_name,
        " (validation only)" if validate_only else "",
        run.report.changed,
        run.report.rejected,
    )
    return run.report


def import_records(
    run: ImportRun, records: Iterator[Record], *, on_batch=None, from_file: bool = True
) -> None:
    """Apply ``records`` to the run's entity: its ``start``, the records parsed and applied in
    batches, then its ``finish``. The caller holds the run's transaction, when it has one.

    The records of a large file (``from_file``: every record has the header's columns) go
    through ``staging`` where the entity can write them in SQL."""
    run.entity.start(run)
    staged = None
    if from_file:
        staged, records, on_batch = stage(run, records, on_batch)
    _import_batches(run, records, on_batch)
    with transaction.atomic():
        run.entity.finish(run)
    run.settle(written=True)
    if staged is not None:
        staged.drop()


def _import_batches(run: ImportRun, records: Iterator[Record], on_batch) -> None:
    batch: list[Row] = []
    read = 0
    for group in _groups(run.entity, records):
        if read == 0 and _wrong_columns(run, group[0]):
            return
        rows, failed = [], []
        for record in group:
            read += 1
            fields = Fields(record)
            data = run.entity.parse(fields, run)
            errors = [problem for problem in fields.problems if problem.severity == "error"]
            for problem in fields.problems:
                if problem.severity != "error":
                    run.report.warn(problem)
            if errors:
                run.report.reject(run.entity.name, errors)
                failed.append(record.line)
            else:
                rows.append(Row(record=record, data=data))
        if failed and rows:
            # A group (an order and its lines) goes in whole or not at all.
            lines = ", ".join(str(line) for line in failed)
            for row in rows:
                run.refuse(
                    row,
                    f"not imported: line {lines} of the same {run.entity.group_label} has errors",
                )
            run.settle(written=True)
            continue
        batch.extend(rows)
        if len(batch) >= run.entity.batch_size:
            _apply_counted(run, batch, on_batch, read)
            batch = []
    _apply_counted(run, batch, on_batch, read)


def _apply_counted(run: ImportRun, batch: list[Row], on_batch, read: int) -> None:
    """Apply a batch and tell ``on_batch`` the records read so far, in one transaction: a job's
    progress counts the rows in the database, even when its process is killed between two."""
    if not batch and on_batch is None:
        return
    with transaction.atomic():
        if batch:
            _apply(run, batch)
        if on_batch is not None:
            on_batch(read)


def _wrong_columns(run: ImportRun, record: Record) -> bool:
    """Whether the entity refuses the file's columns (those of its first record)."""
    message = run.entity.check_columns(frozenset(record.values), run)
    if message is not None:
        run.report.file_error(
            run.entity.name, Problem(file=run.file_name, line=1, message=message)
        )
    return message is not None


def _groups(entity: Entity, records: Iterator[Record]) -> Iterator[list[Record]]:
    """The records one by one, or, for an entity with a ``group`` column, each run of
    consecutive records with the same value in it (an order's lines) together."""
    if entity.group is None:
        for record in records:
            yield [record]
        return
    group: list[Record] = []
    for record in records:
        if (
            group
            and record.values.get(entity.group, "").strip()
            != group[0].values.get(entity.group, "").strip()
        ):
            yield group
            group = []
        group.append(record)
    if group:
        yield group


def _apply(run: ImportRun, batch: list[Row]) -> None:
    """Apply a batch in a transaction (a savepoint inside a whole-file run); if the database
    or a business rule refuses it, apply its rows one by one to find the row at fault."""
    try:
        with transaction.atomic():
            run.entity.apply(batch, run)
    except (DatabaseError, DomainError) as error:
        run.settle(written=False)
        parts = _split(run.entity, batch)
        if len(parts) == 1:
            message = error.message if isinstance(error, DomainError) else str(error).strip()
            logger.warning("%s line %s not saved: %s", run.file_name, batch[0].line, message)
            for row in batch:
                run.refuse(row, f"could not be saved: {message}")
            run.settle(written=True)
            return
    else:
        run.settle(written=True)
        return
    for part in parts:
        _apply(run, part)


def _split(entity: Entity, batch: list[Row]) -> list[list[Row]]:
    """A batch cut into its smallest parts: rows, or groups of rows for a grouped entity."""
    if entity.group is None:
        return [[row] for row in batch]
    parts: list[list[Row]] = []
    for row in batch:
        value = row.record.values.get(entity.group, "").strip()
        if parts and parts[-1][0].record.values.get(entity.group, "").strip() == value:
            parts[-1].append(row)
        else:
            parts.append([row])
    return parts


def _record_finished(run: ImportRun) -> None:
    report = run.report
    record_event(
        "import_finished",
        entity_key=f"{run.entity.name}:{run.file_name}",
        payload={
            "entity": run.entity.name,
            "file": run.file_name,
            "counts": {
                name: {
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                    "rejected": counts.rejected,
                }
                for name, counts in report.counts.items()
            },
            "errors": len(report.errors),
            "warnings": len(report.warnings),
        },
    )


def run_export(
    path: Path | str,
    *,
    entity: str | Entity,
    options: dict[str, str] | None = None,
    format: str | None = None,
    on_batch=None,
) -> int:
    """Write every row of ``entity`` to ``path`` (CSV or XLSX by its suffix); return how many.

    ``on_batch(rows_written)`` is called every ``EXPORT_BATCH`` rows and at the end, for a
    job's progress.
    """
    entity = get_entity(entity) if isinstance(entity, str) else entity
    columns = entity.export_columns(options or {})
    with TableWriter(Path(path), columns, format=format) as writer:
        for row in entity.export(options or {}):
            writer.write(row)
            if on_batch is not None and writer.count % EXPORT_BATCH == 0:
                on_batch(writer.count)
        if on_batch is not None:
            on_batch(writer.count)
        return writer.count


def write_template(path: Path | str, *, entity: str | Entity, format: str | None = None) -> None:
    """A file with the entity's columns and one example row, to fill in."""
    entity = get_entity(entity) if isinstance(entity, str) else entity
    row = entity.template_row()
    with TableWriter(Path(path), row, format=format) as writer:
        writer.write(row)


def text_rows(rows: Iterable[dict[str, object]]) -> Iterator[dict[str, str]]:
    """Rows with every value as export text: None empty, booleans 1 and 0."""
    for row in rows:
        yield {name: _export_text(value) for name, value in row.items()}


def _export_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
