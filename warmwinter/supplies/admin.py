"""The catalogue, warehouses and reserve targets are reference data that city admins edit here.
The ledger is shown read-only: it changes only through the services (receipt, issue …)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from warmwinter.supplies.models import Item, ReserveTarget, StockMovement, Warehouse


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "unit", "whole_units", "shelf_life_days")
    list_filter = ("category", "whole_units")
    search_fields = ("code", "name")


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "org_unit", "holder_label", "holder", "archived_at")
    list_filter = ("kind",)
    search_fields = ("code", "name", "holder_label")
    raw_id_fields = ("org_unit", "holder")


@admin.register(ReserveTarget)
class ReserveTargetAdmin(admin.ModelAdmin):
    list_display = ("warehouse", "item", "level", "quantity", "modified_at")
    list_filter = ("level", "item")
    search_fields = ("warehouse__code", "warehouse__name")
    raw_id_fields = ("warehouse",)


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "voucher", "kind", "warehouse", "item", "batch", "quantity")
    list_filter = ("kind",)
    search_fields = ("voucher", "warehouse__code", "recipient_label")
    list_select_related = ("warehouse", "item", "batch")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
