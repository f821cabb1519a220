"""Response levels and what each switches on: the interface other apps read.

Levels order from calm to severe, so `level >= ResponseLevel.IV` reads as "at least IV".
"""

from dataclasses import dataclass

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class ResponseLevel(models.IntegerChoices):
    NORMAL = 0, _("常态")
    PREPARE = 1, _("预备")
    IV = 2, _("IV级响应（蓝）")
    III = 3, _("III级响应（黄）")
    II = 4, _("II级响应（橙）")
    I = 5, _("I级响应（红）")  # noqa: E741 - the official name of the level


@dataclass(frozen=True)
class LevelEffects:
    """What a district's current level means for other apps."""

    level: ResponseLevel
    #: Added to a lead's triage score.
    lead_priority_boost: int = 0
    #: Multiplies lead time limits: 0.5 halves them.
    time_limit_factor: float = 1.0
    #: Temporary shelters (临时救助场所) and help points (求助引导点) are switched to open.
    shelters_open: bool = False
    #: Relief supplies stock must be checked (物资盘点).
    stock_check: bool = False
    #: Roles (accounts.Role values) told when the district enters this level.
    notify_roles: tuple[str, ...] = ()


#: The level's short name in a sentence ("响应等级升至II级").
_SHORT = {0: _("常态"), 1: _("预备"), 2: _("IV级"), 3: _("III级"), 4: _("II级"), 5: _("I级")}


def short_label(level: int) -> str:
    return str(_SHORT[int(level)])


#: Sent after the commit of every change of a district's level, with `district_id`,
#: `from_level`, `to_level` (ints) and `at`. The apps above weather (leads re-triage their open
#: leads, patrols re-plan tonight) connect to it in their AppConfig.ready: weather may not
#: import them (the layers of pyproject's import contracts).
level_changed = Signal()
