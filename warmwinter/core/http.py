"""What a request says about where it came from. The one owner of "the client's address": the
rate limit of the anonymous channels and the audit trail both ask here."""

from __future__ import annotations

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent `request`, or None when the server was not told.

    REMOTE_ADDR only, the peer of the connection: X-Forwarded-For and its kin are written by
    the client and mean something only when a proxy we trust has rewritten them. No setting
    names such a proxy today; when one does (issue 15), reading the forwarded address from it
    belongs here and nowhere else.
    """
    return request.META.get("REMOTE_ADDR") or None
