"""The back office's title, and the outbox of domain events, to read only."""

from django.conf import settings
from django.contrib import admin

from comptoir.core.models import Event

admin.site.site_header = f"{settings.COMPTOIR_SHOP_NAME} back office"
admin.site.site_title = admin.site.site_header
admin.site.index_title = "Catalog, prices, customers and orders"


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "name", "entity_key")
    list_filter = ("name",)
    search_fields = ("entity_key",)
    date_hierarchy = "created_at"
    fields = ("name", "entity_key", "payload", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
