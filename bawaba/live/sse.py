"""Server-Sent Events framing and the shared, throttled renderings that streams send."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from django.http import HttpRequest


def frame(data: str = "", *, event: str | None = None, id: int | None = None, retry: int | None = None) -> bytes:
    lines = []
    if retry is not None:
        lines.append(f"retry: {retry}")
    if id is not None:
        lines.append(f"id: {id}")
    if event:
        lines.append(f"event: {event}")
    lines.extend(f"data: {line}" for line in data.replace("\r", "").split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


COMMENT = b": ping\n\n"


def last_event_id(request: HttpRequest) -> int | None:
    """The position a browser reconnects from: the Last-Event-ID header EventSource sends by itself, else the
    `since` the page was rendered at (what it shows already)."""
    for raw in (request.headers.get("Last-Event-ID", ""), request.GET.get("since", "")):
        raw = raw.strip()
        if raw.isdigit() and len(raw) < 19:
            return int(raw)
    return None


def is_asgi(request: HttpRequest) -> bool:
    """Streams need an ASGI server; under WSGI one would hold a worker for as long as the page is open."""
    from django.core.handlers.asgi import ASGIRequest

    return isinstance(request, ASGIRequest)


class SharedRenderings:
    """One rendering per key and per change, whatever the number of connections that need it, and at most one
    every `interval` seconds per key: connections that need a rendering at least as new as event N share the
    first one started after N was dispatched (`position` gives the hub's position when it starts)."""

    def __init__(self, position: Callable[[], int | None], interval: float = 0.2):
        self.position = position
        self.interval = interval
        self._slots: dict[tuple, _Slot] = {}

    async def get(self, key: tuple, needed: int, render: Callable):
        slot = self._slots.get(key)
        if slot is None:
            if len(self._slots) > 5000:  # keys of past minutes
                self._slots = {k: s for k, s in self._slots.items() if not s.idle()}
            slot = self._slots[key] = _Slot()
        current = slot.current
        if current is not None and slot.as_of >= needed and not _failed(current):
            if current.done():  # most connections of a group come once it is ready: no future, no wake-up
                return current.result()
            return await asyncio.shield(current)
        if slot.next is None:
            delay = max(0.0, slot.started + self.interval - time.monotonic())
            slot.next = asyncio.get_running_loop().create_task(self._run(slot, delay, render))
        return await asyncio.shield(slot.next)

    async def _run(self, slot: _Slot, delay: float, render: Callable):
        if delay:
            await asyncio.sleep(delay)
        slot.current, slot.next = slot.next, None
        slot.as_of = self.position() or 0
        slot.started = time.monotonic()
        return await render()


class _Slot:
    __slots__ = ("current", "next", "as_of", "started")

    def __init__(self):
        self.current = self.next = None
        self.as_of = -1
        self.started = 0.0

    def idle(self) -> bool:
        return self.next is None and time.monotonic() - self.started > 120


def _failed(task: asyncio.Task) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)
