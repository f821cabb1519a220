from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "warmwinter.people"
    label = "people"
    verbose_name = _("人员档案")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        return []
