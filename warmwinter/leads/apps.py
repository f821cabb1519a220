from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.roles import Capability
from warmwinter.core.navigation import NavItem


class LeadsConfig(AppConfig):
    name = "warmwinter.leads"
    label = "leads"
    verbose_name = _("求助线索")

    @property
    def navigation(self) -> list[NavItem]:
        return [
            NavItem(_("求助线索"), "leads:list", Capability.VIEW_LEADS, order=30),
            NavItem(_("热线受理"), "leads:hotline", Capability.TAKE_CALLS, order=31),
        ]

    def ready(self) -> None:
        from warmwinter.leads.tasks import on_level_changed
        from warmwinter.weather.levels import level_changed

        level_changed.connect(on_level_changed, dispatch_uid="leads.follow_level")
