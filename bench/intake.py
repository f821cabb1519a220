"""Lead intake under load: how many leads per second does the JSON intake endpoint accept,
and how does that compare with what the same machine can do at all?

It prints, for one run on PostgreSQL with production settings under gunicorn:
  - sustained leads/s and p50/p99 latency with N concurrent clients posting to
    POST /api/v1/leads/intake (each with its own Idempotency-Key);
  - ceiling 1: single-row INSERTs/s into the same database (autocommit, N connections);
  - ceiling 2: requests/s of a trivial JSON view (/livez) of the same server;
  - our rate as a fraction of each.

Run: .venv/bin/python bench/intake.py [--clients 64] [--seconds 20] [--workers N] [--threads N]
(workers and threads default to gunicorn.conf.py, the production settings)
Needs PostgreSQL on 127.0.0.1:5432 (BENCH_DATABASE_URL to change); creates and drops its own
database `ww_bench`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import runpy
import statistics
import subprocess
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "ww_bench"
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
HOST, PORT = "127.0.0.1", 8765


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        args, check=True, capture_output=True, text=True, env=env, cwd=ROOT
    ).stdout


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DEBUG": "0",
        "WARMWINTER_ENV": "production",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }


def prepare_database() -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    env = server_env()
    sh(PY, "manage.py", "migrate", "--noinput", "-v0", env=env)
    sh(PY, "manage.py", "load_reference_data", env=env)
    script = (
        "from warmwinter.accounts.models import User, ApiToken\n"
        "from warmwinter.places.models import OrgUnit\n"
        "u = User.objects.create(username='grid', role='city_admin', "
        "org_unit=OrgUnit.objects.get(code='310000'))\n"
        "print(ApiToken.issue(user=u, name='bench')[1])\n"
    )
    return sh(PY, "manage.py", "shell", "-c", script, env=env).strip().splitlines()[-1]


def lead_payload(i: int) -> dict[str, object]:
    # Spread reports over the city centre so duplicate detection has realistic work.
    return {
        "channel": "grid",
        "lat": 31.20 + (i % 97) * 0.001,
        "lng": 121.44 + (i % 89) * 0.001,
        "description": f"网格员发现一名老人在桥下露宿 #{i}",
        "people_count": 1,
        "signals": ["elderly", "no_warm_clothing"],
    }


async def _client(
    path: str,
    method: str,
    token: str,
    deadline: float,
    latencies: list[float],
    errors: list[str],
    counter: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(HOST, PORT)
    try:
        while time.perf_counter() < deadline:
            counter[0] += 1
            if method == "POST":
                body = json.dumps(lead_payload(counter[0])).encode()
                head = (
                    f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
                    f"Authorization: Bearer {token}\r\nIdempotency-Key: {uuid.uuid4()}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                request = head + body
            else:
                request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            status = int(status_line.split()[1]) if status_line else 0
            if status >= 400 or status == 0:
                errors.append(str(status))
            if close or not status_line:
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, PORT)
    finally:
        writer.close()


def load(path: str, method: str, token: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    counter = [0]

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                _client(path, method, token, deadline, latencies, errors, counter)
                for _ in range(clients)
            )
        )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rate": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "requests": len(latencies),
        "errors": len(errors),
    }


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time (user + system) used so far by the server's workers, PostgreSQL's processes
    and this load client: where the two cores go while leads come in (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"server": 0.0, "database": 0.0, "client": sum(os.times()[:2])}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            owner = (entry / "status").read_text().split("\nUid:")[1].split()[0]
        except (OSError, IndexError):
            continue  # exited meanwhile
        # Fields after the command name (which may contain spaces) start at state, ppid, ….
        fields = stat.rsplit(")", 1)[1].split()
        ppid, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if int(entry.name) == server_pid or ppid == server_pid:
            totals["server"] += used
        elif owner == str(_postgres_uid()):
            totals["database"] += used
    return totals


def _postgres_uid() -> int:
    import pwd

    try:
        return pwd.getpwnam("postgres").pw_uid
    except KeyError:
        return -1


def insert_ceiling(clients: int, seconds: float) -> float:
    import psycopg

    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_insert "
            "(id bigserial primary key, at timestamptz default now(), payload text)"
        )
    counts = [0] * clients
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        with psycopg.connect(DB_URL, autocommit=True) as conn:
            while time.perf_counter() < deadline:
                conn.execute("INSERT INTO bench_insert (payload) VALUES (%s)", ("x" * 200,))
                counts[n] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20)
    # The server runs as in production (gunicorn.conf.py); these override its workers/threads.
    production = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    parser.add_argument("--workers", type=int, default=production["workers"])
    parser.add_argument("--threads", type=int, default=production["threads"])
    args = parser.parse_args()

    token = prepare_database()
    load_before = os.getloadavg()[0]
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            # Keep-alive clients stay with the worker that accepted them; without a cap the
            # first worker to wake takes most of them and is the bottleneck while the other idles
            # (in production a reverse proxy spreads its connections).
            "--worker-connections",
            str(-(-args.clients // args.workers)),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(),
    )
    try:
        for _ in range(100):
            try:
                import urllib.request

                urllib.request.urlopen(f"http://{HOST}:{PORT}/livez", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        load("/api/v1/leads/intake", "POST", token, 8, 2)  # warm-up
        cpu_before = cpu_seconds(server.pid)
        ours = load("/api/v1/leads/intake", "POST", token, args.clients, args.seconds)
        cpu_after = cpu_seconds(server.pid)
        trivial = load("/livez", "GET", token, args.clients, args.seconds / 2)
    finally:
        server.terminate()
        server.wait(10)
    insert = insert_ceiling(args.clients, args.seconds / 2)
    load_after = os.getloadavg()[0]

    print(
        f"machine: {os.cpu_count()} cores; gunicorn gthread {args.workers}×{args.threads}; "
        f"{args.clients} concurrent clients; {args.seconds:.0f} s; "
        f"load average (1 min) {load_before:.2f} before, {load_after:.2f} after"
    )
    print(
        f"lead intake     : {ours['rate']:8.1f} leads/s  p50 {ours['p50_ms']:6.1f} ms  "
        f"p99 {ours['p99_ms']:6.1f} ms  ({ours['requests']:.0f} requests, {ours['errors']:.0f} errors)"
    )
    print(
        f"trivial JSON    : {trivial['rate']:8.1f} req/s    p50 {trivial['p50_ms']:6.1f} ms  "
        f"p99 {trivial['p99_ms']:6.1f} ms"
    )
    per_lead = {k: 1000 * (cpu_after[k] - cpu_before[k]) / ours["requests"] for k in cpu_after}
    print(
        "CPU per lead    : "
        + "  ".join(f"{k} {v:.2f} ms" for k, v in per_lead.items())
        + f"  (all {sum(per_lead.values()):.2f} ms; {os.cpu_count()} cores give"
        f" {1000 * (os.cpu_count() or 1) / ours['rate']:.2f} ms per lead at this rate)"
    )
    print(f"plain INSERT    : {insert:8.1f} rows/s (autocommit, {args.clients} connections)")
    print(f"intake / INSERT ceiling       : {ours['rate'] / insert:6.1%}")
    print(f"intake / trivial JSON ceiling : {ours['rate'] / trivial['rate']:6.1%}")
    target = ours["rate"] >= 300 and ours["p99_ms"] < 300
    print(f"target (≥ 300 leads/s, p99 < 300 ms at 64 clients): {'met' if target else 'NOT met'}")


if __name__ == "__main__":
    main()
