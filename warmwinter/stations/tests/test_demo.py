from django.utils import timezone

from warmwinter.core.seeding import DemoContext
from warmwinter.stations import demo, selectors
from warmwinter.stations.models import Admission, AidDecision, Bed, NightRound


def test_demo_seeds_beds_and_admissions_once(station_worker, station_leader, station1):
    ctx = DemoContext(seed=1, scale=1, now=timezone.now(), password="x")
    demo.seed(ctx)
    counts = Bed.objects.count(), Admission.objects.count(), NightRound.objects.count()
    demo.seed(ctx)
    assert (Bed.objects.count(), Admission.objects.count(), NightRound.objects.count()) == counts
    assert counts[1] == 10
    assert selectors.visits_overdue(user=station_worker).count() == 1
    assert selectors.stays_near_limit(user=station_worker)
    rows = selectors.placements(user=station_worker, station=station1)
    by_name = {r.admission.person.display_name: r for r in rows}
    assert by_name["老哑巴"].next_step == "face"
    assert AidDecision.objects.filter(kind="refuse", decided_by=station_leader).count() == 1
