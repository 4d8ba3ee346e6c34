"""The files of an OroCommerce demo directory, and the facts its PHP loader adds to them.

The directory holds OroCommerce's demo CSV files under flattened names
(``ProductBundle__products.csv``...). Some of what OroCommerce's demo loader does is written
in its code, not in the files; those facts are here, each applied by a plain import step.
"""

from decimal import Decimal

from comptoir.integration.csvfiles import CsvLayout


def _layout(file_name: str, columns: str, required: str) -> CsvLayout:
    return CsvLayout(
        file_name=file_name,
        columns=tuple(columns.split(",")),
        required=frozenset(required.split(",")),
    )


PRODUCTS = _layout(
    "ProductBundle__products.csv",
    "sku,name,description,category,category_sort_order,information,specifications,price,MSRP,"
    "MAP,unit,precision,type,featured,new_arrival,page_template,brand_id",
    "sku,name,unit",
)
ADDITIONAL_UNITS = _layout(
    "ProductBundle__add_product_precisions.csv",
    "sku,unit,precision,conversion_rate,sell",
    "sku,unit,conversion_rate",
)
BRANDS = _layout("ProductBundle__brands.csv", "name,short_description,description", "name")
PRICE_LISTS = _layout("PricingBundle__price_lists.csv", "name,organization", "name")
PRICE_ATTRIBUTES = _layout("PricingBundle__price_attribute.csv", "name,fieldName", "name")
COMPANY_ASSIGNMENTS = _layout(
    "PricingBundle__price_lists_to_customer.csv",
    "customer,priceList,sort_order,mergeAllowed",
    "customer,priceList",
)
GROUP_ASSIGNMENTS = _layout(
    "PricingBundle__price_lists_to_customer_group.csv",
    "customerGroup,priceList,sort_order,mergeAllowed",
    "customerGroup,priceList",
)
WEBSITE_ASSIGNMENTS = _layout(
    "PricingBundle__price_lists_to_website.csv", "priceList,sort_order,mergeAllowed", "priceList"
)
CUSTOMER_USERS = _layout(
    "CustomerBundle__customer-users.csv",
    "customer,email,firstName,lastName,role,street,city,state,zipCode,country,types,defaultTypes",
    "customer,email",
)
ORDERS = _layout(
    "OrderBundle__orders.csv",
    "identifier,internalStatus,shippingStatus,billingAddressLabel,billingAddressCountry,"
    "billingAddressCity,billingAddressRegion,billingAddressStreet,billingAddressPostalCode,"
    "shippingAddressLabel,shippingAddressCountry,shippingAddressCity,shippingAddressRegion,"
    "shippingAddressStreet,shippingAddressPostalCode,subtotal,total,currency,poNumber,"
    "paymentTerm,customerNotes,websiteName,sourceEntityClass,sourceEntityId,isGuest,createdBy",
    "identifier,subtotal,total,currency",
)
ORDER_LINES = _layout(
    "OrderBundle__order-line-items.csv",
    "orderIdentifier,productSku,productUnitCode,freeFormProduct,shipBy,comment",
    "orderIdentifier,productSku,productUnitCode",
)
CATEGORY_DESCRIPTIONS = "CatalogBundle__category_descriptions.yml"
# OroCommerce's price and inventory import files, read by the prices and inventory entities
# (``Product SKU,Quantity,Unit Code,Price,Currency`` and ``SKU,Warehouse,Quantity,Unit``).
PRICES_FILE = "PricingBundle__prices.csv"
INVENTORY_FILE = "InventoryBundle__inventory.csv"

ALL_FILES = (
    PRODUCTS,
    ADDITIONAL_UNITS,
    BRANDS,
    PRICE_LISTS,
    PRICE_ATTRIBUTES,
    COMPANY_ASSIGNMENTS,
    GROUP_ASSIGNMENTS,
    WEBSITE_ASSIGNMENTS,
    CUSTOMER_USERS,
    ORDERS,
    ORDER_LINES,
)

# OroCommerce's product units and their default precisions (its ProductBundle data fixture).
UNITS = {"each": 0, "hour": 0, "item": 0, "kg": 3, "piece": 0, "set": 0}

# The demo is priced in US dollars.
CURRENCY = "USD"

# The demo is priced in each product's primary unit: the Default list holds the `price` column,
# with tiers at 10 and 20 units at a share of it; the two other lists are price rules over
# Default, a share of each of its tiers. Each price is rounded to the cent, half-up.
DEFAULT_PRICE_LIST = "Default Price List"
RULE_SHARES = {
    "Wholesale Price List": Decimal("0.9"),
    "Partner C Custom Price List": Decimal("0.8"),
}
PRICED_LISTS = (DEFAULT_PRICE_LIST, *RULE_SHARES)
TIER_SHARES = {Decimal(10): Decimal("0.95"), Decimal(20): Decimal("0.90")}

# Customer groups the demo loader makes, and the group of each demo company.
CUSTOMER_GROUPS = ("All Customers", "Wholesale Customers", "Partners")
COMPANY_GROUPS = {
    "company a": "All Customers",
    "company a - east division": "All Customers",
    "company a - west division": "All Customers",
    "wholesaler b": "Wholesale Customers",
    "partner c": "Partners",
}

# Payment terms the demo loader makes; companies get DEFAULT_PAYMENT_TERM unless told otherwise.
PAYMENT_TERMS = {"net 10": 10, "net 30": 30, "net 60": 60, "net 90": 90}
DEFAULT_PAYMENT_TERM = "net 30"

# A name written "Company A - East Division" is a subsidiary of "Company A".
SUBSIDIARY_SEPARATOR = " - "

# The file's roles, as customer role codes.
ROLES = {"administrator": "administrator", "buyer": "buyer"}
ADDRESS_TYPES = ("billing", "shipping")

# The orders file has no dates: order N of the file (counting from 1) is dated this moment
# plus N - 1 days, so the history keeps the file's order and ends before the lines' ship-by
# dates (March to May 2016).
FIRST_ORDER_DATE = "2016-01-04T09:00:00+00:00"
# The lines file has no quantities: every line is for this many of its unit.
DEFAULT_LINE_QUANTITY = Decimal(1)
ORDER_STATUSES = {"open": "open", "closed": "closed", "cancelled": "cancelled"}
SHIPPING_STATUSES = {
    "not_shipped": "not_shipped",
    "partially_shipped": "partially_shipped",
    "shipped": "shipped",
}
