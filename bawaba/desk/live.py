"""The desk by push (docs/desk.md, docs/live.md): one Server-Sent Events stream per open desk page.

What it sends: the queue list (the same shared rendering the polling endpoint serves) when a queue the agent
sees changes, the unread-notification count, the supervisor's dashboard counters, and every other event of
the user's own topic as it is (`event: live`: e.g. telephony's screen pop). While nothing changes a stream
costs nothing: no request, no query; the process's one listener (bawaba.live.hub) wakes it.

Catch-up: each message carries the id of the newest event it reflects; a browser that lost the connection
reconnects with Last-Event-ID (the page itself starts from the id it was rendered at) and gets what it
missed: the user's events one by one, the lists rendered afresh if any of their queues changed."""

from __future__ import annotations

import asyncio
import hashlib
import html as html_lib
import json
import re
import time
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from bawaba.live import events as store
from bawaba.live.hub import hub
from bawaba.live.sse import COMMENT, SharedRenderings, frame, is_asgi, last_event_id

HEARTBEAT_SECONDS = 25  # a comment now and then keeps proxies from closing a quiet stream
RETRY_MS = 3000
# At most one rendering of a list every LIVE_RENDER_INTERVAL seconds (the first change after a quiet spell is
# rendered at once): at 20 changes/s, 0.5 s instead of 0.2 s cut the push process's CPU per change by ~40 %
# (bench/desk_cpu.py push; docs/desk.md) for at most 0.3 s more on screen while changes keep coming.
renderings = SharedRenderings(lambda: hub.last_id, interval=float(getattr(settings, "LIVE_RENDER_INTERVAL", 0.5)))
counters = SharedRenderings(lambda: hub.last_id, interval=2.0)  # 12 queries: at most one every 2 s per scope


def _in_thread(function):
    def run(*args, **kwargs):
        close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(run, thread_sensitive=False)


@dataclass
class Setup:
    topics: frozenset[str]
    group: tuple  # connections with the same group see the same list
    view: str
    filters: dict
    page: str
    organisation_id: int | None = None


def _queue_topics(user, scope) -> set[str]:
    if user.is_platform_admin:
        return {"queue:*"}
    # The scope's key lists every queue the list is drawn from ("owner:12@3,14@0"), the agent's member queues
    # and those where a request is assigned to them.
    ids = [part.split("@", 1)[0] for part in scope.key.split(":", 1)[1].split(",") if part]
    return {f"queue:{pk}" for pk in ids}


def setup_stream(user, params, view: str, language: str = "") -> Setup | tuple[int, str]:
    """What the stream listens to and renders; (status, reason) if it is refused (the same rules as the pages:
    staff_required, the dashboard for supervisors)."""
    from bawaba.servicedesk import selectors

    from . import forms

    if not (user.organisation_id or user.is_platform_admin) or not user.is_desk_staff:
        return 403, "not desk staff"

    topics = {f"user:{user.pk}"}
    language = language or get_language() or ""
    if view == "queue":
        scope = selectors.queue_scope(user)
        form = forms.QueueFilterForm(params, user=user, queue_ids=scope.queue_ids)
        if not form.is_valid():
            return 400, "invalid filter"
        filters = form.cleaned_data
        page = params.get("page", "")[:12]
        owner = scope.key.split(":", 1)[0]
        topics |= _queue_topics(user, scope)
        group = ("queue", owner, tuple(sorted(topics - {f"user:{user.pk}"})), filters.get("queue"),
                 user.pk if filters.get("mine") else None, page, language)
        return Setup(frozenset(topics), group, view, filters, page)
    if view == "dashboard":
        if not user.is_supervisor:
            return 403, "not a supervisor"
        organisation = params.get("organisation", "") if user.is_platform_admin else ""
        org_id = int(organisation) if organisation.isdigit() else None
        if user.is_platform_admin:
            topics.add("queue:*")
        else:
            org_id = user.organisation_id
            scope = selectors.queue_scope(user)
            topics |= _queue_topics(user, scope)
        return Setup(frozenset(topics), ("dashboard", org_id, user.is_platform_admin), view, {}, "", org_id)
    return Setup(frozenset(topics), ("user", user.pk), view, {}, "")


def render_queue(user, setup: Setup, language: str) -> str:
    from bawaba.servicedesk import selectors

    from .views import queue_list_html

    with translation.override(language):
        return queue_list_html(user, setup.filters, selectors.queue_scope(user), setup.page)[1]


def count_counters(user, setup: Setup) -> dict:
    from bawaba.orgs.models import Organisation
    from bawaba.servicedesk.models import OPEN_STATUSES

    from . import stats

    organisation = Organisation.objects.filter(pk=setup.organisation_id).first() if setup.organisation_id else None
    qs = stats.scope_for(user, organisation).filter(status__in=OPEN_STATUSES)
    totals = stats.backlog(qs, timezone.now())
    return {"kpi-open": totals["open_total"], "kpi-overdue": totals["overdue"]}


def unread_count(user) -> int:
    from bawaba.servicedesk.selectors import unread_notification_count

    return unread_notification_count(user.pk)


async def asgi_stream(scope, receive, send):
    """/desk/live/ served by the ASGI server without Django's request cycle (config/asgi.py routes it here).

    Why not the view below: Django's ASGI handler gives every request a thread of its own for the sync
    middleware, and a stream's request lasts as long as the desk is open: 1,000 open desks were 1,000 threads
    and 700 MiB (measured). Here the session is read once in the shared thread pool, with the same checks
    as the page (signed-in staff, session hash), and the connection is a coroutine only."""
    import io
    from importlib import import_module

    from django.contrib.auth import get_user
    from django.core.handlers.asgi import ASGIRequest

    request = ASGIRequest(scope, io.BytesIO())
    if request.method != "GET":
        return await _plain(send, 405, "GET only")
    if not getattr(settings, "LIVE_ENABLED", True):
        return await _plain(send, 204, "")
    language = translation.get_language_from_request(request, check_path=False)

    def authenticate():
        request.session = import_module(settings.SESSION_ENGINE).SessionStore(
            request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        return get_user(request)

    user = await _in_thread(authenticate)()
    if not user.is_authenticated:
        return await _plain(send, 401, "sign in")
    params = request.GET.copy()
    result = await _in_thread(setup_stream)(user, params, params.get("view", "page"), language)
    if isinstance(result, tuple):
        return await _plain(send, *result)
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"),
        (b"x-accel-buffering", b"no")]})
    events = _events(user, result, language, last_event_id(request), recheck=lambda: _in_thread(authenticate)())

    async def pump():
        async for chunk in events:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def disconnected():
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(disconnected())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await events.aclose()


async def _plain(send, status: int, text: str):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": text.encode()})


@require_GET
async def stream(request):
    """GET /desk/live/?view=queue|dashboard|page[&filters][&since=N] → text/event-stream."""
    if not is_asgi(request) or not getattr(settings, "LIVE_ENABLED", True):
        # 204 tells EventSource to stop trying: the page keeps polling (served by a WSGI server, say).
        return HttpResponse(status=204)
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=401)
    language = get_language() or settings.LANGUAGE_CODE
    result = await _in_thread(setup_stream)(user, request.GET.copy(), request.GET.get("view", "page"), language)
    if isinstance(result, tuple):
        status, message = result
        return HttpResponse(message, status=status, content_type="text/plain")
    response = StreamingHttpResponse(_events(user, result, language, last_event_id(request)),
                                     content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message on at once
    return response


RECHECK_SECONDS = 300  # a session ended or a user deactivated elsewhere: the stream stops within 5 minutes


async def _events(user, setup: Setup, language: str, since: int | None, recheck=None):
    sub = hub.subscribe(setup.topics)
    checked = time.monotonic()
    shown = [None]  # the rows of the list this connection last sent whole (QueueFrames.rows)
    try:
        yield frame("" if since is None else str(since), event="ready", retry=RETRY_MS)
        await asyncio.wait_for(asyncio.shield(hub.started), 30)  # the listener knows where the stream stands
        pending = []
        if since is None:
            # A fresh page: it was rendered before this connection, so send what it shows as of now.
            position = hub.last_id or 0
            initial = await _render(user, setup, language, position, shown=shown)
            if initial:
                yield initial
        else:
            position = since
        if since is not None:
            # Everything after what the browser has, then what the hub hands us (duplicates dropped by id).
            wildcard = any(topic.endswith(":*") for topic in setup.topics)
            pending = await _in_thread(store.fetch_after)(since, None if wildcard else sorted(setup.topics))
            pending = [event for event in pending if _matches(event.topic, setup.topics)]
        minute = int(time.time() // 60)
        last_sent = time.monotonic()
        while True:
            timeout = min(HEARTBEAT_SECONDS, 60 - time.time() % 60 + 0.05)
            batch = pending or await sub.next_batch(timeout)
            pending = []
            batch = [event for event in batch if event.id > position]
            out = []
            if batch:
                queue_changed = False
                for event in batch:
                    position = event.id
                    if event.topic.startswith("queue:"):
                        queue_changed = True
                    elif event.kind == "notifications":
                        out.append(frame(str(await _in_thread(unread_count)(user)), event="notifications",
                                         id=position))
                    elif event.kind == "scope" and setup.view == "queue":
                        # Assigned a request in another queue: the list now draws on that queue too.
                        new = await _in_thread(setup_stream)(user, _params(setup), "queue", language)
                        if isinstance(new, Setup):
                            hub.unsubscribe(sub)
                            setup, sub = new, hub.subscribe(new.topics)
                            queue_changed = True
                    else:
                        out.append(frame(json.dumps({"kind": event.kind, "topic": event.topic,
                                                     "payload": event.payload}), event="live", id=position))
                if queue_changed:
                    out.append(await _render(user, setup, language, position, shown=shown))
            elif int(time.time() // 60) != minute and setup.view == "queue":
                out.append(await _render(user, setup, language, position, fresh=True, shown=shown))  # time left
            minute = int(time.time() // 60)
            if recheck is not None and time.monotonic() - checked > RECHECK_SECONDS:
                # Sessions and accounts are read through the cache: no query while the desk is idle.
                checked = time.monotonic()
                current = await recheck()
                if not current.is_authenticated or current.pk != user.pk or not current.is_active:
                    return
            if out:
                for chunk in out:
                    if chunk:
                        yield chunk
                last_sent = time.monotonic()
            elif time.monotonic() - last_sent >= HEARTBEAT_SECONDS - 0.1:
                yield COMMENT
                last_sent = time.monotonic()
    finally:
        hub.unsubscribe(sub)


def _matches(topic: str, topics: frozenset[str]) -> bool:
    return topic in topics or topic.split(":", 1)[0] + ":*" in topics


def _params(setup: Setup):
    from django.http import QueryDict

    params = QueryDict(mutable=True)
    if setup.filters.get("queue"):
        params["queue"] = str(setup.filters["queue"])
    if setup.filters.get("mine"):
        params["mine"] = "on"
    if setup.page:
        params["page"] = setup.page
    return params


@dataclass(frozen=True, slots=True)
class QueueFrames:
    """One rendering of a list, framed once for every stream that shows it.

    `full` is the whole list (`event: queue`). Most changes leave the rows a screen shows as they were (a new
    request lands further down a long list; only the count moves): then a stream whose screen already shows
    these rows sends `count` instead (`event: queue-count`, the count's text and the list's new ETag, about 150
    bytes instead of ~15 KB). `rows` is the signature of everything the list shows apart from its count and
    ETag; None when the rendering could not be split (then the whole list is always sent)."""

    full: bytes
    count: bytes | None = None
    rows: bytes | None = None


_COUNT_OPEN = '<p class="muted" id="queue-count" dir="auto">'
_ETAG = re.compile(r' data-etag="([0-9a-f]+)"')


def queue_frames(rendered: str) -> QueueFrames:
    """Split desk/_queue.html's rendering: its first line (`<div id="queue" ...>`, carrying the ETag), the count
    paragraph, the rest (rows, pager)."""
    full = frame(rendered, event="queue")
    head, _newline, rest = rendered.partition("\n")
    end = rest.find("</p>\n")
    etag = _ETAG.search(head)
    if not (head.startswith('<div id="queue"') and rest.startswith(_COUNT_OPEN) and end > 0 and etag):
        return QueueFrames(full)
    text = html_lib.unescape(rest[len(_COUNT_OPEN):end])
    body = rest[end + len("</p>\n"):]
    count = frame(json.dumps({"text": text, "etag": etag.group(1)}, ensure_ascii=False), event="queue-count")
    return QueueFrames(full, count, hashlib.sha256(body.encode()).digest())


async def _framed_queue(user, setup: Setup, language: str) -> QueueFrames:
    return queue_frames(await _in_thread(render_queue)(user, setup, language))


async def _render(user, setup: Setup, language: str, position: int, fresh: bool = False,
                  shown: list | None = None) -> bytes | None:
    """The stream's next message for the change at `position`. `shown` (one item) holds the rows signature of the
    list this connection last sent in full: the browser shows those rows, so when a new rendering has the same
    rows only the count is sent. A new connection (a reconnect too) starts with None: its first list is whole."""
    minute = int(time.time() // 60)
    try:
        if setup.view == "queue":
            # Framed once per rendering, not once per stream (5,000 streams: 2,500 lists of ~15 KB a second were
            # each split into lines, joined and encoded again); each stream only puts its event id in front.
            frames = await renderings.get((*setup.group, minute), position,
                                          lambda: _framed_queue(user, setup, language))
            if fresh:
                body = frames.full
            elif shown is not None and frames.count is not None and frames.rows == shown[0]:
                body = frames.count
            else:
                body = frames.full
            if shown is not None:
                shown[0] = frames.rows
            return body if fresh else b"id: %d\n" % position + body
        if setup.view == "dashboard":
            values = await counters.get(setup.group, position, lambda: _in_thread(count_counters)(user, setup))
            return frame(json.dumps(values), event="counters", id=position)
    except asyncio.CancelledError:
        raise
    except Exception:  # a database hiccup: the next change renders again; polling covers the meantime
        import logging

        logging.getLogger(__name__).exception("live: rendering failed")
    return None
