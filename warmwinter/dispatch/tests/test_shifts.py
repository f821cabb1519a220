"""On a team's page the dispatcher puts it on duty: add a shift (Asia/Shanghai times, at most
24 h, no overlap, at most 60 days ahead), remove one not yet begun, copy tonight's to the next
seven nights. The API lists and adds shifts with the same rules."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from warmwinter.audit.models import AuditAction, AuditEvent
from warmwinter.core import clock
from warmwinter.dispatch import services
from warmwinter.dispatch.models import Shift, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def night_team(unit: Any, huangpu_patrol: Any) -> Team:
    """A Huangpu team with no shifts yet."""
    team = Team.objects.create(name="黄浦夜巡队", district=unit("310101"), lat=31.23, lng=121.47)
    team.members.set([huangpu_patrol])
    return team


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Shanghai, `day_offset` days from today."""
    day = clock.local_date() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def field(moment: datetime) -> str:
    """What a datetime-local input sends."""
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


def shift_data(starts_at: datetime, ends_at: datetime) -> dict[str, str]:
    return {"starts_at": field(starts_at), "ends_at": field(ends_at)}


def test_dispatcher_adds_a_night_shift_in_shanghai_time_and_sees_it_on_the_page(
    night_team, huangpu_dispatcher, client_for
):
    c = client_for(huangpu_dispatcher)
    r = c.post(
        f"/dispatch/teams/{night_team.pk}/shifts/",
        {"starts_at": field(local(1, 20)), "ends_at": field(local(2, 8))},
    )
    assert r.status_code == 302
    shift = night_team.shifts.get()
    assert shift.starts_at == local(1, 20) and shift.ends_at == local(2, 8)
    assert shift.starts_at.astimezone(timezone.get_fixed_timezone(0)).hour == 12  # 20:00 +08:00
    page = c.get(f"/dispatch/teams/{night_team.pk}/").content.decode()
    assert "已添加班次" in page
    assert f'data-testid="shift-{shift.pk}"' in page
    assert local(1, 20).strftime("%m-%d 20:00") in page
    [event] = AuditEvent.objects.filter(
        action=AuditAction.CREATE, target_type="dispatch.shift", target_id=str(shift.pk)
    )
    assert event.actor == huangpu_dispatcher and event.org_unit.code == "310101"


def test_the_new_shift_form_starts_with_tonight_20_to_08(
    night_team, huangpu_dispatcher, client_for
):
    page = client_for(huangpu_dispatcher).get(f"/dispatch/teams/{night_team.pk}/").content.decode()
    assert 'type="datetime-local"' in page
    assert f'value="{field(local(0, 20))}"' in page and f'value="{field(local(1, 8))}"' in page


def test_an_overlapping_shift_of_the_same_team_is_refused(
    night_team, huangpu_team, huangpu_dispatcher, client_for
):
    services.shift_add(
        team=night_team, starts_at=local(1, 20), ends_at=local(2, 8), by=huangpu_dispatcher
    )
    c = client_for(huangpu_dispatcher)
    r = c.post(f"/dispatch/teams/{night_team.pk}/shifts/", shift_data(local(2, 6), local(2, 12)))
    assert r.status_code == 422
    expected = f"与已有班次 {local(1, 20):%m-%d} 20:00 – {local(2, 8):%m-%d} 08:00 重叠"
    assert expected in r.content.decode()
    assert night_team.shifts.count() == 1
    # Back to back is not an overlap, and another team's shift does not count.
    assert (
        c.post(
            f"/dispatch/teams/{night_team.pk}/shifts/", shift_data(local(2, 8), local(2, 20))
        ).status_code
        == 302
    )
    other = huangpu_team.shifts.get()
    assert (
        c.post(
            f"/dispatch/teams/{night_team.pk}/shifts/",
            shift_data(other.starts_at + timedelta(hours=1), other.ends_at),
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ((1, 20), (1, 8), "结束时间须晚于开始时间"),
        ((1, 20), (1, 20), "结束时间须晚于开始时间"),
        ((1, 20), (2, 21), "一个班次不能超过 24 小时"),
        ((61, 20), (62, 6), "最多只能提前 60 天排班"),
        ((-3, 20), (-2, 6), "这个班次已经结束，不能再添加"),
    ],
)
def test_a_shift_with_wrong_times_is_refused_with_a_clear_message(
    starts, ends, message, night_team, huangpu_dispatcher, client_for
):
    r = client_for(huangpu_dispatcher).post(
        f"/dispatch/teams/{night_team.pk}/shifts/", shift_data(local(*starts), local(*ends))
    )
    assert r.status_code == 422
    assert message in r.content.decode()
    assert not night_team.shifts.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"starts_at": "明晚八点", "ends_at": "2030-01-01T08:00"},
        {"starts_at": "2030-13-45T99:99", "ends_at": "2030-01-01T08:00"},
        {"starts_at": "<script>", "ends_at": "x" * 10000},
    ],
)
def test_unreadable_shift_times_are_a_form_error_not_a_500(
    data, night_team, huangpu_dispatcher, client_for
):
    r = client_for(huangpu_dispatcher).post(f"/dispatch/teams/{night_team.pk}/shifts/", data)
    assert r.status_code == 422
    assert 'class="errorlist' in r.content.decode()
    assert not night_team.shifts.exists()


def test_dispatcher_removes_a_future_shift_but_not_one_under_way(
    huangpu_team, huangpu_dispatcher, client_for
):
    under_way = huangpu_team.shifts.get()
    future = services.shift_add(
        team=huangpu_team, starts_at=local(3, 20), ends_at=local(4, 8), by=huangpu_dispatcher
    )
    c = client_for(huangpu_dispatcher)
    page = c.get(f"/dispatch/teams/{huangpu_team.pk}/").content.decode()
    assert f'data-testid="shift-remove-{future.pk}"' in page
    assert f'data-testid="shift-remove-{under_way.pk}"' not in page
    assert "值班中" in page

    base = f"/dispatch/teams/{huangpu_team.pk}/shifts"
    r = c.post(f"{base}/{future.pk}/remove/")
    assert r.status_code == 302
    assert not Shift.objects.filter(pk=future.pk).exists()
    [event] = AuditEvent.objects.filter(
        action=AuditAction.ARCHIVE, target_type="dispatch.shift", target_id=str(future.pk)
    )
    assert event.detail["removed"] is True
    assert event.detail["starts_at"] == local(3, 20).isoformat()

    r = c.post(f"{base}/{under_way.pk}/remove/", follow=True)
    assert "只能删除尚未开始的班次" in r.content.decode()
    assert Shift.objects.filter(pk=under_way.pk).exists()


def test_copy_tonight_s_shift_to_the_next_seven_nights_skips_a_night_already_covered(
    night_team, huangpu_dispatcher, client_for
):
    night = clock.tonight()
    start = timezone.make_aware(datetime.combine(night, time(20, 0)))
    tonight = Shift.objects.create(
        team=night_team, starts_at=start, ends_at=start + timedelta(hours=12)
    )
    # The third night already has a late shift that overlaps the copy.
    covered = Shift.objects.create(
        team=night_team,
        starts_at=start + timedelta(days=3, hours=3),
        ends_at=start + timedelta(days=3, hours=10),
    )
    c = client_for(huangpu_dispatcher)
    page = c.get(f"/dispatch/teams/{night_team.pk}/").content.decode()
    assert f'action="/dispatch/teams/{night_team.pk}/shifts/{tonight.pk}/repeat/"' in page
    assert "复制到之后 7 晚" in page

    r = c.post(f"/dispatch/teams/{night_team.pk}/shifts/{tonight.pk}/repeat/", follow=True)
    assert "已复制到之后 7 晚：新增 6 个班次，跳过 1 晚（已有重叠的班次）" in r.content.decode()
    starts = [clock.local(s.starts_at) for s in night_team.shifts.exclude(pk=covered.pk)]
    assert [s.date() for s in starts] == [night + timedelta(days=d) for d in (0, 1, 2, 4, 5, 6, 7)]
    assert {(s.hour, s.minute) for s in starts} == {(20, 0)}
    assert all(
        s.ends_at - s.starts_at == timedelta(hours=12)
        for s in night_team.shifts.exclude(pk=covered.pk)
    )
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, target_type="dispatch.shift", detail__copied_from=tonight.pk
        ).count()
        == 6
    )
    # Copying again adds nothing: every night is covered now.
    r = c.post(f"/dispatch/teams/{night_team.pk}/shifts/{tonight.pk}/repeat/", follow=True)
    assert "新增 0 个班次，跳过 7 晚" in r.content.decode()
    assert night_team.shifts.count() == 8


def test_the_page_says_when_tonight_has_no_shift(night_team, huangpu_dispatcher, client_for):
    services.shift_add(
        team=night_team, starts_at=local(5, 20), ends_at=local(6, 8), by=huangpu_dispatcher
    )
    page = client_for(huangpu_dispatcher).get(f"/dispatch/teams/{night_team.pk}/").content.decode()
    assert "今晚尚未排班" in page and "复制到之后" not in page


def test_tonight_is_last_night_until_six_and_this_evening_after():
    def at(hour: int) -> datetime:
        return datetime(2025, 1, 10, hour, 30, tzinfo=clock.SHANGHAI)

    assert clock.tonight(at(3)).day == 9
    assert clock.tonight(at(7)).day == 10
    assert clock.tonight(at(23)).day == 10


def test_the_page_lists_the_coming_fortnight_and_the_last_three_shifts(
    night_team, huangpu_dispatcher, client_for
):
    for day in range(-6, 0):
        Shift.objects.create(team=night_team, starts_at=local(day, 9), ends_at=local(day, 17))
    for day in (1, 13, 15):
        Shift.objects.create(team=night_team, starts_at=local(day, 9), ends_at=local(day, 17))
    page = client_for(huangpu_dispatcher).get(f"/dispatch/teams/{night_team.pk}/").content.decode()
    coming = page.split('data-testid="coming-shifts"')[1].split("</table>")[0]
    assert local(1, 9).strftime("%m-%d 09:00") in coming
    assert local(13, 9).strftime("%m-%d 09:00") in coming
    assert local(15, 9).strftime("%m-%d 09:00") not in coming
    past = page.split('data-testid="past-shifts"')[1].split("</ul>")[0]
    assert [local(d, 9).strftime("%m-%d 09:00") in past for d in range(-6, 0)] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]


def test_the_service_refuses_an_overlapping_shift_whoever_calls_it(night_team, huangpu_dispatcher):
    services.shift_add(
        team=night_team, starts_at=local(1, 20), ends_at=local(2, 8), by=huangpu_dispatcher
    )
    with pytest.raises(ValidationError) as refused:
        services.shift_add(
            team=night_team, starts_at=local(1, 22), ends_at=local(2, 6), by=huangpu_dispatcher
        )
    assert "重叠" in refused.value.message_dict["starts_at"][0]
    assert night_team.shifts.count() == 1


# --- API ------------------------------------------------------------------------------------


def test_api_lists_and_adds_shifts_with_the_same_rules(
    night_team, huangpu_dispatcher, token_for, client
):
    auth = {"Authorization": f"Bearer {token_for(huangpu_dispatcher)}"}
    url = f"/api/v1/dispatch/teams/{night_team.pk}/shifts"
    body = {"starts_at": local(1, 20).isoformat(), "ends_at": local(2, 8).isoformat()}
    r = client.post(url, json.dumps(body), content_type="application/json", headers=auth)
    assert r.status_code == 201
    assert r.json()["team_id"] == night_team.pk
    # A time without an offset is Shanghai time; this one overlaps the first.
    naive = {"starts_at": field(local(2, 6)), "ends_at": field(local(2, 12))}
    r = client.post(url, json.dumps(naive), content_type="application/json", headers=auth)
    assert r.status_code == 422 and "重叠" in r.json()["detail"]
    listed = client.get(url, headers=auth).json()
    assert [datetime.fromisoformat(s["starts_at"]) for s in listed] == [local(1, 20)]
    shift_id = listed[0]["id"]
    r = client.delete(f"{url}/{shift_id}", headers=auth)
    assert r.status_code == 204 and not night_team.shifts.exists()


def test_api_shifts_are_scoped_and_only_dispatchers_add_them(
    pudong_team, huangpu_dispatcher, pudong_patrol, token_for, client
):
    url = f"/api/v1/dispatch/teams/{pudong_team.pk}/shifts"
    body = json.dumps({"starts_at": local(1, 20).isoformat(), "ends_at": local(2, 8).isoformat()})
    huangpu = {"Authorization": f"Bearer {token_for(huangpu_dispatcher)}"}
    assert client.get(url, headers=huangpu).status_code == 404
    assert (
        client.post(url, body, content_type="application/json", headers=huangpu).status_code == 404
    )
    patrol = {"Authorization": f"Bearer {token_for(pudong_patrol)}"}
    assert client.get(url, headers=patrol).status_code == 200
    assert (
        client.post(url, body, content_type="application/json", headers=patrol).status_code == 403
    )
    assert pudong_team.shifts.count() == 1
