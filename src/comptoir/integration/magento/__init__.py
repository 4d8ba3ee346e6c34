"""The Magento 2 importer: ``comptoir import magento DIR`` loads the files of a Magento export
(products, advanced pricing, customers and their addresses) unchanged, mapping their columns
onto Comptoir's entities."""
