"""Every page renders for the roles that use it, and the menu shows the people entries."""

import pytest

from warmwinter.people.models import TracingNotice


@pytest.mark.parametrize(
    "path",
    [
        "/people/",
        "/people/new/",
        "/people/review/",
        "/people/focus/",
        "/people/notices/",
        "/people/xunqin/",
    ],
)
def test_people_pages_render_for_a_station_leader(path, make_user, client_for):
    leader = make_user("leader", "station_leader", "S310000-1")
    response = client_for(leader).get(path)
    assert response.status_code == 200


def test_the_notice_editor_saves_public_fields(make_person, station_worker, client_for):
    person = make_person("S310000-1", by=station_worker, sex="male", age_estimate=70)
    notice = TracingNotice.objects.get(person=person)
    client = client_for(station_worker)
    assert client.get(f"/people/notices/{notice.pk}/").status_code == 200
    response = client.post(
        f"/people/notices/{notice.pk}/",
        {
            "sex": "male",
            "estimated_age": "70",
            "clothing": "灰色棉袄",
            "contact": "市救助站 021-00000000",
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.clothing == "灰色棉袄"


def test_the_menu_offers_person_files_but_not_to_a_reporter(
    huangpu_dispatcher, reporter, client_for
):
    assert "/people/" in client_for(huangpu_dispatcher).get("/").content.decode()
    assert 'href="/people/"' not in client_for(reporter).get("/").content.decode()


def test_the_public_photo_of_an_unpublished_notice_is_not_served(
    make_person, station_worker, client
):
    person = make_person("S310000-1", by=station_worker, sex="male")
    notice = TracingNotice.objects.get(person=person)
    assert client.get(f"/people/xunqin/{notice.pk}/photo/").status_code == 404
