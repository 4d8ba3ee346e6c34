"""Properties of the two strategies, over random chains of lists with random tiers."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from comptoir.pricing.queries import ChainEntry, Tier, _merge_by_priority, _minimal, pick_tier

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2)
tier_quantities = st.sets(st.integers(min_value=1, max_value=60), min_size=1, max_size=4)


@st.composite
def chains(draw):
    """Up to four lists, each with a few tiers of one unit, merge allowed or not."""
    lists = []
    for number in range(draw(st.integers(min_value=1, max_value=4))):
        entry = ChainEntry(
            price_list_id=number + 1,
            price_list_name=f"List {number + 1}",
            currency="USD",
            level="company",
            sort_order=number,
            merge_allowed=draw(st.booleans()),
        )
        tiers = [
            Tier("item", Decimal(quantity), draw(prices), "USD", entry.price_list_name, number + 1)
            for quantity in sorted(draw(tier_quantities))
        ]
        lists.append((entry, tiers))
    return lists


def charged(tiers, quantity):
    tier = pick_tier(tiers, unit_code="item", quantity=Decimal(quantity))
    return None if tier is None else tier.value


@given(chains(), st.integers(min_value=1, max_value=80))
def test_minimal_price_is_the_lowest_any_list_charges_for_the_quantity(chain, quantity):
    offers = [charged(tiers, quantity) for _, tiers in chain]
    expected = min((offer for offer in offers if offer is not None), default=None)

    assert charged(_minimal(chain), quantity) == expected


@given(chains(), st.integers(min_value=1, max_value=80))
def test_merge_by_priority_takes_each_tier_from_the_first_list_that_has_it(chain, quantity):
    merged = _merge_by_priority(chain)

    first_closed = next((entry for entry, _ in chain if not entry.merge_allowed), None)
    if first_closed is not None and first_closed is chain[0][0]:
        # A first list without merging gives all of its tiers and nothing else.
        assert merged == chain[0][1]
    open_lists = [(entry, tiers) for entry, tiers in chain if entry.merge_allowed]
    if all(entry.merge_allowed for entry, _ in chain):
        slots = {}
        for _, tiers in open_lists:
            for tier in tiers:
                slots.setdefault(tier.quantity, tier.value)
        applicable = [q for q in slots if q <= quantity]
        expected = slots[max(applicable)] if applicable else None
        assert charged(merged, quantity) == expected


@given(chains())
def test_a_strategy_never_invents_a_price(chain):
    offered = {(tier.quantity, tier.value) for _, tiers in chain for tier in tiers}
    for merged in (_merge_by_priority(chain), _minimal(chain)):
        for tier in merged:
            # Minimal price may carry a list's price to another list's tier quantity.
            assert tier.value in {value for _, value in offered}
            assert tier.value > 0


@given(
    st.decimals(min_value=Decimal(0), max_value=Decimal(100000), places=4),
    st.sampled_from([Decimal("0.05"), Decimal(1), Decimal(10)]),
    st.sampled_from([None, Decimal(0), Decimal("0.99"), Decimal("0.95"), Decimal("0.04")]),
    st.sampled_from(["nearest", "up", "down"]),
)
def test_rounding_to_an_ending_lands_on_the_ending_on_the_right_side(value, step, ending, way):
    from comptoir.pricing.rules import round_price

    if ending is not None and ending >= step:
        ending = None
    rounded = round_price(value, currency="USD", step=step, ending=ending, direction=way)

    assert rounded >= 0
    assert (rounded - (ending or 0)) % step == 0
    if rounded != (ending or 0):  # not moved up to the smallest amount a price can be
        assert abs(rounded - value) <= step
        if way == "up":
            assert rounded >= value
        elif way == "down":
            assert rounded <= value
        else:
            assert abs(rounded - value) <= step / 2
