import pytest

from comptoir.catalog.models import Product
from comptoir.catalog.queries import Audience
from comptoir.search.queries import search_products
from tests import factories

pytestmark = pytest.mark.django_db

EVERYONE = Audience()


def skus(products) -> list[str]:
    return [product.sku for product in products]


def test_exact_sku_comes_first_then_name_then_description_matches():
    factories.product("HL-1", name="Lamp Holder", description="Fits the LED-9 headlamp.")
    factories.product("HL-2", name="Headlamp LED-9 Pro")
    factories.product("LED-9", name="Rechargeable Headlamp")
    factories.product("HL-3", name="Battery", description="For any led-9 model.")

    found = search_products("led-9", EVERYONE)

    assert skus(found) == ["LED-9", "HL-2", "HL-3", "HL-1"]


def test_sku_matches_ignoring_case_and_surrounding_spaces():
    factories.product("0RT28", name="Headlamp")

    assert skus(search_products("  0rt28 ", EVERYONE)) == ["0RT28"]


def test_every_word_must_appear_in_the_name_or_the_description():
    factories.product("A-1", name="Blue Safety Gloves")
    factories.product("A-2", name="Safety Goggles", description="Blue tinted lenses.")
    factories.product("A-3", name="Safety Vest")

    found = search_products("safety blue", EVERYONE)

    assert skus(found) == ["A-1", "A-2"]


def test_results_with_the_same_rank_are_sorted_by_name_then_id():
    factories.product("Z-2", name="Widget")
    factories.product("Z-1", name="Widget")
    factories.product("Z-3", name="Anvil widget")

    found = search_products("widget", EVERYONE)

    assert skus(found) == ["Z-3", "Z-2", "Z-1"]


def test_disabled_products_are_never_found():
    factories.product("OFF-1", name="Old Lamp")
    Product.objects.filter(sku="OFF-1").update(is_enabled=False)

    assert skus(search_products("OFF-1", EVERYONE)) == []
    assert skus(search_products("lamp", EVERYONE)) == []


def test_blank_text_finds_nothing():
    factories.product("B-1", name="Anything")

    assert skus(search_products("   ", EVERYONE)) == []


def test_search_page_with_a_text_the_database_cannot_take_as_it_is_answers(client):
    factories.product("HL-1", name="Headlamp")

    with_nul = client.get("/search/", {"q": "headlamp\x00"})
    very_long = client.get("/search/", {"q": "headlamp " + "x" * 60_000})

    assert (with_nul.status_code, skus(with_nul.context["page"])) == (200, ["HL-1"])
    assert (very_long.status_code, skus(very_long.context["page"])) == (200, [])


def test_only_the_first_words_of_a_very_long_text_are_searched():
    factories.product("HL-1", name="Headlamp")

    assert skus(search_products("headlamp " * 5000, EVERYONE)) == ["HL-1"]


@pytest.mark.parametrize("sku", ["HL-1%00", "H" * 60_000])
def test_product_page_of_a_sku_no_product_can_have_is_404(client, sku):
    factories.product("HL-1", name="Headlamp")

    response = client.get(f"/p/{sku}/")

    assert response.status_code == 404
