"""The audit log in the back office, to read only; a sales rep reads its companies' entries."""

from django.contrib import admin

from comptoir.accounts.models import AuditEntry
from comptoir.backoffice.scoping import AssignedCompaniesOnly


@admin.register(AuditEntry)
class AuditEntryAdmin(AssignedCompaniesOnly, admin.ModelAdmin):
    list_display = ("created_at", "actor", "on_behalf_of", "company", "action", "object_repr")
    list_filter = ("action", ("company", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("actor", "on_behalf_of__user", "on_behalf_of__company", "company")
    search_fields = ("object_repr", "actor__email", "action")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "on_behalf_of",
        "company",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
    )
    readonly_fields = fields
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
