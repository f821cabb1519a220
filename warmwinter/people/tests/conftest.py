"""People fixtures: files held by Huangpu and Pudong, and a station worker who sees full IDs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from warmwinter.people import idnumbers, services
from warmwinter.people.models import Person


def valid_id(region: str = "310101", birth: str = "19700315", seq: str = "123") -> str:
    return idnumbers.with_check_digit(f"{region}{birth}{seq}")


@pytest.fixture
def make_person(unit, request):
    """A file held by `unit_code`, opened by `by` (by default the city admin, who may open one
    anywhere: person_create requires a user who manages person files within the unit)."""

    def make(unit_code: str = "310101", by=None, **data) -> Person:
        by = by or request.getfixturevalue("city_admin")
        person, _warnings = services.person_create(by=by, org_unit=unit(unit_code), **data)
        return person

    return make


@pytest.fixture
def huangpu_person(make_person, huangpu_admin) -> Person:
    return make_person(
        "310101002",
        by=huangpu_admin,
        name="张建国",
        sex="male",
        id_number=valid_id(),
        identity_status="verified",
    )


@pytest.fixture
def pudong_person(make_person, pudong_patrol) -> Person:
    return make_person("310115009", by=pudong_patrol, name="李秀英", sex="female", birth_year=1958)


@pytest.fixture
def hours_ago():
    return lambda h: timezone.now() - timedelta(hours=h)
