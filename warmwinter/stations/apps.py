from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "warmwinter.stations"
    label = "stations"
    verbose_name = _("救助管理站")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        from warmwinter.accounts.roles import Capability
        from warmwinter.core.navigation import NavItem

        return [NavItem(_("救助管理站"), "stations:index", Capability.VIEW_STATIONS, order=70)]
