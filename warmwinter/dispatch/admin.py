from django.contrib import admin

from warmwinter.dispatch.models import DistrictDispatch, Shift, Team


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 1
    ordering = ("-starts_at",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "max_load", "archived_at")
    list_filter = ("district",)
    search_fields = ("name",)
    filter_horizontal = ("members",)
    raw_id_fields = ("base_place",)
    inlines = [ShiftInline]


@admin.register(DistrictDispatch)
class DistrictDispatchAdmin(admin.ModelAdmin):
    list_display = ("district", "auto_dispatch")
