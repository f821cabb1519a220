from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from warmwinter.leads.models import Lead, LeadEvent


class LeadEventInline(admin.TabularInline):
    model = LeadEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "by", "from_status", "to_status", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Read-only: leads change only through the lifecycle services (pages and API)."""

    list_display = ("tracking_code", "channel", "district", "status", "priority", "received_at")
    list_filter = ("status", "channel", "priority", "district")
    search_fields = ("tracking_code",)
    inlines = [LeadEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
