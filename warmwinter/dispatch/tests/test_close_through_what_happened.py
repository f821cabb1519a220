"""A lead closes only through what happened: an encounter recorded for it (its outcome becomes
the lead's), or "nobody found" with the team's check-in near the place and a note. A close with
an outcome chosen freely — 「拒绝救助，已发放物资」 in one second, with nobody met — is refused
on the page and by the API."""

from __future__ import annotations

import json

import pytest

from warmwinter.conftest import refused_by_api, refused_on_page
from warmwinter.leads import lifecycle
from warmwinter.leads.models import Lead, LeadCheckIn, LeadEventKind, LeadStatus
from warmwinter.patrols import services as patrols
from warmwinter.patrols.tests.conftest import encounter_input  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

#: metres → degrees of latitude (a metre north is the same everywhere)
METRE = 1 / 111_195


@pytest.fixture
def on_scene(make_lead, huangpu_team, huangpu_dispatcher, huangpu_patrol):
    """A Huangpu lead the team has accepted and reached."""
    lead = make_lead("huangpu", signals=["elderly"])
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    lifecycle.lead_accept(lead=lead, by=huangpu_patrol)
    return lifecycle.lead_arrive(lead=lead, by=huangpu_patrol)


def _nobody_found(
    lead: Lead, *, north_m: float, note: str = "周边 200 米内查找，询问保安，未见"
) -> dict:
    return {
        "latitude": lead.lat + north_m * METRE,
        "longitude": lead.lng,
        "accuracy_m": 18,
        "note": note,
    }


def test_a_team_cannot_close_a_lead_as_refused_help_without_an_encounter_on_the_page(
    on_scene, huangpu_patrol, client_for
):
    phone = client_for(huangpu_patrol)
    page = phone.get("/dispatch/my/").content.decode()
    assert "拒绝救助，已发放物资" not in page  # no outcome to choose on the team's page
    assert f'href="/dispatch/leads/{on_scene.pk}/close/"' in page

    posted = phone.post(
        f"/dispatch/leads/{on_scene.pk}/close/", {"outcome": "refused_supplies", "note": ""}
    )
    assert posted.status_code == 422
    refused_on_page(posted, "请登记街面处置")
    assert Lead.objects.get(pk=on_scene.pk).status == LeadStatus.ON_SCENE

    # the close action leads into the encounter form, about this lead
    opened = phone.get(f"/dispatch/leads/{on_scene.pk}/close/")
    assert opened.status_code == 302
    assert opened["Location"] == f"/patrols/app/?lead={on_scene.pk}"


def test_a_team_cannot_close_a_lead_as_refused_help_without_an_encounter_by_the_api(
    on_scene, huangpu_patrol, token_for, client
):
    response = client.post(
        f"/api/v1/dispatch/leads/{on_scene.pk}/close",
        json.dumps({"outcome": "refused_supplies", "note": ""}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(huangpu_patrol)}"},
    )
    refused_by_api(response, "outcome", str(lifecycle.CLOSE_THROUGH_ENCOUNTER))
    assert "请登记街面处置" in response.json()["detail"]
    assert Lead.objects.get(pk=on_scene.pk).status == LeadStatus.ON_SCENE


def test_a_team_that_finds_nobody_closes_with_a_check_in_120_m_from_the_place_and_a_note(
    on_scene, huangpu_patrol, client_for
):
    response = client_for(huangpu_patrol).post(
        f"/dispatch/leads/{on_scene.pk}/nobody-found/",
        {**_nobody_found(on_scene, north_m=120), "next": "/dispatch/my/"},
    )
    assert response.status_code == 302
    lead = Lead.objects.get(pk=on_scene.pk)
    assert lead.status == LeadStatus.CLOSED
    assert lead.get_outcome_display() == "现场未找到"
    assert lead.outcome_note == "周边 200 米内查找，询问保安，未见"
    checkin = LeadCheckIn.objects.get(lead=lead)
    assert round(checkin.distance_m) == 120
    assert checkin.accuracy_m == 18 and checkin.by == huangpu_patrol
    assert checkin.event == lead.events.get(to_status=LeadStatus.CLOSED)
    assert "签到距线索地点 120 米" in checkin.event.note


def test_nobody_found_without_a_note_is_refused_and_the_lead_stays_open(
    on_scene, huangpu_patrol, client_for
):
    response = client_for(huangpu_patrol).post(
        f"/dispatch/leads/{on_scene.pk}/nobody-found/", _nobody_found(on_scene, north_m=20, note="")
    )
    assert response.status_code == 422
    assert Lead.objects.get(pk=on_scene.pk).status == LeadStatus.ON_SCENE


def test_a_check_in_2_km_away_is_refused_and_the_lead_stays_open(
    on_scene, huangpu_patrol, client_for, token_for, client
):
    page = client_for(huangpu_patrol).post(
        f"/dispatch/leads/{on_scene.pk}/nobody-found/", _nobody_found(on_scene, north_m=2000)
    )
    refused_on_page(page, "签到位置距线索地点 2000 米，超过 300 米")
    assert page.status_code == 422

    api = client.post(
        f"/api/v1/dispatch/leads/{on_scene.pk}/nobody-found",
        json.dumps(_nobody_found(on_scene, north_m=2000)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(huangpu_patrol)}"},
    )
    refused_by_api(api, "latitude", "签到位置距线索地点 2000 米，超过 300 米：请到达现场后再签到")
    lead = Lead.objects.get(pk=on_scene.pk)
    assert lead.status == LeadStatus.ON_SCENE and not LeadCheckIn.objects.exists()


def test_the_check_in_distance_is_a_rule_of_the_rulebook(on_scene, huangpu_patrol, set_rule):
    set_rule("leads.nobody_found_radius", 100)
    with pytest.raises(Exception, match="签到位置距线索地点 120 米，超过 100 米"):
        lifecycle.lead_close_nobody_found(
            lead=on_scene, by=huangpu_patrol, **_nobody_found(on_scene, north_m=120)
        )


def test_a_vague_fix_does_not_prove_the_team_was_there(on_scene, huangpu_patrol):
    with pytest.raises(Exception, match="定位误差 900 米，超过 150 米"):
        lifecycle.lead_close_nobody_found(
            lead=on_scene,
            by=huangpu_patrol,
            **{**_nobody_found(on_scene, north_m=10), "accuracy_m": 900},
        )


def test_an_encounter_recorded_for_a_lead_closes_it_with_the_encounter_s_outcome(
    make_lead,
    huangpu_team,
    huangpu_dispatcher,
    huangpu_patrol,
    encounter_input,  # noqa: F811
):
    lead = make_lead("huangpu")
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)

    recorded = patrols.encounter_record(
        by=huangpu_patrol,
        data=encounter_input(lead_id=lead.pk, disposition="guide_shelter", note="送至临时避寒点"),
    )

    assert recorded.conflicts == []
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLOSED
    assert lead.get_outcome_display() == "引导至临时救助场所"
    assert lead.outcome_note == "送至临时避寒点"
    closing = lead.events.get(to_status=LeadStatus.CLOSED)
    assert closing.note == f"街面处置 #{recorded.encounter.pk}"
    assert closing.by == huangpu_patrol


def test_an_encounter_for_another_lead_does_not_close_this_one(on_scene, huangpu_patrol):
    from types import SimpleNamespace

    other = SimpleNamespace(pk=1, lead_id=on_scene.pk + 1, note="", lead_outcome="sheltered")
    with pytest.raises(Exception, match="不是为此线索登记的"):
        lifecycle.lead_close_by_encounter(lead=on_scene, by=huangpu_patrol, encounter=other)
    assert Lead.objects.get(pk=on_scene.pk).status == LeadStatus.ON_SCENE
    assert not on_scene.events.filter(kind=LeadEventKind.TRANSITION, to_status="closed").exists()
