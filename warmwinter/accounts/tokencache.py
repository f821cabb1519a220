"""The cache of API tokens' users (see `accounts/auth.py` for why it exists): its keys, and
forgetting entries when a token or its user changes. Below the models, which call it on a bulk
update, so that the models and the authentication do not import each other."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction


def cache_key(key_hash: str) -> str:
    """The cache key of the user a token (by its hash) stands for."""
    return f"accounts:token:{key_hash}"


def forget_tokens(key_hashes: list[str]) -> None:
    """Drop cached users of these tokens now, and again after the commit (a request in between
    may have cached the row as it was before the change)."""
    keys = [cache_key(h) for h in key_hashes]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
