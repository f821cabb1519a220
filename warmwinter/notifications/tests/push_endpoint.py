"""A push service of our own, for tests and bench/alert.py: a real HTTP server in a thread that
takes what `pywebpush` POSTs (RFC 8030), checks the VAPID header (RFC 8292: an ES256 JWT signed
by the key it names) and decrypts the aes128gcm body (RFC 8291) with the device's own keys —
the real protocol end to end, with no browser vendor's service."""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from warmwinter.notifications.push import b64url, b64url_decode


@dataclass
class Device:
    """A phone's side of a subscription: its ECDH P-256 key pair and auth secret."""

    path: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class Received:
    path: str
    payload: dict[str, Any]
    vapid_key: str
    claims: dict[str, Any]
    at: float  # time.perf_counter() when the POST arrived


class VapidError(Exception):
    pass


def verify_vapid(header: str, *, audience: str) -> tuple[str, dict[str, Any]]:
    """Check `Authorization: vapid t=<JWT>, k=<public key>`: the JWT is ES256, signed by k,
    for this audience, not expired. Returns (k, claims)."""
    scheme, _sp, params = header.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidError(f"not a vapid header: {header[:20]}")
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = parts["t"], parts["k"]
    head_b64, body_b64, sig_b64 = token.split(".")
    head = json.loads(b64url_decode(head_b64))
    if head.get("alg") != "ES256":
        raise VapidError(f"alg {head.get('alg')}")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    raw = b64url_decode(sig_b64)
    signature = encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    try:
        public.verify(signature, f"{head_b64}.{body_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise VapidError("bad signature") from None
    claims = json.loads(b64url_decode(body_b64))
    if claims.get("aud") != audience:
        raise VapidError(f"aud {claims.get('aud')} is not {audience}")
    if int(claims.get("exp", 0)) <= time.time():
        raise VapidError("expired")
    return key, claims


class PushEndpoint:
    """`with PushEndpoint() as service:` — `service.device()` makes a subscription's keys and
    endpoint URL; `service.answer[path] = 410` makes that endpoint answer Gone."""

    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.answer: dict[str, int] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.arrived = threading.Condition()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = endpoint.take(self.path, self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PushEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def device(self) -> tuple[str, Device]:
        """A new device: (its endpoint URL, its keys)."""
        path = f"/push/{secrets.token_hex(8)}"
        self.devices[path] = Device(path=path)
        return self.origin + path, self.devices[path]

    def take(self, path: str, headers: Any, body: bytes) -> int:
        """`headers`: the request's, looked up without regard to case."""
        arrived = time.perf_counter()
        status = self.answer.get(path)
        if status is not None:
            return status
        device = self.devices.get(path)
        if device is None:
            return 404
        try:
            key, claims = verify_vapid(headers.get("Authorization", ""), audience=self.origin)
            if headers.get("Content-Encoding") != "aes128gcm" or "TTL" not in headers:
                raise VapidError("RFC 8030/8291 headers missing")
            plain = http_ece.decrypt(
                body,
                private_key=device.private_key,
                auth_secret=device.auth_secret,
                version="aes128gcm",
            )
        except Exception as exc:  # noqa: BLE001 - any failure is the sender's; recorded
            with self.arrived:
                self.refused.append(f"{path}: {exc}")
                self.arrived.notify_all()
            return 400
        with self.arrived:
            self.received.append(Received(path, json.loads(plain), key, claims, arrived))
            self.arrived.notify_all()
        return 201

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)
