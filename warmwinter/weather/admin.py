"""The city admin edits the response rules here: copy the rules in force into a draft version,
edit the draft's rows, publish it. A published version is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.auth import request_user
from warmwinter.weather import services
from warmwinter.weather.models import (
    ForecastRule,
    LevelEffect,
    LevelEvent,
    PatrolRequirement,
    RuleSet,
    WarningLifetime,
    WarningRule,
    WeatherWarning,
)


class _DraftOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.published_at is None

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_delete_permission = has_change_permission


class WarningRuleInline(_DraftOnlyInline):
    model = WarningRule


class WarningLifetimeInline(_DraftOnlyInline):
    model = WarningLifetime


class ForecastRuleInline(_DraftOnlyInline):
    model = ForecastRule


class LevelEffectInline(_DraftOnlyInline):
    model = LevelEffect


class PatrolRequirementInline(_DraftOnlyInline):
    model = PatrolRequirement


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["version", "note", "published_at", "created_at"]
    readonly_fields = ["version", "published_at", "created_at", "created_by"]
    inlines = [
        WarningRuleInline,
        WarningLifetimeInline,
        ForecastRuleInline,
        LevelEffectInline,
        PatrolRequirementInline,
    ]
    actions = ["copy_to_draft", "publish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a new version is always a copy of the rules in force

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("复制现行规则为新草稿版本"))
    def copy_to_draft(self, request: HttpRequest, queryset: QuerySet[RuleSet]) -> None:
        draft = services.ruleset_draft(by=request_user(request))
        self.message_user(request, _("已创建草稿 v%(v)s") % {"v": draft.version}, messages.SUCCESS)

    @admin.action(description=_("发布所选草稿版本"))
    def publish(self, request: HttpRequest, queryset: QuerySet[RuleSet]) -> None:
        for ruleset in queryset.filter(published_at__isnull=True).order_by("version"):
            services.ruleset_publish(ruleset=ruleset, by=request_user(request))
        self.message_user(request, _("已发布"), messages.SUCCESS)


@admin.register(WeatherWarning)
class WeatherWarningAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "issuer", "issued_at", "whole_city", "source", "ended_at"]
    list_filter = ["warning_type", "colour", "msg_type", "source"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LevelEvent)
class LevelEventAdmin(WeatherWarningAdmin):
    list_display = ["district", "from_level", "to_level", "cause", "reason", "at"]
    list_filter = ["cause", "to_level"]
