from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from warmwinter.accounts.models import User
from warmwinter.places.models import OrgUnit, Place, PlaceKind

DEMO_USERNAMES = [
    "city_admin",
    "huangpu_admin",
    "huangpu_dispatcher",
    "hotline",
    "pudong_patrol",
    "station1_worker",
    "station1_leader",
    "reporter",
    "auditor",
]


#: What a rerun may add to: the trail of what was done, messages about it, and the log of
#: warning messages received (a rerun receives the demo warnings again).
GROWING = {"audit", "notifications", "django_tasks_database", "sessions", "weather.WarningReceipt"}


def _snapshot():
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not {model._meta.app_label, model._meta.label} & GROWING
    }
    return (
        sorted(Place.objects.values_list("name", "lat", "lng")),
        sorted(OrgUnit.objects.values_list("code", "name")),
        sorted(User.objects.values_list("username", "display_name", "role")),
        counts,
    )


@pytest.mark.django_db
def test_seed_demo_is_deterministic_and_can_run_twice(settings):
    settings.DEMO_PASSWORD = "demo-pass-1"
    out = StringIO()
    call_command("seed_demo", "--seed", "7", stdout=out)
    first = _snapshot()
    call_command("seed_demo", "--seed", "7", stdout=StringIO())
    assert _snapshot() == first
    counts = first[3]
    for label in ("patrols.Encounter", "patrols.PatrolStop", "leads.Lead", "people.Person"):
        assert counts[label] > 0, label  # every domain has something to show
    text = out.getvalue()
    for username in DEMO_USERNAMES:
        assert username in text
    assert "demo-pass-1" in text


@pytest.mark.django_db
def test_demo_accounts_cover_every_role_and_sign_in_with_the_demo_password(settings):
    settings.DEMO_PASSWORD = "demo-pass-2"
    call_command("seed_demo", stdout=StringIO())
    users = User.objects.filter(username__in=DEMO_USERNAMES)
    assert {u.role for u in users} == {
        "city_admin",
        "district_admin",
        "dispatcher",
        "hotline_operator",
        "patrol_member",
        "station_worker",
        "station_leader",
        "reporter",
        "auditor",
    }
    assert User.objects.get(username="pudong_patrol").org_unit.code == "310115"
    assert all(u.check_password("demo-pass-2") for u in users)


@pytest.mark.django_db
def test_demo_network_has_every_place_kind_in_every_district():
    call_command("seed_demo", stdout=StringIO())
    for district in OrgUnit.objects.filter(level="district"):
        kinds = set(
            Place.objects.filter(org_unit__path__startswith=district.path).values_list(
                "kind", flat=True
            )
        )
        # hospitals are real ones, where they are; every other kind is in every district
        assert kinds - {PlaceKind.HOSPITAL} == set(PlaceKind.values) - {PlaceKind.HOSPITAL}, (
            district.name
        )
    ruijin = Place.objects.get(kind=PlaceKind.HOSPITAL, name="瑞金医院")
    assert ruijin.address == "黄浦区瑞金二路197号" and ruijin.org_unit.code == "310101"
    assert Place.objects.filter(kind=PlaceKind.HOSPITAL).count() >= 5


@pytest.mark.django_db
def test_a_negative_scale_is_refused():
    with pytest.raises(SystemExit):
        call_command("seed_demo", "--scale", "-1", stdout=StringIO(), stderr=StringIO())
