from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.roles import Capability
from warmwinter.core.navigation import NavItem


class PeopleConfig(AppConfig):
    name = "warmwinter.people"
    label = "people"
    verbose_name = _("人员档案")

    @property
    def navigation(self) -> list[NavItem]:
        return [
            NavItem(_("人员档案"), "people:list", Capability.VIEW_PEOPLE, order=60),
            NavItem(_("疑似同一人"), "people:review", Capability.REVIEW_PERSON_LINKS, order=61),
            NavItem(_("寻亲公告"), "people:notices", Capability.VIEW_PEOPLE, order=62),
        ]
