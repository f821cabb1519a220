"""Authentication for the API: bearer tokens for machines, the session for pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from warmwinter.accounts.models import ApiToken

if TYPE_CHECKING:
    from warmwinter.accounts.models import User


class TokenAuth(HttpBearer):
    openapi_description = "Authorization: Bearer ww_…（由市级管理员签发的 API 令牌）"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
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
