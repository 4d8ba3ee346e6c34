"""Akeneo export directories for the import's tests: the demo beside the project, and a small
export written file by file, which a test may change."""

from pathlib import Path

AKENEO_DEMO_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "akeneo-icecat-demo"

# A small export: two shirts of a family, under a sub-model of a top model.
SMALL_EXPORT = {
    "channels.csv": """code;label-en_US;locales;currencies;tree
ecommerce;Ecommerce;en_US,fr_FR;EUR;master
print;Print;en_US;EUR;master
""",
    "categories.csv": """code;parent;label-en_US;label-fr_FR
master;;Master catalog;Catalogue principal
clothes;master;Clothes;Vêtements
shirts;clothes;Shirts;Chemises
sales;;Sales;Soldes
""",
    "attribute_groups.csv": """code;sort_order;label-en_US;label-fr_FR
product;1;Product;Produit
""",
    "attributes.csv": """code;label-en_US;label-fr_FR;type;group;localizable;scopable;sort_order;\
default_metric_unit;wysiwyg_enabled
sku;SKU;SKU;pim_catalog_identifier;product;0;0;1;;
name;Name;Nom;pim_catalog_text;product;0;0;2;;
description;Description;Description;pim_catalog_textarea;product;1;1;3;;1
color;Color;Couleur;pim_catalog_simpleselect;product;0;0;4;;
size;Size;Taille;pim_catalog_simpleselect;product;0;0;5;;
weight;Weight;Poids;pim_catalog_metric;product;0;0;6;KILOGRAM;
price;Price;Prix;pim_catalog_price_collection;product;0;0;7;;
picture;Picture;Image;pim_catalog_image;product;0;0;8;;
""",
    "attribute_options.csv": """code;attribute;sort_order;label-en_US;label-fr_FR
blue;color;1;Blue;Bleu
red;color;2;Red;Rouge
s;size;1;S;S
m;size;2;M;M
""",
    "families.csv": """code;label-en_US;attributes;attribute_as_label
shirts;Shirts;sku,name,description,color,size,weight,price,picture;name
""",
    "family_variants.csv": """code;family;label-en_US;variant-axes_1;variant-axes_2
shirts_color_size;shirts;By color and size;color;size
""",
    "product_models.csv": """code;family_variant;parent;categories;name
tee_blue;shirts_color_size;tee;shirts;
tee;shirts_color_size;;shirts;Tee
""",
    "products.csv": """sku;categories;enabled;family;parent;groups;name;\
description-en_US-ecommerce;description-fr_FR-ecommerce;description-en_US-print;color;size;\
weight;weight-unit;price-EUR;picture
TEE-B-S;shirts,sales;1;shirts;tee_blue;;Tee;"<p>Soft <b>cotton</b></p><p>Made in Lyon</p>";\
"<p>Coton doux</p>";Printed;blue;s;180;GRAM;19.90;files/tee.png
TEE-B-M;shirts;0;shirts;Tee_Blue;;Tee;;;;blue;m;0.2;;21;
""",
}


def write_export(directory: Path, **changes: str | None) -> Path:
    """The small export written to ``directory``, with files replaced (by name, ``_`` for
    ``.``: ``products_csv``) or left out (None)."""
    files = dict(SMALL_EXPORT)
    for key, text in changes.items():
        name = key.replace("_csv", ".csv")
        if text is None:
            files.pop(name)
        else:
            files[name] = text
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory
