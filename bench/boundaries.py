"""How fast is the district lookup from the boundaries, against the nearest-place lookup it
replaced? Both on the same random points over Shanghai, in one run.

Run: .venv/bin/python bench/boundaries.py  (after `make demo` has seeded var/warmwinter.sqlite3;
the polygon lookup alone needs no database)
"""

import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmwinter.settings")

import django

django.setup()

from warmwinter.core import rulebook  # noqa: E402
from warmwinter.leads import locator  # noqa: E402
from warmwinter.places import boundaries  # noqa: E402
from warmwinter.places.models import Place  # noqa: E402

N = 20_000


def _rate(fn: Callable[[float, float], object], points: list[tuple[float, float]]) -> float:
    start = time.perf_counter()
    for lat, lng in points:
        fn(lat, lng)
    return len(points) / (time.perf_counter() - start)


def main() -> None:
    rng = random.Random(7)
    # The urban core and the suburbs, where leads come from.
    points = [(rng.uniform(30.85, 31.45), rng.uniform(121.15, 121.75)) for _ in range(N)]
    border = rulebook.integer("leads.border_distance")
    boundaries.locate(*points[0], border_m=border)  # load once, outside the timing
    polygon = _rate(lambda lat, lng: boundaries.locate(lat, lng, border_m=border), points)
    inside = sum(boundaries.locate(lat, lng, border_m=border) is not None for lat, lng in points)
    near = sum(
        (h := boundaries.locate(lat, lng, border_m=border)) is not None and h.neighbour is not None
        for lat, lng in points[:2000]
    )
    print(
        f"polygon lookup: {polygon:,.0f} lookups/s ({inside / N:.0%} of points inside a district, "
        f"{near / 2000:.1%} within {border} m of another district)"
    )
    if not Place.objects.exists():
        print("nearest-place lookup: no places (run `make demo` first); no ratio")
        return
    locator.locate(*points[0])  # build the index once
    nearest = _rate(lambda lat, lng: locator.locate(lat, lng), points)
    full = _rate(lambda lat, lng: locator.locate_in_district(lat, lng, border_m=border), points)
    print(
        f"nearest-place lookup (old): {nearest:,.0f} lookups/s over {Place.objects.count()} places"
    )
    print(f"polygon + street of the district (intake's path now): {full:,.0f} lookups/s")
    print(
        f"polygon / nearest-place: {polygon / nearest:.2f}×; intake path / old: {full / nearest:.2f}×"
    )


if __name__ == "__main__":
    main()
