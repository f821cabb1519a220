"""Production web server settings: `gunicorn` in the repository root reads this file.

Threads, not more processes: a request spends much of its time waiting for PostgreSQL (a lead
is committed to disk before it is acknowledged), and a thread waiting for the database lets
the others run. Only a few per process, though: each process runs Python on one core at a time,
and with many threads it spends its time handing that core around (bench/intake.py: 2 workers
× 4 threads took about 15 % more leads per second than × 16, at half the p99 latency).

Every value can be set from the environment (WEB_BIND, WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT).
"""

import os

wsgi_app = "warmwinter.wsgi"
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 1))
threads = int(os.environ.get("WEB_THREADS", 4))
# Behind a reverse proxy that keeps its connections open.
keepalive = 30
timeout = int(os.environ.get("WEB_TIMEOUT", 30))
graceful_timeout = 30
# Renew workers now and then, so that a slow leak cannot grow for the whole winter.
max_requests = 20000
max_requests_jitter = 2000
