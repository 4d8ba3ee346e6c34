"""The tax engine: the tax on each line of a cart, an order or an invoice, with the reason.

The same ``compute_taxes`` serves all three, so they agree to the cent. It reads (rates, codes)
but never writes. How a line is taxed, first rule that applies:

1. No place to ship to: no tax, and the line says so.
2. The company's customer tax code is exempt: no tax ("Tax exempt", with the code's note).
3. EU reverse charge: the seller's country (``COMPTOIR_SELLER_COUNTRY``) and the ship-to country
   are two different EU member states and the company's VAT number has the shape of a VAT
   number of the ship-to country: 0 %, "Reverse charge". A company of the seller's own country,
   or one without such a VAT number, pays VAT like anyone.
4. The rate for the line's product tax code (the product's, else the default code) at the
   ship-to place. Candidates are the rates in force that day for the ship-to country whose
   region (if any) is the address's region, whose postcode pattern (if any) takes the address's
   postcode, and whose customer tax code (if any) is the company's. The most specific wins:
   a rate naming the customer tax code beats one that does not; then an exact postcode beats
   a range, a range a prefix, a prefix no postcode (a longer prefix or a narrower range wins);
   then a rate naming the region beats one for the whole country; then the older rate.
5. No rate found: no tax, and the line says which code and place lack a rate.

Rounding (``COMPTOIR_TAX_ROUNDING``) is half-up to the currency's minor unit, either:

- ``line`` (the default): each line's tax is rounded, and the tax of a rate is the sum of its
  lines';
- ``total``: the exact tax of a rate's lines is added up and rounded once per rate; each line
  gets its share of that amount (whole minor units, the leftover units going to the lines whose
  exact tax lost most in rounding), so the lines still add up to the total.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import Company
from comptoir.core.money import minor_units, round_money
from comptoir.taxes.models import CustomerTaxCode, ProductTaxCode, TaxRate
from comptoir.taxes.postcodes import normalized_postcode
from comptoir.taxes.queries import customer_tax_code_of, product_tax_codes, rates_in_force
from comptoir.taxes.vat import is_eu_member, is_vat_number_of, normalized_vat_number

ROUNDING_LINE = "line"
ROUNDING_TOTAL = "total"
ROUNDING_MODES = (ROUNDING_LINE, ROUNDING_TOTAL)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxPlace:
    """Where goods are shipped, as far as taxes care."""

    country: str
    region: str = ""
    postal_code: str = ""

    @classmethod
    def of(cls, address) -> "TaxPlace":
        """The place of an address book entry or of an order's address copy."""
        return cls(
            country=address.country.strip().upper(),
            region=address.region.strip(),
            postal_code=address.postal_code.strip(),
        )

    def __str__(self):
        return ", ".join(part for part in (self.postal_code, self.region, self.country) if part)


@dataclass(frozen=True)
class TaxableLine:
    """A line's amount after discounts, and its product's tax code (None: the default code)."""

    key: int | str
    net: Decimal
    tax_code_id: int | None = None


@dataclass(frozen=True)
class LineTax:
    """The tax on one line: the rate charged (None when none was found) and why."""

    key: int | str
    net: Decimal
    amount: Decimal
    rate: Decimal | None
    label: str
    reason: str


@dataclass(frozen=True)
class TaxLine:
    """The lines taxed at one rate, under one label: their base and their tax."""

    label: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TaxResult:
    currency: str
    rounding: str
    place: TaxPlace | None
    lines: tuple[LineTax, ...]
    tax_lines: tuple[TaxLine, ...]
    total: Decimal
    notes: tuple[str, ...] = ()

    def line(self, key: int | str) -> LineTax:
        return next(line for line in self.lines if line.key == key)


@dataclass(frozen=True)
class TaxContext:
    """What the rules read, loaded once for a whole cart, order or invoice."""

    seller_country: str
    place: TaxPlace | None
    product_codes: dict[int, ProductTaxCode]
    customer_code: CustomerTaxCode | None
    vat_number: str
    rates: Sequence[TaxRate] = field(default_factory=tuple)

    @property
    def default_code(self) -> ProductTaxCode | None:
        return next((code for code in self.product_codes.values() if code.is_default), None)


def compute_taxes(
    *,
    lines: Iterable[TaxableLine],
    company: Company,
    ship_to: TaxPlace | None,
    currency: str,
    at: datetime | None = None,
    rounding: str | None = None,
) -> TaxResult:
    """The tax on ``lines`` sold to ``company`` and shipped to ``ship_to``, on the day ``at``
    (now by default). Rates and codes are read in two queries (three when the company's tax
    code was not loaded with it)."""
    context = load_tax_context(company=company, ship_to=ship_to, day=_day_of(at))
    return apply_taxes(lines=lines, context=context, currency=currency, rounding=rounding)


def load_tax_context(*, company: Company, ship_to: TaxPlace | None, day: date) -> TaxContext:
    return TaxContext(
        seller_country=settings.COMPTOIR_SELLER_COUNTRY.strip().upper(),
        place=ship_to,
        product_codes=product_tax_codes(),
        customer_code=customer_tax_code_of(company),
        vat_number=normalized_vat_number(company.vat_number),
        rates=rates_in_force(ship_to.country, day) if ship_to else (),
    )


def apply_taxes(
    *,
    lines: Iterable[TaxableLine],
    context: TaxContext,
    currency: str,
    rounding: str | None = None,
) -> TaxResult:
    """The taxes of ``lines`` under ``context``; reads nothing from the database."""
    rounding = checked_rounding(rounding or settings.COMPTOIR_TAX_ROUNDING)
    lines = list(lines)
    negative = [line.key for line in lines if line.net < 0]
    if negative:
        raise ValueError(f"Taxable amounts cannot be negative (lines {negative})")

    decisions = [(line, _decide(line, context)) for line in lines]
    amounts = _amounts(decisions, currency, rounding)
    taxed = tuple(
        LineTax(
            key=line.key,
            net=line.net,
            amount=amounts[index],
            rate=decision.rate,
            label=decision.label,
            reason=decision.reason,
        )
        for index, (line, decision) in enumerate(decisions)
    )
    groups: dict[tuple[str, Decimal], list[LineTax]] = {}
    for line_tax, (_line, decision) in zip(taxed, decisions, strict=True):
        if decision.in_summary:
            groups.setdefault((line_tax.label, line_tax.rate), []).append(line_tax)
    tax_lines = tuple(
        TaxLine(
            label=label,
            rate=rate,
            base=sum((line.net for line in group), Decimal(0)),
            amount=sum((line.amount for line in group), Decimal(0)),
        )
        for (label, rate), group in groups.items()
    )
    notes = tuple(dict.fromkeys(d.note for _line, d in decisions if d.note))
    return TaxResult(
        currency=currency,
        rounding=rounding,
        place=context.place,
        lines=taxed,
        tax_lines=tax_lines,
        total=sum(amounts, Decimal(0)),
        notes=notes,
    )


def checked_rounding(mode: str) -> str:
    if mode not in ROUNDING_MODES:
        raise ImproperlyConfigured(
            f"COMPTOIR_TAX_ROUNDING is '{mode}': set it to 'line' or 'total'"
        )
    return mode


def best_rate(
    rates: Iterable[TaxRate],
    *,
    product_code: ProductTaxCode,
    customer_code: CustomerTaxCode | None,
    place: TaxPlace,
) -> TaxRate | None:
    """The most specific of ``rates`` for goods of ``product_code`` shipped to ``place`` and
    bought by a customer of ``customer_code`` (the rule is in this module's docstring)."""
    region = place.region.casefold()
    postcode = normalized_postcode(place.postal_code)
    candidates = [
        rate
        for rate in rates
        if rate.product_tax_code_id == product_code.pk
        and rate.country == place.country
        and (
            rate.customer_tax_code_id is None
            or (customer_code is not None and rate.customer_tax_code_id == customer_code.pk)
        )
        and (not rate.region or rate.region.strip().casefold() == region)
        and rate.postcode_pattern().matches(postcode)
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda rate: (
            rate.customer_tax_code_id is not None,
            rate.postcode_pattern().specificity(),
            bool(rate.region),
            -rate.pk,
        ),
    )


@dataclass(frozen=True)
class _Decision:
    rate: Decimal | None
    label: str
    reason: str
    in_summary: bool = True
    note: str = ""


def _decide(line: TaxableLine, context: TaxContext) -> _Decision:
    place, customer_code = context.place, context.customer_code
    if place is None:
        reason = _("No shipping address to tax for: no tax charged")
        return _Decision(None, "", reason, in_summary=False, note=reason)
    if customer_code is not None and customer_code.is_exempt:
        reason = customer_code.exemption_note or _("Tax-exempt customer (%(code)s)") % {
            "code": customer_code
        }
        return _Decision(Decimal(0), _("Tax exempt"), reason, note=reason)
    if _reverse_charge(context):
        reason = _(
            "Reverse charge: VAT to be accounted for by the customer, VAT number %(number)s"
        ) % {"number": context.vat_number}
        return _Decision(Decimal(0), _("Reverse charge"), reason, note=reason)

    product_code = (
        context.product_codes.get(line.tax_code_id) if line.tax_code_id else context.default_code
    )
    if product_code is None:
        reason = _("The product has no tax code and no default tax code is set: no tax charged")
        return _Decision(None, "", reason, in_summary=False, note=reason)
    rate = best_rate(
        context.rates, product_code=product_code, customer_code=customer_code, place=place
    )
    if rate is None:
        reason = _("No tax rate for %(code)s goods shipped to %(place)s: no tax charged") % {
            "code": product_code,
            "place": place,
        }
        return _Decision(None, "", reason, in_summary=False, note=reason)
    reason = _("%(label)s %(rate)s %% on %(code)s goods shipped to %(place)s") % {
        "label": rate.label,
        "rate": percent_text(rate.rate),
        "code": product_code,
        # The address's place, not the rate's pattern: "75001, FR" rather than "FR 75*".
        "place": place,
    }
    return _Decision(rate.rate, rate.label, reason, note=_vat_number_note(context))


def _reverse_charge(context: TaxContext) -> bool:
    country = context.place.country if context.place else ""
    return (
        is_eu_member(context.seller_country)
        and is_eu_member(country)
        and country != context.seller_country
        and is_vat_number_of(context.vat_number, country)
    )


def _vat_number_note(context: TaxContext) -> str:
    """Why a company that gave a VAT number still pays VAT in another EU member state."""
    country = context.place.country if context.place else ""
    if (
        context.vat_number
        and is_eu_member(context.seller_country)
        and is_eu_member(country)
        and country != context.seller_country
    ):
        return _("VAT number %(number)s is not a VAT number of %(country)s: VAT is charged") % {
            "number": context.vat_number,
            "country": country,
        }
    return ""


def _amounts(
    decisions: Sequence[tuple[TaxableLine, _Decision]], currency: str, rounding: str
) -> list[Decimal]:
    exact = [line.net * (decision.rate or 0) / HUNDRED for line, decision in decisions]
    if rounding == ROUNDING_LINE:
        return [round_money(amount, currency) for amount in exact]
    amounts = [Decimal(0)] * len(decisions)
    groups: dict[tuple[str, Decimal | None], list[int]] = {}
    for index, (_line, decision) in enumerate(decisions):
        groups.setdefault((decision.label, decision.rate), []).append(index)
    for indexes in groups.values():
        shares = share_out(
            round_money(sum((exact[i] for i in indexes), Decimal(0)), currency),
            [exact[i] for i in indexes],
            currency,
        )
        for index, share in zip(indexes, shares, strict=True):
            amounts[index] = share
    return amounts


def share_out(total: Decimal, exact: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``total`` (the rounded sum of ``exact``) split in whole minor units: each part is its
    exact amount rounded down, and the units left over go one by one to the parts that lost
    most, the earlier first on a tie. Parts are never negative and add up to ``total``."""
    unit = Decimal(1).scaleb(-minor_units(currency))
    floors = [(amount / unit).to_integral_value(rounding=ROUND_FLOOR) * unit for amount in exact]
    left = int((total - sum(floors, Decimal(0))) / unit)
    by_loss = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in by_loss[:left]:
        floors[index] += unit
    return [round_money(amount, currency) for amount in floors]


def percent_text(rate: Decimal) -> str:
    """20.0000 as "20", 5.5000 as "5.5"."""
    return f"{rate.normalize():f}"


def _day_of(at: datetime | None) -> date:
    return timezone.localdate(at) if at is not None else timezone.localdate()
