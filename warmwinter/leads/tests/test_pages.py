"""Every page renders for the roles that use it."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_public_pages_render_without_login(client, reference):
    page = client.get("/leads/report/").content.decode()
    assert 'name="client_uuid"' in page and "使用我的位置" in page and "021-12345678" in page
    assert client.get("/leads/track/").status_code == 200


def test_the_staff_pages_render(
    make_lead,
    huangpu_team,
    city_admin,
    huangpu_dispatcher,
    huangpu_patrol,
    hotline_operator,
    client_for,
):
    from warmwinter.leads.lifecycle import lead_assign

    lead = make_lead(signals=["child"])
    make_lead()
    d = client_for(huangpu_dispatcher)
    detail = d.get(f"/leads/{lead.pk}/").content.decode()
    assert 'data-testid="suggestions"' in detail and 'data-testid="duplicates"' in detail
    assert "儿童 +3" in detail
    for url in ["/leads/", "/leads/new/", "/leads/hotline/", "/dispatch/", "/dispatch/teams/"]:
        assert d.get(url).status_code == 200, url
    assert client_for(city_admin).get("/dispatch/").status_code == 200
    assert client_for(hotline_operator).get("/leads/hotline/").status_code == 200
    lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    p = client_for(huangpu_patrol)
    assert f'data-testid="accept-{lead.tracking_code}"' in p.get("/dispatch/my/").content.decode()
    assert p.get(f"/leads/{lead.pk}/").status_code == 200


def test_the_reporter_s_phone_is_masked_on_screen(make_lead, huangpu_dispatcher, client_for):
    lead = make_lead(reporter_phone="13912345678")
    page = client_for(huangpu_dispatcher).get(f"/leads/{lead.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
