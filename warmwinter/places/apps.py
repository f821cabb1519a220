from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "warmwinter.places"
    label = "places"
    verbose_name = _("地点与组织")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        from warmwinter.accounts.roles import Capability
        from warmwinter.core.navigation import NavItem

        return [NavItem(_("地点"), "places:list", Capability.VIEW_PLACES, order=20)]
