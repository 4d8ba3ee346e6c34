"""Market index values from a CSV file: the columns index, effective_at, value.

``effective_at`` is a date (YYYY-MM-DD, from midnight in the shop's time zone) or a moment
(YYYY-MM-DDTHH:MM, with an optional UTC offset). Every row is checked first: when any is
wrong, the report names each problem with its line and column and nothing is recorded, so the
file can be fixed and sent again whole.
"""

from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from comptoir.integration.csvfiles import CsvLayout, Fields, read_records
from comptoir.integration.report import ImportReport
from comptoir.pricing.models import MarketIndex
from comptoir.pricing.services import record_index_values

ENTITY = "index values"


def layout_for(path: Path) -> CsvLayout:
    columns = ("index", "effective_at", "value")
    return CsvLayout(file_name=path.name, columns=columns, required=frozenset(columns))


def parse_moment(text: str) -> datetime | None:
    text = text.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def import_index_values(path: Path | str) -> ImportReport:
    path = Path(path)
    report = ImportReport()
    report.entity(ENTITY)
    indexes = {index.code.lower(): index for index in MarketIndex.objects.all()}
    known = ", ".join(sorted(index.code for index in indexes.values())) or "none yet"
    rows: dict[MarketIndex, list[tuple[datetime, Decimal]]] = defaultdict(list)
    for record in read_records(path, layout_for(path), report=report, entity=ENTITY):
        fields = Fields(record)
        code = fields.text("index", required=True)
        index = indexes.get(code.lower())
        if code and index is None:
            fields.error(
                "index",
                f"unknown index '{code}' (known: {known}); create it in the back office first",
            )
        moment = parse_moment(fields.raw("effective_at"))
        if moment is None:
            fields.error(
                "effective_at",
                f"'{fields.raw('effective_at').strip()}' is not a date or a moment; write "
                "YYYY-MM-DD or YYYY-MM-DDTHH:MM",
            )
        value = fields.decimal(
            "value", required=True, negative=True, max_digits=19, max_decimals=6
        )
        if fields.problems:
            report.reject(ENTITY, fields.problems)
            continue
        rows[index].append((moment, value))
    if report.errors:
        return report
    with transaction.atomic():
        for index, values in rows.items():
            for status, count in record_index_values(index, values).items():
                report.count(ENTITY, status, count)
    return report
