"""The client's address (`core/http.client_address`), as the rate limit and the audit see it."""

from warmwinter.core.http import client_address


def test_the_client_address_is_the_connections_peer(rf):
    assert client_address(rf.get("/", REMOTE_ADDR="10.1.2.3")) == "10.1.2.3"


def test_a_forwarded_header_does_not_change_the_client_address(rf):
    request = rf.get(
        "/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_X_REAL_IP="1.2.3.4"
    )
    assert client_address(request) == "10.1.2.3"


def test_no_address_is_none_not_an_empty_string(rf):
    request = rf.get("/")
    request.META["REMOTE_ADDR"] = ""
    assert client_address(request) is None
    del request.META["REMOTE_ADDR"]
    assert client_address(request) is None
