"""Benchmarks run by ``make bench``: each prints what it measured beside its target.

They run on PostgreSQL (``COMPTOIR_BENCH_DATABASE_URL``, by default the database
``comptoir_bench`` on 127.0.0.1:5432, created when missing) with catalogs written by the
synthetic catalog generator shipped beside the project (``../shared/bench/make_catalog.py``, or
``COMPTOIR_BENCH_CATALOG_SCRIPT``). Catalogs are cached under ``var/bench``.
"""
