"""Back office for stock: warehouses and the levels the ERP pushed."""

from django.contrib import admin

from comptoir.inventory.models import StockLevel, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ("product", "warehouse", "quantity", "updated_at")
    list_select_related = ("product", "warehouse")
    list_filter = ("warehouse",)
    search_fields = ("product__sku", "product__name")
    autocomplete_fields = ("product",)
    readonly_fields = ("updated_at",)
