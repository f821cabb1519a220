from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "warmwinter.core"
    label = "core"
    verbose_name = _("站点")

    def ready(self) -> None:
        from warmwinter.core import rulefiles

        rulefiles.book()  # a broken rulebook stops the app here, naming the file and the rule

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        from warmwinter.accounts.roles import Capability
        from warmwinter.core.navigation import NavItem

        return [
            NavItem(_("首页"), "core:home", order=0),
            NavItem(_("地图"), "core:map", Capability.VIEW_MAP, order=10),
            NavItem(_("规则依据"), "core:rulebook", Capability.VIEW_RULEBOOK, order=88),
        ]
