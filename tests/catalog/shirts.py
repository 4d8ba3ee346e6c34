"""A small described catalog: shirts of a family, a two-level product model (a shirt, in blue
and in red, each in sizes) and their values, written through the services."""

from dataclasses import dataclass
from decimal import Decimal

from comptoir.catalog.attribute_services import (
    set_product_attribute_values,
    set_product_family,
    upsert_attribute,
    upsert_attribute_group,
    upsert_attribute_option,
    upsert_product_family,
    upsert_product_model,
)
from comptoir.catalog.attribute_values import AttributeValue
from comptoir.catalog.attributes import (
    Attribute,
    AttributeOption,
    ProductFamily,
    ProductModel,
)
from comptoir.catalog.models import Product
from tests import factories


@dataclass
class Shirts:
    color: Attribute
    size: Attribute
    material: Attribute
    weight: Attribute
    options: dict[str, AttributeOption]
    family: ProductFamily
    tee: ProductModel
    tee_blue: ProductModel
    tee_red: ProductModel
    blue_m: Product
    blue_s: Product
    red_l: Product


def make_shirts() -> Shirts:
    product_group, _ = upsert_attribute_group(code="product", name="Product", sort_order=1)
    details, _ = upsert_attribute_group(code="details", name="Details", sort_order=2)
    color, _ = upsert_attribute(
        code="color",
        name="Color",
        type="select",
        group=product_group,
        sort_order=1,
        translations={"fr_FR": "Couleur", "en_US": "Color"},
    )
    size, _ = upsert_attribute(
        code="size", name="Size", type="select", group=product_group, sort_order=2
    )
    material, _ = upsert_attribute(
        code="material",
        name="Material",
        type="text",
        group=details,
        is_localizable=True,
        translations={"fr": "Matière"},
    )
    weight, _ = upsert_attribute(
        code="weight", name="Weight", type="metric", group=details, unit="GRAM", sort_order=2
    )
    options = {}
    for attribute, code, label, sort_order, french in (
        (color, "blue", "Blue", 1, "Bleu"),
        (color, "red", "Red", 2, "Rouge"),
        (size, "s", "S", 1, None),
        (size, "m", "M", 2, None),
        (size, "l", "L", 3, None),
    ):
        options[code], _ = upsert_attribute_option(
            attribute=attribute,
            code=code,
            label=label,
            sort_order=sort_order,
            translations={"fr": french} if french else None,
        )
    family, _ = upsert_product_family(
        code="shirts", name="Shirts", attributes=[color, size, material, weight]
    )
    tee, _ = upsert_product_model(code="tee", name="Tee", family=family, axes=[color])
    tee_blue, _ = upsert_product_model(
        code="tee_blue", name="Tee blue", family=family, axes=[size], parent=tee
    )
    tee_red, _ = upsert_product_model(
        code="tee_red", name="Tee red", family=family, axes=[size], parent=tee
    )
    made = {}
    for sku, model, color_code, size_code in (
        ("TEE-B-M", tee_blue, "blue", "m"),
        ("TEE-B-S", tee_blue, "blue", "s"),
        ("TEE-R-L", tee_red, "red", "l"),
    ):
        product = factories.product(sku, name=f"Tee {color_code} {size_code}")
        set_product_family(product=product, family=family, product_model=model)
        set_product_attribute_values(
            product=product,
            values=[
                AttributeValue(color, options=(options[color_code],)),
                AttributeValue(size, options=(options[size_code],)),
                AttributeValue(material, "en", text="Cotton"),
                AttributeValue(material, "fr", text="Coton"),
                AttributeValue(weight, number=Decimal("180.5"), unit="GRAM"),
            ],
        )
        made[sku] = product
    return Shirts(
        color=color,
        size=size,
        material=material,
        weight=weight,
        options=options,
        family=family,
        tee=tee,
        tee_blue=tee_blue,
        tee_red=tee_red,
        blue_m=made["TEE-B-M"],
        blue_s=made["TEE-B-S"],
        red_l=made["TEE-R-L"],
    )
