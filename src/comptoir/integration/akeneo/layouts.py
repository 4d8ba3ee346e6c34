"""The files of an Akeneo export directory, their columns, and how Akeneo's notions map to
Comptoir's.

Akeneo writes one semicolon-separated file per kind of record. Labels come in one column per
locale (``label-en_US``); attribute values in columns named after the attribute, then its
locale if it is localizable, then its channel if it is scopable
(``description-en_US-ecommerce``); a price in one column per currency (``price-EUR``), a
measure in its amount column and a unit column (``weight``, ``weight-unit``).
"""

import re
from dataclasses import dataclass

from comptoir.catalog.attributes import AttributeType


@dataclass(frozen=True)
class AkeneoFile:
    """A file of the export: the columns read, the ones required, and the column families
    (``label-``, ``requirements-``) read or left alone whatever follows their prefix."""

    file_name: str
    columns: tuple[str, ...]
    required: frozenset[str]
    prefixes: tuple[str, ...] = ()
    # Akeneo's columns Comptoir has no use for: present in exports, left alone quietly.
    unused: tuple[str, ...] = ()

    def knows(self, column: str) -> bool:
        return (
            column in self.columns
            or column in self.unused
            or any(column.startswith(prefix) for prefix in self.prefixes)
        )


def _file(
    file_name: str, columns: str, required: str, prefixes: str = "", unused: str = ""
) -> AkeneoFile:
    return AkeneoFile(
        file_name=file_name,
        columns=tuple(columns.split(",")),
        required=frozenset(required.split(",")),
        prefixes=tuple(prefix for prefix in prefixes.split(",") if prefix),
        unused=tuple(column for column in unused.split(",") if column),
    )


LABEL = "label-"

CHANNELS = _file("channels.csv", "code,tree,locales,currencies", "code", LABEL)
CATEGORIES = _file("categories.csv", "code,parent", "code", LABEL)
ATTRIBUTE_GROUPS = _file(
    "attribute_groups.csv", "code,sort_order", "code", LABEL, unused="attributes"
)
ATTRIBUTES = _file(
    "attributes.csv",
    "code,type,group,localizable,scopable,sort_order,default_metric_unit,wysiwyg_enabled",
    "code,type",
    LABEL,
    unused="allowed_extensions,auto_option_sorting,available_locales,date_max,date_min,"
    "decimals_allowed,max_characters,max_file_size,metric_family,minimum_input_length,"
    "negative_allowed,number_max,number_min,reference_data_name,unique,useable_as_grid_filter,"
    "validation_regexp,validation_rule",
)
ATTRIBUTE_OPTIONS = _file(
    "attribute_options.csv", "code,attribute,sort_order", "code,attribute", LABEL
)
FAMILIES = _file(
    "families.csv",
    "code,attributes,attribute_as_label",
    "code",
    f"{LABEL},requirements-",
    unused="attribute_as_image",
)
FAMILY_VARIANTS = _file(
    "family_variants.csv",
    "code,family,variant-axes_1,variant-axes_2",
    "code,family,variant-axes_1",
    f"{LABEL},variant-attributes_",
)
PRODUCT_MODELS = _file(
    "product_models.csv", "code,family_variant,parent,categories", "code,family_variant"
)
# The identifier column is named after the identifier attribute ("sku" in most catalogs).
PRODUCTS = _file("products.csv", "categories,enabled,family,parent,groups", "")

ALL_FILES = (
    CHANNELS,
    CATEGORIES,
    ATTRIBUTE_GROUPS,
    ATTRIBUTES,
    ATTRIBUTE_OPTIONS,
    FAMILIES,
    FAMILY_VARIANTS,
    PRODUCT_MODELS,
    PRODUCTS,
)

# Akeneo's attribute types and the Comptoir types they become.
TYPES = {
    "pim_catalog_text": AttributeType.TEXT,
    "pim_catalog_textarea": AttributeType.TEXTAREA,
    "pim_catalog_number": AttributeType.NUMBER,
    "pim_catalog_boolean": AttributeType.BOOLEAN,
    "pim_catalog_simpleselect": AttributeType.SELECT,
    "pim_catalog_multiselect": AttributeType.MULTISELECT,
    "pim_catalog_date": AttributeType.DATE,
    "pim_catalog_price_collection": AttributeType.PRICE,
    "pim_catalog_metric": AttributeType.METRIC,
}
# The attribute whose value is a product's SKU.
IDENTIFIER_TYPE = "pim_catalog_identifier"
DEFAULT_IDENTIFIER = "sku"
# Images and files: an export directory holds their paths, not the files.
MEDIA_TYPES = ("pim_catalog_image", "pim_catalog_file")

# The channel whose scoped values are imported unless another is asked for: the web one.
DEFAULT_CHANNEL = "ecommerce"

# Attributes whose value becomes a product's own field: the name (when the family names no
# label attribute) and the description. The page shows those fields, so the attributes are not
# listed again among the product's values.
NAME_ATTRIBUTE = "name"
DESCRIPTION_ATTRIBUTE = "description"

# Akeneo has no unit of sale: products are sold by the item, unless they already have a unit.
UNIT = "item"

# Each price attribute fills one price list per currency, named so: "Akeneo price EUR".
PRICE_LIST_NAME = "Akeneo {attribute} {currency}"

# Product model levels: the axes of level 1 set the sub-models (or the products) of a top
# model apart, those of level 2 the products of a sub-model.
AXES_COLUMNS = ("variant-axes_1", "variant-axes_2")

# Columns of products.csv that name associations ("X_SELL-products") and groups: Comptoir has
# no equivalent, so they are reported when they hold anything.
ASSOCIATION_COLUMN = re.compile(r"[A-Za-z0-9_]+-(groups|products|product_models)")

# An Akeneo locale code: en_US.
LOCALE = re.compile(r"[a-z]{2,3}_[A-Za-z0-9]{2,8}")
CURRENCY = re.compile(r"[A-Z]{3}")
