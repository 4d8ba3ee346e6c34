"""``python -m comptoir.bench [NAME...]``: run the benchmarks (all, or those named)."""

import argparse
import os
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Comptoir's benchmarks.")
    parser.add_argument(
        "names",
        nargs="*",
        help="Benchmarks to run (default: all): pricing, ordering, catalog, imports.",
    )
    parser.add_argument(
        "--prices",
        type=int,
        default=1_000_000,
        help="How many base prices the pricing benchmark rebuilds from (default 1,000,000).",
    )
    parser.add_argument(
        "--products",
        type=int,
        default=100_000,
        help="How many products the quick order and catalog benchmarks' catalog holds "
        "(default 100,000).",
    )
    parser.add_argument(
        "--import-products",
        type=int,
        default=1_000_000,
        help="How many products the imports benchmark loads into PostgreSQL (default 1,000,000).",
    )
    parser.add_argument(
        "--sqlite-products",
        type=int,
        default=100_000,
        help="How many products the imports benchmark loads into SQLite, and times "
        "django-import-export on (default 100,000).",
    )
    args = parser.parse_args()
    from comptoir.bench import setup

    setup.use_bench_database()
    # Background work runs when its transaction commits, in this process: what is timed is
    # the work itself, not how soon a worker picks it up.
    os.environ["COMPTOIR_TASKS_BACKEND"] = "immediate"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    from comptoir.bench import catalog, imports, ordering, pricing

    benchmarks = {
        "pricing": lambda: pricing.run(base_prices=args.prices),
        "ordering": lambda: ordering.run(products=args.products),
        "catalog": lambda: catalog.run(products=args.products),
        "imports": lambda: imports.run(
            products=args.import_products, sqlite_products=args.sqlite_products
        ),
    }
    unknown = set(args.names) - set(benchmarks)
    if unknown:
        parser.error(
            f"unknown benchmark {', '.join(sorted(unknown))}; known: {', '.join(benchmarks)}"
        )
    started = time.perf_counter()
    for name in args.names or benchmarks:
        benchmarks[name]()
    print(f"benchmarks done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
