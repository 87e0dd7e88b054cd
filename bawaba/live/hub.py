"""One listener per process, fanning events out to the connections of that process in memory.

The listener is the only thing that talks to the database or the message bus while screens sit idle:
- PostgreSQL: LISTEN on one dedicated connection; publish() NOTIFYs inside the change's transaction, so every
  process of every machine hears each committed event once, in commit order. After a lost connection the
  listener reads what it missed from the events table before listening on.
- SQLite (the embedded default, one machine): events of this process wake the listener at once (on commit);
  those of other processes (the job worker, a second server) are read from the events table every
  LIVE_POLL_SECONDS: one small query per process, whatever the number of screens.
A connection subscribes to topics ("queue:12", "user:7", "queue:*" for every queue) and receives the events
in id order; ids it already has are dropped by the hub (one listener, increasing ids)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import defaultdict

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from . import events as store
from .events import Event

log = logging.getLogger(__name__)


def _in_thread(function):
    """Run a database read in the loop's thread pool, never on the loop (and never in a per-request thread:
    thousands of open streams must not mean thousands of threads)."""

    def run(*args, **kwargs):
        close_old_connections()
        return function(*args, **kwargs)

    return sync_to_async(run, thread_sensitive=False)


class Subscription:
    """One connection's inbox. Waiting is one plain future per wait and one timer: with thousands of streams a
    change wakes every stream of its queue, and `asyncio.wait_for(event.wait())` cost a task, an event's future
    and three callbacks per stream and per wake (docs/desk.md, "What a change costs the push process")."""

    __slots__ = ("topics", "pending", "_waiter")

    def __init__(self, topics: frozenset[str]):
        self.topics = topics
        self.pending: list[Event] = []
        self._waiter: asyncio.Future | None = None

    def push(self, event: Event) -> None:
        self.pending.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next_batch(self, timeout: float | None) -> list[Event]:
        """Every event received since the last call; waits up to `timeout` for one ([] if none came)."""
        if not self.pending:
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            timer = loop.call_later(timeout, _wake, waiter) if timeout is not None else None
            try:
                await waiter
            finally:
                self._waiter = None
                if timer is not None:
                    timer.cancel()
        batch, self.pending = self.pending, []
        return batch


def _wake(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Hub:
    def __init__(self):
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._reset()

    def _reset(self):
        self._by_topic: dict[str, set[Subscription]] = defaultdict(set)
        self._task: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None
        self.last_id: int | None = None  # the newest event dispatched (None until the listener started)
        self.started = None

    # --- connections ---------------------------------------------------------------------------------------

    def subscribe(self, topics) -> Subscription:
        self._ensure_listening()
        sub = Subscription(frozenset(topics))
        for topic in sub.topics:
            self._by_topic[topic].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        for topic in sub.topics:
            subs = self._by_topic.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._by_topic[topic]

    @property
    def connections(self) -> int:
        return len({sub for subs in self._by_topic.values() for sub in subs})

    # --- events --------------------------------------------------------------------------------------------

    def dispatch(self, batch: list[Event]) -> None:
        for event in sorted(batch, key=lambda e: e.id):
            if self.last_id is not None and event.id <= self.last_id:
                continue  # heard twice (a catch-up after a reconnect of the listener): delivered once
            self.last_id = event.id
            family = event.topic.split(":", 1)[0] + ":*"
            for sub in (*self._by_topic.get(event.topic, ()), *self._by_topic.get(family, ())):
                sub.push(event)

    def wake_threadsafe(self) -> None:
        """A transaction of this process committed events: read them now rather than at the next poll."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    # --- the listener --------------------------------------------------------------------------------------

    def _ensure_listening(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (tests; a server's worker): start afresh
            old_loop, old_task = self._loop, self._task
            if old_task is not None and old_loop is not None and not old_loop.is_closed():
                old_loop.call_soon_threadsafe(old_task.cancel)
            self._loop = loop
            self._reset()
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self.started = loop.create_future()
            backend = backend_name()
            runner = self._listen_postgres if backend == "postgres" else self._listen_polling
            self._task = loop.create_task(runner(self._wake), name=f"bawaba-live-{backend}")

    async def _start_from(self, last_id: int) -> None:
        if self.last_id is None:
            self.last_id = last_id
        if not self.started.done():
            self.started.set_result(True)

    async def _listen_polling(self, wake: asyncio.Event) -> None:
        fetch, newest = _in_thread(store.fetch_after), _in_thread(store.last_event_id)
        while True:
            try:
                if self.last_id is None:
                    await self._start_from(await newest())
                self.dispatch(await fetch(self.last_id))
            except Exception as error:  # a busy or missing table: try again shortly
                log.warning("live: reading the events table failed (%s); again shortly", error)
                await asyncio.sleep(0.05)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), float(getattr(settings, "LIVE_POLL_SECONDS", 0.5)))
            wake.clear()

    async def _listen_postgres(self, wake: asyncio.Event) -> None:
        import psycopg

        conninfo = postgres_conninfo()
        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {store.CHANNEL}")
                    table = store.LiveEvent._meta.db_table
                    if self.last_id is None:
                        row = await (await conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).fetchone()  # noqa: S608
                        await self._start_from(row[0])
                    # Listening now: read what was committed while we were not (nothing on the first start).
                    await self._read_table(conn, table)
                    delay = 0.5
                    async for notify in conn.notifies():
                        if notify.payload:
                            self.dispatch([Event(*item) for item in json.loads(notify.payload)])
                        else:  # too large for a NOTIFY: the events are in the table
                            await self._read_table(conn, table)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live: the PostgreSQL listener lost its connection; reconnecting")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)

    async def _read_table(self, conn, table: str) -> None:
        cursor = await conn.execute(
            f"SELECT id, topic, kind, payload FROM {table} WHERE id > %s ORDER BY id LIMIT 5000",  # noqa: S608
            [self.last_id or 0])
        rows = await cursor.fetchall()
        self.dispatch([Event(id_, topic, kind, payload if isinstance(payload, dict) else json.loads(payload))
                       for id_, topic, kind, payload in rows])


def backend_name() -> str:
    configured = getattr(settings, "LIVE_BACKEND", "") or ""
    if configured:
        return configured
    return "postgres" if connections["default"].vendor == "postgresql" else "polling"


def postgres_conninfo() -> str:
    from psycopg.conninfo import make_conninfo

    params = connections["default"].settings_dict
    values = {"dbname": params.get("NAME"), "user": params.get("USER"), "password": params.get("PASSWORD"),
              "host": params.get("HOST"), "port": params.get("PORT")}
    return make_conninfo(**{key: str(value) for key, value in values.items() if value})


hub = Hub()
fetch_after = _in_thread(store.fetch_after)
