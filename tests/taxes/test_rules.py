"""Postcode patterns, VAT number shapes, tax codes and rates as the back office enters them, and
the sharing of a rounded tax over lines."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from comptoir.accounts.models import Company, User
from comptoir.core.errors import DomainError
from comptoir.core.money import round_money
from comptoir.taxes.engine import share_out
from comptoir.taxes.models import TaxRate
from comptoir.taxes.postcodes import PatternKind, PostcodePattern
from comptoir.taxes.vat import is_vat_number_of, validate_vat_number
from tests import factories


@pytest.mark.parametrize(
    ("pattern", "kind", "matching", "not_matching"),
    [
        ("", PatternKind.ANY, ["75001", ""], []),
        ("75001", PatternKind.EXACT, ["75001"], ["75002", "750011"]),
        ("75*", PatternKind.PREFIX, ["75001", "75"], ["7", "76001"]),
        ("sw1a*", PatternKind.PREFIX, ["SW1A1AA"], ["SW1B1AA"]),
        ("75000-75999", PatternKind.RANGE, ["75000", "75999", "75500"], ["74999", "76000"]),
        ("62000-62999", PatternKind.RANGE, ["62701-1234"], ["6270"]),
        ("62701-1234", PatternKind.EXACT, ["62701-1234"], ["62701"]),
    ],
)
def test_postcode_patterns_match_what_they_say(pattern, kind, matching, not_matching):
    parsed = PostcodePattern.parse(pattern)

    assert parsed.kind == kind
    assert all(parsed.matches(postcode) for postcode in matching)
    assert not any(parsed.matches(postcode) for postcode in not_matching)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("*", "write the start of the postcodes before the star"),
        ("7*5", "a star may only end the pattern"),
        ("75999-75000", "starts after it ends"),
        ("75;01", "holds characters a postcode does not"),
    ],
)
def test_a_bad_postcode_pattern_says_how_to_write_one(pattern, message):
    with pytest.raises(DomainError, match=message):
        PostcodePattern.parse(pattern)


def test_narrower_patterns_are_more_specific():
    ordered = ["", "7*", "75*", "75000-75999", "75000-75099", "75001"]

    specificities = [PostcodePattern.parse(text).specificity() for text in ordered]

    assert specificities == sorted(specificities)
    assert len(set(specificities)) == len(specificities)


@pytest.mark.parametrize(
    ("number", "country", "expected"),
    [
        ("DE123456789", "DE", True),
        ("de 123.456-789", "DE", True),
        ("DE12345678", "DE", False),
        ("DE123456789", "AT", False),
        ("ATU12345678", "AT", True),
        ("EL123456789", "GR", True),
        ("GR123456789", "GR", False),
        ("NL123456789B01", "NL", True),
        ("FRXX123456789", "FR", True),
        ("FRIO123456789", "FR", False),
        ("GB123456789", "GB", False),
    ],
)
def test_vat_numbers_are_checked_against_their_countrys_shape(number, country, expected):
    assert is_vat_number_of(number, country) is expected


def test_a_company_vat_number_with_an_eu_prefix_must_have_its_shape():
    validate_vat_number("CHE-123.456.789")

    with pytest.raises(ValidationError) as error:
        validate_vat_number("DE1234")

    assert error.value.messages == [
        "'DE1234' is not shaped like a DE VAT number; write it as in DE123456789"
    ]


@pytest.mark.django_db
def test_the_company_form_refuses_a_misshapen_vat_number():
    company = Company(name="Müller GmbH", vat_number="DE12")

    with pytest.raises(ValidationError) as error:
        company.full_clean()

    assert "vat_number" in error.value.message_dict


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("GR123456789", "Greek VAT numbers start with EL, not GR"),
        ("DE12345678!", "holds characters a VAT number does not"),
        ("FR€12345678901", "holds characters a VAT number does not"),
    ],
)
def test_a_vat_number_that_cannot_be_one_is_refused_with_what_to_write(number, message):
    with pytest.raises(ValidationError) as error:
        validate_vat_number(number)

    assert message in error.value.messages[0]


@pytest.mark.parametrize("number", ["EL123456789", "IE1+23456W", "CHE-123.456.789 MWST", ""])
def test_vat_numbers_of_every_shape_in_use_are_accepted(number):
    validate_vat_number(number)


@pytest.mark.django_db
def test_only_one_product_tax_code_is_the_default():
    factories.product_tax_code("standard", is_default=True)

    with pytest.raises(IntegrityError):
        factories.product_tax_code("reduced", is_default=True)


@pytest.mark.django_db
def test_a_rate_is_cleaned_before_it_is_saved():
    rate = TaxRate(
        label="TVA",
        rate=Decimal("20"),
        country="fr",
        postcode="75 0*",
        product_tax_code=factories.product_tax_code(),
    )

    rate.full_clean()

    assert (rate.country, rate.postcode) == ("FR", "750*")
    assert str(rate) == "TVA 20 % FR 750*"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"country": "France"}, "country", "two-letter code"),
        ({"country": "ZZ"}, "country", "'ZZ' is not the code of a country"),
        ({"country": "EU"}, "country", "'EU' is not the code of a country"),
        ({"postcode": "75999-75000"}, "postcode", "starts after it ends"),
        ({"rate": Decimal("120")}, "rate", "A rate is a percentage from 0 to 100"),
        ({"rate": Decimal("-1")}, "rate", "A rate is a percentage from 0 to 100"),
    ],
)
def test_a_bad_rate_is_refused_with_what_to_fix(fields, field, message):
    values = {"label": "TVA", "rate": Decimal("20"), "country": "FR"} | fields
    rate = TaxRate(product_tax_code=factories.product_tax_code(), **values)

    with pytest.raises(ValidationError) as error:
        rate.full_clean()

    assert message in " ".join(error.value.message_dict[field])


exact_amounts = st.lists(
    st.decimals(min_value=0, max_value=10_000, places=6, allow_nan=False), min_size=1
)


@given(exact=exact_amounts, currency=st.sampled_from(["EUR", "JPY", "KWD"]))
def test_shared_tax_adds_up_is_never_negative_and_stays_within_a_unit(exact, currency):
    total = round_money(sum(exact, Decimal(0)), currency)
    unit = Decimal(1).scaleb(-{"EUR": 2, "JPY": 0, "KWD": 3}[currency])

    shares = share_out(total, exact, currency)

    assert sum(shares, Decimal(0)) == total
    assert all(share >= 0 for share in shares)
    assert all(abs(share - amount) < unit for share, amount in zip(shares, exact, strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["FR", "us", "NC", "XK"])
def test_a_rate_takes_the_code_of_any_country(code):
    rate = TaxRate(
        label="VAT",
        rate=Decimal("20"),
        country=code,
        product_tax_code=factories.product_tax_code(),
    )

    rate.full_clean()

    assert rate.country == code.upper()


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin@seller.example", factories.PASSWORD))
    return client


@pytest.mark.django_db
def test_the_rate_form_refuses_an_unknown_country_and_a_rate_over_100(staff_client):
    code = factories.product_tax_code()

    response = staff_client.post(
        reverse("admin:taxes_taxrate_add"),
        {"label": "VAT", "rate": "999.99", "country": "ZZ", "product_tax_code": code.pk},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["country"] == [
        "'ZZ' is not the code of a country: write the country's two-letter code (ISO 3166-1), "
        "as in FR or US"
    ]
    assert errors["rate"] == ["A rate is a percentage from 0 to 100: write 20 for 20 %."]
    assert not TaxRate.objects.exists()


@pytest.mark.django_db
def test_the_rates_of_a_tax_code_refuse_an_unknown_country_and_a_rate_over_100(staff_client):
    code = factories.product_tax_code()

    response = staff_client.post(
        reverse("admin:taxes_producttaxcode_change", args=[code.pk]),
        {
            "code": "standard",
            "name": "Standard",
            "rates-TOTAL_FORMS": "1",
            "rates-INITIAL_FORMS": "0",
            "rates-0-label": "VAT",
            "rates-0-rate": "999.99",
            "rates-0-country": "zz",
        },
    )

    assert response.status_code == 200
    (rate_errors,) = response.context["inline_admin_formsets"][0].formset.errors
    assert set(rate_errors) == {"rate", "country"}
    assert not TaxRate.objects.exists()


@pytest.mark.django_db
def test_the_rate_form_saves_a_good_rate_in_capitals(staff_client):
    code = factories.product_tax_code()

    response = staff_client.post(
        reverse("admin:taxes_taxrate_add"),
        {"label": "VAT", "rate": "8.75", "country": "us", "product_tax_code": code.pk},
    )

    assert response.status_code == 302
    assert list(TaxRate.objects.values_list("country", "rate")) == [("US", Decimal("8.75"))]
