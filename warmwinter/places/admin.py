from django.contrib import admin

from warmwinter.places.models import OrgUnit, Place


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "key_place_type", "org_unit", "is_public", "archived_at")
    list_filter = ("kind", "key_place_type", "is_public")
    search_fields = ("name", "address")
    readonly_fields = ("h3_cell",)
