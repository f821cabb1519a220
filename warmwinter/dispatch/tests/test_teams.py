"""The district dispatcher sets up rescue teams (救助分队) in the staff pages: create, edit,
members of the district only, a base in Shanghai, archive; others' teams are 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from warmwinter.audit.models import AuditAction, AuditEvent
from warmwinter.conftest import HUANGPU, PUDONG
from warmwinter.dispatch import services
from warmwinter.dispatch.models import Team
from warmwinter.leads import lifecycle
from warmwinter.leads.models import LeadStatus
from warmwinter.places.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


def station_of(code: str) -> Place:
    return Place.objects.get(kind=PlaceKind.STATION, org_unit__code=f"S{code}")


def team_data(district: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "黄浦二分队",
        "district": district.pk,
        "base_place": "",
        "lat": "31.2305",
        "lng": "121.4737",
        "phone": "021-63211234",
        "max_load": "3",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def audit_of(target: Any, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_type=target._meta.label_lower, target_id=str(target.pk), action=action
        )
    )


def test_dispatcher_creates_a_team_at_the_district_station_with_a_patrol_member(
    huangpu_dispatcher, huangpu_patrol, unit, client_for
):
    c = client_for(huangpu_dispatcher)
    station = station_of(HUANGPU)
    data = team_data(
        unit(HUANGPU), base_place=station.pk, lat="", lng="", members=[huangpu_patrol.pk]
    )
    r = c.post("/dispatch/teams/new/", data)
    team = Team.objects.get(name="黄浦二分队")
    assert r.status_code == 302 and r["Location"] == f"/dispatch/teams/{team.pk}/"
    assert (team.lat, team.lng) == (station.lat, station.lng)  # taken from the base
    assert team.base_place == station and team.district.code == HUANGPU
    assert list(team.members.all()) == [huangpu_patrol]
    assert team.created_by == huangpu_dispatcher
    listed = c.get("/dispatch/teams/").content.decode()
    assert f'href="/dispatch/teams/{team.pk}/"' in listed
    assert "huangpu_patrol（民政）" in listed
    [event] = audit_of(team, AuditAction.CREATE)
    assert event.actor == huangpu_dispatcher and event.detail["members"] == ["huangpu_patrol"]
    assert event.org_unit.code == HUANGPU


def test_the_new_team_page_offers_a_district_dispatcher_only_their_district_and_its_people(
    huangpu_dispatcher, huangpu_patrol, pudong_patrol, client_for
):
    page = client_for(huangpu_dispatcher).get("/dispatch/teams/new/").content.decode()
    assert "黄浦区" in page and "浦东新区" not in page
    assert "huangpu_patrol（民政）" in page and "pudong_patrol" not in page
    assert "黄浦区救助管理站" in page and "浦东新区救助管理站" not in page


def test_a_district_dispatcher_cannot_create_a_team_in_another_district(
    huangpu_dispatcher, unit, client_for
):
    r = client_for(huangpu_dispatcher).post("/dispatch/teams/new/", team_data(unit(PUDONG)))
    assert r.status_code == 422
    assert not Team.objects.filter(name="黄浦二分队").exists()


def test_city_admin_creates_a_team_in_any_district(city_admin, pudong_patrol, unit, client_for):
    data = team_data(
        unit(PUDONG), name="浦东二分队", lat="31.2290", lng="121.5260", members=[pudong_patrol.pk]
    )
    r = client_for(city_admin).post("/dispatch/teams/new/", data)
    assert r.status_code == 302
    team = Team.objects.get(name="浦东二分队")
    assert team.district.code == PUDONG and list(team.members.all()) == [pudong_patrol]


def test_dispatcher_edits_a_team_and_the_trail_records_what_changed(
    huangpu_team, huangpu_dispatcher, huangpu_patrol, make_user, client_for
):
    from warmwinter.accounts.roles import Agency, Role

    police = make_user("huangpu_police", Role.PATROL_MEMBER, "310101002", Agency.POLICE)
    c = client_for(huangpu_dispatcher)
    page = c.get(f"/dispatch/teams/{huangpu_team.pk}/").content.decode()
    assert "黄浦一分队" in page and "huangpu_police（公安）" in page
    data = team_data(
        huangpu_team.district,
        name="黄浦一分队（夜）",
        max_load="5",
        members=[huangpu_patrol.pk, police.pk],
    )
    r = c.post(f"/dispatch/teams/{huangpu_team.pk}/", data)
    assert r.status_code == 302
    huangpu_team.refresh_from_db()
    assert huangpu_team.name == "黄浦一分队（夜）" and huangpu_team.max_load == 5
    assert set(huangpu_team.members.all()) == {huangpu_patrol, police}
    assert huangpu_team.modified_by == huangpu_dispatcher
    [event] = audit_of(huangpu_team, AuditAction.UPDATE)
    assert event.detail["name"] == ["黄浦一分队", "黄浦一分队（夜）"]
    assert event.detail["max_load"] == [2, 5]
    assert event.detail["members_added"] == ["huangpu_police"]
    assert "已保存分队信息" in c.get(f"/dispatch/teams/{huangpu_team.pk}/").content.decode()


def test_choosing_another_base_moves_the_team_s_coordinates_to_it(
    huangpu_team, huangpu_dispatcher, client_for
):
    station = station_of(HUANGPU)
    data = team_data(huangpu_team.district, name=huangpu_team.name, base_place=station.pk)
    data.update(lat=str(huangpu_team.lat), lng=str(huangpu_team.lng))  # unchanged on the form
    r = client_for(huangpu_dispatcher).post(f"/dispatch/teams/{huangpu_team.pk}/", data)
    assert r.status_code == 302
    huangpu_team.refresh_from_db()
    assert (huangpu_team.lat, huangpu_team.lng) == (station.lat, station.lng)


def test_duplicate_name_in_the_same_district_is_a_form_error_not_a_500(
    huangpu_team, huangpu_dispatcher, city_admin, unit, client_for
):
    r = client_for(huangpu_dispatcher).post(
        "/dispatch/teams/new/", team_data(unit(HUANGPU), name="黄浦一分队")
    )
    assert r.status_code == 422
    assert "黄浦区已有名为“黄浦一分队”的分队，请换一个名称" in r.content.decode()
    assert Team.objects.filter(name="黄浦一分队").count() == 1
    # The same name in another district is fine.
    r = client_for(city_admin).post(
        "/dispatch/teams/new/",
        team_data(unit(PUDONG), name="黄浦一分队", lat="31.2290", lng="121.5260"),
    )
    assert r.status_code == 302


def test_a_duplicate_that_slips_past_the_check_is_still_a_form_error(
    huangpu_team, huangpu_dispatcher, unit, client_for, monkeypatch
):
    """Two dispatchers saving the same name at once: the constraint catches the second."""
    real = services._team_errors
    monkeypatch.setattr(
        services,
        "_team_errors",
        lambda *a, **kw: {k: v for k, v in real(*a, **kw).items() if k != "name"},
    )
    r = client_for(huangpu_dispatcher).post(
        "/dispatch/teams/new/", team_data(unit(HUANGPU), name="黄浦一分队")
    )
    assert r.status_code == 422
    assert "黄浦区已有名为“黄浦一分队”的分队" in r.content.decode()
    assert Team.objects.filter(name="黄浦一分队").count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_renaming_to_an_archived_team_s_name_is_refused_with_a_reason(
    huangpu_team, huangpu_dispatcher, unit, client_for
):
    old = services.team_create(
        by=huangpu_dispatcher, district=unit(HUANGPU), name="旧分队", lat=31.23, lng=121.47
    )
    services.team_archive(team=old, by=huangpu_dispatcher, reason="撤编")
    data = team_data(huangpu_team.district, name="旧分队")
    r = client_for(huangpu_dispatcher).post(f"/dispatch/teams/{huangpu_team.pk}/", data)
    assert r.status_code == 422
    assert "已归档的同名分队" in r.content.decode()


def test_a_member_from_another_district_is_refused(
    huangpu_team, huangpu_dispatcher, huangpu_patrol, pudong_patrol, client_for
):
    data = team_data(
        huangpu_team.district, name=huangpu_team.name, members=[huangpu_patrol.pk, pudong_patrol.pk]
    )
    r = client_for(huangpu_dispatcher).post(f"/dispatch/teams/{huangpu_team.pk}/", data)
    assert r.status_code == 422
    assert "所选人员不是本区的巡查队员" in r.content.decode()
    assert list(huangpu_team.members.all()) == [huangpu_patrol]
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError) as refused:
        services.team_update(
            team=huangpu_team,
            by=huangpu_dispatcher,
            name=huangpu_team.name,
            lat=huangpu_team.lat,
            lng=huangpu_team.lng,
            members=[pudong_patrol],
        )
    assert "pudong_patrol" in refused.value.message_dict["members"][0]


def test_a_member_who_moved_district_is_shown_and_must_be_taken_off(
    huangpu_team, huangpu_dispatcher, huangpu_patrol, unit, client_for
):
    huangpu_patrol.org_unit = unit(PUDONG)
    huangpu_patrol.save()
    c = client_for(huangpu_dispatcher)
    data = team_data(huangpu_team.district, name=huangpu_team.name, members=[huangpu_patrol.pk])
    r = c.post(f"/dispatch/teams/{huangpu_team.pk}/", data)
    assert r.status_code == 422
    assert "以下人员不是黄浦区的巡查队员，不能编入本分队：huangpu_patrol" in r.content.decode()
    data.pop("members")
    assert c.post(f"/dispatch/teams/{huangpu_team.pk}/", data).status_code == 302
    assert not huangpu_team.members.exists()


def test_coordinates_outside_shanghai_are_refused(huangpu_dispatcher, unit, client_for):
    c = client_for(huangpu_dispatcher)
    r = c.post("/dispatch/teams/new/", team_data(unit(HUANGPU), lat="39.9087", lng="116.3975"))
    assert r.status_code == 422
    assert "不在上海市范围内" in r.content.decode()
    r = c.post("/dispatch/teams/new/", team_data(unit(HUANGPU), lat="121.4737", lng="31.2305"))
    assert r.status_code == 422 and "经纬度没有填反" in r.content.decode()
    assert not Team.objects.filter(name="黄浦二分队").exists()


def test_a_team_needs_a_base_or_coordinates(huangpu_dispatcher, unit, client_for):
    r = client_for(huangpu_dispatcher).post(
        "/dispatch/teams/new/", team_data(unit(HUANGPU), lat="", lng="")
    )
    assert r.status_code == 422
    assert "请选择驻点，或填写驻点的纬度和经度" in r.content.decode()


def test_a_base_in_another_district_is_refused(city_admin, unit):
    with pytest.raises(ValidationError) as refused:
        services.team_create(
            by=city_admin,
            district=unit(HUANGPU),
            name="黄浦二分队",
            lat=31.23,
            lng=121.47,
            base_place=station_of(PUDONG),
        )
    assert refused.value.message_dict["base_place"] == ["驻点须在黄浦区内"]


@pytest.mark.parametrize("max_load", ["0", "21", "三"])
def test_max_load_outside_1_to_20_is_a_form_error(max_load, huangpu_dispatcher, unit, client_for):
    r = client_for(huangpu_dispatcher).post(
        "/dispatch/teams/new/", team_data(unit(HUANGPU), max_load=max_load)
    )
    assert r.status_code == 422
    assert not Team.objects.filter(name="黄浦二分队").exists()


def test_dispatcher_archives_a_team_and_it_leaves_the_list(
    huangpu_team, huangpu_dispatcher, client_for
):
    c = client_for(huangpu_dispatcher)
    r = c.post(f"/dispatch/teams/{huangpu_team.pk}/archive/", {"reason": "人员调整，并入一分队"})
    assert r.status_code == 302 and r["Location"] == "/dispatch/teams/"
    huangpu_team.refresh_from_db()
    assert huangpu_team.is_archived and huangpu_team.archived_by == huangpu_dispatcher
    assert huangpu_team.archive_reason == "人员调整，并入一分队"
    listed = c.get("/dispatch/teams/").content.decode()
    assert "已归档救助分队：黄浦一分队" in listed
    assert f'href="/dispatch/teams/{huangpu_team.pk}/"' not in listed
    assert c.get(f"/dispatch/teams/{huangpu_team.pk}/").status_code == 404
    assert Team.objects.filter(pk=huangpu_team.pk).exists()  # archived, not deleted
    [event] = audit_of(huangpu_team, AuditAction.ARCHIVE)
    assert event.detail == {"reason": "人员调整，并入一分队"}


def test_archiving_needs_a_reason_and_no_leads_in_hand(
    huangpu_team, huangpu_dispatcher, make_lead, client_for
):
    c = client_for(huangpu_dispatcher)
    url = f"/dispatch/teams/{huangpu_team.pk}/archive/"
    assert c.post(url, {"reason": "  "}).status_code == 422
    lead = make_lead()
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    r = c.post(url, {"reason": "撤编"})
    assert r.status_code == 422
    assert "分队还有 1 条在办线索，办结或改派后才能归档" in r.content.decode()
    huangpu_team.refresh_from_db()
    assert not huangpu_team.is_archived
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISPATCHED


# --- hostile input ---------------------------------------------------------------------------


def test_a_script_in_the_name_is_shown_as_text(huangpu_dispatcher, unit, client_for):
    c = client_for(huangpu_dispatcher)
    name = "<script>alert('x')</script>"
    r = c.post("/dispatch/teams/new/", team_data(unit(HUANGPU), name=name))
    team = Team.objects.get(name=name)
    for url in ("/dispatch/teams/", r["Location"]):
        page = c.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert team.pk


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "队" * 81),
        ("phone", "1" * 41),
        ("phone", "<b>call</b>"),
        ("lat", "x" * 5000),
        ("lat", "nan"),
        ("lng", "1e400"),
        ("base_place", "99999999999999999999"),
        ("members", "abc"),
        ("district", "'; DROP TABLE dispatch_team; --"),
    ],
)
def test_hostile_or_overlong_input_is_a_form_error_not_a_500(
    field, value, huangpu_dispatcher, unit, client_for
):
    data = team_data(unit(HUANGPU))
    data[field] = value
    r = client_for(huangpu_dispatcher).post("/dispatch/teams/new/", data)
    assert r.status_code == 422
    assert 'class="errorlist' in r.content.decode()
    assert not Team.objects.filter(district__code=HUANGPU).exists()


def test_a_team_id_that_is_not_a_number_is_404(huangpu_dispatcher, client_for):
    c = client_for(huangpu_dispatcher)
    assert c.get("/dispatch/teams/1%27%20OR%201=1/").status_code == 404
    assert c.get("/dispatch/teams/99999999/").status_code == 404


# --- scope -----------------------------------------------------------------------------------


def test_huangpu_dispatcher_gets_404_for_a_pudong_team_page_and_every_write(
    pudong_team, huangpu_dispatcher, client_for
):
    c = client_for(huangpu_dispatcher)
    base = f"/dispatch/teams/{pudong_team.pk}"
    shift = pudong_team.shifts.get()
    assert c.get(f"{base}/").status_code == 404
    posts = {
        f"{base}/": team_data(pudong_team.district, name="改名"),
        f"{base}/archive/": {"reason": "撤编"},
        f"{base}/shifts/": {"starts_at": "2030-01-01T20:00", "ends_at": "2030-01-02T06:00"},
        f"{base}/shifts/{shift.pk}/remove/": {},
        f"{base}/shifts/{shift.pk}/repeat/": {},
    }
    for url, data in posts.items():
        assert c.post(url, data).status_code == 404, url
    pudong_team.refresh_from_db()
    assert pudong_team.name == "浦东一分队" and not pudong_team.is_archived
    assert pudong_team.shifts.count() == 1
    assert "浦东一分队" not in c.get("/dispatch/teams/").content.decode()


def test_a_shift_of_another_team_is_404_through_this_team_s_page(
    huangpu_team, pudong_team, city_admin, client_for
):
    other = pudong_team.shifts.get()
    url = f"/dispatch/teams/{huangpu_team.pk}/shifts/{other.pk}/remove/"
    assert client_for(city_admin).post(url).status_code == 404
    assert pudong_team.shifts.count() == 1


@pytest.mark.parametrize("persona", ["huangpu_patrol", "hotline_operator"])
def test_patrol_members_and_hotline_operators_may_see_the_list_but_not_edit(
    persona, request, huangpu_team, client_for
):
    c = client_for(request.getfixturevalue(persona))
    listed = c.get("/dispatch/teams/")
    assert listed.status_code == 200
    assert "新建分队" not in listed.content.decode()
    base = f"/dispatch/teams/{huangpu_team.pk}"
    shift = huangpu_team.shifts.get()
    assert c.get("/dispatch/teams/new/").status_code == 403
    assert c.get(f"{base}/").status_code == 403
    for url in (
        "/dispatch/teams/new/",
        f"{base}/",
        f"{base}/archive/",
        f"{base}/shifts/",
        f"{base}/shifts/{shift.pk}/remove/",
        f"{base}/shifts/{shift.pk}/repeat/",
    ):
        assert c.post(url, {"name": "x", "reason": "x"}).status_code == 403, url
    huangpu_team.refresh_from_db()
    assert not huangpu_team.is_archived and huangpu_team.shifts.count() == 1


def test_the_list_links_dispatchers_to_the_pages(huangpu_team, huangpu_dispatcher, client_for):
    page = client_for(huangpu_dispatcher).get("/dispatch/teams/").content.decode()
    assert 'href="/dispatch/teams/new/"' in page and "新建分队" in page
    assert f'href="/dispatch/teams/{huangpu_team.pk}/"' in page


def test_the_team_pages_query_a_fixed_number_of_times(
    huangpu_team,
    pudong_team,
    city_admin,
    unit,
    make_user,
    client_for,
    django_assert_max_num_queries,
):
    from warmwinter.accounts.roles import Agency, Role

    for i in range(5):
        member = make_user(f"hp{i}", Role.PATROL_MEMBER, HUANGPU, Agency.URBAN_MANAGEMENT)
        team = services.team_create(
            by=city_admin,
            district=unit(HUANGPU),
            name=f"分队{i}",
            lat=31.23,
            lng=121.47,
            members=[member],
        )
        services.shift_add(
            team=team,
            starts_at=huangpu_team.shifts.get().starts_at,
            ends_at=huangpu_team.shifts.get().ends_at,
            by=city_admin,
        )
    c = client_for(city_admin)
    with django_assert_max_num_queries(12):
        assert c.get("/dispatch/teams/").status_code == 200
    with django_assert_max_num_queries(16):
        assert c.get(f"/dispatch/teams/{huangpu_team.pk}/").status_code == 200
