"""Small builders for tests: each makes one valid record with sensible defaults."""

from decimal import Decimal
from itertools import count

from comptoir.accounts.models import (
    Address,
    Company,
    CustomerGroup,
    CustomerRole,
    CustomerUser,
    PaymentTerm,
    User,
)
from comptoir.accounts.permissions import predefined_role
from comptoir.catalog.models import Category, Product, ProductUnit, Unit
from comptoir.pricing.models import Price, PriceList, PriceListAssignment
from comptoir.promotions.models import Coupon, Promotion
from comptoir.taxes.models import CustomerTaxCode, ProductTaxCode, TaxRate

PASSWORD = "correct-horse-battery"
_sequence = count(1)


def unit(code: str = "item", precision: int = 0) -> Unit:
    return Unit.objects.get_or_create(
        code=code, defaults={"label": code, "default_precision": precision}
    )[0]


def category(name: str = "Tools", parent: Category | None = None) -> Category:
    return Category.objects.get_or_create(name=name, parent=parent)[0]


def product(
    sku: str | None = None,
    *,
    name: str | None = None,
    unit_code: str = "item",
    precision: int = 0,
    category_name: str | None = "Tools",
    extra_units: tuple[tuple[str, int, Decimal, bool], ...] = (),
    **fields,
) -> Product:
    """A product with a primary unit; ``extra_units`` are (code, precision, rate, sellable)."""
    n = next(_sequence)
    made = Product.objects.create(
        sku=sku or f"SKU{n:04d}",
        name=name or f"Product {n}",
        category=category(category_name) if category_name else None,
        **fields,
    )
    ProductUnit.objects.create(
        product=made, unit=unit(unit_code, precision), precision=precision, is_primary=True
    )
    for code, extra_precision, rate, sellable in extra_units:
        ProductUnit.objects.create(
            product=made,
            unit=unit(code, extra_precision),
            precision=extra_precision,
            conversion_rate=rate,
            is_sellable=sellable,
        )
    return made


def price_list(name: str = "Default", currency: str = "USD", **fields) -> PriceList:
    return PriceList.objects.get_or_create(name=name, defaults={"currency": currency, **fields})[0]


def price(
    price_list: PriceList,
    product: Product,
    value: str,
    *,
    quantity: str = "1",
    unit_code: str | None = None,
) -> Price:
    unit_obj = unit(unit_code) if unit_code else product.units.get(is_primary=True).unit
    return Price.objects.create(
        price_list=price_list,
        product=product,
        unit=unit_obj,
        quantity=Decimal(quantity),
        value=Decimal(value),
    )


def assign(
    price_list: PriceList,
    *,
    company: Company | None = None,
    group: CustomerGroup | None = None,
    sort_order: int = 100,
    merge_allowed: bool = True,
) -> PriceListAssignment:
    return PriceListAssignment.objects.create(
        price_list=price_list,
        company=company,
        customer_group=group,
        sort_order=sort_order,
        merge_allowed=merge_allowed,
    )


def company(name: str | None = None, *, with_address: bool = True, **fields) -> Company:
    n = next(_sequence)
    fields.setdefault(
        "payment_term", PaymentTerm.objects.get_or_create(label="net 30", defaults={"days": 30})[0]
    )
    made = Company.objects.create(name=name or f"Company {n}", **fields)
    if with_address:
        Address.objects.create(
            company=made,
            label="Head office",
            street=f"{n} Main Street",
            city="Springfield",
            region="IL",
            postal_code="62701",
            country="US",
            is_default_billing=True,
            is_default_shipping=True,
        )
    return made


def customer_user(
    company: Company, email: str | None = None, *, role: str = CustomerRole.BUYER
) -> CustomerUser:
    n = next(_sequence)
    user = User.objects.create_user(
        email or f"buyer{n}@example.com", PASSWORD, first_name="Pat", last_name=f"Buyer{n}"
    )
    made = CustomerUser.objects.create(user=user, company=company)
    made.roles.add(predefined_role(role))
    return made


def product_tax_code(code: str = "standard", *, is_default: bool = False) -> ProductTaxCode:
    return ProductTaxCode.objects.get_or_create(
        code=code, defaults={"name": code.capitalize(), "is_default": is_default}
    )[0]


def customer_tax_code(code: str = "exempt", *, is_exempt: bool = True, note: str = ""):
    return CustomerTaxCode.objects.get_or_create(
        code=code,
        defaults={"name": code.capitalize(), "is_exempt": is_exempt, "exemption_note": note},
    )[0]


def tax_rate(
    rate: str, *, country: str = "FR", code: str = "standard", label: str = "VAT", **fields
) -> TaxRate:
    return TaxRate.objects.create(
        label=label,
        rate=Decimal(rate),
        country=country,
        product_tax_code=product_tax_code(code),
        **fields,
    )


def address(
    company: Company,
    *,
    country: str,
    postal_code: str = "",
    region: str = "",
    city: str = "Town",
    is_default_shipping: bool = False,
) -> Address:
    return Address.objects.create(
        company=company,
        label=f"{city} {country}",
        street="1 Quay Street",
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
        is_default_shipping=is_default_shipping,
    )


def promotion(name: str | None = None, *, kind: str = "line_percentage", **fields) -> Promotion:
    """A promotion active now for everyone; scope sets (``products=[...]``...) are assigned."""
    scopes = {
        key: fields.pop(key)
        for key in ("companies", "customer_groups", "categories", "products")
        if key in fields
    }
    made = Promotion.objects.create(
        name=name or f"Promotion {next(_sequence)}", kind=kind, **fields
    )
    for key, values in scopes.items():
        getattr(made, key).set(values)
    return made


def coupon(promotion: Promotion, code: str | None = None, **fields) -> Coupon:
    return Coupon.objects.create(
        promotion=promotion, code=code or f"CODE{next(_sequence)}", **fields
    )
