"""Back office for integration clients: who they are, what they may do, switching them off.

Clients are made with ``comptoir client create``, which shows the token once.
"""

from django.contrib import admin, messages

from comptoir.integration.clients import deactivate_client
from comptoir.integration.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "scopes", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name", "prefix")
    fields = ("name", "prefix", "scopes", "is_active", "created_at", "last_used_at")
    readonly_fields = ("name", "prefix", "scopes", "is_active", "created_at", "last_used_at")
    actions = ("switch_off",)

    def has_add_permission(self, request):
        # A token is shown once, when made: 'comptoir client create NAME --scope ...'.
        return False

    @admin.action(description="Switch off the selected clients (their tokens are refused)")
    def switch_off(self, request, queryset):
        for client in queryset:
            deactivate_client(client)
        self.message_user(request, f"{queryset.count()} clients switched off.", messages.SUCCESS)
