"""``comptoir pricing``: rebuild computed prices, feed market indexes, explain a price."""

import re
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from comptoir.accounts.models import Company
from comptoir.catalog.queries import product_by_sku
from comptoir.core.errors import DomainError
from comptoir.core.quantities import parse_quantity, plain
from comptoir.integration.report import render_summary
from comptoir.pricing.explain import explain_price
from comptoir.pricing.index_files import import_index_values, parse_moment
from comptoir.pricing.models import MarketIndex, PriceList
from comptoir.pricing.rules import due_index_lists, rebuild_lists
from comptoir.pricing.services import record_index_values, upsert_market_index


class Command(BaseCommand):
    help = "Rebuild the prices rules compute, record market index values, explain a price."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        rebuild = actions.add_parser(
            "rebuild",
            help="Compute again every price rules give (all lists with rules, or --list), "
            "with the lists that depend on them, in dependency order.",
        )
        rebuild.add_argument(
            "--list",
            action="append",
            default=[],
            dest="lists",
            metavar="NAME",
            help="Only this price list and the lists computed from it; repeat for several.",
        )
        rebuild.add_argument(
            "--due",
            action="store_true",
            help="Only the lists reading an index whose value in force changed since the last "
            "rebuild (a value dated in the future that has now come); run it from a scheduler.",
        )
        index = actions.add_parser("index", help="Market indexes and their values.")
        index_actions = index.add_subparsers(dest="index_action", required=True, metavar="ACTION")
        create = index_actions.add_parser("create", help="Create or rename an index.")
        create.add_argument("code")
        create.add_argument("--name", default="")
        create.add_argument("--unit", default="", help='What a value measures: "USD per kg".')
        setting = index_actions.add_parser("set", help="Record one value of an index.")
        setting.add_argument("code")
        setting.add_argument("value")
        setting.add_argument(
            "--at", default="", help="From when: YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: now)."
        )
        load = index_actions.add_parser(
            "import",
            help="Record values from a CSV file with the columns index, effective_at, "
            "value; nothing is recorded when a row is wrong.",
        )
        load.add_argument("file")
        index_actions.add_parser("list", help="List indexes with the value in force now.")
        explain = actions.add_parser("explain", help="Why a company pays what it pays.")
        explain.add_argument("sku")
        explain.add_argument("--company", required=True)
        explain.add_argument("--unit", default="")
        explain.add_argument("--quantity", default="1")

    def handle(self, *args, action, **options):
        try:
            if action == "rebuild":
                self.rebuild(options["lists"], due=options["due"])
            elif action == "index":
                self.index(options)
            else:
                self.explain(options)
        except DomainError as error:
            raise CommandError(error.message) from None

    def rebuild(self, names: list[str], *, due: bool) -> None:
        if due and names:
            raise CommandError(
                "--due rebuilds the lists whose indexes moved; leave out --list with it"
            )
        if due:
            list_ids = due_index_lists()
            if not list_ids:
                self.stdout.write("No index value has come into force since the last rebuild.")
                return
        elif names:
            found = {pl.name.lower(): pl.pk for pl in PriceList.objects.all()}
            unknown = [name for name in names if name.lower() not in found]
            if unknown:
                raise CommandError(
                    f"No price list is named {', '.join(repr(n) for n in unknown)}; known: "
                    + ", ".join(sorted(PriceList.objects.values_list("name", flat=True)))
                )
            list_ids = [found[name.lower()] for name in names]
        else:
            list_ids = None
        console = Console(file=self.stderr._out, force_terminal=self.stderr.isatty())
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not self.stderr.isatty(),
        ) as bar:
            tasks = {}

            def progress(price_list, done, total):
                if price_list.pk not in tasks:
                    tasks[price_list.pk] = bar.add_task(price_list.name, total=total)
                bar.update(tasks[price_list.pk], completed=done)

            reports = rebuild_lists(list_ids=list_ids, progress=progress)
        for report in reports:
            self.stdout.write(report.summary())
        if not reports:
            self.stdout.write("No price list has rules.")

    def index(self, options) -> None:
        action = options["index_action"]
        if action == "create":
            index, status = upsert_market_index(
                code=options["code"], name=options["name"], unit=options["unit"]
            )
            self.stdout.write(f"Index {index.code} {status}.")
        elif action == "set":
            index = MarketIndex.objects.filter(code__iexact=options["code"].strip()).first()
            if index is None:
                raise CommandError(
                    f"No index has the code '{options['code']}': create it first with "
                    "'comptoir pricing index create CODE'"
                )
            moment = parse_moment(options["at"]) if options["at"] else timezone.now()
            if moment is None:
                raise CommandError(
                    f"'{options['at']}' is not a date or a moment: write YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM"
                )
            value = _number(options["value"])
            counts = record_index_values(index, [(moment, value)])
            self.stdout.write(f"{index.code} = {value} from {moment.isoformat()}: {counts}")
        elif action == "import":
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"No file at {path}: give the path of a CSV file")
            report = import_index_values(path)
            self.stdout.write(render_summary(report, color=self.stdout.isatty()), ending="")
            if report.errors:
                count = len(report.errors)
                raise CommandError(
                    f"{count} error{'' if count == 1 else 's'}: nothing was recorded; fix the "
                    "file and import it again",
                    returncode=1,
                )
        else:
            from comptoir.pricing.rules import index_values

            now = index_values()
            for index in MarketIndex.objects.all():
                self.stdout.write(f"{index.code}\t{now.get(index.code, '-')}\t{index.name}")

    def explain(self, options) -> None:
        company = Company.objects.filter(name__iexact=options["company"].strip()).first()
        if company is None:
            raise CommandError(f"No company is named '{options['company']}'")
        product = product_by_sku(options["sku"])
        unit = options["unit"] or (product.primary_unit.unit.code if product.primary_unit else "")
        explanation = explain_price(
            company=company,
            product=product,
            unit=unit,
            quantity=parse_quantity(options["quantity"]),
        )
        self.stdout.write(explanation.summary())
        for considered in explanation.lists:
            tiers = ", ".join(f"{t.quantity}: {t.value} ({t.source})" for t in considered.tiers)
            mark = "*" if considered.gave_the_price else " "
            entry = considered.entry
            self.stdout.write(
                f" {mark} {entry.price_list_name} ({entry.level}, sort {entry.sort_order}): "
                f"{tiers or 'no price'}"
            )
        trace = explanation.rule_trace
        if trace is not None:
            for name, value in trace.inputs.items():
                self.stdout.write(f"   {name} = {plain(value)}")
            self.stdout.write(
                f"   result {trace.result}, rounded {trace.rounding}: {trace.rounded}"
            )
        if explanation.totals is not None:
            totals = explanation.totals
            for discount in totals.discounts:
                self.stdout.write(f"   promotion {discount.label}: -{discount.amount}")
            for tax in totals.tax_lines:
                self.stdout.write(f"   tax {tax.label} {plain(tax.rate)} %: {tax.amount}")


def _number(text: str) -> Decimal:
    text = text.strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise CommandError(f"'{text}' is not a number: write it with a decimal point, as 8.53")
    return Decimal(text)
