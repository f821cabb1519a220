"""A patrol escorts a person to a station; the station sees them coming and admits them with
the person file the patrol opened — the escort is then recorded as arrived and handed over."""

from __future__ import annotations

from warmwinter.patrols import services
from warmwinter.places.models import Place, PlaceKind
from warmwinter.stations.models import Admission


def test_an_escorted_person_is_expected_at_the_station_and_admitted_with_their_file(
    huangpu_patrol, huangpu_team, station_worker, encounter_input, client_for
):
    station_place = Place.objects.get(kind=PlaceKind.STATION, org_unit__code="S310000-1")
    encounter = services.encounter_record(
        by=huangpu_patrol,
        data=encounter_input(
            flags=["elderly", "cannot_give_info"],
            willingness="unknown",
            disposition="escort_station",
            escort_members="民政 李队员、公安 王警官",
            escort_to_id=station_place.pk,
        ),
    ).encounter

    client = client_for(station_worker)
    board = client.get("/stations/s/S310000-1/").content.decode()
    assert "护送途中" in board and "民政 李队员" in board
    form = client.get(f"/stations/s/S310000-1/admit/?encounter={encounter.pk}")
    assert form.status_code == 200 and "护送来站" in form.content.decode()
    response = client.post(
        f"/stations/s/S310000-1/admit/?encounter={encounter.pk}",
        {
            "encounter": encounter.pk,
            "brought_by": "patrol",
            "category": "vagrant",
            "sex": "unknown",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    admission = Admission.objects.get()
    assert admission.person == encounter.person and admission.encounter == encounter
    assert admission.first_receiver == station_worker
    encounter.refresh_from_db()
    assert encounter.escort_arrived_at is not None
    assert encounter.handover_to == (station_worker.display_name or station_worker.username)
    assert "护送途中" not in client.get("/stations/s/S310000-1/").content.decode()


def test_another_stations_escort_cannot_be_admitted_here(
    huangpu_patrol, huangpu_team, make_user, encounter_input, client_for
):
    from warmwinter.accounts.roles import Role

    station_place = Place.objects.get(kind=PlaceKind.STATION, org_unit__code="S310000-1")
    encounter = services.encounter_record(
        by=huangpu_patrol,
        data=encounter_input(
            flags=["minor"],
            disposition="escort_station",
            escort_members="李队员",
            escort_to_id=station_place.pk,
        ),
    ).encounter
    other = make_user("huangpu_station", Role.STATION_WORKER, "S310101")
    response = client_for(other).get(f"/stations/s/S310101/admit/?encounter={encounter.pk}")
    assert response.status_code == 404
