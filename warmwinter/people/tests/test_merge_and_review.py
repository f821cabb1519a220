"""Links are reversible and audited; a rejected pair is never suggested again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from warmwinter.audit.models import AuditEvent
from warmwinter.people import selectors, services
from warmwinter.people.models import (
    LinkReview,
    LinkStatus,
    Person,
    PersonMerge,
    TimelineEntry,
    TimelineKind,
)


@pytest.fixture
def pair(make_person, unit):
    a = make_person(
        "310101", name="张伟", sex="male", birth_year=1970, focus_groups=["rough_sleeping"]
    )
    b = make_person("310101", name="章伟", sex="male", birth_year=1971, focus_groups=["mental"])
    for person, place in ((a, "人民广场"), (b, "外滩")):
        services.timeline_record(
            person=person,
            kind=TimelineKind.ENCOUNTER,
            at=timezone.now() - timedelta(days=1),
            summary=f"在{place}发现",
            org_unit=unit("310101"),
            place_name=place,
        )
    return a, b


def _timeline(person):
    return set(TimelineEntry.objects.filter(person=person).values_list("pk", flat=True))


def test_linking_a_reviewed_pair_merges_the_timelines_and_is_audited(pair, huangpu_admin):
    a, b = pair
    review = LinkReview.objects.get(person_low=a, person_high=b)
    services.link_review_decide(review=review, by=huangpu_admin, link=True)
    b.refresh_from_db()
    assert b.merged_into == a and b.is_archived
    assert TimelineEntry.objects.filter(person=a, summary="在外滩发现").exists()
    assert set(a.focus_groups.values_list("group", flat=True)) == {"rough_sleeping", "mental"}
    events = AuditEvent.objects.filter(actor=huangpu_admin)
    assert events.filter(target_type="people.linkreview", detail__event="link").exists()
    assert events.filter(target_type="people.person", detail__event="merge").count() == 2


def test_an_unlink_restores_both_timelines(pair, huangpu_admin):
    a, b = pair
    a_before, b_before = _timeline(a), _timeline(b)
    review = LinkReview.objects.get(person_low=a, person_high=b)
    services.link_review_decide(review=review, by=huangpu_admin, link=True)
    merge = PersonMerge.objects.get(merged=b)
    services.merge_undo(merge=merge, by=huangpu_admin)
    b.refresh_from_db()
    assert b.merged_into is None and not b.is_archived
    assert b_before == _timeline(b)
    assert a_before <= _timeline(a)  # plus the lines recording the merge and its undoing
    assert not (_timeline(a) & b_before)
    assert set(a.focus_groups.values_list("group", flat=True)) == {"rough_sleeping"}
    assert AuditEvent.objects.filter(detail__event="unmerge").count() == 2


def test_a_rejected_pair_is_never_suggested_again(pair, huangpu_admin):
    a, b = pair
    review = LinkReview.objects.get(person_low=a, person_high=b)
    services.link_review_decide(review=review, by=huangpu_admin, link=False)
    assert AuditEvent.objects.filter(detail__event="reject").exists()
    services.person_update(person=b, by=huangpu_admin, name="张伟")  # now an exact namesake
    review.refresh_from_db()
    assert review.status == LinkStatus.REJECTED
    assert not selectors.review_queue(user=huangpu_admin).exists()


def test_an_undone_merge_is_not_suggested_again(pair, huangpu_admin):
    a, b = pair
    review = LinkReview.objects.get(person_low=a, person_high=b)
    services.link_review_decide(review=review, by=huangpu_admin, link=True)
    services.merge_undo(merge=PersonMerge.objects.get(merged=b), by=huangpu_admin)
    review.refresh_from_db()
    assert review.status == LinkStatus.REJECTED
    assert not selectors.review_queue(user=huangpu_admin).exists()


def test_a_pair_cannot_be_decided_twice(pair, huangpu_admin):
    from django.core.exceptions import ValidationError

    a, b = pair
    review = LinkReview.objects.get(person_low=a, person_high=b)
    services.link_review_decide(review=review, by=huangpu_admin, link=False)
    with pytest.raises(ValidationError):
        services.link_review_decide(review=review, by=huangpu_admin, link=True)


def test_review_and_undo_over_http_page_and_api(pair, huangpu_admin, client_for, token_for):
    a, b = pair
    review = LinkReview.objects.get(person_low=a, person_high=b)
    client = client_for(huangpu_admin)
    page = client.get("/people/review/")
    assert "姓名读音相同：章伟 ~ 张伟" in page.content.decode()
    response = client.post(f"/people/review/{review.pk}/", {"decision": "link"})
    assert response.status_code == 302
    merge = PersonMerge.objects.get(merged=b)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(huangpu_admin)}"}
    undo = client.post(f"/api/v1/people/merges/{merge.pk}/undo", **auth)
    assert undo.status_code == 200, undo.content
    assert Person.objects.get(pk=b.pk).merged_into is None


def test_a_timeline_entry_for_a_merged_file_lands_on_the_surviving_file(pair, huangpu_admin):
    a, b = pair
    services.link_review_decide(
        review=LinkReview.objects.get(person_low=a, person_high=b), by=huangpu_admin, link=True
    )
    entry = services.timeline_record(
        person=Person.objects.get(pk=b.pk),
        kind=TimelineKind.SUPPLY,
        at=timezone.now(),
        summary="发放棉被 1 条",
        by=huangpu_admin,
    )
    assert entry.person_id == a.pk
