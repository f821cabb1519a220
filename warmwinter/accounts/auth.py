"""Authentication for the API: bearer tokens for machines, the session for pages.

Machines (the grid platform pushing leads in bursts) send a token with every request; looking
it and its user up in the database each time cost as much as storing a lead. The user a token
stands for is therefore kept in the cache for API_TOKEN_CACHE_S seconds (default 10), keyed by a
hash of the token, never past the token's expiry. Revoking, editing or deleting a token, or
changing its user, clears the entry at once (`accounts/signals.py`); a process with its own
in-memory cache that did not make the change sees it within the TTL. A miss goes through
`ApiToken.authenticate`, which also records when the token was last used (to the minute).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from warmwinter.accounts.models import ApiToken
from warmwinter.accounts.tokencache import cache_key

if TYPE_CHECKING:
    from warmwinter.accounts.models import User


class TokenAuth(HttpBearer):
    openapi_description = "Authorization: Bearer ww_…（由市级管理员签发的 API 令牌）"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        ttl = settings.API_TOKEN_CACHE_S
        key = cache_key(ApiToken.hash_of(token))
        # The cache returns a fresh copy of the user each time: no request shares an instance.
        user = cache.get(key) if ttl > 0 else None
        if user is None:
            user = ApiToken.authenticate(token)
            if user is None:
                return None
            if ttl > 0:
                expires = (
                    ApiToken.objects.filter(key_hash=ApiToken.hash_of(token))
                    .values_list("expires_at", flat=True)
                    .first()
                )
                if expires is not None:
                    ttl = min(ttl, int((expires - timezone.now()).total_seconds()))
                if ttl > 0:
                    cache.set(key, user, ttl)
        request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """Session auth (with CSRF on unsafe methods) for the pages' own fetches."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api_auth = [TokenAuth(), ActiveSessionAuth()]


def request_user(request: HttpRequest) -> User:
    """The authenticated user of a request that passed `api_auth` or `login_required`."""
    return cast("User", request.user)
