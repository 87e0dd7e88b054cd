"""Request ids, structured logs and error reports (docs/operations.md, "Logs and errors").

- Every request gets an id: the caller's X-Request-ID when it is a sane token (a proxy's or a load balancer's),
  otherwise a new one; it is sent back in X-Request-ID, put on every log line of the request, and carried into
  the background jobs the request queues, whose log lines carry it too.
- LOG_FORMAT=json writes one JSON object per line (python-json-logger) for a log collector.
- SENTRY_DSN set: errors of requests and jobs go to that Sentry-compatible server (Sentry, GlitchTip), without
  personal data (no cookies, headers, user names or request bodies).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
TASK_KWARG = "_bawaba_request_id"
log = logging.getLogger(__name__)


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        value = given if _SANE.match(given) else new_request_id()
        token = request_id.set(value)
        request.request_id = value
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = value
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or the job's) on every record as `request_id`."""

    def filter(self, record):
        record.request_id = request_id.get()
        return True


# --- Jobs -------------------------------------------------------------------------------------------------

def _huey_mixin(base):
    class RequestAwareHuey(base):
        """Huey that carries the request id of the code that queued a task into the task's run."""

        def enqueue(self, task):
            current = request_id.get()
            if current and task.kwargs is not None and TASK_KWARG not in task.kwargs:
                task.kwargs[TASK_KWARG] = current
            return super().enqueue(task)

    RequestAwareHuey.__name__ = f"RequestAware{base.__name__}"
    return RequestAwareHuey


def adopt_fifo_queue(conn, queue_key: str) -> int:
    """Turn a queue left by the plain RedisHuey (a list) into PriorityRedisHuey's sorted set, jobs kept in their
    order at the default priority; returns how many were moved. Without it, every job queued after an upgrade
    fails with WRONGTYPE until someone empties the queue by hand (seen in bench/desk_load.py's Redis database).
    Atomic against other processes queueing meanwhile (WATCH: the move is redone if the list changed)."""
    import struct
    import time

    import redis

    with conn.pipeline() as pipe:
        while True:
            try:
                pipe.watch(queue_key)
                if pipe.type(queue_key) not in (b"list", "list"):
                    return 0
                newest_first = pipe.lrange(queue_key, 0, -1)  # RedisStorage: LPUSH to queue, BRPOP to run
                # PriorityRedisStorage's member: an 8-byte microsecond prefix (order among equal priorities) and the
                # job; the old jobs get prefixes just before now, the oldest first, so they run before newer ones.
                start = int(time.time() * 1e6) - len(newest_first)
                members = {struct.pack(">Q", start + age) + job for age, job in enumerate(reversed(newest_first))}
                pipe.multi()
                pipe.delete(queue_key)
                if members:
                    pipe.zadd(queue_key, dict.fromkeys(members, 0))
                pipe.execute()
                log.warning("huey: %d jobs of the old first-come queue moved to the priority queue", len(members))
                return len(members)
            except redis.WatchError:
                continue


def _hueys():
    import huey

    # PriorityRedisHuey (a sorted set, Redis >= 5): the jobs carry priorities (the evidence stamper and the print
    # runs before a mail merge's chunks, docs/hybrid-mail-senders.md); the plain RedisHuey refuses them.
    class PriorityRedisHuey(huey.PriorityRedisHuey):
        def get_storage(self, **kwargs):
            import redis

            storage = super().get_storage(**kwargs)
            try:
                adopt_fifo_queue(storage.conn, storage.queue_key)
            except redis.RedisError:  # not up yet, or too slow: the first job queued will say so, not the import
                log.warning("huey: Redis unreachable, the queue's type was not checked", exc_info=True)
            return storage

    return _huey_mixin(huey.SqliteHuey), _huey_mixin(PriorityRedisHuey)


SqliteHuey, RedisHuey = _hueys()


def connect_job_hooks(huey_instance) -> None:
    """Before a task runs: take the request id out of its arguments (the task never sees it) and set it for the
    task's log lines. After: forget it. On error: keep the failure for the metrics and the status page."""
    from huey.signals import SIGNAL_ERROR

    tokens: dict[str, contextvars.Token] = {}

    @huey_instance.pre_execute(name="bawaba.request_id")
    def _take_request_id(task):
        value = (task.kwargs or {}).pop(TASK_KWARG, "") if task.kwargs is not None else ""
        tokens[task.id] = request_id.set(value or f"job-{task.id}")

    @huey_instance.post_execute(name="bawaba.request_id")
    def _forget_request_id(task, task_value, exc):
        token = tokens.pop(task.id, None)
        if token is not None:
            request_id.reset(token)

    @huey_instance.signal(SIGNAL_ERROR)
    def _keep_failure(signal, task, exc=None):
        from django.utils import timezone

        from .models import JobFailure

        try:
            JobFailure.objects.create(task=task.name[:150], task_id=str(task.id)[:64], request_id=request_id.get(),
                                      error=f"{type(exc).__name__}: {exc}"[:4000], at=timezone.now())
        except Exception:  # noqa: BLE001 - a failure to note a failure must not hide the first one
            logging.getLogger(__name__).exception("could not record the failure of %s", task.name)


# --- Errors -----------------------------------------------------------------------------------------------

def _without_personal_data(event, hint):
    request = event.get("request") or {}
    for field in ("cookies", "data", "headers", "env", "query_string"):
        request.pop(field, None)
    event.pop("user", None)
    return event


def configure_sentry(dsn: str, *, environment: str = "", release: str = "") -> bool:
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.huey import HueyIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(dsn=dsn, environment=environment or None, release=release or None, send_default_pii=False,
                    traces_sample_rate=0.0, before_send=_without_personal_data,
                    integrations=[DjangoIntegration(), HueyIntegration(),
                                  LoggingIntegration(level=logging.INFO, event_level=logging.ERROR)])
    sentry_sdk.set_tag("component", "bawaba")
    return True
