"""Demo accounts, one per role, plus the staff of every district that later apps give work to."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password

from warmwinter.accounts.models import User
from warmwinter.accounts.roles import Agency, Role
from warmwinter.core.seeding import DemoContext
from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.places.reference import CITY_CODE, station_code_for

ORDER = 20

HUANGPU = "310101"
PUDONG = "310115"
CITY_STATION_1 = "S310000-1"

#: (username, role, agency, org unit code, display name): the accounts the README lists.
DEMO_ACCOUNTS = [
    ("city_admin", Role.CITY_ADMIN, "", CITY_CODE, "市民政局社会救助处"),
    ("huangpu_admin", Role.DISTRICT_ADMIN, "", HUANGPU, "黄浦区民政局"),
    ("huangpu_dispatcher", Role.DISPATCHER, "", HUANGPU, "黄浦区调度员"),
    ("hotline", Role.HOTLINE_OPERATOR, "", CITY_STATION_1, "救助热线接线员"),
    ("pudong_patrol", Role.PATROL_MEMBER, Agency.CIVIL_AFFAIRS, PUDONG, "浦东新区巡查队员"),
    ("station1_worker", Role.STATION_WORKER, "", CITY_STATION_1, "市救助管理站工作人员"),
    ("station1_leader", Role.STATION_LEADER, "", CITY_STATION_1, "市救助管理站带班领导"),
    ("reporter", Role.REPORTER, "", "310101002", "南京东路街道环卫工人"),
    ("auditor", Role.AUDITOR, "", CITY_CODE, "审计员"),
]


class _DemoPassword:
    """One hash for every demo account: PBKDF2 is slow by design, and checking ninety
    accounts one by one would make `make demo` take minutes."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.hashed = make_password(raw)
        self._checked: dict[str, bool] = {}

    def matches(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.raw, encoded)
        return self._checked[encoded]


def _upsert(
    ctx: DemoContext,
    password: _DemoPassword,
    username: str,
    *,
    role: str,
    agency: str,
    unit: OrgUnit,
    display_name: str,
) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "agency": agency,
            "org_unit": unit,
            "display_name": display_name,
            "is_active": True,
        },
    )
    if not password.matches(user.password):
        user.password = password.hashed
        user.save(update_fields=["password"])
    return user


def seed(ctx: DemoContext) -> None:
    units = {u.code: u for u in OrgUnit.objects.all()}
    password = _DemoPassword(ctx.password)
    for username, role, agency, code, display_name in DEMO_ACCOUNTS:
        _upsert(
            ctx,
            password,
            username,
            role=role,
            agency=agency,
            unit=units[code],
            display_name=display_name,
        )
        ctx.accounts.append((username, str(role.label), units[code].name))
    city_admin = User.objects.get(username="city_admin")
    if not city_admin.is_staff:
        city_admin.is_staff = city_admin.is_superuser = True
        city_admin.save(update_fields=["is_staff", "is_superuser"])

    # Every district: a dispatcher, a joint patrol of the three agencies, station staff.
    fake = ctx.fake
    staff = 0
    for district in OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code"):
        _upsert(
            ctx,
            password,
            f"d{district.code}_dispatcher",
            role=Role.DISPATCHER,
            agency="",
            unit=district,
            display_name=fake.name(),
        )
        for i, agency in enumerate(Agency.values, start=1):
            _upsert(
                ctx,
                password,
                f"d{district.code}_patrol{i}",
                role=Role.PATROL_MEMBER,
                agency=agency,
                unit=district,
                display_name=fake.name(),
            )
        _upsert(
            ctx,
            password,
            f"d{district.code}_station",
            role=Role.STATION_WORKER,
            agency="",
            unit=units[station_code_for(district.code)],
            display_name=fake.name(),
        )
        staff += 5
    ctx.summary.append(f"账号：{len(DEMO_ACCOUNTS)} 个演示账号，另有各区工作人员 {staff} 名")
