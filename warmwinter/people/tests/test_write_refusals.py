"""Opening and changing a person file need MANAGE_PEOPLE within the unit that holds it: the
auditor reads everything and changes nothing — in the service, on the page and in the API.
(Before the one permission check, `person_create` and `person_update` checked nobody.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from warmwinter.audit.models import AuditEvent
from warmwinter.people import services
from warmwinter.people.models import Person

REFUSAL = "您的角色不能建立或修改人员档案"


def _files() -> tuple[int, list[tuple[str, str]], int]:
    people = list(Person.objects.order_by("pk").values_list("name", "features"))
    return Person.objects.count(), people, AuditEvent.objects.count()


def test_the_auditor_cannot_open_or_change_a_file(
    auditor: Any, unit: Any, huangpu_person: Person
) -> None:
    before = _files()
    with pytest.raises(PermissionDenied, match=REFUSAL):
        services.person_create(by=auditor, org_unit=unit("310101"), name="王五")
    with pytest.raises(PermissionDenied, match=REFUSAL):
        services.person_update(person=huangpu_person, by=auditor, features="左脸有疤")
    assert _files() == before


def test_a_district_cannot_open_a_file_for_another_district(huangpu_admin: Any, unit: Any) -> None:
    with pytest.raises(PermissionDenied, match="不在您所属单位的范围内"):
        services.person_create(by=huangpu_admin, org_unit=unit("310115"), name="王五")
    assert not Person.objects.filter(name="王五").exists()


def test_the_page_refuses_the_auditor_and_nothing_changes(
    auditor: Any, huangpu_person: Person, client_for: Any
) -> None:
    client = client_for(auditor)
    before = _files()
    created = client.post("/people/new/", {"name": "王五", "sex": "male"})
    edited = client.post(
        f"/people/{huangpu_person.pk}/edit/", {"name": "张建国", "sex": "male", "features": "疤"}
    )
    assert (created.status_code, edited.status_code) == (403, 403)
    assert _files() == before


def test_the_api_refuses_the_auditor_and_nothing_changes(
    auditor: Any, huangpu_person: Person, client: Any, token_for: Any
) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(auditor)}"}
    before = _files()
    created = client.post(
        "/api/v1/people/persons",
        json.dumps({"name": "王五", "sex": "male"}),
        content_type="application/json",
        **auth,
    )
    edited = client.patch(
        f"/api/v1/people/persons/{huangpu_person.pk}",
        json.dumps({"features": "左脸有疤"}),
        content_type="application/json",
        **auth,
    )
    assert (created.status_code, edited.status_code) == (403, 403)
    assert created.json() == {"detail": REFUSAL, "errors": []}
    assert edited.json() == {"detail": REFUSAL, "errors": []}
    assert _files() == before
