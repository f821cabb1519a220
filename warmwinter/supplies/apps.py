from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "warmwinter.supplies"
    label = "supplies"
    verbose_name = _("救助物资")

    @property
    def navigation(self) -> list:  # type: ignore[type-arg]
        from warmwinter.accounts.roles import Capability
        from warmwinter.core.navigation import NavItem

        return [NavItem(_("救助物资"), "supplies:index", Capability.VIEW_SUPPLIES, order=75)]
