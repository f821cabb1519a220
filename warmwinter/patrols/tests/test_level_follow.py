"""The level drives what is open: when a district's response level rises, its open leads are
triaged again, tonight's plan gains the stops the new level requires (worked ones kept) and the
district's dispatchers are told."""

from __future__ import annotations

import pytest

from warmwinter.leads import rules
from warmwinter.leads.models import Lead, LeadEventKind
from warmwinter.notifications.models import Notification
from warmwinter.patrols import planning
from warmwinter.patrols.models import PatrolStop, StopResult, StopSource
from warmwinter.places.models import Place, PlaceKind
from warmwinter.weather.services import level_set_manually

from .test_planning import before_night, huangpu_night_teams, huangpu_places, night

#: Fixtures shared with the planning tests (pytest finds them by name in this module).
__all__ = ["before_night", "huangpu_night_teams", "huangpu_places", "night"]


@pytest.mark.usefixtures("huangpu_night_teams", "huangpu_places")
def test_when_huangpu_rises_to_ii_its_leads_plan_and_dispatcher_follow(
    huangpu_dispatcher, make_lead, unit, request, city_admin, django_capture_on_commit_callbacks
):
    night = request.getfixturevalue("night")
    huangpu = unit("310101")
    level_set_manually(district=huangpu, level=3, reason="寒潮黄色预警", by=city_admin)
    lead = make_lead("huangpu", signals=["elderly"])
    plan = planning.plan_night(district=huangpu, night=night, by=huangpu_dispatcher)
    worked = plan.stops.filter(source=StopSource.REQUIRED).first()
    PatrolStop.objects.filter(pk=worked.pk).update(result=StopResult.NOBODY)
    assert plan.stops.filter(source=StopSource.REQUIRED).count() == sum(
        1 if p.key_place_type not in {"underpass", "bridge_culvert"} else 2
        for p in Place.objects.filter(
            kind=PlaceKind.KEY_PLACE, org_unit__path__startswith=huangpu.path
        )
    )

    with django_capture_on_commit_callbacks(execute=True):
        level_set_manually(district=huangpu, level=4, reason="寒潮橙色预警", by=city_admin)

    lead = Lead.objects.get(pk=lead.pk)
    assert ["II级响应（橙）", 3] in lead.priority_reasons
    assert lead.time_limit_factor == 0.5
    assert lead.due_at == lead.received_at + rules.time_limit(
        priority=lead.priority, stage="dispatch", factor=0.5
    )
    entry = lead.events.get(kind=LeadEventKind.RETRIAGED)
    assert entry.note.startswith("响应等级升至II级")

    plan.refresh_from_db()
    assert plan.level == 4
    key_places = Place.objects.filter(
        kind=PlaceKind.KEY_PLACE, org_unit__path__startswith=huangpu.path
    ).count()
    stops = plan.stops.filter(source=StopSource.REQUIRED)
    # II级: two visits a night at every key place, planned as `plan_night` would; the visit
    # already worked stays beside them as it was
    assert stops.exclude(pk=worked.pk).count() == 2 * key_places
    assert PatrolStop.objects.get(pk=worked.pk).result == StopResult.NOBODY

    told = set(
        Notification.objects.filter(recipient=huangpu_dispatcher).values_list("title", flat=True)
    )
    assert any("1 条在办线索已重新分诊" in t for t in told)
    assert any("今夜巡查计划已按II级重排" in t for t in told)


def test_a_lowered_level_says_so_on_the_lead(
    make_lead, unit, city_admin, django_capture_on_commit_callbacks
):
    huangpu = unit("310101")
    level_set_manually(district=huangpu, level=4, reason="寒潮橙色预警", by=city_admin)
    lead = make_lead("huangpu")
    with django_capture_on_commit_callbacks(execute=True):
        level_set_manually(district=huangpu, level=2, reason="降为蓝色", by=city_admin)

    entry = lead.events.get(kind=LeadEventKind.RETRIAGED)
    assert entry.note.startswith("响应等级降至IV级")
    assert Lead.objects.get(pk=lead.pk).time_limit_factor == 0.9


def test_leads_of_another_district_are_left_alone(
    make_lead, unit, city_admin, django_capture_on_commit_callbacks
):
    lead = make_lead("pudong")
    with django_capture_on_commit_callbacks(execute=True):
        level_set_manually(district=unit("310101"), level=4, reason="寒潮橙色预警", by=city_admin)
    assert not lead.events.filter(kind=LeadEventKind.RETRIAGED).exists()
