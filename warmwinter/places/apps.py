from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "warmwinter.places"
    label = "places"
    verbose_name = _("地点与组织")
