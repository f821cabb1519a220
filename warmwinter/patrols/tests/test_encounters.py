"""Encounters at the kerb: from a dispatched lead to a closed encounter with supplies and a
follow-up; replays; bad input that must change nothing."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from warmwinter.audit.models import AuditEvent
from warmwinter.leads.lifecycle import lead_assign
from warmwinter.leads.models import LeadStatus
from warmwinter.notifications.models import Notification
from warmwinter.patrols import services
from warmwinter.patrols.models import Encounter, FollowUp
from warmwinter.people.models import Person, TimelineEntry
from warmwinter.people.services import person_create
from warmwinter.supplies.models import StockMovement
from warmwinter.supplies.selectors import on_hand


def jpeg(size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return SimpleUploadedFile("kerb.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def refusing(encounter_input, catalogue):
    def make(**fields):
        defaults = {
            "willingness": "refuses",
            "disposition": "supplies",
            "help_contact_left": True,
            "items": [("instant-food", Decimal(2)), ("cotton-coat", Decimal(1))],
            "new_person": services.NewPerson(name="老张", sex="male", age_estimate=55),
        }
        defaults.update(fields)
        return encounter_input(**defaults)

    return make


def test_dispatched_lead_to_closed_encounter_with_supplies_and_follow_up(
    make_lead, huangpu_dispatcher, huangpu_team, huangpu_patrol, huangpu_mobile, catalogue, refusing
):
    lead = make_lead("huangpu")
    lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)

    result = services.encounter_record(
        by=huangpu_patrol, data=refusing(lead_id=lead.pk, photos=[jpeg()])
    )

    encounter = result.encounter
    assert result.created and result.conflicts == []
    assert encounter.suggested == encounter.disposition == "supplies"
    assert encounter.team == huangpu_team and encounter.district.code == "310101"
    # the lead is closed with the encounter's outcome
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLOSED and lead.outcome == "refused_supplies"
    # the supplies left the team's mobile stock, recorded against the person
    assert on_hand(huangpu_mobile, catalogue.food) == Decimal(8)
    assert on_hand(huangpu_mobile, catalogue.coat) == Decimal(9)
    assert (
        StockMovement.objects.filter(
            ref_type="encounter", ref_id=str(encounter.client_uuid)
        ).count()
        == 2
    )
    # a file was opened (先行救助) and the encounter is on its timeline
    person = encounter.person
    assert person.aliases == "" and person.name == "老张"
    kinds = set(TimelineEntry.objects.filter(person=person).values_list("kind", flat=True))
    assert {"encounter", "supply", "file"} <= kinds
    # a follow-up is on the team's list, due within the level's hours
    follow_up = FollowUp.objects.get(encounter=encounter)
    assert follow_up.team == huangpu_team and follow_up.done_at is None
    assert follow_up.due_at == encounter.occurred_at + timedelta(hours=24)
    assert encounter.photos.count() == 1
    assert AuditEvent.objects.filter(
        target_type="patrols.encounter", target_id=str(encounter.pk)
    ).exists()

    done, changed = services.follow_up_done(
        follow_up=follow_up,
        by=huangpu_patrol,
        visit=services.VisitInput(
            found=True, state="仍在原地，精神尚可", willingness="willing", note="已再送热饮"
        ),
    )
    assert changed and done.done_at is not None
    assert TimelineEntry.objects.filter(person=person, kind="follow_up").exists()


def test_the_same_submission_twice_is_one_encounter(
    huangpu_patrol, huangpu_team, huangpu_mobile, refusing
):
    data = refusing()
    first = services.encounter_record(by=huangpu_patrol, data=data)
    again = services.encounter_record(by=huangpu_patrol, data=data)
    assert first.created and not again.created
    assert again.encounter.pk == first.encounter.pk
    assert Encounter.objects.count() == 1
    assert StockMovement.objects.filter(ref_type="encounter").count() == 2  # not four
    assert Person.objects.count() == 1


def test_an_existing_file_is_linked_not_duplicated(
    huangpu_patrol, huangpu_team, encounter_input, unit
):
    person, _w = person_create(
        by=huangpu_patrol, org_unit=unit("310101"), name="张伟", aliases="老张"
    )
    result = services.encounter_record(by=huangpu_patrol, data=encounter_input(person_id=person.pk))
    assert result.encounter.person == person
    assert Person.objects.count() == 1


def test_an_elderly_person_guided_instead_of_escorted_needs_a_reason(
    huangpu_patrol, huangpu_team, encounter_input
):
    with pytest.raises(ValidationError) as exc:
        services.encounter_record(by=huangpu_patrol, data=encounter_input(flags=["elderly"]))
    assert "deviation_reason" in exc.value.message_dict
    assert Encounter.objects.count() == 0 and Person.objects.count() == 0


def test_escort_to_hospital_then_handover(huangpu_patrol, huangpu_team, encounter_input, hospital):
    result = services.encounter_record(
        by=huangpu_patrol,
        data=encounter_input(
            flags=["critically_ill"],
            disposition="hospital",
            escort_members="王警官、李队员",
            escort_to_id=hospital("上海市第一人民医院").pk,
        ),
    )
    arrived = services.escort_arrived(
        encounter=result.encounter, by=huangpu_patrol, arrived_at=None, handover_to="急诊科 陈护士"
    )
    assert arrived.escort_arrived_at is not None and arrived.handover_to == "急诊科 陈护士"


def test_a_shanghai_resident_is_referred_to_the_household_street(
    huangpu_patrol, huangpu_team, encounter_input, make_user
):
    from warmwinter.accounts.roles import Role

    xuhui_admin = make_user("xuhui_admin", Role.DISTRICT_ADMIN, "310104")
    result = services.encounter_record(
        by=huangpu_patrol,
        data=encounter_input(flags=["shanghai_resident"], household_street_code="310104003"),
    )
    assert result.encounter.household_street.code == "310104003"
    assert Notification.objects.filter(recipient=xuhui_admin, title__contains="本市户籍").exists()


# --- bad input changes nothing ------------------------------------------------------------------


def _nothing_stored():
    assert Encounter.objects.count() == 0
    assert Person.objects.count() == 0
    assert StockMovement.objects.filter(kind="issue").count() == 0


def test_a_person_outside_the_teams_scope(
    huangpu_patrol, huangpu_team, encounter_input, unit, pudong_patrol
):
    pudong_person, _w = person_create(by=pudong_patrol, org_unit=unit("310115"), name="李四")
    with pytest.raises(ValidationError) as exc:
        services.encounter_record(
            by=huangpu_patrol, data=encounter_input(person_id=pudong_person.pk)
        )
    assert "不在您的查看范围内" in exc.value.message_dict["person_id"][0]
    assert Encounter.objects.count() == 0


def test_a_future_timestamp(huangpu_patrol, huangpu_team, encounter_input):
    with pytest.raises(ValidationError) as exc:
        services.encounter_record(
            by=huangpu_patrol, data=encounter_input(occurred_at=timezone.now() + timedelta(hours=2))
        )
    assert "不能晚于现在" in exc.value.message_dict["occurred_at"][0]
    _nothing_stored()


def test_an_oversized_photo(huangpu_patrol, huangpu_team, refusing, huangpu_mobile, settings):
    settings.PHOTO_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        services.encounter_record(by=huangpu_patrol, data=refusing(photos=[jpeg((400, 400))]))
    assert "照片太大" in exc.value.message_dict["photos"][0]
    _nothing_stored()


def test_supplies_refused_without_food_and_warmth(
    huangpu_patrol, huangpu_team, refusing, huangpu_mobile
):
    with pytest.raises(ValidationError) as exc:
        services.encounter_record(
            by=huangpu_patrol, data=refusing(items=[("instant-food", Decimal(1))])
        )
    assert "御寒物资" in exc.value.message_dict["items"][0]
    _nothing_stored()


def test_a_stock_shortfall_keeps_the_encounter_and_says_so(
    huangpu_patrol, huangpu_team, refusing, huangpu_mobile
):
    result = services.encounter_record(
        by=huangpu_patrol,
        data=refusing(items=[("instant-food", Decimal(50)), ("cotton-coat", Decimal(1))]),
    )
    assert result.created
    assert any("出库未成功" in c for c in result.conflicts)
    assert result.encounter.items.count() == 2  # what was handed over is on record


def test_a_lead_closed_meanwhile_is_a_conflict_not_a_loss(
    make_lead, huangpu_dispatcher, huangpu_team, huangpu_patrol, encounter_input
):
    from warmwinter.leads.lifecycle import lead_cancel

    lead = make_lead("huangpu")
    lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    lead_cancel(lead=lead, by=huangpu_dispatcher, reason="重复报告")
    result = services.encounter_record(by=huangpu_patrol, data=encounter_input(lead_id=lead.pk))
    assert result.created
    assert any(lead.tracking_code in c for c in result.conflicts)


# --- follow-ups escalate like leads --------------------------------------------------------------


def test_overdue_follow_ups_escalate_to_district_then_city(
    huangpu_patrol, huangpu_team, refusing, huangpu_mobile, huangpu_admin, city_admin
):
    result = services.encounter_record(by=huangpu_patrol, data=refusing())
    follow_up = FollowUp.objects.get(encounter=result.encounter)
    later = follow_up.due_at + timedelta(minutes=1)
    assert services.escalate_overdue_follow_ups(now=later) == 1
    assert Notification.objects.filter(recipient=huangpu_admin, title="后续跟踪超时督办").exists()
    assert services.escalate_overdue_follow_ups(now=later) == 0  # once per step
    assert services.escalate_overdue_follow_ups(now=later + timedelta(hours=1)) == 1
    assert Notification.objects.filter(recipient=city_admin, title="后续跟踪超时督办").exists()
    services.follow_up_done(
        follow_up=follow_up,
        by=huangpu_patrol,
        visit=services.VisitInput(
            found=False, note="未见到本人", lat=follow_up.encounter.lat, lng=follow_up.encounter.lng
        ),
    )
    services.escalate_overdue_follow_ups(now=later + timedelta(hours=5))
    follow_up.refresh_from_db()
    assert follow_up.escalation_level == 2  # done: it goes no further; the next one is new
    assert follow_up.next.due_at > follow_up.due_at  # not found: someone goes back again


def test_replayed_follow_up_done_is_once(huangpu_patrol, huangpu_team, refusing, huangpu_mobile):
    result = services.encounter_record(by=huangpu_patrol, data=refusing())
    follow_up = FollowUp.objects.get(encounter=result.encounter)
    key = uuid.uuid4()
    visit = services.VisitInput(found=True, state="好", willingness="willing")
    _f, first = services.follow_up_done(
        follow_up=follow_up, by=huangpu_patrol, visit=visit, client_uuid=key
    )
    _f, second = services.follow_up_done(
        follow_up=follow_up, by=huangpu_patrol, visit=visit, client_uuid=key
    )
    assert first and not second
    assert TimelineEntry.objects.filter(kind="follow_up").count() == 1
