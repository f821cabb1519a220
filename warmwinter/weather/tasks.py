"""Background work: poll the configured warning feed and expire what has run out. Each task
only calls a service; the network is touched in one place, `fetch_feed`, so tests mock it."""

from __future__ import annotations

import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django_tasks import task

from warmwinter.weather import services
from warmwinter.weather.parsing import MAX_BYTES, WarningRejectedError, split_feed

logger = logging.getLogger(__name__)


def fetch_feed(url: str) -> bytes:
    """The one seam to the outside world: GET the feed, at most MAX_BYTES."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("WEATHER_FEED_URL must be an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": "warmwinter-weather/1"})  # noqa: S310 - scheme checked above
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - scheme checked above
        return bytes(response.read(MAX_BYTES + 1))


@dataclass(frozen=True)
class PollSummary:
    created: int = 0
    duplicates: int = 0
    rejected: int = 0


def poll_feed_now() -> PollSummary:
    url = settings.WEATHER_FEED_URL
    if not url:
        return PollSummary()
    try:
        documents = split_feed(fetch_feed(url))
    except (OSError, ValueError) as exc:
        logger.warning("weather feed %s unreachable: %s", url, exc)
        return PollSummary(rejected=1)
    except WarningRejectedError as exc:
        logger.warning("weather feed %s rejected: %s", url, exc.message)
        return PollSummary(rejected=1)
    created = duplicates = rejected = 0
    for document in documents:
        try:
            result = services.warning_ingest(data=document, via="poll")
        except WarningRejectedError as exc:
            logger.warning("weather feed message rejected: %s", exc.message)
            rejected += 1
            continue
        if result.created:
            created += 1
        else:
            duplicates += 1
    return PollSummary(created, duplicates, rejected)


@task()
def poll_weather_feed() -> dict[str, int]:
    summary = poll_feed_now()
    services.weather_refresh()
    return {
        "created": summary.created,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected,
    }


@task()
def refresh_levels() -> int:
    return len(services.weather_refresh())
