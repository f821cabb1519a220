"""A lead near a district border is shown to both districts' dispatchers until one takes it."""

import pytest

from warmwinter.accounts.roles import Role
from warmwinter.conftest import HUANGPU, PASSWORD
from warmwinter.leads import lifecycle
from warmwinter.leads.lifecycle import LeadConflictError
from warmwinter.leads.models import Lead, LeadStatus, LocationSource
from warmwinter.leads.tests.conftest import _team
from warmwinter.leads.tests.test_concurrency import race_each

JINGAN = "310106"
#: In Huangpu, about 100 m from Jing'an's border (the shipped boundaries).
NEAR_JINGAN = (31.2260, 121.4640)


@pytest.fixture
def jingan_dispatcher(make_user):
    return make_user("jingan_dispatcher", Role.DISPATCHER, JINGAN)


@pytest.fixture
def jingan_team(unit, make_user):
    patrol = make_user("jingan_patrol", Role.PATROL_MEMBER, JINGAN)
    return _team("静安一分队", unit(JINGAN), [patrol], 31.2290, 121.4480)


@pytest.fixture
def border_lead(make_lead):
    return make_lead(lat=NEAR_JINGAN[0], lng=NEAR_JINGAN[1], description="桥洞下有人睡觉")


def _board(client, user) -> str:
    client.login(username=user.username, password=PASSWORD)
    page = client.get("/dispatch/").content.decode()
    client.logout()
    return page


def test_a_lead_100_m_from_the_huangpu_jingan_border_shows_on_both_boards_until_jingan_takes_it(
    client, border_lead, huangpu_dispatcher, jingan_dispatcher, huangpu_team, jingan_team
):
    assert border_lead.district.code == HUANGPU
    assert border_lead.location_source == LocationSource.BOUNDARY
    assert border_lead.neighbour_district.code == JINGAN

    for dispatcher in (huangpu_dispatcher, jingan_dispatcher):
        page = _board(client, dispatcher)
        assert border_lead.tracking_code in page
        assert "邻区边界线索" in page
    # The Jing'an dispatcher is offered a Jing'an team, and takes the lead.
    assert "静安一分队" in _board(client, jingan_dispatcher)
    client.login(username="jingan_dispatcher", password=PASSWORD)
    r = client.post(
        f"/dispatch/leads/{border_lead.pk}/assign/",
        {"team": jingan_team.pk, "next": "/dispatch/"},
    )
    assert r.status_code == 302
    client.logout()

    lead = Lead.objects.get(pk=border_lead.pk)
    assert lead.status == LeadStatus.DISPATCHED
    assert lead.district.code == JINGAN
    assert lead.org_unit.path.startswith(lead.district.path)
    assert lead.neighbour_district is None
    assert border_lead.tracking_code in _board(client, jingan_dispatcher)
    assert border_lead.tracking_code not in _board(client, huangpu_dispatcher)


def test_once_huangpu_takes_the_border_lead_jingan_no_longer_sees_it(
    client, border_lead, huangpu_dispatcher, jingan_dispatcher, huangpu_team
):
    lifecycle.lead_assign(lead=border_lead, team=huangpu_team, by=huangpu_dispatcher)
    assert border_lead.tracking_code not in _board(client, jingan_dispatcher)
    client.login(username="jingan_dispatcher", password=PASSWORD)
    assert client.get(f"/leads/{border_lead.pk}/").status_code == 404


def test_the_second_district_to_assign_a_border_lead_is_told_it_was_taken(
    border_lead, huangpu_dispatcher, jingan_dispatcher, huangpu_team, jingan_team
):
    stale = Lead.objects.get(pk=border_lead.pk)  # what the Jing'an board showed
    lifecycle.lead_assign(lead=border_lead, team=huangpu_team, by=huangpu_dispatcher)
    with pytest.raises(LeadConflictError):
        lifecycle.lead_assign(lead=stale, team=jingan_team, by=jingan_dispatcher)
    assert Lead.objects.get(pk=border_lead.pk).team == huangpu_team


def test_a_district_that_is_neither_side_still_gets_404(client, border_lead, make_user):
    make_user("xuhui_dispatcher", Role.DISPATCHER, "310104")
    client.login(username="xuhui_dispatcher", password=PASSWORD)
    assert client.get(f"/leads/{border_lead.pk}/").status_code == 404
    assert border_lead.tracking_code not in client.get("/dispatch/").content.decode()


def test_a_neighbour_district_cannot_send_a_lead_that_is_not_near_its_border(
    make_lead, jingan_dispatcher, jingan_team
):
    lead = make_lead()  # 人民广场: no neighbour
    assert lead.neighbour_district is None
    with pytest.raises(Exception):  # noqa: B017 - refused before anything changes
        lifecycle.lead_assign(lead=lead, team=jingan_team, by=jingan_dispatcher)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.RECEIVED


@pytest.mark.django_db(transaction=True)
def test_huangpu_and_jingan_dispatching_a_border_lead_at_once_make_one_dispatch(
    border_lead, huangpu_dispatcher, jingan_dispatcher, huangpu_team, jingan_team
):
    results = race_each(
        [
            lambda: lifecycle.lead_assign(
                lead=border_lead, team=huangpu_team, by=huangpu_dispatcher
            ),
            lambda: lifecycle.lead_assign(lead=border_lead, team=jingan_team, by=jingan_dispatcher),
        ]
    )
    assert results == ["conflict", "ok"]
    lead = Lead.objects.get(pk=border_lead.pk)
    assert lead.status == LeadStatus.DISPATCHED
    assert lead.neighbour_district is None
    assert lead.events.filter(to_status="dispatched").count() == 1
    # Whoever won, the lead is that team's district's, and only that district sees it.
    assert lead.district_id == lead.team.district_id
