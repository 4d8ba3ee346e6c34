"""The sync monitor's staff pages: an overview of every integration client, file drop and
endpoint, and the last runs of one client or one drop. Staff who may view integration clients
see them; the admin index links the overview."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.integration.models import ApiClient, JobSource, TransferJob
from comptoir.integration.monitor import (
    RUNS_SHOWN,
    WINDOW,
    RowsOut,
    client_summaries,
    drop_summaries,
    endpoint_summaries,
    listed_runs,
    rows_out_by_client,
    runs_of_client,
    runs_of_drop,
    summary_of_runs,
)


def monitor_urls(model_admin: admin.ModelAdmin) -> list:
    """The monitor's pages, under the integration clients' admin."""

    def staff_view(view):
        def checked(request, *args, **kwargs):
            if not model_admin.has_view_permission(request):
                raise PermissionDenied
            return view(model_admin, request, *args, **kwargs)

        return model_admin.admin_site.admin_view(checked)

    return [
        path("monitor/", staff_view(overview), name="integration_monitor"),
        path(
            "<int:client_id>/monitor/", staff_view(client_runs), name="integration_client_monitor"
        ),
        path("drops/<str:drop>/monitor/", staff_view(drop_runs), name="integration_drop_monitor"),
    ]


def overview(model_admin: admin.ModelAdmin, request):
    """Every client, drop and endpoint: runs, rows in and out, failures, what waits, the lag."""
    now = timezone.now()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Sync monitor"),
        "opts": model_admin.model._meta,
        "now": now,
        "window_hours": int(WINDOW.total_seconds() // 3600),
        "clients": client_summaries(now),
        "drops": drop_summaries(now),
        "endpoints": endpoint_summaries(now),
    }
    return render(request, "admin/integration/monitor/overview.html", context)


def client_runs(model_admin: admin.ModelAdmin, request, client_id: int):
    """One client's last runs, with their counts and error reports, and its rows out."""
    client = get_object_or_404(ApiClient, pk=client_id)
    now = timezone.now()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Sync monitor: %(client)s") % {"client": client.name},
        "opts": model_admin.model._meta,
        "now": now,
        "client": client,
        "summary": summary_of_runs(TransferJob.objects.filter(client=client), now),
        "out": rows_out_by_client(now, client).get(client.pk, RowsOut()),
        "endpoints": client.webhook_endpoints.all(),
        "runs": listed_runs(runs_of_client(client)),
        "runs_shown": RUNS_SHOWN,
        "window_hours": int(WINDOW.total_seconds() // 3600),
    }
    return render(request, "admin/integration/monitor/runs.html", context)


def drop_runs(model_admin: admin.ModelAdmin, request, drop: str):
    """One file drop's last runs, with their counts and error reports."""
    jobs = TransferJob.objects.filter(source=JobSource.DROP, drop=drop)
    if not jobs.exists():
        raise Http404(f"No file drop named {drop!r} has run")
    now = timezone.now()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Sync monitor: file drop %(drop)s") % {"drop": drop},
        "opts": model_admin.model._meta,
        "now": now,
        "drop": drop,
        "summary": summary_of_runs(jobs, now),
        "runs": listed_runs(runs_of_drop(drop)),
        "runs_shown": RUNS_SHOWN,
        "window_hours": int(WINDOW.total_seconds() // 3600),
    }
    return render(request, "admin/integration/monitor/runs.html", context)
