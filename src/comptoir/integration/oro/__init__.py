"""Import of a directory in the layout of OroCommerce's demo data (``comptoir import oro DIR``).

``importer.import_oro_directory`` runs the steps; ``layouts`` names the files, their columns
and the facts of OroCommerce's demo loader that the files do not hold.
"""
