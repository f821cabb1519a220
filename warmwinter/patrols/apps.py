from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "warmwinter.patrols"
    label = "patrols"
    verbose_name = _("街面巡查")
