"""甄别寻亲: an unidentified person gets a search notice due within 24 h; only an approved notice
reaches the public, and only with the fields a notice may carry."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from warmwinter.people import selectors, services
from warmwinter.people.models import NoticeStatus, TracingNotice
from warmwinter.people.tests.conftest import valid_id


@pytest.fixture
def unknown_man(make_person, station_worker):
    return make_person(
        "S310000-1",
        by=station_worker,
        sex="male",
        age_estimate=60,
        aliases="老周",
        features="左眉有疤，说安徽口音",
        phone="13800001111",
        found_place="黄浦区南京东路",
    )


def test_an_unidentified_person_gets_a_notice_due_within_24_hours(unknown_man):
    notice = TracingNotice.objects.get(person=unknown_man)
    assert notice.status == NoticeStatus.DRAFT
    assert timedelta(hours=23) < notice.due_at - unknown_man.created_at <= timedelta(hours=24)


def test_the_notice_deadline_and_the_weekly_review_are_the_rulebooks(
    make_person, station_worker, set_rule
):
    set_rule("people.tracing_notice_due", 12)
    person = make_person("S310000-1", by=station_worker, sex="female", age_estimate=70)
    notice = TracingNotice.objects.get(person=person)
    assert timedelta(hours=11) < notice.due_at - person.created_at <= timedelta(hours=12)
    TracingNotice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.PUBLISHED, modified_at=timezone.now() - timedelta(days=4)
    )
    assert not selectors.stale(TracingNotice.objects.all()).exists()
    set_rule("people.tracing_notice_review", 3)
    assert list(selectors.stale(TracingNotice.objects.all())) == [notice]


def test_an_identified_person_gets_no_notice(huangpu_person):
    assert not TracingNotice.objects.filter(person=huangpu_person).exists()


def test_a_draft_past_24_hours_is_overdue(unknown_man, station_worker, client_for):
    notice = TracingNotice.objects.get(person=unknown_man)
    TracingNotice.objects.filter(pk=notice.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert list(selectors.overdue(TracingNotice.objects.all())) == [notice]
    html = client_for(station_worker).get("/people/notices/").content.decode()
    assert "已超时" in html


def test_only_an_approver_may_publish(unknown_man, station_worker):
    notice = TracingNotice.objects.get(person=unknown_man)
    with pytest.raises(PermissionDenied):
        services.tracing_notice_approve(notice=notice, by=station_worker)


def test_the_public_page_shows_nothing_before_approval(unknown_man):
    html = Client().get("/people/xunqin/").content.decode()
    assert "左眉有疤" not in html


def test_the_public_page_shows_only_the_notice_fields_after_approval(
    unknown_man, make_user, client_for
):
    leader = make_user("leader", "station_leader", "S310000-1")
    notice = TracingNotice.objects.get(person=unknown_man)
    response = client_for(leader).post(f"/people/notices/{notice.pk}/approve/")
    assert response.status_code == 302
    html = Client().get("/people/xunqin/").content.decode()
    assert "左眉有疤" in html
    assert "黄浦区南京东路" in html
    assert "老周" not in html and "13800001111" not in html


def test_a_notice_is_withdrawn_when_the_person_is_identified(unknown_man, make_user):
    leader = make_user("leader", "station_leader", "S310000-1")
    notice = TracingNotice.objects.get(person=unknown_man)
    services.tracing_notice_approve(notice=notice, by=leader)
    services.person_update(
        person=unknown_man,
        by=leader,
        name="周大海",
        id_number=valid_id("340102", "19650101", "111"),
        identity_status="verified",
    )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN
    assert "左眉有疤" not in Client().get("/people/xunqin/").content.decode()


def test_a_published_notice_not_reviewed_for_a_week_is_flagged(unknown_man, make_user, client_for):
    leader = make_user("leader", "station_leader", "S310000-1")
    notice = TracingNotice.objects.get(person=unknown_man)
    services.tracing_notice_approve(notice=notice, by=leader)
    TracingNotice.objects.filter(pk=notice.pk).update(
        modified_at=timezone.now() - timedelta(days=8)
    )
    assert list(selectors.stale(TracingNotice.objects.all())) == [notice]
    assert "超过 7 天未更新" in client_for(leader).get("/people/notices/").content.decode()
