from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "warmwinter.audit"
    label = "audit"
    verbose_name = _("审计日志")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        from warmwinter.accounts.roles import Capability
        from warmwinter.core.navigation import NavItem

        return [
            NavItem(_("审计日志"), "audit:list", Capability.VIEW_AUDIT, order=90),
            NavItem(_("API 文档"), "api:openapi-view", Capability.MANAGE_TOKENS, order=95),
            NavItem(_("系统管理"), "admin:index", staff_only=True, order=99),
        ]
