from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "warmwinter.dispatch"
    label = "dispatch"
    verbose_name = _("调度")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        return []
