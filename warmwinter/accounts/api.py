from django.http import HttpRequest
from ninja import Router, Schema

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.roles import ROLE_CAPABILITIES

router = Router()


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    agency: str
    org_unit_code: str | None
    org_unit_name: str | None
    capabilities: list[str]


@router.get("/me", response=MeOut, summary="当前用户、角色与单位")
def me(request: HttpRequest) -> MeOut:
    user = request_user(request)
    unit = user.org_unit
    return MeOut(
        username=user.get_username(),
        display_name=user.display_name,
        role=user.role,
        role_label=str(user.get_role_display()),
        agency=user.agency,
        org_unit_code=unit.code if unit else None,
        org_unit_name=unit.name if unit else None,
        capabilities=sorted(ROLE_CAPABILITIES.get(user.role, frozenset())),
    )
