"""Quick order pages: paste lines or upload a file, preview them, add them to a list.

The preview reads the lines and prices them for the buyer's company without changing
anything; adding calls ``ordering.quick_order.add_quick_order_lines``, which fetches a named
list through ``accounts.scoping``. Lines that could not be added stay in the paste box with
their messages, to be corrected and added again.
"""

import csv
import io
from itertools import islice

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from comptoir.accounts.models import Action, CustomerUser
from comptoir.accounts.scoping import visible_to
from comptoir.core.errors import DomainError, NotFound
from comptoir.ordering.models import ShoppingList
from comptoir.ordering.quick_order import (
    QuickOrderReport,
    add_quick_order_lines,
    preview_quick_order,
)
from comptoir.ordering.quick_order_reading import (
    MAX_LINES,
    XLSX_CONTENT_TYPE,
    EnteredLine,
    lines_to_text,
    read_text,
    read_upload,
)
from comptoir.storefront.buyers import acting_user, customer_required

TEMPLATE_COLUMNS = ("SKU", "Quantity", "Unit")


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def quick_order(request, *, customer_user: CustomerUser):
    """The paste box and file upload; posted, the preview of every line."""
    text = request.POST.get("lines", "")
    report = None
    if request.method == "POST":
        try:
            entered = entered_lines(request)
            report = preview_quick_order(customer_user=customer_user, entered=entered)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if request.FILES.get("file") is not None:
                text = lines_to_text(entered[:MAX_LINES])
            if not report.lines:
                messages.error(request, _("Paste some lines or choose a file to preview."))
                report = None
    return render_page(request, customer_user, text=text, report=report)


@require_POST
@customer_required
def add_quick_order(request, *, customer_user: CustomerUser):
    """Add the good lines to the chosen list (the cart by default); to checkout if asked."""
    text = request.POST.get("lines", "")
    shopping_list_id = chosen_list_id(request)
    try:
        report = add_quick_order_lines(
            customer_user=customer_user,
            entered=read_text(text),
            shopping_list_id=shopping_list_id,
            acting_user=acting_user(request),
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return render_page(request, customer_user, text=text, report=None)

    added = len(report.orderable_lines)
    shopping_list = report.shopping_list
    if added:
        messages.success(
            request,
            ngettext(
                "Added %(count)s line to %(list)s.",
                "Added %(count)s lines to %(list)s.",
                added,
            )
            % {"count": added, "list": list_label(shopping_list)},
        )
    for note in report.notes:
        messages.error(request, note)
    if report.problem_lines or report.truncated:
        messages.error(
            request,
            ngettext(
                "%(count)s line was not added: correct it below and add it again.",
                "%(count)s lines were not added: correct them below and add them again.",
                len(report.problem_lines),
            )
            % {"count": len(report.problem_lines)},
        )
        left = lines_to_text(not_added(text, report))
        return render_page(request, customer_user, text=left, report=report, chosen=shopping_list)
    if not added:
        messages.error(request, _("Paste some lines or choose a file to add."))
        return render_page(request, customer_user, text=text, report=None)
    if "checkout" in request.POST and shopping_list is not None and shopping_list.is_current:
        return redirect("storefront:checkout")
    if shopping_list is not None and not shopping_list.is_current:
        return redirect("storefront:list", shopping_list_id=shopping_list.pk)
    return redirect("storefront:cart")


@require_safe
@customer_required
def quick_order_template_csv(request, *, customer_user: CustomerUser):
    """A CSV file with the columns a quick order file has."""
    content = io.StringIO()
    csv.writer(content).writerow(TEMPLATE_COLUMNS)
    response = HttpResponse(content.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="quick-order.csv"'
    return response


@require_safe
@customer_required
def quick_order_template_xlsx(request, *, customer_user: CustomerUser):
    """An XLSX workbook with the columns a quick order file has."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(TEMPLATE_COLUMNS)
    content = io.BytesIO()
    workbook.save(content)
    response = HttpResponse(content.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="quick-order.xlsx"'
    return response


def entered_lines(request) -> list[EnteredLine]:
    """The lines of the uploaded file if there is one, else of the paste box (read up to one
    past the limit, so that the preview can say some were left)."""
    upload = request.FILES.get("file")
    if upload is not None:
        lines = read_upload(upload.name or "", upload)
    else:
        lines = read_text(request.POST.get("lines", ""))
    return list(islice(lines, MAX_LINES + 1))


def chosen_list_id(request) -> int | None:
    value = request.POST.get("shopping_list", "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404(_("No shopping list matches %(id)s") % {"id": value[:20]})
    return int(value)


def not_added(text: str, report: QuickOrderReport) -> list[EnteredLine]:
    """The lines of ``text`` that had a problem, to put back in the paste box."""
    refused = {line.number for line in report.problem_lines}
    merged = {line.number for line in report.lines if line.merged_into in refused}
    last_read = report.lines[-1].number if report.lines else 0
    return [
        line
        for line in read_text(text)
        if line.number in refused | merged or (report.truncated and line.number > last_read)
    ]


def editable_lists(customer_user: CustomerUser):
    lists = ShoppingList.objects.filter(is_current=False).select_related("customer_user__user")
    return visible_to(customer_user, lists, Action.EDIT).order_by("name", "id")


def list_label(shopping_list: ShoppingList | None) -> str:
    if shopping_list is None or shopping_list.is_current:
        return _("your cart")
    return shopping_list.name


def render_page(request, customer_user, *, text: str, report, chosen=None):
    context = {
        "text": text,
        "report": report,
        "lists": editable_lists(customer_user),
        "chosen_list_id": chosen.pk if chosen is not None and not chosen.is_current else None,
        "max_lines": MAX_LINES,
        "add_url": reverse("storefront:quick_order_add"),
    }
    return render(request, "storefront/quick_order.html", context)
