from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.roles import Capability
from warmwinter.core.navigation import NavItem


class DispatchConfig(AppConfig):
    name = "warmwinter.dispatch"
    label = "dispatch"
    verbose_name = _("调度")

    @property
    def navigation(self) -> list[NavItem]:
        return [
            NavItem(_("调度大屏"), "dispatch:board", Capability.DISPATCH_LEADS, order=40),
            NavItem(_("我的派单"), "dispatch:my", Capability.HANDLE_LEADS, order=41),
            NavItem(_("救助分队"), "dispatch:teams", Capability.DISPATCH_LEADS, order=42),
        ]
