"""Coordinates as typed or sent, before the datum is converted and Shanghai is checked
(`geo.check_in_shanghai` gives the clearer refusal for a point that is merely elsewhere)."""

from __future__ import annotations

from warmwinter.core.validation import between

LATITUDE = between(-90, 90)
LONGITUDE = between(-180, 180)
