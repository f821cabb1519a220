"""Suggestions rank available teams in the lead's district by distance and load; one-click
assign; per-district auto-dispatch; the live board with counters and overdue in red."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from warmwinter.dispatch.models import DistrictDispatch, Shift, Team
from warmwinter.dispatch.selectors import suggestions_for
from warmwinter.leads.lifecycle import lead_assign
from warmwinter.leads.models import Lead, LeadEventKind, LeadStatus
from warmwinter.leads.services import escalate_overdue

pytestmark = pytest.mark.django_db


def _team(name, district, lat, lng, on_duty=True):
    team = Team.objects.create(name=name, district=district, lat=lat, lng=lng, max_load=1)
    now = timezone.now()
    start = now - timedelta(hours=1) if on_duty else now + timedelta(hours=5)
    Shift.objects.create(team=team, starts_at=start, ends_at=start + timedelta(hours=8))
    return team


def test_suggestions_rank_on_duty_teams_with_room_by_distance(
    make_lead, unit, huangpu_dispatcher, pudong_team
):
    huangpu = unit("310101")
    near = _team("近的分队", huangpu, 31.2325, 121.4755)
    far = _team("远的分队", huangpu, 31.2100, 121.4900)
    off = _team("不在班分队", huangpu, 31.2321, 121.4751, on_duty=False)
    lead = make_lead()
    ranked = suggestions_for(lead)
    assert [s.team for s in ranked] == [near, far, off]  # Pudong's team is not suggested
    assert [s.available for s in ranked] == [True, True, False]
    lead_assign(lead=lead, team=near, by=huangpu_dispatcher)  # near is now at its limit
    second = make_lead()
    ranked = suggestions_for(second)
    assert ranked[0].team == far
    assert next(s for s in ranked if s.team == near).load == 1


def test_a_district_with_auto_dispatch_assigns_new_leads_to_the_top_suggestion(
    make_lead,
    unit,
    huangpu_team,
    pudong_team,
    huangpu_dispatcher,
    client_for,
    django_capture_on_commit_callbacks,
):
    c = client_for(huangpu_dispatcher)
    r = c.post("/dispatch/auto-dispatch/", {"district": "310101", "on": "1"})
    assert r.status_code == 302
    assert DistrictDispatch.objects.get(district=unit("310101")).auto_dispatch
    with django_capture_on_commit_callbacks(execute=True):
        lead = make_lead()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISPATCHED and lead.team == huangpu_team
    assert lead.events.filter(note__startswith="自动派单").exists()
    with django_capture_on_commit_callbacks(execute=True):
        pudong = make_lead("pudong")  # auto-dispatch is per district
    pudong.refresh_from_db()
    assert pudong.status == LeadStatus.RECEIVED
    assert c.post("/dispatch/auto-dispatch/", {"district": "310115", "on": "1"}).status_code == 404


def test_the_board_counts_open_overdue_and_priorities_and_shows_overdue_in_red(
    make_lead, huangpu_dispatcher, client_for
):
    fresh = make_lead(signals=["child", "lying_still"])
    late = make_lead(received_at=timezone.now() - timedelta(hours=1))
    c = client_for(huangpu_dispatcher)
    body = c.get("/dispatch/board/live/").content.decode()
    assert f'data-testid="board-row-{late.tracking_code}"' in body
    assert 'class="lead-row overdue"' in body
    assert 'data-testid="count-open">2<' in body
    assert 'data-testid="count-overdue">1<' in body
    only_late = c.get("/dispatch/board/live/?overdue=1").content.decode()
    assert late.tracking_code in only_late and fresh.tracking_code not in only_late
    page = c.get("/dispatch/").content.decode()
    assert 'hx-trigger="every 2s"' in page


def test_the_city_board_lists_every_district_and_filters_by_district(
    make_lead, city_admin, client_for
):
    h, p = make_lead(), make_lead("pudong")
    c = client_for(city_admin)
    body = c.get("/dispatch/board/live/").content.decode()
    assert h.tracking_code in body and p.tracking_code in body
    body = c.get("/dispatch/board/live/?district=310115").content.decode()
    assert h.tracking_code not in body and p.tracking_code in body


def test_the_board_and_lists_do_not_query_per_row(
    make_lead, huangpu_team, city_admin, client_for, django_assert_max_num_queries
):
    for _ in range(8):
        make_lead()
    c = client_for(city_admin)
    with django_assert_max_num_queries(14):
        c.get("/dispatch/board/live/")
    with django_assert_max_num_queries(14):
        c.get("/leads/")


def test_an_overdue_lead_is_escalated_to_the_district_then_the_city(
    make_lead, huangpu_admin, city_admin, settings
):
    from warmwinter.notifications.models import Notification

    lead = make_lead(received_at=timezone.now() - timedelta(minutes=30))  # limit 20 min
    assert lead.is_overdue
    assert escalate_overdue() == 1
    lead.refresh_from_db()
    assert lead.escalation_level == 1
    assert Notification.objects.filter(recipient=huangpu_admin).count() == 1
    assert not Notification.objects.filter(recipient=city_admin).exists()
    assert escalate_overdue() == 0  # once per level
    later = timezone.now() + timedelta(minutes=20)
    assert escalate_overdue(now=later) == 1
    lead.refresh_from_db()
    assert lead.escalation_level == 2
    assert Notification.objects.filter(recipient=city_admin, urgency="urgent").count() == 1
    assert lead.events.filter(kind=LeadEventKind.ESCALATED).count() == 2


def test_a_lead_within_its_limit_is_not_escalated_and_the_command_runs_the_same_service(
    make_lead, huangpu_admin, capsys
):
    make_lead()
    late = make_lead(received_at=timezone.now() - timedelta(hours=2))
    call_command("escalate_overdue_leads")
    assert "escalated 1" in capsys.readouterr().out
    assert Lead.objects.get(pk=late.pk).escalation_level == 1


def test_dispatching_starts_the_acceptance_clock(make_lead, huangpu_team, huangpu_dispatcher):
    lead = make_lead(received_at=timezone.now() - timedelta(hours=2))
    lead = lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    assert not lead.is_overdue
    assert lead.escalation_level == 0


@pytest.mark.parametrize("next_page", ["abc", "99999999999999999999", "https://evil.example/"])
def test_a_dispatch_from_a_page_goes_back_only_to_a_page_of_this_site(
    next_page, make_lead, huangpu_team, huangpu_dispatcher, client_for
):
    """A `next` that is not a path here (a bare word was looked up as a view name: 500)."""
    lead = make_lead()
    r = client_for(huangpu_dispatcher).post(
        f"/dispatch/leads/{lead.pk}/assign/", {"team": huangpu_team.pk, "next": next_page}
    )
    assert r.status_code == 302
    assert r["Location"] == f"/leads/{lead.pk}/"
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.DISPATCHED
