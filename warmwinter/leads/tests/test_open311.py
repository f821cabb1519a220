"""Open311 GeoReport v2 beyond the basics: a photo link kept as a reference and never fetched,
and the list of requests (by id, status and date), which never carries personal data."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from warmwinter.core import clock
from warmwinter.leads.models import Lead, LeadStatus

POINT = {"service_code": "person-in-cold", "lat": "31.2320", "long": "121.4750"}


def _post(client, **extra):
    return client.post("/open311/v2/requests.json", {**POINT, **extra})


def test_a_media_url_is_kept_as_a_link_and_never_fetched(
    client, huangpu_key_place, huangpu_dispatcher, client_for, monkeypatch
):
    def no_network(*args, **kwargs):
        raise AssertionError("the server must not fetch media_url")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    url = "https://photos.example.org/p/123.jpg?size=large"
    r = _post(client, media_url=url, description="桥洞里有人")
    assert r.status_code == 201, r.content
    lead = Lead.objects.get()
    assert lead.media_url == url
    page = client_for(huangpu_dispatcher).get(f"/leads/{lead.pk}/").content.decode()
    assert 'data-testid="lead-media-url"' in page and 'rel="noopener noreferrer nofollow"' in page
    assert f'<img src="{url}' not in page.replace("&amp;", "&")
    status = client.get(f"/open311/v2/requests/{lead.tracking_code}.json").json()[0]
    assert "photos.example.org" not in json.dumps(status)


@pytest.mark.parametrize(
    "media_url",
    ["javascript:alert(1)", "file:///etc/passwd", "not a url", "https://x.org/" + "a" * 600],
)
def test_a_media_url_that_is_not_a_web_link_is_refused_and_nothing_stored(
    client, reference, media_url
):
    r = _post(client, media_url=media_url)
    assert r.status_code == 400
    assert r.json()[0]["code"] == 400
    assert not Lead.objects.exists()


def test_the_request_list_filters_by_status_and_date_and_shows_no_personal_data(client, make_lead):
    now = timezone.now()
    fresh = make_lead(reporter_phone="13912345678", description="穿得很少的老人")
    old = make_lead(received_at=now - timedelta(days=10))
    Lead.objects.filter(pk=old.pk).update(status=LeadStatus.CANCELLED)
    ancient = make_lead(received_at=now - timedelta(days=120))

    def codes(**params):
        r = client.get("/open311/v2/requests.json", params)
        assert r.status_code == 200, r.content
        body = r.json()
        text = json.dumps(body, ensure_ascii=False)
        for private in ("13912345678", "穿得很少", "31.23", "121.47", "lat", "address"):
            assert private not in text
        return [x["service_request_id"] for x in body]

    assert codes() == [fresh.tracking_code, old.tracking_code]  # the last 90 days, newest first
    assert codes(status="open") == [fresh.tracking_code]
    assert codes(status="closed") == [old.tracking_code]
    day = clock.local_date(now - timedelta(days=10)).isoformat()
    assert codes(start_date=day, end_date=day) == [old.tracking_code]
    since = (now - timedelta(days=130)).isoformat()
    until = (now - timedelta(days=100)).isoformat()
    assert codes(start_date=since, end_date=until) == [ancient.tracking_code]
    assert codes(service_request_id=f"{ancient.tracking_code},{fresh.tracking_code}") == [
        ancient.tracking_code,
        fresh.tracking_code,
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-40"},
        {"status": "pending"},
        {"service_code": "pothole"},
        {"start_date": "2025-01-01", "end_date": "2025-12-31"},  # more than 90 days
        {"start_date": "2026-02-01", "end_date": "2026-01-01"},
    ],
)
def test_a_bad_request_list_query_is_a_clear_400(client, reference, params):
    r = client.get("/open311/v2/requests.json", params)
    assert r.status_code == 400
    assert r.json()[0]["description"]
