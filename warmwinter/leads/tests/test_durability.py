"""No lead lost: a burst of reports to the JSON intake of a real server process (gunicorn),
the server killed with SIGKILL mid-burst, restarted; every acknowledged lead is there, and
clients retrying their unacknowledged reports with the same Idempotency-Key make one lead each.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from warmwinter.leads.models import Lead

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(  # noqa: S603 - our own server
        [gunicorn, "warmwinter.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "8"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def _post(port: int, token: str, key: str, i: int) -> int | None:
    body = json.dumps({"lat": 31.20 + (i % 50) * 0.001, "lng": 121.45, "description": f"#{i}"})
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/leads/intake",
        data=body.encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status in (200, 201)
            return int(json.loads(response.read())["id"])
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        # No answer, or one cut off (the headers sent, the body not): not acknowledged.
        return None


@pytest.mark.skipif(not (Path(sys.executable).parent / "gunicorn").exists(), reason="no gunicorn")
def test_killing_the_server_mid_burst_loses_no_acknowledged_lead(
    make_user, token_for, huangpu_key_place
):
    user = make_user("grid_platform", "dispatcher", "310000")
    token = token_for(user)
    port = _free_port()
    server = _start(port)
    acked: dict[str, int] = {}
    attempted: list[str] = []
    #: key → the report number sent with it: a client retries with the very same body.
    numbers: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set() and i < 200:
            key = f"burst-{n:02d}-{i:04d}"
            with lock:
                attempted.append(key)
                numbers[key] = n * 1000 + i
            lead_id = _post(port, token, key, numbers[key])
            if lead_id is None:
                return  # the server is gone: this report is unacknowledged
            with lock:
                acked[key] = lead_id
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 24 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(acked) >= 24, "the burst did not get going"
        _kill(server)  # mid-burst: requests are in flight
        stop.set()
        for t in threads:
            t.join(30)
        assert len(attempted) > len(acked)  # some were in flight when it died

        server = _start(port)
        for key, lead_id in acked.items():
            assert Lead.objects.filter(pk=lead_id, idempotency_key=f"api:{user.pk}:{key}").exists()
        # Clients retry everything unacknowledged with the same key and body: one lead each.
        for key in (k for k in attempted if k not in acked):
            assert _post(port, token, key, numbers[key]) is not None
        for key, lead_id in list(acked.items())[:5]:
            assert _post(port, token, key, numbers[key]) == lead_id  # a replay: the same lead
    finally:
        stop.set()
        if server.poll() is None:
            _kill(server)
    assert Lead.objects.count() == len(set(attempted))
