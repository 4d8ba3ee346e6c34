"""Quick order at scale: the preview of a 1,000-line paste against a large catalog, and adding
it to a shopping list in one call."""

import random
import statistics
import time

from comptoir.bench import setup

TARGETS = {"preview": 2.0, "add": 2.0}
PASTE_LINES = 1000


def _line(label: str, seconds: float, target: float, detail: str = "") -> None:
    verdict = "ok" if seconds <= target else "OVER TARGET"
    print(f"  {label}: {seconds * 1000:.0f} ms (target {target:.0f} s or less: {verdict}){detail}")


def messy_paste(skus: list[str], *, lines: int, seed: int = 5) -> str:
    """``lines`` lines as buyers paste them: separators of every kind, lower-case SKUs, spaces,
    a repeated SKU now and then (merged) and a few unknown SKUs (suggestions looked up)."""
    chosen = random.Random(seed)
    written, sku = [], chosen.choice(skus)
    for number in range(lines):
        if number % 40 == 3:
            pass  # the SKU of the line before again: merged with it
        elif number % 50 == 7:
            sku = sku[:-1] + ("X" if sku[-1] != "X" else "Y")  # a typo: unknown, suggested
        else:
            sku = chosen.choice(skus)
        if number % 3 == 0:
            sku = sku.lower()
        quantity = chosen.randint(1, 40)
        separator = ("\t", ";", ",", " ")[number % 4]
        written.append(f"{sku}{separator}{quantity}  ")
    return "\n".join(written)


def run(*, products: int) -> None:
    from comptoir.accounts.models import Company, CustomerRole, CustomerUser, User
    from comptoir.accounts.permissions import predefined_role
    from comptoir.catalog.models import Product
    from comptoir.ordering.models import ShoppingList
    from comptoir.ordering.quick_order import add_quick_order_lines, preview_quick_order
    from comptoir.ordering.quick_order_reading import read_text
    from comptoir.pricing.models import PriceList, PriceListAssignment

    print(f"quick order (a catalog of {products:,} products)")
    directory = setup.catalog(products)
    setup.reset_database()
    started = time.perf_counter()
    loaded = setup.load_catalog(directory)
    print(
        f"  loaded {loaded['products']:,} products and {loaded['prices']:,} base prices in "
        f"{time.perf_counter() - started:.1f} s (bulk load, not the import)"
    )

    company = Company.objects.create(name="Bench Company")
    user = User.objects.get_or_create(email="bench@example.com")[0]
    customer_user = CustomerUser.objects.create(user=user, company=company)
    customer_user.roles.add(predefined_role(CustomerRole.BUYER))
    PriceListAssignment.objects.create(price_list=PriceList.objects.get(name="Default"))
    skus = list(Product.objects.order_by("pk").values_list("sku", flat=True))
    paste = messy_paste(skus, lines=PASTE_LINES)

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        report = preview_quick_order(customer_user=customer_user, entered=read_text(paste))
        timings.append(time.perf_counter() - started)
    merged = sum(1 for line in report.lines if line.merged_into is not None)
    _line(
        f"preview of a {PASTE_LINES:,}-line paste (median of 5)",
        statistics.median(timings),
        TARGETS["preview"],
        f"; {len(report.orderable_lines)} lines to add, {merged} merged, "
        f"{len(report.problem_lines)} with a problem",
    )

    timings = []
    for attempt in range(3):
        shopping_list = ShoppingList.objects.create(
            customer_user=customer_user, company=company, name=f"Bench {attempt}", is_current=False
        )
        started = time.perf_counter()
        report = add_quick_order_lines(
            customer_user=customer_user,
            entered=read_text(paste),
            shopping_list_id=shopping_list.pk,
        )
        timings.append(time.perf_counter() - started)
    _line(
        f"adding the {PASTE_LINES:,}-line paste to an empty list (median of 3)",
        statistics.median(timings),
        TARGETS["add"],
        f"; {shopping_list.lines.count()} lines on the list",
    )
    started = time.perf_counter()
    add_quick_order_lines(
        customer_user=customer_user, entered=read_text(paste), shopping_list_id=shopping_list.pk
    )
    print(
        f"  adding it again to the same list, every line adding to one there: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
