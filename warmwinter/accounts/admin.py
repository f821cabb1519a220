from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from warmwinter.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "agency", "org_unit", "is_active")
    list_filter = ("role", "agency", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("warmwinter", {"fields": ("display_name", "role", "agency", "org_unit", "phone")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    exclude = ("key_hash",)
