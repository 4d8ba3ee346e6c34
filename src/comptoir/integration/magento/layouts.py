"""The files of a Magento 2 export directory, the columns Comptoir reads in them, and the names
and values Magento writes there.

Magento's System > Export writes one CSV file per entity, named after the entity and the moment
of the export (``catalog_product_20250131_101500.csv``). A file is known by its header, whatever
its name: the columns of ``signature`` are in it. Magento's exports carry many more columns than
Comptoir reads (images, URL keys, stock settings, custom options...): those are listed in one
warning per file and left alone.
"""

from dataclasses import dataclass
from decimal import Decimal

from comptoir.integration.transfer.base import Option


@dataclass(frozen=True)
class MagentoFile:
    """A kind of export file: how to recognise it and the columns the import reads."""

    kind: str
    # The report's name for the records of the file.
    entity: str
    signature: frozenset[str]
    columns: tuple[str, ...]
    required: frozenset[str]

    def matches(self, header: list[str]) -> bool:
        return self.signature <= set(header)


def _file(kind: str, entity: str, signature: str, columns: str, required: str) -> MagentoFile:
    return MagentoFile(
        kind=kind,
        entity=entity,
        signature=frozenset(signature.split(",")),
        columns=tuple(columns.split(",")),
        required=frozenset(required.split(",")),
    )


PRODUCTS = _file(
    "catalog_product",
    "products",
    "sku,product_type",
    "sku,store_view_code,attribute_set_code,product_type,categories,name,description,"
    "short_description,weight,product_online,tax_class_name,price,special_price,"
    "special_price_from_date,special_price_to_date,qty,is_in_stock,additional_attributes,"
    "configurable_variations,configurable_variation_labels",
    "sku,product_type",
)
ADVANCED_PRICING = _file(
    "advanced_pricing",
    "prices",
    "sku,tier_price",
    "sku,tier_price_website,tier_price_customer_group,tier_price_qty,tier_price,"
    "tier_price_value_type",
    "sku,tier_price_website,tier_price_customer_group,tier_price_qty,tier_price",
)
CUSTOMERS = _file(
    "customer",
    "customer users",
    "email,_website,group_id",
    "email,_website,firstname,lastname,group_id,taxvat",
    "email,_website",
)
ADDRESSES = _file(
    "customer_address",
    "addresses",
    "_email,_website,_entity_id",
    "_website,_email,city,company,country_id,firstname,lastname,postcode,region,street,"
    "_address_default_billing_,_address_default_shipping_",
    "_website,_email",
)

# In the order they are imported: products before their prices, customers before addresses.
ALL_FILES = (PRODUCTS, ADVANCED_PRICING, CUSTOMERS, ADDRESSES)

# Product types. Simple, virtual and downloadable products are products; a configurable product
# is a product model over its variants; bundle and grouped products have no equivalent.
SOLD_TYPES = ("simple", "virtual", "downloadable")
CONFIGURABLE = "configurable"
LEFT_OUT_TYPES = ("bundle", "grouped")
PRODUCT_TYPES = (*SOLD_TYPES, CONFIGURABLE, *LEFT_OUT_TYPES)

# product_online: 1 for enabled, 2 for disabled.
ONLINE = {"1": True, "2": False}

# Columns whose store view overrides are reported as not imported: a store view row is read for
# its name, description and short description. attribute_set_code and product_type are written
# on store view rows too, with the default row's values.
SCOPED = (
    "categories",
    "weight",
    "product_online",
    "tax_class_name",
    "price",
    "special_price",
    "qty",
    "is_in_stock",
    "additional_attributes",
)
# Between the values of a multiselect attribute in additional_attributes, and between the
# variations of configurable_variations.
MULTI_VALUE_SEPARATOR = "|"
# The store's root category opens every path of the categories column.
CATEGORY_SEPARATOR = "/"

# Magento sells by the item.
UNIT = "item"
WEIGHT_UNITS = {"kgs": Decimal(1), "lbs": Decimal("0.45359237")}

BASE_PRICE_LIST = "Magento"
GROUP_PRICE_LIST = "Magento {group}"
SPECIAL_PRICE_LIST = "Magento special prices"

ALL_GROUPS = "ALL GROUPS"
NOT_LOGGED_IN = "NOT LOGGED IN"
# tier_price_website: "All Websites [USD]", or a website's code.
ALL_WEBSITES = "All Websites"
VALUE_TYPES = {"fixed": "Fixed", "discount": "Discount"}

# Magento's own customer groups, by id; a store's other groups come from the option
# customer_groups.
CUSTOMER_GROUPS = {0: NOT_LOGGED_IN, 1: "General", 2: "Wholesale", 3: "Retailer"}
# The role of the first customer of each company; the others are buyers.
FIRST_CUSTOMER_ROLE = "administrator"

# Values of one attribute the scan of a products file keeps to make options of; an attribute
# with more is taken for text.
MAX_OPTIONS = 2000

OPTIONS = (
    Option(
        "currency",
        "The currency of the store's prices (its base currency); empty: the site's currency.",
    ),
    Option(
        "store_languages",
        "The language of each store view whose rows are imported, as CODE:LANGUAGE pairs "
        "separated by commas: french:fr,german:de. Rows of other store views are reported and "
        "left out.",
    ),
    Option(
        "weight_unit",
        "The store's weight unit (Stores > Configuration > General > Locale Options).",
        choices=tuple(WEIGHT_UNITS),
        default="lbs",
    ),
    Option("warehouse", "The code of the warehouse stock levels go to.", default="default"),
    Option(
        "website",
        "The code of the website whose tier prices are imported (base); empty: every website's "
        "and All Websites'.",
    ),
    Option(
        "customer_groups",
        "The names of the store's own customer groups by id, as ID:NAME pairs separated by "
        "commas: 4:Distributors. Groups 0 to 3 are Magento's.",
    ),
    Option(
        "tax_classes",
        "The tax code of each product tax class, as CLASS:CODE pairs separated by commas: "
        "Taxable Goods:standard. Products of other classes keep their tax code.",
    ),
)
