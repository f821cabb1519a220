"""Reads of the weather response: other apps call these and nothing else."""

from django.conf import settings

from warmwinter.places.models import OrgUnit
from warmwinter.weather.levels import LevelEffects, ResponseLevel


def current_level(district: OrgUnit) -> ResponseLevel:
    """The response level in force for `district` now.

    Until warnings are ingested this is the configured WEATHER_DEFAULT_LEVEL for every district.
    """
    return ResponseLevel(settings.WEATHER_DEFAULT_LEVEL)


def level_effects(district: OrgUnit) -> LevelEffects:
    return LevelEffects(level=current_level(district))
