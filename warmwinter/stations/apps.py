from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "warmwinter.stations"
    label = "stations"
    verbose_name = _("救助管理站")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        return []
