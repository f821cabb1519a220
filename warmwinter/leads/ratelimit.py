"""A fixed-window rate limit per client address, kept in the Django cache.

Used by the anonymous channels (the public page and Open311). The client's address is
`core/http.client_address`'s to say.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from warmwinter.core.http import client_address

#: (reports, seconds) per client address.


def hit(request: HttpRequest, bucket: str) -> bool:
    """Count one request; True when the client is over the limit (and should get 429)."""
    limit, window = settings.LEADS_PUBLIC_RATE  # (posts, seconds) per client address
    key = f"leads-rate:{bucket}:{client_address(request) or 'unknown'}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
