"""A caller asks for help for someone another citizen already reported: the hotline operator
sees the city's open leads of every channel near the place and tells the caller so."""

import pytest

from warmwinter.accounts.roles import Role
from warmwinter.conftest import PASSWORD
from warmwinter.leads.models import Lead
from warmwinter.leads.tests.conftest import PUDONG_POINT

URL = "/leads/hotline/already-reported/"


@pytest.fixture
def pudong_web_lead(make_lead):
    return make_lead(
        "pudong",
        channel="public_web",
        description="一位老人睡在长椅上，自称王某某",
        reporter_name="李四",
        reporter_phone="13812345678",
        address="世纪大道地铁站 2 号口",
    )


def test_the_hotline_sees_a_pudong_web_lead_and_answers_already_reported(
    client, hotline_operator, pudong_web_lead
):
    client.login(username="hotline", password=PASSWORD)
    lat, lng = PUDONG_POINT
    page = client.get(URL, {"lat": lat + 0.001, "lng": lng}).content.decode()  # ~110 m away
    assert "已有人上报" in page
    assert pudong_web_lead.tracking_code in page
    assert "浦东新区" in page
    assert "世纪大道地铁站 2 号口" in page
    # Nothing that identifies the reporter or the person.
    for private in ("李四", "13812345678", "5678", "王某某", "长椅"):
        assert private not in page


def test_a_place_the_hotline_names_is_searched_by_its_name(
    client, hotline_operator, pudong_web_lead, pudong_key_place
):
    client.login(username="hotline", password=PASSWORD)
    page = client.get(URL, {"place_q": pudong_key_place.name}).content.decode()
    assert "已有人上报" in page
    assert pudong_web_lead.tracking_code in page


def test_far_from_any_open_lead_the_hotline_is_told_to_record_a_new_one(
    client, hotline_operator, pudong_web_lead
):
    client.login(username="hotline", password=PASSWORD)
    page = client.get(URL, {"lat": "31.3000", "lng": "121.5140"}).content.decode()  # 五角场
    assert "已有人上报" not in page
    assert "暂无未办结线索" in page
    assert pudong_web_lead.tracking_code not in page


def test_the_search_radius_is_rule_data(client, hotline_operator, pudong_web_lead, set_rule):
    set_rule("leads.already_reported_radius", 50)
    client.login(username="hotline", password=PASSWORD)
    lat, lng = PUDONG_POINT
    assert "已有人上报" not in client.get(URL, {"lat": lat + 0.001, "lng": lng}).content.decode()


def test_closed_leads_are_not_already_reported(client, hotline_operator, pudong_web_lead):
    Lead.objects.filter(pk=pudong_web_lead.pk).update(status="cancelled")
    client.login(username="hotline", password=PASSWORD)
    lat, lng = PUDONG_POINT
    assert "已有人上报" not in client.get(URL, {"lat": lat, "lng": lng}).content.decode()


def test_a_patrol_member_may_not_look_across_the_city(client, make_user, pudong_web_lead):
    make_user("huangpu_patrol2", Role.PATROL_MEMBER, "310101")
    client.login(username="huangpu_patrol2", password=PASSWORD)
    assert client.get(URL).status_code == 403


def test_the_hotline_still_cannot_open_a_lead_it_did_not_record(
    client, hotline_operator, pudong_web_lead
):
    client.login(username="hotline", password=PASSWORD)
    assert client.get(f"/leads/{pudong_web_lead.pk}/").status_code == 404
