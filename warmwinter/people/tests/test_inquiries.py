"""Family inquiries are matched against person files, now and as new files are opened."""

from warmwinter.audit.models import AuditEvent
from warmwinter.people.models import InquiryMatch, TimelineEntry, TimelineKind


def _post(client, token, path, data):
    return client.post(
        f"/api/v1/people{path}",
        data=data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_an_inquiry_finds_an_existing_file_with_reasons(
    huangpu_person, station_worker, client_for, token_for, make_user
):
    admin = make_user("city", "city_admin", "310000")
    client = client_for(admin)
    response = _post(
        client,
        token_for(admin),
        "/inquiries",
        {
            "sought_name": "章建国",
            "sex": "male",
            "birth_year": 1971,
            "contact_name": "张丽",
            "contact_phone": "13900001111",
        },
    )
    assert response.status_code == 201, response.content
    matches = response.json()["matches"]
    assert matches[0]["person_id"] == huangpu_person.pk
    assert "姓名读音相同：章建国 ~ 张建国" in matches[0]["reasons"]
    decided = _post(
        client, token_for(admin), f"/inquiry-matches/{matches[0]['id']}/decision", {"link": True}
    )
    assert decided.status_code == 200
    assert TimelineEntry.objects.filter(person=huangpu_person, kind=TimelineKind.TRACING).exists()
    assert AuditEvent.objects.filter(detail__event="inquiry_confirm").exists()


def test_a_file_opened_later_is_matched_against_open_inquiries(
    make_person, city_admin, client_for, token_for
):
    _post(
        client_for(city_admin),
        token_for(city_admin),
        "/inquiries",
        {
            "sought_name": "单田芳",
            "sex": "male",
            "birth_year": 1980,
            "contact_name": "单女士",
            "contact_phone": "13900002222",
        },
    )
    person = make_person("310115", name="善田芳", sex="male", birth_year=1981)
    assert InquiryMatch.objects.filter(person=person).exists()


def test_an_inquiry_needs_a_contact(city_admin, client_for, token_for):
    response = _post(
        client_for(city_admin), token_for(city_admin), "/inquiries", {"sought_name": "王五"}
    )
    assert response.status_code == 422
