from django.utils import timezone

from warmwinter.core.seeding import DemoContext
from warmwinter.stations import demo, selectors
from warmwinter.stations.models import Admission, Bed


def test_demo_seeds_beds_and_admissions_once(station_worker, station1):
    ctx = DemoContext(seed=1, scale=1, now=timezone.now(), password="x")
    demo.seed(ctx)
    beds, admissions = Bed.objects.count(), Admission.objects.count()
    demo.seed(ctx)
    assert (Bed.objects.count(), Admission.objects.count()) == (beds, admissions)
    assert admissions == 9
    assert selectors.visits_overdue(user=station_worker).count() == 1
    assert selectors.stays_near_limit(user=station_worker)
