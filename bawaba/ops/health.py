"""What a load balancer and a supervisor need to know about a running platform (docs/operations.md, "Health").

- live: the process answers (no database, nothing else): restart it if not.
- ready: the database and the cache answer; the worker's heartbeat and the job backlog are reported. A web
  process whose database or cache is gone is taken out of rotation (503); a late worker or a long backlog marks
  the platform "degraded" without doing so (the web pages still work; messages and stamps wait), unless
  HEALTH_READY_REQUIRES_WORKER is set.
"""

from __future__ import annotations

import datetime as dt
import secrets
import socket
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

WORKER = "worker"


def beat(name: str = WORKER, *, now: dt.datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now(),
                                                            "host": socket.gethostname()[:100]})


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure instead of raising it
        detail, ok = f"{type(exc).__name__}: {exc}"[:300], False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), "detail": detail}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache():
    key, value = f"health:{secrets.token_hex(4)}", secrets.token_hex(4)
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def worker_age(now: dt.datetime | None = None) -> float | None:
    """Seconds since the worker's last heartbeat (None: it never beat)."""
    beat_at = Heartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
    return None if beat_at is None else ((now or timezone.now()) - beat_at).total_seconds()


def pending_jobs() -> int | None:
    from huey.contrib.djhuey import HUEY

    try:
        return HUEY.pending_count()
    except Exception:  # noqa: BLE001 - the queue's storage unreachable is reported as unknown
        return None


def ready(now: dt.datetime | None = None) -> tuple[int, dict]:
    checks = {"database": _timed(_database), "cache": _timed(_cache)}
    age = worker_age(now) if checks["database"]["ok"] else None
    stale_after = settings.HEALTH_WORKER_STALE_SECONDS
    checks["worker"] = {"ok": age is not None and age <= stale_after,
                        "detail": "never seen" if age is None else f"last heartbeat {int(age)} s ago"}
    backlog = pending_jobs()
    checks["jobs"] = {"ok": backlog is not None and backlog <= settings.HEALTH_MAX_PENDING_JOBS,
                      "detail": "unknown" if backlog is None else f"{backlog} pending"}
    essential = checks["database"]["ok"] and checks["cache"]["ok"]
    if settings.HEALTH_READY_REQUIRES_WORKER:
        essential = essential and checks["worker"]["ok"]
    healthy = essential and checks["worker"]["ok"] and checks["jobs"]["ok"]
    status = "ok" if healthy else ("degraded" if essential else "fail")
    return (200 if essential else 503), {"status": status, "checks": checks}
