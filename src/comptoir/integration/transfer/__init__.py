"""Imports and exports of the main entities, in CSV and XLSX, keyed by business keys.

``run_import(path, entity="products")`` and ``run_export(path, entity="products")`` are the
entry points; the command line, the back office's import jobs and the file drops all call them.
"""
