"""Back office for integration clients: who they are, what they may do, switching them off.

Clients are made with ``comptoir client create``, which shows the token once.
"""

from django.contrib import admin, messages
from django.db.models import Count, Q

from comptoir.integration.clients import deactivate_client
from comptoir.integration.jobs_admin import TransferJobAdmin  # noqa: F401 (imports and exports)
from comptoir.integration.models import ApiClient, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from comptoir.integration.monitor_admin import monitor_urls
from comptoir.integration.webhooks import new_secret, reactivate, replay


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

    def get_urls(self):
        return [*monitor_urls(self), *super().get_urls()]

    @admin.action(description="Switch off the selected clients (their tokens are refused)")
    def switch_off(self, request, queryset):
        for client in queryset:
            deactivate_client(client)
        self.message_user(request, f"{queryset.count()} clients switched off.", messages.SUCCESS)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "description", "client", "event_names", "is_active", "waiting")
    list_filter = ("is_active", "client")
    list_select_related = ("client",)
    search_fields = ("url", "description", "client__name")
    fields = (
        "url",
        "description",
        "client",
        "event_names",
        "is_active",
        "disabled_reason",
        "secret",
    )
    readonly_fields = ("is_active", "disabled_reason", "secret")
    actions = ("switch_on",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING))
            )
        )

    @admin.display(description="waiting deliveries", ordering="waiting")
    def waiting(self, endpoint):
        return endpoint.waiting

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = new_secret()
        super().save_model(request, obj, form, change)

    @admin.action(description="Switch on again and deliver what waits, in order")
    def switch_on(self, request, queryset):
        count = sum(reactivate(endpoint) for endpoint in queryset)
        self.message_user(request, f"{count} deliveries go out again.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    )
    list_select_related = ("event", "endpoint")
    list_filter = ("status", "endpoint")
    search_fields = ("event__name", "event__entity_key")
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ("deliver_again",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Deliver again (replay)")
    def deliver_again(self, request, queryset):
        count = replay(queryset)
        self.message_user(request, f"{count} deliveries queued again, in order.", messages.SUCCESS)
