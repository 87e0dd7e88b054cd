"""Writing and reading the events table. Plain synchronous functions: publish() runs inside the change's
transaction; the readers run in a thread for the stream (bawaba.live.hub)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass

from django.db import connections, transaction
from django.utils import timezone

from .models import LiveEvent

CHANNEL = "bawaba_live"  # PostgreSQL NOTIFY channel
# Taken by every publishing transaction on PostgreSQL, until it commits: events then commit in id order, so a
# reader that saw id N has seen every event below N (without it, id 11 could commit before id 10 and a browser
# that reconnects "after 11" would never get 10). SQLite writers are serialised already. Because it is held to
# the end of the transaction, publish before locking anything else (docs/live.md).
ORDER_LOCK = 0x6C697665
NOTIFY_LIMIT = 7000  # bytes; PostgreSQL refuses payloads of 8000 and more: then listeners read the table


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    topic: str
    kind: str
    payload: dict

    def as_list(self) -> list:
        return [self.id, self.topic, self.kind, self.payload]


def publish(topics: list[str], kind: str, payload: dict | None = None, *, using: str = "default") -> list[Event]:
    """Store one event per topic in the current transaction (or its own); delivered once it commits."""
    topics = [topic for topic in dict.fromkeys(topics) if topic]
    if not topics:
        return []
    payload = payload or {}
    now = timezone.now()
    conn = connections[using]
    postgres = conn.vendor == "postgresql"
    with transaction.atomic(using=using, savepoint=False):
        if postgres:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ORDER_LOCK])
        # Plain SQL: on every write of the desk (the ORM's bulk_create cost more than the INSERT itself).
        data, at = json.dumps(payload, separators=(",", ":")), conn.ops.adapt_datetimefield_value(now)
        with conn.cursor() as cursor:
            cursor.execute(_insert_sql(conn.vendor, len(topics)),
                           [value for topic in topics for value in (topic, kind, data, at)])
            ids = [row[0] for row in cursor.fetchall()]
        events = [Event(pk, topic, kind, payload) for pk, topic in zip(ids, topics, strict=True)]
        if postgres:
            # NOTIFY is transactional: sent at commit, in commit order, never for a rolled-back change.
            message = json.dumps([event.as_list() for event in events], separators=(",", ":"))
            if len(message.encode()) > NOTIFY_LIMIT:
                message = ""
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, message])
        else:
            transaction.on_commit(_wake_this_process, using=using)
    return events


@functools.cache
def _insert_sql(vendor: str, count: int) -> str:
    table = LiveEvent._meta.db_table
    row = "(%s, %s, %s::jsonb, %s)" if vendor == "postgresql" else "(%s, %s, %s, %s)"
    return f"INSERT INTO {table} (topic, kind, payload, at) VALUES {', '.join([row] * count)} RETURNING id"  # noqa: S608


def _wake_this_process() -> None:
    from .hub import hub

    hub.wake_threadsafe()


def fetch_after(last_id: int, topics: list[str] | None = None, limit: int = 1000) -> list[Event]:
    """Events after `last_id` (all topics, or these), oldest first."""
    qs = LiveEvent.objects.filter(id__gt=last_id)
    if topics is not None:
        qs = qs.filter(topic__in=topics)
    return [Event(*row) for row in qs.order_by("id").values_list("id", "topic", "kind", "payload")[:limit]]


def last_event_id() -> int:
    return LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def prune(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Drop old events; a browser that comes back after that long gets its lists rendered afresh."""
    latest = last_event_id()
    deleted, _ = LiveEvent.objects.filter(at__lt=timezone.now() - older_than, id__lt=latest).delete()
    return deleted
