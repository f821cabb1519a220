"""A fixed-window rate limit per client address, kept in the Django cache.

Used by the anonymous channels (the public page and Open311). REMOTE_ADDR only: a forwarded
header is set by the client unless a trusted proxy rewrites it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

#: (reports, seconds) per client address.
PUBLIC_RATE_DEFAULT = (10, 600)


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def hit(request: HttpRequest, bucket: str) -> bool:
    """Count one request; True when the client is over the limit (and should get 429)."""
    limit, window = settings.LEADS_PUBLIC_RATE  # (posts, seconds) per client address
    key = f"leads-rate:{bucket}:{client_ip(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
