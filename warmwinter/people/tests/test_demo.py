"""The demo data is deterministic, idempotent and fills every page with something to show."""

from django.utils import timezone

from warmwinter.accounts import demo as accounts_demo
from warmwinter.core.seeding import DemoContext
from warmwinter.people import demo
from warmwinter.people.models import LinkReview, LinkStatus, Person, TracingNotice


def _ctx(scale=0):
    return DemoContext(seed=7, scale=scale, now=timezone.now(), password="x")


def test_demo_files_are_created_once_with_review_pairs_and_notices(reference):
    accounts_demo.seed(_ctx())  # the districts' patrol accounts open the demo files
    demo.seed(_ctx(scale=30))
    count = Person.objects.count()
    assert count >= demo.FILES + 30
    assert LinkReview.objects.filter(status=LinkStatus.PENDING).exists()
    assert TracingNotice.objects.exists()
    assert Person.objects.exclude(id_number="").exists()
    names_first = sorted(Person.objects.values_list("name", flat=True))
    demo.seed(_ctx(scale=30))
    assert Person.objects.count() == count
    assert sorted(Person.objects.values_list("name", flat=True)) == names_first
