"""Bad input gets a clear 4xx and stores nothing half-made; descriptions are escaped wherever
shown."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from warmwinter.leads.models import Lead, LeadEvent, LeadPhoto

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
BASE = {"lat": "31.2320", "lng": "121.4750", "people_count": "1"}


def _jpeg(with_gps: bool = False) -> bytes:
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    out = io.BytesIO()
    exif = Image.Exif()
    if with_gps:
        exif[0x010F] = "SecretCam"  # Make
        exif[0x8825] = {1: "N", 2: (31.0, 13.0, 55.0)}  # GPS IFD
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _nothing_stored():
    return (
        Lead.objects.count() == 0
        and LeadEvent.objects.count() == 0
        and LeadPhoto.objects.count() == 0
    )


def test_a_report_without_a_location_is_refused(client, reference):
    r = client.post("/leads/report/", {"people_count": "1", "description": "有人"})
    assert r.status_code == 422
    assert "请提供位置" in r.content.decode()
    assert _nothing_stored()


def test_coordinates_outside_shanghai_are_refused_on_every_channel(
    client, reference, make_user, token_for
):
    beijing = {"lat": "39.9042", "lng": "116.4074", "people_count": "1"}
    r = client.post("/leads/report/", beijing)
    assert r.status_code == 422 and "不在上海市范围内" in r.content.decode()
    r = client.post(
        "/open311/v2/requests.json",
        {"service_code": "person-in-cold", "lat": "39.9042", "long": "116.4074"},
    )
    assert r.status_code == 400
    token = token_for(make_user("grid", "dispatcher", "310000"))
    r = client.post(
        "/api/v1/leads/intake",
        json.dumps({"lat": 39.9042, "lng": 116.4074}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-outside-1"},
    )
    assert r.status_code == 422
    assert "不在上海市范围内" in r.json()["detail"]
    assert _nothing_stored()


def test_a_20_mb_photo_is_refused(client, reference):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024), "image/jpeg")
    r = client.post("/leads/report/", {**BASE, "photos": big})
    assert r.status_code == 422
    assert "照片太大" in r.content.decode()
    assert _nothing_stored()


def test_a_file_that_is_not_an_image_is_refused(client, reference):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    r = client.post("/leads/report/", {**BASE, "photos": fake})
    assert r.status_code == 422
    assert "不是有效的图片" in r.content.decode()
    assert _nothing_stored()


def test_a_photo_is_kept_without_its_metadata(client, reference, city_admin, client_for):
    photo = SimpleUploadedFile("p.jpg", _jpeg(with_gps=True), "image/jpeg")
    assert b"SecretCam" in _jpeg(with_gps=True)
    r = client.post("/leads/report/", {**BASE, "photos": photo})
    assert r.status_code == 201
    stored = LeadPhoto.objects.get()
    data = stored.image.read()
    assert b"SecretCam" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    lead = stored.lead
    served = client_for(city_admin).get(f"/leads/{lead.pk}/photos/{stored.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert client.get(f"/leads/{lead.pk}/photos/{stored.pk}/").status_code == 302  # login


def test_malformed_json_on_the_grid_endpoint_is_a_4xx(client, make_user, token_for, reference):
    token = token_for(make_user("grid", "dispatcher", "310000"))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k-malformed-1"}
    for body in [
        '{"lat": 31.2, "lng":',
        "[]",
        '{"lat": "north", "lng": 121.4}',
        '{"lat": 31.23, "lng": 121.47, "signals": ["bogus"]}',
        '{"lat": 31.23, "lng": 121.47, "people_count": 0}',
    ]:
        r = client.post(
            "/api/v1/leads/intake", body, content_type="application/json", headers=headers
        )
        assert 400 <= r.status_code < 500, (body, r.status_code)
        assert r.json()["detail"]
    assert _nothing_stored()


def test_a_script_in_the_description_is_escaped_wherever_it_is_shown(
    client, make_lead, city_admin, client_for, huangpu_team, huangpu_dispatcher, huangpu_patrol
):
    from warmwinter.leads.lifecycle import lead_assign

    lead = make_lead(description=SCRIPT)
    make_lead(description=SCRIPT)  # a duplicate, shown on the first one's page
    c = client_for(city_admin)
    pages = [f"/leads/{lead.pk}/", "/leads/", "/dispatch/", "/dispatch/board/live/"]
    for url in pages:
        body = c.get(url).content.decode()
        assert SCRIPT not in body, url
    assert "&lt;script&gt;" in c.get(f"/leads/{lead.pk}/").content.decode()
    lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    body = client_for(huangpu_patrol).get("/dispatch/my/").content.decode()
    assert SCRIPT not in body and "&lt;script&gt;" in body
    assert SCRIPT not in client.get(f"/leads/track/{lead.tracking_code}/").content.decode()
    assert c.get(f"/api/v1/leads/{lead.pk}").json()["description"] == SCRIPT  # JSON, not HTML
