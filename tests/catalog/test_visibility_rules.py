"""The rules of catalog visibility: the nearest setting wins (the product's own for the company,
its parents, its customer group, everyone; then its category's, up the category tree), and
guests see the catalog only while the access mode lets them browse."""

import pytest
from django.core.exceptions import ValidationError

from comptoir.accounts.access import set_access_mode
from comptoir.accounts.models import AccessMode, CustomerGroup
from comptoir.catalog.queries import (
    Audience,
    audience_of,
    hidden_product_ids,
    visible_categories,
    visible_products,
)
from comptoir.catalog.visibility import CategoryVisibility, ProductVisibility, Visibility
from tests import factories

pytestmark = pytest.mark.django_db

EVERYONE = Audience()
VISIBLE, HIDDEN = Visibility.VISIBLE, Visibility.HIDDEN


def skus(audience: Audience) -> list[str]:
    return sorted(visible_products(audience).values_list("sku", flat=True))


def product_setting(product, visibility, *, company=None, group=None) -> ProductVisibility:
    return ProductVisibility.objects.create(
        product=product, company=company, customer_group=group, visibility=visibility
    )


def category_setting(category, visibility, *, company=None, group=None) -> CategoryVisibility:
    return CategoryVisibility.objects.create(
        category=category, company=company, customer_group=group, visibility=visibility
    )


def test_without_any_setting_everyone_sees_every_enabled_product():
    factories.product("A-1")
    factories.product("B-1", is_enabled=False)
    acme = factories.company("Acme")

    assert (skus(EVERYONE), skus(audience_of(acme))) == (["A-1"], ["A-1"])


def test_a_product_hidden_from_everyone_is_shown_to_the_company_it_is_made_visible_for():
    contract = factories.product("CONTRACT-1")
    factories.product("A-1")
    acme, globex = factories.company("Acme"), factories.company("Globex")
    product_setting(contract, HIDDEN)
    product_setting(contract, VISIBLE, company=acme)

    assert skus(audience_of(acme)) == ["A-1", "CONTRACT-1"]
    assert skus(audience_of(globex)) == ["A-1"]
    assert skus(EVERYONE) == ["A-1"]


def test_a_company_setting_overrides_its_group_which_overrides_everyone():
    lamp = factories.product("LAMP-1")
    dealers = CustomerGroup.objects.create(name="Dealers")
    acme = factories.company("Acme", customer_group=dealers)
    globex = factories.company("Globex", customer_group=dealers)
    initech = factories.company("Initech")
    product_setting(lamp, VISIBLE)
    product_setting(lamp, HIDDEN, group=dealers)
    product_setting(lamp, VISIBLE, company=acme)

    seen = {company.name: skus(audience_of(company)) for company in (acme, globex, initech)}

    assert seen == {"Acme": ["LAMP-1"], "Globex": [], "Initech": ["LAMP-1"]}


def test_a_subsidiary_follows_its_parent_unless_it_has_a_setting_of_its_own():
    lamp = factories.product("LAMP-1")
    cable = factories.product("CABLE-1")
    acme = factories.company("Acme")
    east = factories.company("Acme East", parent=acme)
    east_north = factories.company("Acme East North", parent=east)
    product_setting(lamp, HIDDEN, company=acme)
    product_setting(cable, HIDDEN, company=acme)
    product_setting(cable, VISIBLE, company=east)

    assert skus(audience_of(east_north)) == ["CABLE-1"]
    assert skus(audience_of(acme)) == []


def test_a_subsidiary_without_a_group_is_in_its_parents_group():
    lamp = factories.product("LAMP-1")
    dealers = CustomerGroup.objects.create(name="Dealers")
    acme = factories.company("Acme", customer_group=dealers)
    east = factories.company("Acme East", parent=acme)
    product_setting(lamp, HIDDEN, group=dealers)

    assert audience_of(east).customer_group_id == dealers.pk
    assert skus(audience_of(east)) == []


def test_a_product_follows_its_category_and_a_category_its_parent():
    tools = factories.category("Tools")
    drills = factories.category("Drills", parent=tools)
    saws = factories.category("Saws", parent=tools)
    drill = factories.product("DRILL-1", category_name=None)
    saw = factories.product("SAW-1", category_name=None)
    drill.category, saw.category = drills, saws
    drill.save()
    saw.save()
    factories.product("LOOSE-1", category_name=None)
    acme = factories.company("Acme")
    category_setting(tools, HIDDEN, company=acme)
    category_setting(saws, VISIBLE, company=acme)

    assert skus(audience_of(acme)) == ["LOOSE-1", "SAW-1"]
    assert sorted(visible_categories(audience_of(acme)).values_list("name", flat=True)) == ["Saws"]
    assert skus(EVERYONE) == ["DRILL-1", "LOOSE-1", "SAW-1"]


def test_a_products_own_setting_is_nearer_than_its_categorys():
    tools = factories.category("Tools")
    hammer = factories.product("HAMMER-1", category_name="Tools")
    factories.product("NAIL-1", category_name="Tools")
    acme = factories.company("Acme")
    category_setting(tools, HIDDEN, company=acme)
    product_setting(hammer, VISIBLE)

    assert skus(audience_of(acme)) == ["HAMMER-1"]


def test_a_category_hidden_from_a_group_hides_its_products_from_the_groups_companies():
    tools = factories.category("Tools")
    factories.product("HAMMER-1", category_name="Tools")
    dealers = CustomerGroup.objects.create(name="Dealers")
    acme = factories.company("Acme", customer_group=dealers)
    globex = factories.company("Globex")
    category_setting(tools, HIDDEN, group=dealers)

    assert (skus(audience_of(acme)), skus(audience_of(globex))) == ([], ["HAMMER-1"])


def test_hidden_product_ids_names_the_hidden_ones_among_those_asked():
    lamp, cable = factories.product("LAMP-1"), factories.product("CABLE-1")
    acme = factories.company("Acme")
    product_setting(lamp, HIDDEN, company=acme)

    assert hidden_product_ids(audience_of(acme), [lamp.pk, cable.pk]) == {lamp.pk}
    assert hidden_product_ids(EVERYONE, [lamp.pk, cable.pk]) == set()


@pytest.mark.parametrize(
    ("mode", "guest_sees"),
    [(AccessMode.OPEN, ["A-1"]), (AccessMode.LOGIN_REQUIRED, []), (AccessMode.PILOT, [])],
)
def test_guests_see_what_everyone_sees_only_while_the_shop_is_open_to_them(mode, guest_sees):
    factories.product("A-1")
    set_access_mode(mode=mode)

    assert skus(audience_of(None, guest=True)) == guest_sees
    # Staff and integration clients, who are not guests, see it whatever the mode.
    assert skus(audience_of(None)) == ["A-1"]


def test_a_setting_for_a_company_and_a_group_at_once_is_refused_with_a_message():
    lamp = factories.product("LAMP-1")
    acme = factories.company("Acme")
    dealers = CustomerGroup.objects.create(name="Dealers")
    both = ProductVisibility(product=lamp, company=acme, customer_group=dealers, visibility=HIDDEN)

    with pytest.raises(ValidationError) as error:
        both.full_clean()

    assert error.value.messages == [
        "Choose a company or a customer group, not both; leave both empty for a setting for "
        "everyone."
    ]


def test_a_second_setting_for_the_same_audience_is_refused_with_a_message():
    lamp = factories.product("LAMP-1")
    acme = factories.company("Acme")
    product_setting(lamp, HIDDEN, company=acme)
    second = ProductVisibility(product=lamp, company=acme, visibility=VISIBLE)

    with pytest.raises(ValidationError) as error:
        second.full_clean()

    assert error.value.messages == [
        "The product has a setting for this company already: change that one."
    ]
