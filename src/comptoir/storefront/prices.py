"""Prices as storefront pages show them, all taken from the pricing resolver."""

from collections.abc import Iterable
from dataclasses import dataclass

from comptoir.accounts.models import Company
from comptoir.catalog.models import Product, ProductUnit
from comptoir.pricing.queries import ResolvedPrice, Tier, price_list_chain, resolve, tiers_for


@dataclass(frozen=True)
class ProductCard:
    """A product in a listing with its starting price: the first tier of its primary unit."""

    product: Product
    price: ResolvedPrice | None


@dataclass(frozen=True)
class UnitTiers:
    """A sellable unit of a product and the buyer's tiers for it, lowest quantity first."""

    product_unit: ProductUnit
    tiers: list[Tier]


def product_cards(
    company: Company | None, products: Iterable[Product], *, with_prices: bool
) -> list[ProductCard]:
    """Cards for a page of products, priced for ``company`` in one call of ``tiers_for``."""
    products = list(products)
    if not with_prices:
        return [ProductCard(product=product, price=None) for product in products]

    chain = price_list_chain(company)
    tiers = tiers_for(company, products, chain=chain)
    cards = []
    for product in products:
        price = None
        primary = product.primary_unit
        if primary is not None:
            unit_tiers = [
                tier for tier in tiers.get(product.pk, []) if tier.unit_code == primary.unit.code
            ]
            if unit_tiers:
                price = resolve(
                    product=product,
                    unit_code=primary.unit.code,
                    quantity=min(tier.quantity for tier in unit_tiers),
                    tiers=unit_tiers,
                    chain=chain,
                )
        cards.append(ProductCard(product=product, price=price))
    return cards


def tier_table(company: Company | None, product: Product) -> list[UnitTiers]:
    """The buyer's tiers for each sellable unit of ``product``, the primary unit first."""
    tiers = tiers_for(company, [product]).get(product.pk, [])
    return [
        UnitTiers(
            product_unit=product_unit,
            tiers=[tier for tier in tiers if tier.unit_code == product_unit.unit.code],
        )
        for product_unit in product.sellable_units()
    ]
