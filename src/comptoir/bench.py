"""Benchmarks run by ``make bench``; there are none yet, and it says so rather than invent any."""

import sys


def main() -> int:
    """Run the benchmarks and print their results."""
    sys.stdout.write("no benchmarks yet\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
