from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "warmwinter.supplies"
    label = "supplies"
    verbose_name = _("救助物资")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        return []
