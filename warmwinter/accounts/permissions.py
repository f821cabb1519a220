"""The one permission check: `require(actor, capability, within=unit)`.

Every write service calls `require` as its first statement (Zulip's `require_realm_admin`, but
at the service, so that the page, the API and the task worker cannot differ):

    def team_update(*, team: Team, by: Actor, ...) -> Team:
        require(by, Capability.DISPATCH_LEADS, within=team.district)

It refuses with `PermissionDenied` (a sentence in the user's language) and changes nothing.
Views and API endpoints map the refusal to 403 in their own shape: Django's 403 page for pages,
`{"detail": …, "errors": []}` for `/api/v1/` (`warmwinter/api.py`). Where a page or endpoint
must answer before it reads its input (a read page, a form page, a multipart upload), it calls
the same function (`accounts.decorators.capability_required` is built on it); records outside
the user's scope stay 404 (`accounts/scoping.py`), which the selectors answer before any service
runs.

What a role may do is the table in `accounts/roles.py`; which unit a user acts for is
`User.org_unit`. Services the system runs without a user (escalations, auto-dispatch, the
weather refresh, the task worker) take no actor and call no check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.models import User
from warmwinter.accounts.roles import Capability

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from warmwinter.places.models import OrgUnit

#: The signed-in, active user a service acts for (`accounts.User`). A service takes `by: Actor`;
#: one the system may also run takes `by: Actor | None`.
Actor: TypeAlias = User

#: What a refusal says, per capability: the sentence names what the role may not do.
REFUSALS: dict[Capability, str | Promise] = {
    Capability.VIEW_MAP: _("您的角色不能查看地图"),
    Capability.VIEW_PLACES: _("您的角色不能查看地点"),
    Capability.MANAGE_PLACES: _("您的角色不能管理地点"),
    Capability.VIEW_AUDIT: _("您的角色不能查看审计记录"),
    Capability.MANAGE_TOKENS: _("您的角色不能管理 API 令牌"),
    Capability.VIEW_PEOPLE: _("您的角色不能查看人员档案"),
    Capability.MANAGE_PEOPLE: _("您的角色不能建立或修改人员档案"),
    Capability.VIEW_FULL_ID_NUMBER: _("您的角色不能查看完整身份证号"),
    Capability.REVIEW_PERSON_LINKS: _("您的角色不能审核或合并人员档案"),
    Capability.APPROVE_TRACING_NOTICES: _("您的角色不能审批寻亲公告"),
    Capability.VIEW_LEADS: _("您的角色不能查看求助线索"),
    Capability.RECORD_LEADS: _("您的账号不能提交线索"),
    Capability.DISPATCH_LEADS: _("您的角色不能调度线索、管理救助分队与排班"),
    Capability.HANDLE_LEADS: _("您的角色不能处置线索"),
    Capability.TAKE_CALLS: _("您的角色不能接听热线"),
    Capability.VIEW_CITY_OPEN_LEADS: _("您的角色不能查询全市未办结线索"),
    Capability.VIEW_SUPPLIES: _("您的角色不能查看救助物资"),
    Capability.ISSUE_SUPPLIES: _("您的角色不能发放或签收物资"),
    Capability.MANAGE_SUPPLIES: _("您的角色不能管理物资库存"),
    Capability.EXPORT_SUPPLIES: _("您的角色不能导出物资报表"),
    Capability.VIEW_WEATHER: _("您的角色不能查看气象响应"),
    Capability.MANAGE_WEATHER: _("只有市级管理员可以录入预警、调整响应等级和规则"),
    Capability.VIEW_STATIONS: _("您的角色不能查看救助站业务"),
    Capability.MANAGE_STATIONS: _("您的角色不能办理救助站业务"),
    Capability.APPROVE_STAY_EXTENSIONS: _("只有带班领导可以批准延期或作出不予救助、终止救助决定"),
    Capability.VIEW_PATROLS: _("您的角色不能查看街面巡查"),
    Capability.PLAN_PATROLS: _("您的角色不能编制巡查计划或设置巡查点位"),
    Capability.RECORD_ENCOUNTERS: _("您的角色不能登记巡查、街面处置或跟踪"),
    Capability.VIEW_RULEBOOK: _("您的角色不能查看规则依据"),
}

#: One capability, or a tuple of capabilities of which the actor must hold at least one.
Needed: TypeAlias = Capability | tuple[Capability, ...] | None


def _refusal(actor: Any, capability: Needed, within: OrgUnit | None) -> str | None:
    """Why `actor` may not act, or None when they may."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "is_active", False)
    ):
        return gettext("请先登录（账号须为启用状态）")
    if capability is not None:
        needed = capability if isinstance(capability, tuple) else (capability,)
        if not any(actor.can(c) for c in needed):
            return str(REFUSALS[needed[0]])
    if within is not None:
        unit = actor.org_unit
        if unit is None or not unit.contains(within):
            return gettext("“%(unit)s”不在您所属单位的范围内，不能办理") % {"unit": within.name}
    return None


def require(
    actor: Actor | AnonymousUser | None, capability: Needed, *, within: OrgUnit | None = None
) -> Actor:
    """Return `actor` if they may act, else raise `PermissionDenied` (nothing is changed).

    - `actor` must be a signed-in, active user (None, anonymous or deactivated is refused);
    - `capability`: the role (`accounts/roles.py`) must grant it; a tuple means any one of
      them (a team's step is the team's or a dispatcher's); None asks for no capability, only
      a signed-in user acting on their own things (their notifications);
    - `within`: the unit the action touches (a lead's street, a team's district, a station, a
      warehouse's unit …) must lie inside the actor's own unit. The city contains every unit; a district
      its streets, communities and district station; a station only itself.
    """
    reason = _refusal(actor, capability, within)
    if reason is not None:
        raise PermissionDenied(reason)
    return actor  # type: ignore[return-value]


def may(actor: Any, capability: Needed, *, within: OrgUnit | None = None) -> bool:
    """Whether `require(actor, capability, within=within)` would pass: for a page that shows or
    hides a button, or a service that leaves out what the actor may not touch."""
    return _refusal(actor, capability, within) is None
