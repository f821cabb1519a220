from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeatherConfig(AppConfig):
    name = "warmwinter.weather"
    label = "weather"
    verbose_name = _("气象预警与响应")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        from warmwinter.accounts.roles import Capability
        from warmwinter.core.navigation import NavItem

        return [NavItem(_("气象响应"), "weather:index", Capability.VIEW_WEATHER, order=80)]
