from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "warmwinter.leads"
    label = "leads"
    verbose_name = _("求助线索")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        return []
