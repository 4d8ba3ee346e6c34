"""The tax engine: which rate a line gets, why, and how its tax is rounded."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from comptoir.accounts.models import Company
from comptoir.taxes.engine import TaxableLine, TaxPlace, compute_taxes
from tests import factories

pytestmark = pytest.mark.django_db

PARIS = TaxPlace(country="FR", region="Île-de-France", postal_code="75001")
BERLIN = TaxPlace(country="DE", region="Berlin", postal_code="10115")


@pytest.fixture
def french_rates():
    """Standard (the default code), reduced and zero-rated goods in France; standard in
    Germany."""
    standard = factories.product_tax_code("standard", is_default=True)
    reduced = factories.product_tax_code("reduced")
    zero = factories.product_tax_code("zero")
    factories.tax_rate("20", code="standard", label="TVA")
    factories.tax_rate("5.5", code="reduced", label="TVA")
    factories.tax_rate("0", code="zero", label="TVA")
    factories.tax_rate("19", country="DE", code="standard", label="MwSt")
    return {"standard": standard, "reduced": reduced, "zero": zero}


def taxes_of(company, *lines, ship_to=PARIS, currency="EUR", **options):
    return compute_taxes(
        lines=[
            TaxableLine(key=n, net=Decimal(net), tax_code_id=code)
            for n, (net, code) in enumerate(lines, start=1)
        ],
        company=company,
        ship_to=ship_to,
        currency=currency,
        **options,
    )


def test_a_product_without_a_tax_code_is_taxed_at_the_default_codes_rate(french_rates):
    company = factories.company()

    result = taxes_of(company, ("100.00", None))

    line = result.line(1)
    assert (line.rate, line.amount, line.label) == (Decimal(20), Decimal("20.00"), "TVA")
    assert line.reason == "TVA 20 % on Standard goods shipped to 75001, Île-de-France, FR"
    assert result.total == Decimal("20.00")
    assert [(t.label, t.rate, t.base, t.amount) for t in result.tax_lines] == [
        ("TVA", Decimal(20), Decimal("100.00"), Decimal("20.00"))
    ]


def test_reduced_and_zero_rated_goods_are_summed_per_rate(french_rates):
    company = factories.company()
    reduced, zero = french_rates["reduced"].pk, french_rates["zero"].pk

    result = taxes_of(
        company, ("10.00", reduced), ("30.00", None), ("7.00", zero), ("20.00", reduced)
    )

    assert [line.amount for line in result.lines] == [
        Decimal("0.55"),
        Decimal("6.00"),
        Decimal("0.00"),
        Decimal("1.10"),
    ]
    assert [(t.rate, t.base, t.amount) for t in result.tax_lines] == [
        (Decimal("5.5"), Decimal("30.00"), Decimal("1.65")),
        (Decimal(20), Decimal("30.00"), Decimal("6.00")),
        (Decimal(0), Decimal("7.00"), Decimal("0.00")),
    ]
    assert result.total == Decimal("7.65")


def test_a_tax_exempt_customer_pays_no_tax_and_each_line_says_why(french_rates):
    exempt = factories.customer_tax_code("charity", note="Exempt under article 261 of the CGI")
    company = factories.company(tax_code=exempt)

    result = taxes_of(company, ("100.00", None), ("50.00", french_rates["reduced"].pk))

    assert result.total == Decimal(0)
    assert {(line.amount, line.label, line.reason) for line in result.lines} == {
        (Decimal("0.00"), "Tax exempt", "Exempt under article 261 of the CGI")
    }
    assert [(t.label, t.base) for t in result.tax_lines] == [("Tax exempt", Decimal("150.00"))]
    assert result.notes == ("Exempt under article 261 of the CGI",)


def test_an_eu_company_of_another_member_state_with_a_vat_number_is_reverse_charged(
    french_rates,
):
    company = factories.company(vat_number="DE 123 456 789")

    result = taxes_of(company, ("100.00", None), ship_to=BERLIN)

    line = result.line(1)
    assert (line.rate, line.amount, line.label) == (Decimal(0), Decimal("0.00"), "Reverse charge")
    assert line.reason == (
        "Reverse charge: VAT to be accounted for by the customer, VAT number DE123456789"
    )
    assert [(t.label, t.base, t.amount) for t in result.tax_lines] == [
        ("Reverse charge", Decimal("100.00"), Decimal("0.00"))
    ]


def test_a_company_of_the_sellers_own_country_pays_vat_with_a_vat_number(french_rates):
    company = factories.company(vat_number="FR12345678901")

    result = taxes_of(company, ("100.00", None), ship_to=PARIS)

    assert result.line(1).amount == Decimal("20.00")
    assert result.notes == ()


def test_a_company_without_a_vat_number_in_another_member_state_pays_its_vat(french_rates):
    company = factories.company()

    result = taxes_of(company, ("100.00", None), ship_to=BERLIN)

    assert (result.line(1).label, result.line(1).amount) == ("MwSt", Decimal("19.00"))


def test_a_vat_number_of_another_country_than_the_ship_to_pays_vat_and_says_why(
    french_rates,
):
    company = factories.company(vat_number="FR12345678901")

    result = taxes_of(company, ("100.00", None), ship_to=BERLIN)

    assert result.line(1).amount == Decimal("19.00")
    assert result.notes == ("VAT number FR12345678901 is not a VAT number of DE: VAT is charged",)


def test_greek_vat_numbers_start_with_el(french_rates):
    company = factories.company(vat_number="EL123456789")

    result = taxes_of(company, ("100.00", None), ship_to=TaxPlace(country="GR"))

    assert result.line(1).label == "Reverse charge"


def test_a_seller_outside_the_eu_never_reverse_charges(french_rates, settings):
    settings.COMPTOIR_SELLER_COUNTRY = "CH"
    company = factories.company(vat_number="DE123456789")

    result = taxes_of(company, ("100.00", None), ship_to=BERLIN)

    assert result.line(1).amount == Decimal("19.00")


def test_exemption_comes_before_reverse_charge(french_rates):
    exempt = factories.customer_tax_code("exempt")
    company = factories.company(tax_code=exempt, vat_number="DE123456789")

    result = taxes_of(company, ("100.00", None), ship_to=BERLIN)

    assert result.line(1).label == "Tax exempt"
    assert result.line(1).reason == "Tax-exempt customer (Exempt)"


@pytest.mark.parametrize(
    ("postal_code", "region", "expected"),
    [
        ("75001", "Île-de-France", "20.00"),  # the whole country
        ("97200", "Martinique", "8.50"),  # the region's rate
        ("21000", "Bourgogne", "11.00"),  # a prefix
        ("20100", "Corse", "13.00"),  # a longer prefix; a prefix beats the region
        ("20090", "Corse", "10.00"),  # a range beats a prefix
        ("20167", "corse", "2.10"),  # an exact postcode beats a range; regions ignore case
        ("20 167", "", "2.10"),  # postcodes ignore spaces
        ("20230", "Corse", "12.00"),  # the narrower of two ranges
    ],
)
def test_the_most_specific_rate_for_the_place_wins(french_rates, postal_code, region, expected):
    factories.tax_rate("8.5", region="Martinique")
    factories.tax_rate("15", region="Corse")
    factories.tax_rate("13", postcode="20*")
    factories.tax_rate("11", postcode="2*")
    factories.tax_rate("10", postcode="20000-20099", region="Corse")
    factories.tax_rate("9", postcode="20200-20999")
    factories.tax_rate("12", postcode="20200-20299")
    factories.tax_rate("2.1", postcode="20167")
    place = TaxPlace(country="FR", region=region, postal_code=postal_code)

    result = taxes_of(factories.company(), ("100.00", None), ship_to=place)

    assert result.line(1).amount == Decimal(expected)


def test_the_reason_names_the_rates_label_and_the_addresss_place_not_the_rates_pattern(
    french_rates,
):
    factories.tax_rate("8.75", country="US", label="Desert Center", region="ca", postcode="922*")
    place = TaxPlace(country="US", region="CA", postal_code="92239")

    result = taxes_of(factories.company(), ("100.00", None), ship_to=place, currency="USD")

    line = result.line(1)
    assert (line.label, line.amount) == ("Desert Center", Decimal("8.75"))
    assert line.reason == "Desert Center 8.75 % on Standard goods shipped to 92239, CA, US"


def test_a_rate_for_the_customers_tax_code_beats_the_general_rate(french_rates):
    hospital = factories.customer_tax_code("hospital", is_exempt=False)
    factories.tax_rate("2.1", customer_tax_code=hospital)
    factories.tax_rate("2.5", postcode="75001")

    for_hospital = taxes_of(factories.company(tax_code=hospital), ("100.00", None))
    for_anyone = taxes_of(factories.company(), ("100.00", None))

    assert for_hospital.line(1).amount == Decimal("2.10")
    assert for_anyone.line(1).amount == Decimal("2.50")


def test_the_rate_in_force_on_the_day_applies(french_rates):
    reduced = french_rates["reduced"]
    reduced.rates.update(valid_until=date(2025, 12, 31))
    factories.tax_rate("7", code="reduced", label="TVA", valid_from=date(2026, 1, 1))

    def on(day):
        at = datetime(*day, 12, tzinfo=UTC)
        return taxes_of(factories.company(), ("100.00", reduced.pk), at=at).line(1).amount

    assert on((2025, 12, 31)) == Decimal("5.50")
    assert on((2026, 1, 1)) == Decimal("7.00")


def test_no_rate_for_the_place_charges_no_tax_and_says_which_rate_is_missing(french_rates):
    result = taxes_of(factories.company(), ("100.00", None), ship_to=TaxPlace("US", "IL", "62701"))

    line = result.line(1)
    assert (line.rate, line.amount) == (None, Decimal("0.00"))
    assert line.reason == "No tax rate for Standard goods shipped to 62701, IL, US: no tax charged"
    assert result.tax_lines == ()
    assert result.notes == (line.reason,)


def test_without_any_tax_code_no_tax_is_charged_and_the_line_says_so():
    result = taxes_of(factories.company(), ("100.00", None))

    assert result.total == Decimal(0)
    assert result.line(1).reason == (
        "The product has no tax code and no default tax code is set: no tax charged"
    )


def test_without_a_place_no_tax_is_charged(french_rates):
    result = taxes_of(factories.company(), ("100.00", None), ship_to=None)

    assert result.total == Decimal(0)
    assert result.notes == ("No shipping address to tax for: no tax charged",)


def test_line_rounding_rounds_each_line_half_up_then_adds(french_rates):
    result = taxes_of(
        factories.company(), ("0.03", None), ("0.03", None), ("0.03", None), rounding="line"
    )

    assert [line.amount for line in result.lines] == [Decimal("0.01")] * 3
    assert result.total == Decimal("0.03")


def test_total_rounding_rounds_once_per_rate_and_shares_it_over_the_lines(french_rates):
    result = taxes_of(
        factories.company(), ("0.03", None), ("0.03", None), ("0.03", None), rounding="total"
    )

    # 3 × 0.006 = 0.018, rounded once: 0.02, the two cents going to the first lines.
    assert [line.amount for line in result.lines] == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
    ]
    assert result.total == Decimal("0.02")
    assert result.tax_lines[0].amount == Decimal("0.02")


def test_total_rounding_gives_leftover_cents_to_the_lines_that_lost_most(french_rates):
    reduced = french_rates["reduced"].pk

    result = taxes_of(
        factories.company(),
        ("1.00", reduced),
        ("9.99", reduced),
        ("0.10", reduced),
        rounding="total",
    )

    # Exact taxes 0.055, 0.54945, 0.0055 make 0.60995, rounded once to 0.61. Rounded down,
    # the lines make 0.59; the two cents left go to the lines that lost 0.00945 and 0.0055.
    assert [line.amount for line in result.lines] == [
        Decimal("0.05"),
        Decimal("0.55"),
        Decimal("0.01"),
    ]
    assert result.total == Decimal("0.61")


def test_the_two_rounding_modes_differ_on_the_same_lines(french_rates):
    reduced = french_rates["reduced"].pk
    lines = [("1.00", reduced), ("9.99", reduced), ("0.10", reduced)]

    by_line = taxes_of(factories.company(), *lines, rounding="line").total
    by_total = taxes_of(factories.company(), *lines, rounding="total").total

    # Per line: 0.06 + 0.55 + 0.01.
    assert (by_line, by_total) == (Decimal("0.62"), Decimal("0.61"))


def test_rounding_is_half_up_to_the_currencys_minor_unit(french_rates):
    factories.tax_rate("10", postcode="75002")
    place = TaxPlace("FR", postal_code="75002")

    in_euros = taxes_of(factories.company(), ("0.25", None), ship_to=place)
    in_yen = taxes_of(factories.company(), ("995", None), ship_to=place, currency="JPY")
    in_dinars = taxes_of(factories.company(), ("0.125", None), ship_to=place, currency="KWD")

    assert in_euros.total == Decimal("0.03")
    assert in_yen.total == Decimal("100")
    assert in_dinars.total == Decimal("0.013")


def test_the_rounding_setting_is_read_and_checked(french_rates, settings):
    settings.COMPTOIR_TAX_ROUNDING = "total"
    lines = [("0.03", None)] * 3

    assert taxes_of(factories.company(), *lines).total == Decimal("0.02")

    settings.COMPTOIR_TAX_ROUNDING = "invoice"
    with pytest.raises(ImproperlyConfigured, match="set it to 'line' or 'total'"):
        taxes_of(factories.company(), *lines)


def test_a_cart_of_many_lines_is_taxed_in_two_queries(french_rates, django_assert_num_queries):
    company = Company.objects.select_related("tax_code").get(pk=factories.company().pk)
    codes = [None, french_rates["reduced"].pk, french_rates["zero"].pk]
    lines = [(f"{n}.99", codes[n % 3]) for n in range(300)]

    with django_assert_num_queries(2):
        result = taxes_of(company, *lines)

    assert len(result.lines) == 300
