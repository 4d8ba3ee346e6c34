"""Back office for imports and exports: each entity's columns, template and import form, the
export buttons, the file drops' state, and the list of jobs with their progress, counts and
error reports.

Staff who may view jobs see the page and download the files; starting an import or an export,
or running a failed import's file again, takes the "add" permission on jobs (a superuser has
it). Jobs are made only here, by the command line and by the file drops: there is no "add"
page. Listing the jobs ends those whose process died (``job_recovery``).
"""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.core.errors import DomainError
from comptoir.integration.drop_settings import configured_drops
from comptoir.integration.drops import last_passes
from comptoir.integration.job_recovery import end_stalled_jobs, run_again
from comptoir.integration.jobs import (
    IMPORT_SUFFIXES,
    check_import_file_name,
    start_export,
    start_import,
)
from comptoir.integration.models import JobKind, JobStatus, TransferJob
from comptoir.integration.transfer.files import FORMATS
from comptoir.integration.transfer.registry import all_entities, get_entity
from comptoir.integration.transfer.runner import write_template

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Seconds between two reloads of the job list while a job waits or runs.
REFRESH_SECONDS = 3


class ImportForm(forms.Form):
    """A file of one entity to import, with the entity's options."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A .csv, .tsv or .txt file (UTF-8; comma, semicolon, tab or bar between values) or "
            "an .xlsx workbook."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}),
    )
    validate_only = forms.BooleanField(
        label=_("Validate only"),
        required=False,
        help_text=_("Check every row and report what would change; write nothing."),
    )
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing"),
        required=False,
        help_text=_("Import nothing if any row is refused (by default the good rows go in)."),
    )

    def __init__(self, *args, entity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entity = entity
        for option in entity.options:
            if option.choices:
                field = forms.ChoiceField(choices=[(choice, choice) for choice in option.choices])
            else:
                field = forms.CharField(required=False)
            field.label, field.initial, field.help_text = option.name, option.default, option.help
            self.fields[f"option_{option.name}"] = field

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_import_file_name(upload.name)
        except DomainError as error:
            raise ValidationError(error.message) from None
        return upload

    def options(self) -> dict[str, str]:
        return {
            option.name: self.cleaned_data.get(f"option_{option.name}") or ""
            for option in self.entity.options
        }


@admin.register(TransferJob)
class TransferJobAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "kind",
        "entity",
        "file_name",
        "origin",
        "status",
        "progress",
        "outcome",
        "created_at",
        "downloads",
    )
    list_display_links = ("number",)
    list_filter = ("status", "kind", "source", "entity", "drop")
    list_select_related = ("created_by", "client")
    search_fields = ("file_name", "entity", "drop")
    fields = (
        "kind",
        "entity",
        "source",
        "drop",
        "client",
        "file_name",
        "options",
        "validate_only",
        "all_or_nothing",
        "status",
        "progress",
        "outcome",
        "errors",
        "warnings",
        "downloads",
        "run_again_from",
        "run_again_as",
        "created_by",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    )
    readonly_fields = fields
    change_list_template = "admin/integration/transferjob/change_list.html"
    actions = ("run_again",)

    def has_add_permission(self, request):
        # Jobs start from an entity's import form, an export button, the command line, a drop.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A job's files go with it; the list is the record of what came in and went out.
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("entity/<str:name>/", view(self.entity_view), name="integration_entity"),
            path(
                "entity/<str:name>/template.<str:format>",
                view(self.template_view),
                name="integration_entity_template",
            ),
            path(
                "entity/<str:name>/export/",
                view(self.export_view),
                name="integration_entity_export",
            ),
            path(
                "<int:job_id>/download/<str:which>/",
                view(self.download_view),
                name="integration_transferjob_download",
            ),
            *super().get_urls(),
        ]

    def has_start_permission(self, request) -> bool:
        return self._may_start(request)

    def changelist_view(self, request, extra_context=None):
        end_stalled_jobs()
        try:
            drops, drops_error = configured_drops(), ""
        except DomainError as error:
            drops, drops_error = {}, error.message
        passes = last_passes()
        context = {
            "title": _("Imports and exports"),
            "entities": list(all_entities().values()),
            "formats": FORMATS,
            "may_start": self._may_start(request),
            "drops": [(drop, passes.get(name)) for name, drop in drops.items()],
            "drops_error": drops_error,
            "refresh_seconds": REFRESH_SECONDS
            if TransferJob.objects.filter(
                status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
            ).exists()
            else None,
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def entity_view(self, request, name: str):
        """An entity's columns and options, its templates, and the form to import a file."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        entity = self._entity(name)
        form = ImportForm(request.POST or None, request.FILES or None, entity=entity)
        if request.method == "POST":
            if not self._may_start(request):
                raise PermissionDenied
            if form.is_valid():
                try:
                    job = start_import(
                        upload=form.cleaned_data["file"],
                        entity=entity.name,
                        options=form.options(),
                        validate_only=form.cleaned_data["validate_only"],
                        all_or_nothing=form.cleaned_data["all_or_nothing"],
                        created_by=request.user,
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    self.message_user(
                        request,
                        _("The import of %(file)s is job #%(number)s.")
                        % {"file": job.file_name, "number": job.pk},
                        messages.SUCCESS,
                    )
                    return redirect("admin:integration_transferjob_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import %(entity)s") % {"entity": entity.label},
            "entity": entity,
            "form": form,
            "formats": FORMATS,
            "may_start": self._may_start(request),
            "opts": self.model._meta,
        }
        return render(request, "admin/integration/transferjob/entity.html", context)

    def template_view(self, request, name: str, format: str):
        """A file with the entity's columns and an example row, to fill in."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        entity = self._entity(name)
        if format not in FORMATS:
            raise Http404(f"no {format} templates")
        with tempfile.TemporaryDirectory() as directory:
            target = Path(directory) / f"{entity.name}-template.{format}"
            write_template(target, entity=entity, format=format)
            response = HttpResponse(target.read_bytes(), content_type=CONTENT_TYPES[format])
        response["Content-Disposition"] = f'attachment; filename="{target.name}"'
        return response

    def export_view(self, request, name: str):
        """Queue the export of an entity to a file kept with its job."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self._may_start(request):
            raise PermissionDenied
        entity = self._entity(name)
        try:
            job = start_export(
                entity=entity.name, format=request.POST.get("format", ""), created_by=request.user
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _(
                    "The export of %(entity)s is job #%(number)s: its file is to download here "
                    "once it is done."
                )
                % {"entity": entity.label, "number": job.pk},
                messages.SUCCESS,
            )
        return redirect("admin:integration_transferjob_changelist")

    def download_view(self, request, job_id: int, which: str):
        """The job's file (uploaded or exported) or its error report."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(TransferJob, pk=job_id)
        stored = {"file": job.file, "errors": job.error_report}.get(which)
        if not stored or not stored.storage.exists(stored.name):
            raise Http404("this file is not kept")
        if which == "errors":
            name = f"{Path(job.file_name).stem}.errors.csv"
        else:
            name = job.file_name or Path(stored.name).name
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name)

    @admin.action(
        description=_("Run the selected failed imports again, from their kept files"),
        permissions=["start"],
    )
    def run_again(self, request, queryset):
        started, refused = [], []
        for job in queryset.order_by("id"):
            try:
                started.append((job, run_again(job, created_by=request.user)))
            except DomainError as error:
                refused.append(error.message)
        if started:
            self.message_user(
                request,
                _("Queued again: %(jobs)s.")
                % {
                    "jobs": ", ".join(
                        _("job #%(old)s as job #%(new)s") % {"old": job.pk, "new": again.pk}
                        for job, again in started
                    )
                },
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    def _may_start(self, request) -> bool:
        return request.user.has_perm("integration.add_transferjob")

    @staticmethod
    def _entity(name: str):
        try:
            return get_entity(name)
        except DomainError as error:
            raise Http404(error.message) from None

    @admin.display(description=_("job"), ordering="-id")
    def number(self, job: TransferJob) -> str:
        return f"#{job.pk}"

    @admin.display(description=_("from"))
    def origin(self, job: TransferJob) -> str:
        parts = [job.get_source_display()]
        if job.drop:
            parts.append(job.drop)
        if job.client is not None:
            parts.append(job.client.name)
        if job.created_by is not None:
            parts.append(job.created_by.email)
        return " · ".join(parts)

    @admin.display(description=_("progress"))
    def progress(self, job: TransferJob) -> str:
        if job.status == JobStatus.QUEUED:
            return _("waiting for a worker")
        if job.is_stalled:
            return format_html(
                '<strong class="transfer-stalled">{}</strong>',
                _("stalled: nothing heard from its process since %(time)s, after %(rows)s")
                % {
                    "time": date_format(
                        timezone.localtime(job.last_sign_of_life), "SHORT_DATETIME_FORMAT"
                    ),
                    "rows": _rows(job.rows_done),
                },
            )
        if job.rows_total:
            done = ngettext(
                "%(done)s of %(total)s row", "%(done)s of %(total)s rows", job.rows_total
            ) % {"done": job.rows_done, "total": job.rows_total}
            return format_html(
                '<progress max="{}" value="{}"></progress> {}',
                job.rows_total,
                min(job.rows_done, job.rows_total),
                done,
            )
        done = _rows(job.rows_done)
        if job.status == JobStatus.RUNNING:
            return format_html("<progress></progress> {}", done)
        return done

    @admin.display(description=_("outcome"))
    def outcome(self, job: TransferJob) -> str:
        if job.status == JobStatus.FAILED:
            return job.message
        if job.status != JobStatus.DONE:
            return ""
        if job.kind == JobKind.EXPORT:
            return _("%(rows)s written") % {"rows": _rows(job.rows_done)}
        parts = [
            _(
                "%(entity)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(rejected)s rejected"
            )
            % {"entity": entity, **counts}
            for entity, counts in job.counts.items()
        ]
        if job.errors or job.warnings:
            errors = ngettext("%(count)s error", "%(count)s errors", job.errors)
            warnings = ngettext("%(count)s warning", "%(count)s warnings", job.warnings)
            parts.append(f"{errors % {'count': job.errors}}, {warnings % {'count': job.warnings}}")
        if job.validate_only:
            parts.append(_("validation only: nothing was written"))
        return "; ".join(str(part) for part in parts)

    @admin.display(description=_("files"))
    def downloads(self, job: TransferJob) -> str:
        links = []
        if job.file:
            label = _("exported file") if job.kind == JobKind.EXPORT else _("imported file")
            links.append((self._download_url(job, "file"), label))
        if job.error_report:
            links.append((self._download_url(job, "errors"), _("error report")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description=_("run again from"))
    def run_again_from(self, job: TransferJob) -> str:
        if job.rerun_of_id is None:
            return ""
        return _job_link(job.rerun_of_id)

    @admin.display(description=_("run again as"))
    def run_again_as(self, job: TransferJob) -> str:
        reruns = job.reruns.order_by("id").values_list("pk", flat=True)
        return format_html_join(", ", "{}", ((_job_link(pk),) for pk in reruns))

    @staticmethod
    def _download_url(job: TransferJob, which: str) -> str:
        return reverse("admin:integration_transferjob_download", args=[job.pk, which])


def _job_link(pk: int) -> str:
    url = reverse("admin:integration_transferjob_change", args=[pk])
    return format_html('<a href="{}">{}</a>', url, _("job #%(number)s") % {"number": pk})


def _rows(count: int) -> str:
    return ngettext("%(count)s row", "%(count)s rows", count) % {"count": count}
