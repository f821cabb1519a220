import pytest

from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record


def test_audit_record_keeps_who_did_what_to_which_record(rf, huangpu_dispatcher, huangpu_key_place):
    request = rf.get("/places/1/", REMOTE_ADDR="10.1.2.3")
    event = audit_record(
        actor=huangpu_dispatcher, action=AuditAction.VIEW, target=huangpu_key_place, request=request
    )
    assert event.actor_label == "huangpu_dispatcher"
    assert event.target_type == "places.place"
    assert event.target_id == str(huangpu_key_place.pk)
    assert event.org_unit.code == "310101002"
    assert event.ip == "10.1.2.3"
    assert event.via == "page"


def test_audit_events_cannot_be_changed_or_deleted(city_admin):
    event = audit_record(actor=city_admin, action=AuditAction.LOGIN)
    event.action = AuditAction.LOGOUT
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_district_admin_sees_events_about_their_district_only(
    client_for, huangpu_admin, city_admin, huangpu_key_place, pudong_key_place
):
    audit_record(actor=city_admin, action=AuditAction.UPDATE, target=huangpu_key_place)
    audit_record(actor=city_admin, action=AuditAction.UPDATE, target=pudong_key_place)
    body = client_for(huangpu_admin).get("/audit/").content.decode()
    assert "人民广场地下通道" in body
    assert "世纪大道地下通道" not in body


def test_dispatcher_cannot_read_the_audit_trail(client_for, huangpu_dispatcher):
    assert client_for(huangpu_dispatcher).get("/audit/").status_code == 403


def test_auditor_reads_the_whole_trail(client_for, auditor, city_admin, pudong_key_place):
    audit_record(actor=city_admin, action=AuditAction.UPDATE, target=pudong_key_place)
    response = client_for(auditor).get("/audit/")
    assert "世纪大道地下通道" in response.content.decode()
