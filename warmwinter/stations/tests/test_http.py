"""Station staff see only their station; the city sees all; the auditor reads but cannot
change — from the outside, for pages and the API."""

import json

import pytest

from warmwinter.audit.models import AuditEvent
from warmwinter.core import clock
from warmwinter.stations import services
from warmwinter.stations.models import Admission, BedAssignment


@pytest.fixture
def admission(admit):
    return admit()


def _api(client, method, url, data=None):
    if method == "get":
        return client.get(f"/api/v1/stations{url}")
    return getattr(client, method)(
        f"/api/v1/stations{url}", data=json.dumps(data or {}), content_type="application/json"
    )


def test_station_worker_lands_on_their_station_board(client_for, station_worker, male_zone):
    response = client_for(station_worker).get("/stations/", follow=True)
    assert response.status_code == 200
    assert "上海市救助管理站" in response.content.decode()
    assert "男宾一区" in response.content.decode()


def test_station_worker_cannot_open_another_stations_board_or_admission(
    client_for, s2_worker, admission
):
    client = client_for(s2_worker)
    assert client.get("/stations/s/S310000-1/").status_code == 404
    assert client.get(f"/stations/admissions/{admission.pk}/").status_code == 404
    assert _api(client, "get", f"/admissions/{admission.pk}").status_code == 404
    assert _api(client, "get", "/stations/S310000-1/board").status_code == 404
    listed = _api(client, "get", "/admissions").json()
    assert listed["count"] == 0


def test_the_city_sees_every_station(client_for, city_admin, admission):
    client = client_for(city_admin)
    page = client.get("/stations/").content.decode()
    assert "上海市救助管理二站" in page
    assert client.get(f"/stations/admissions/{admission.pk}/").status_code == 200
    assert _api(client, "get", "/admissions").json()["count"] == 1


def test_viewing_an_admission_is_audited(client_for, city_admin, admission):
    client_for(city_admin).get(f"/stations/admissions/{admission.pk}/")
    assert AuditEvent.objects.filter(
        action="view", target_id=str(admission.pk), actor=city_admin
    ).exists()


def test_the_auditor_reads_but_cannot_change(client_for, auditor, admission, male_zone):
    client = client_for(auditor)
    assert client.get(f"/stations/admissions/{admission.pk}/").status_code == 200
    assert _api(client, "get", f"/admissions/{admission.pk}").status_code == 200
    bed = male_zone.beds.first()
    assert client.get("/stations/s/S310000-1/admit/").status_code == 403
    assert (
        client.post(f"/stations/admissions/{admission.pk}/bed/", {"bed": bed.pk}).status_code == 403
    )
    assert (
        client.post(
            f"/stations/admissions/{admission.pk}/discharge/", {"reason": "left"}
        ).status_code
        == 403
    )
    assert (
        _api(client, "post", f"/admissions/{admission.pk}/bed", {"bed_id": bed.pk}).status_code
        == 403
    )
    assert (
        _api(
            client,
            "post",
            "/admissions",
            {"station": "S310000-1", "brought_by": "self", "category": "no_work"},
        ).status_code
        == 403
    )
    assert (
        _api(
            client, "post", f"/admissions/{admission.pk}/discharge", {"reason": "left"}
        ).status_code
        == 403
    )
    assert not BedAssignment.objects.exists()


def test_a_worker_admits_a_walk_in_on_the_page(client_for, station_worker):
    client = client_for(station_worker)
    response = client.post(
        "/stations/s/S310000-1/admit/",
        {
            "brought_by": "self",
            "category": "robbed",
            "name": "赵六",
            "sex": "female",
            "age_estimate": "15",
            "security_checks": ["body_search", "baggage"],
            "temperature": "36.5",
        },
    )
    admission = Admission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/stations/admissions/{admission.pk}/"
    assert admission.zone_kind == "minor"
    assert admission.person.name == "赵六"


def test_bad_admission_input_answers_in_chinese_and_changes_nothing(client_for, station_worker):
    client = client_for(station_worker)
    page = client.post(
        "/stations/s/S310000-1/admit/",
        {"brought_by": "self", "category": "robbed", "sex": "male", "held_items": "手机"},
    )
    assert page.status_code == 422
    assert "封存编号" in page.content.decode()
    api = _api(
        client,
        "post",
        "/admissions",
        {"station": "S310000-1", "brought_by": "bus", "category": "robbed"},
    )
    assert api.status_code == 422
    assert not Admission.objects.exists()


@pytest.mark.parametrize("escort", ["abc", "1e309", "<script>alert(1)</script>"])
def test_an_escort_id_that_is_not_a_number_is_not_found(escort, client_for, station_worker):
    """`?encounter=` names the patrol's escort being admitted; garbage there was a 500."""
    client = client_for(station_worker)
    form = client.get("/stations/s/S310000-1/admit/", {"encounter": escort})
    post = client.post(
        "/stations/s/S310000-1/admit/",
        {"encounter": escort, "brought_by": "patrol", "category": "vagrant", "sex": "unknown"},
    )
    for response in (form, post):
        assert response.status_code == 404
        assert "该页面或记录不存在" in response.content.decode()
    assert not Admission.objects.exists()


def test_api_admits_assigns_a_bed_and_tells_the_second_worker_it_is_taken(
    client_for, station_worker, male_zone
):
    client = client_for(station_worker)
    created = _api(
        client,
        "post",
        "/admissions",
        {
            "station": "S310000-1",
            "brought_by": "patrol",
            "escort_note": "黄浦区救助分队",
            "category": "vagrant",
            "new_person": {"sex": "male", "age_estimate": 80},
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["zone_kind"] == "elderly"
    assert body["first_receiver"] == "station1_worker"
    bed = male_zone.beds.first()
    assert (
        _api(client, "post", f"/admissions/{body['id']}/bed", {"bed_id": bed.pk}).status_code == 200
    )
    other = _api(
        client,
        "post",
        "/admissions",
        {"station": "S310000-1", "brought_by": "self", "category": "no_work"},
    ).json()
    taken = _api(client, "post", f"/admissions/{other['id']}/bed", {"bed_id": bed.pk})
    assert taken.status_code == 409
    assert "请另选床位" in taken.json()["detail"]
    board = _api(client, "get", "/stations/S310000-1/board").json()
    assert board["free"] == 1 and board["unplaced_admissions"] == [other["id"]]


def test_another_stations_bed_cannot_be_assigned(client_for, s2_worker, station2, admission):
    zone = services.zone_create(by=s2_worker, station=station2, kind="male", name="二站男宾区")
    (bed,) = services.beds_add(by=s2_worker, zone=zone, labels=["B1"])
    client = client_for(s2_worker)
    assert (
        _api(client, "post", f"/admissions/{admission.pk}/bed", {"bed_id": bed.pk}).status_code
        == 404
    )


def test_bed_assignment_on_the_page_with_htmx_swaps_the_bed_card(
    client_for, station_worker, admission, male_zone
):
    bed = male_zone.beds.get(label="M2")
    response = client_for(station_worker).post(
        f"/stations/admissions/{admission.pk}/bed/", {"bed": bed.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "男宾一区 M2" in response.content.decode()


def test_station_home_lists_overdue_visits(client_for, station_worker, admit):
    from datetime import timedelta

    admission = admit()
    services.discharge(
        by=station_worker, admission=admission, reason="outside_care", destination="松江托养中心"
    )
    Admission.objects.filter(pk=admission.pk).update(
        next_visit_due=clock.local_date() - timedelta(days=1)
    )
    page = client_for(station_worker).get("/stations/s/S310000-1/").content.decode()
    assert "松江托养中心" in page


def test_station_home_page_makes_the_same_number_of_queries_for_one_or_many_people(
    client_for, station_worker, admit, male_zone
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(station_worker)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/stations/s/S310000-1/").status_code == 200
        return len(ctx.captured_queries)

    services.bed_assign(by=station_worker, admission=admit(), bed=male_zone.beds.first())
    one = count()
    for name in ("甲", "乙", "丙", "丁"):
        admit(new_person={"name": name, "sex": "male"})
    assert count() == one <= 25


def test_another_stations_worker_cannot_touch_a_service_case(
    client_for, s2_worker, station_worker, admission
):
    case = services.service_open(by=station_worker, admission=admission, kind="counselling")
    client = client_for(s2_worker)
    assert client.post(f"/stations/services/{case.pk}/step/", {"note": "x"}).status_code == 404
    assert _api(client, "post", f"/services/{case.pk}/close", {"outcome": "x"}).status_code == 404
    assert (
        _api(
            client, "post", f"/admissions/{admission.pk}/services", {"kind": "legal_aid"}
        ).status_code
        == 404
    )


def test_anonymous_visitors_are_sent_to_login_and_the_api_says_401(client):
    assert client.get("/stations/").status_code == 302
    assert client.get("/api/v1/stations/admissions").status_code == 401


def test_the_registration_form_prints_from_the_record_and_is_audited(
    client_for, station_worker, s2_worker, admission
):
    page = client_for(station_worker).get(f"/stations/admissions/{admission.pk}/print/")
    text = page.content.decode()
    assert "求助登记表" in text and "李四" in text and "受助人员签字" in text
    assert AuditEvent.objects.filter(action="view", detail__print="registration").exists()
    assert (
        client_for(s2_worker).get(f"/stations/admissions/{admission.pk}/print/").status_code == 404
    )


def test_unidentified_people_past_the_limit_are_listed_as_long_stays(
    client_for, station_worker, admit
):
    from datetime import timedelta

    from django.utils import timezone

    admit(
        new_person={"aliases": "老哑巴", "sex": "male"},
        admitted_at=timezone.now() - timedelta(days=40),
    )
    admit(
        new_person={"name": "李四", "sex": "male"}, admitted_at=timezone.now() - timedelta(days=3)
    )
    page = client_for(station_worker).get("/stations/s/S310000-1/").content.decode()
    section = page.split('data-testid="long-stays"')[1].split("</table>")[0]
    assert "老哑巴" in section and ">40<" in section
    assert "李四" not in section


@pytest.mark.parametrize(
    ("form", "title"),
    [("service-discharge", "在站服务及离站登记表"), ("self-leave", "自行离站声明书")],
)
def test_the_other_national_forms_print_from_the_record(
    client_for, station_worker, admission, form, title
):
    page = client_for(station_worker).get(f"/stations/admissions/{admission.pk}/print/{form}/")
    assert page.status_code == 200
    assert title in page.content.decode() and "李四" in page.content.decode()


def test_an_unknown_form_is_404(client_for, station_worker, admission):
    assert (
        client_for(station_worker)
        .get(f"/stations/admissions/{admission.pk}/print/nope/")
        .status_code
        == 404
    )


def test_the_second_worker_sees_in_the_bed_card_that_the_bed_was_taken(
    client_for, station_worker, admit, male_zone
):
    bed = male_zone.beds.get(label="M1")
    first, second = admit(), admit(new_person={"name": "王五", "sex": "male"})
    services.bed_assign(by=station_worker, admission=first, bed=bed)
    response = client_for(station_worker).post(
        f"/stations/admissions/{second.pk}/bed/", {"bed": bed.pk}, HTTP_HX_REQUEST="true"
    )
    assert "已被其他工作人员安排给 李四，请另选床位" in response.content.decode()
    plain = client_for(station_worker).post(
        f"/stations/admissions/{second.pk}/bed/", {"bed": bed.pk}
    )
    assert plain.status_code == 422
