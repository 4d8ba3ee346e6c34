"""Properties of the totals: promotions commute, nothing is negative, cart and order agree."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comptoir.ordering.queries import current_shopping_list_for, priced_shopping_list
from comptoir.ordering.totals import LineInput, apply_offers, order_totals, spread
from comptoir.promotions.engine import Level, Offer
from comptoir.promotions.models import PromotionKind
from tests import factories
from tests.promotions.conftest import fill_cart, order_cart

CENT = Decimal("0.01")

money = st.decimals(min_value=0, max_value=5000, places=2)
quantities = st.integers(min_value=1, max_value=40).map(Decimal)


@st.composite
def priced_lines(draw):
    count = draw(st.integers(min_value=1, max_value=6))
    lines = []
    for key in range(1, count + 1):
        quantity, unit_price = draw(quantities), draw(money)
        lines.append(
            LineInput(
                key=key,
                product=None,
                unit_code="item",
                quantity=quantity,
                unit_price=unit_price,
                row_total=(unit_price * quantity).quantize(CENT),
            )
        )
    return lines


@st.composite
def offers_on(draw, lines):
    keys = [line.key for line in lines]
    made = []
    for promotion_id in range(1, draw(st.integers(min_value=0, max_value=6)) + 1):
        level = draw(st.sampled_from([Level.LINE, Level.ORDER, Level.SHIPPING]))
        covered = tuple(draw(st.lists(st.sampled_from(keys), unique=True, min_size=1)))
        common = {
            "promotion_id": promotion_id,
            "label": f"P{promotion_id}",
            "level": level,
            "priority": draw(st.integers(min_value=1, max_value=3)),
        }
        if level == Level.LINE:
            amounts = {key: draw(money) for key in covered}
            made.append(Offer(**common, line_amounts=amounts))
        elif level == Level.ORDER and draw(st.booleans()):
            percentage = draw(st.decimals(min_value=1, max_value=100, places=2))
            made.append(Offer(**common, percentage=percentage, line_keys=covered))
        elif level == Level.ORDER:
            made.append(Offer(**common, amount=draw(money), line_keys=covered))
        else:
            made.append(Offer(**common, line_keys=covered))
    return made


def figures(lines, shipping_discounts):
    return (
        [(line.key, line.line_discount_total, line.order_discount_share) for line in lines],
        [discount.amount for discount in shipping_discounts],
    )


@given(data=st.data())
def test_offers_give_the_same_figures_in_any_order_and_nothing_is_negative(data):
    lines = data.draw(priced_lines())
    offers = data.draw(offers_on(lines))
    shuffled = data.draw(st.permutations(offers))
    shipping = data.draw(money)

    first = apply_offers(lines, offers, shipping, "USD")
    second = apply_offers(lines, shuffled, shipping, "USD")

    assert figures(*first) == figures(*second)
    discounted, shipping_discounts = first
    for line in discounted:
        assert line.net >= 0
        assert all(d.amount > 0 for d in (*line.discounts, *line.order_discounts))
    assert sum((d.amount for d in shipping_discounts), Decimal(0)) <= shipping


@given(
    amount=st.decimals(min_value=0, max_value=1000, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=1),
)
def test_a_spread_adds_up_exactly_and_no_part_exceeds_its_weight(amount, weights):
    amount = min(amount, sum(weights))

    parts = spread(amount, weights, "USD")

    if sum(weights) > 0:
        assert sum(parts) == amount
    assert all(0 <= part <= weight for part, weight in zip(parts, weights, strict=True))


KINDS = {
    "line_percentage": {"kind": PromotionKind.LINE_PERCENTAGE},
    "line_fixed": {"kind": PromotionKind.LINE_FIXED, "currency": "USD"},
    "order_percentage": {"kind": PromotionKind.ORDER_PERCENTAGE},
    "order_fixed": {"kind": PromotionKind.ORDER_FIXED, "currency": "USD"},
    "buy_x_get_y": {"kind": PromotionKind.BUY_X_GET_Y},
    "free_shipping": {"kind": PromotionKind.FREE_SHIPPING},
}

promotion_specs = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(sorted(KINDS)),
            "value": st.decimals(min_value=1, max_value=100, places=2),
            "priority": st.integers(min_value=1, max_value=3),
            "stops_further": st.booleans(),
            "scope": st.sampled_from(["all", "lamp", "lighting"]),
            "buy": st.integers(min_value=1, max_value=4),
            "get": st.integers(min_value=1, max_value=2),
        }
    ),
    max_size=5,
)
cart_lines = st.lists(
    st.tuples(st.sampled_from(["LAMP-1", "BULB-1", "CHAIR-1"]), st.integers(1, 30)),
    min_size=1,
    max_size=4,
    unique_by=lambda line: line[0],
)


def make_promotions(shop, specs):
    scopes = {
        "all": {},
        "lamp": {"products": [shop["lamp"]]},
        "lighting": {"categories": [shop["lighting"]]},
    }
    for spec in specs:
        fields = dict(KINDS[spec["kind"]])
        if spec["kind"] == "buy_x_get_y":
            fields.update(buy_quantity=spec["buy"], get_quantity=spec["get"])
        elif spec["kind"] != "free_shipping":
            fields["value"] = spec["value"]
        factories.promotion(
            priority=spec["priority"],
            stops_further=spec["stops_further"],
            **fields,
            **scopes[spec["scope"]],
        )


def cart_figures(customer_user):
    totals = priced_shopping_list(current_shopping_list_for(customer_user)).totals
    return (
        totals.subtotal,
        totals.discount_total,
        totals.shipping_total,
        totals.total,
        sorted((line.product.sku, line.net) for line in totals.lines),
    )


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=promotion_specs, lines=cart_lines, seed=st.randoms(use_true_random=False))
def test_promotions_made_in_any_order_give_the_same_cart_and_the_order_agrees(
    shop, settings, specs, lines, seed
):
    settings.COMPTOIR_SHIPPING_FLAT_RATE = Decimal("9.90")
    shuffled = list(specs)
    seed.shuffle(shuffled)
    outcomes = []
    for made_in in (specs, shuffled):
        with transaction.atomic():
            make_promotions(shop, made_in)
            fill_cart(shop["buyer"], *lines)
            outcomes.append(cart_figures(shop["buyer"]))
            transaction.set_rollback(True)

    with transaction.atomic():
        make_promotions(shop, specs)
        fill_cart(shop["buyer"], *lines)
        cart = priced_shopping_list(current_shopping_list_for(shop["buyer"])).totals
        order = order_cart(shop["buyer"])
        replayed = order_totals(order)
        transaction.set_rollback(True)

    assert outcomes[0] == outcomes[1]
    subtotal, discount_total, shipping_total, total, nets = outcomes[0]
    assert discount_total >= 0 and shipping_total >= 0 and total >= 0
    assert all(net >= 0 for _, net in nets)
    assert (order.subtotal, order.discount_total, order.shipping_total, order.total) == (
        cart.subtotal,
        cart.discount_total,
        cart.shipping_total,
        cart.total,
    )
    assert (replayed.subtotal, replayed.discount_total, replayed.total) == (
        order.subtotal,
        order.discount_total,
        order.total,
    )
    assert [line.net for line in replayed.lines] == [line.net for line in cart.lines]
