"""How fast is the h3-backed "places near a point" lookup on the demo network?

Run: .venv/bin/python bench/nearby_places.py  (after `make demo` has seeded var/warmwinter.sqlite3)
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmwinter.settings")

import django

django.setup()

from warmwinter.places.models import Place  # noqa: E402
from warmwinter.places.selectors import places_near  # noqa: E402


def main() -> None:
    total = Place.objects.count()
    if total == 0:
        print("no places: run `make demo` (or manage.py seed_demo) first")
        return
    points = list(Place.objects.values_list("lat", "lng")[:200])
    for radius in (300, 1000, 3000):
        timings = []
        found = 0
        for lat, lng in points:
            start = time.perf_counter()
            found += len(places_near(Place.objects.all(), lat=lat, lng=lng, radius_m=radius))
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"radius {radius:>5} m: {len(points)} lookups over {total} places, "
            f"median {statistics.median(timings):.2f} ms, p95 "
            f"{sorted(timings)[int(len(timings) * 0.95)]:.2f} ms, mean hits {found / len(points):.1f}"
        )


if __name__ == "__main__":
    main()
