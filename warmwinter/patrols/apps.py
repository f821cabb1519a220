from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "warmwinter.patrols"
    label = "patrols"
    verbose_name = _("街面巡查")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        from warmwinter.accounts.roles import Capability
        from warmwinter.core.navigation import NavItem

        return [NavItem(_("街面巡查"), "patrols:index", Capability.VIEW_PATROLS, order=50)]

    def ready(self) -> None:
        from warmwinter.patrols.tasks import on_level_changed
        from warmwinter.weather.levels import level_changed

        level_changed.connect(on_level_changed, dispatch_uid="patrols.follow_level")
