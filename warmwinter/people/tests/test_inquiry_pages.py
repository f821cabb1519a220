"""The family-tracing pages (甄别寻亲): a worker files what a family says, sees the files that
may be the person sought with the reasons, and confirms or rejects each one."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from warmwinter.audit.models import AuditAction, AuditEvent
from warmwinter.people.models import (
    FamilyInquiry,
    InquiryMatch,
    InquiryStatus,
    TimelineEntry,
    TimelineKind,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg_with_gps() -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 50), "gray")
    exif = Image.Exif()
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("dad.jpg", out.getvalue(), content_type="image/jpeg")


def _inquiry_form(**extra):
    return {
        "sought_name": "章建国",
        "sex": "male",
        "age_estimate": "55",
        "description": "左手有烫伤疤痕，说安徽口音",
        "last_seen_at": "2025-11-20",
        "last_seen_place": "上海南站",
        "contact_name": "张丽",
        "contact_phone": "13900001111",
        **extra,
    }


def test_a_district_worker_files_an_inquiry_and_sees_the_likely_file_with_reasons(
    huangpu_person, huangpu_admin, client_for
):
    client = client_for(huangpu_admin)
    assert client.get("/people/inquiries/new/").status_code == 200
    response = client.post("/people/inquiries/new/", _inquiry_form(photo=_jpeg_with_gps()))
    assert response.status_code == 302
    inquiry = FamilyInquiry.objects.get()
    assert response.url == f"/people/inquiries/{inquiry.pk}/"
    page = client.get(response.url).content.decode()
    assert "章建国" in page and "上海南站" in page and "13900001111" in page
    assert f"/people/{huangpu_person.pk}/" in page
    assert "姓名读音相同：章建国 ~ 张建国" in page
    # the photo is kept, re-encoded without its GPS position
    photo = client.get(f"/people/inquiries/{inquiry.pk}/photo/")
    assert photo.status_code == 200
    with Image.open(io.BytesIO(b"".join(photo.streaming_content))) as stored:
        assert 0x8825 not in stored.getexif()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, target_id=str(inquiry.pk), actor=huangpu_admin
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_id=str(inquiry.pk), actor=huangpu_admin
    ).exists()


def test_confirming_a_match_by_htmx_puts_it_on_the_persons_timeline(
    huangpu_person, huangpu_admin, client_for
):
    client = client_for(huangpu_admin)
    client.post("/people/inquiries/new/", _inquiry_form())
    match = InquiryMatch.objects.get(person=huangpu_person)
    response = client.post(
        f"/people/inquiry-matches/{match.pk}/decide/", {"decision": "link"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "已确认：待核实身份并护送返乡" in response.content.decode()
    assert "<html" not in response.content.decode()  # only the card is swapped
    assert FamilyInquiry.objects.get().status == InquiryStatus.FOUND
    assert TimelineEntry.objects.filter(person=huangpu_person, kind=TimelineKind.TRACING).exists()
    assert AuditEvent.objects.filter(detail__event="inquiry_confirm").exists()
    again = client.post(
        f"/people/inquiry-matches/{match.pk}/decide/",
        {"decision": "reject"},
        HTTP_HX_REQUEST="true",
    )
    assert "这条比对结果已经处理过了" in again.content.decode()


def test_an_inquiry_without_contact_or_anyone_to_look_for_is_refused_in_chinese(
    station_worker, client_for
):
    client = client_for(station_worker)
    response = client.post(
        "/people/inquiries/new/",
        {
            "sex": "unknown",
            "contact_name": "",
            "contact_phone": "abc",
            "last_seen_at": "2999-01-01",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写联系人" in page
    assert "联系电话只能包含数字" in page
    assert "请至少填写被寻人的姓名/称呼、身份证号或体貌特征之一" in page
    assert "最后见到日期不能晚于今天" in page
    assert not FamilyInquiry.objects.exists()


def test_a_bad_id_number_or_a_file_that_is_not_an_image_changes_nothing(station_worker, client_for):
    client = client_for(station_worker)
    bad_id = client.post("/people/inquiries/new/", _inquiry_form(id_number="310101197003151230"))
    assert bad_id.status_code == 422
    assert "校验位" in bad_id.content.decode()
    not_image = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    response = client.post("/people/inquiries/new/", _inquiry_form(photo=not_image))
    assert response.status_code == 422
    assert not FamilyInquiry.objects.exists()


def test_another_districts_inquiry_is_not_found(
    huangpu_person, huangpu_admin, pudong_patrol, client_for
):
    client_for(huangpu_admin).post("/people/inquiries/new/", _inquiry_form())
    inquiry = FamilyInquiry.objects.get()
    match = InquiryMatch.objects.get()
    outsider = client_for(pudong_patrol)
    assert outsider.get(f"/people/inquiries/{inquiry.pk}/").status_code == 404
    assert outsider.get(f"/people/inquiries/{inquiry.pk}/photo/").status_code == 404
    assert "章建国" not in outsider.get("/people/inquiries/").content.decode()
    # a patrol member may not decide matches at all
    assert (
        outsider.post(
            f"/people/inquiry-matches/{match.pk}/decide/", {"decision": "link"}
        ).status_code
        == 403
    )
    assert InquiryMatch.objects.get().status == "pending"


def test_the_inquiry_list_shows_pending_matches_without_a_query_per_row(
    huangpu_person, huangpu_admin, client_for, django_assert_max_num_queries
):
    client = client_for(huangpu_admin)
    for _ in range(3):
        client.post("/people/inquiries/new/", _inquiry_form())
    with django_assert_max_num_queries(12):
        page = client.get("/people/inquiries/").content.decode()
    assert page.count('data-testid="inquiry"') == 3
