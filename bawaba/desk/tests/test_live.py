"""The desk by push (desk.live, bawaba.live): the stream served by a real ASGI server (uvicorn) in a thread of
the test process, or by two server processes for cross-process delivery."""

import json
import re
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bawaba import live
from bawaba.live.testing import EventReader, asgi_server_thread
from bawaba.servicedesk import services

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
QUEUE = "/desk/live/?view=queue"


def session_cookie(user) -> dict:
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def references(html: str) -> set[str]:
    return set(re.findall(r'data-reference="([^"]+)"', html))


@pytest.fixture
def server():
    with asgi_server_thread() as base:
        yield base


@pytest.fixture
def stream(server):
    readers = []

    def open_stream(user, path=QUEUE, **headers):
        reader = EventReader(server + path, cookies=session_cookie(user),
                             headers={"Accept-Language": "en", **headers})
        readers.append(reader)
        return reader

    yield open_stream
    for reader in readers:
        reader.close()


# still_clock: every list is rendered afresh at a minute's turn (the time left changes); a wait for nothing must
# not span one, or the list of that minute arrives (seen once in a clean-clone run).
def test_new_request_is_pushed_to_the_agents_of_its_queue_only(stream, at_agent, poste_agent, make_request,
                                                               still_clock):
    agent = stream(at_agent)
    other = stream(poste_agent)
    first = agent.next("ready")
    agent.next("queue")  # the list as of now (the page may be older than the connection)
    other.next("queue")

    created = make_request("algerie-telecom/faults", subject="Ligne coupée")

    message = agent.next("queue")
    assert created.reference in references(message["data"])
    assert int(message["id"]) > 0
    assert first["data"] == ""
    with pytest.raises(TimeoutError):  # another operator's screens hear nothing of it
        other.next("queue", timeout=0.7)


def test_reconnect_with_last_event_id_catches_up_without_loss_or_duplicate(stream, at_agent, make_request,
                                                                          still_clock):
    first = stream(at_agent)
    first.next("ready")
    position = first.next("queue")["id"]
    first.close()

    # While the agent is away: two new requests and a screen pop for them.
    missed = [make_request(subject="Panne A"), make_request(subject="Panne B")]
    live.publish(f"user:{at_agent.pk}", "screen_pop", {"phone": "+213550123456"})

    again = stream(at_agent, **{"Last-Event-ID": position})
    assert again.next("ready")["data"] == position
    pop = again.next("live")
    assert '"screen_pop"' in pop["data"] and "+213550123456" in pop["data"]
    caught_up = again.next("queue")
    assert {r.reference for r in missed} <= references(caught_up["data"])
    assert int(caught_up["id"]) >= int(pop["id"]) > int(position)

    later = make_request(subject="Panne C")
    message = again.next("queue")
    assert later.reference in references(message["data"])
    assert int(message["id"]) > int(caught_up["id"])
    # Nothing heard twice: one screen pop, one list per change seen, positions never going back.
    ids = [int(m["id"]) for m in again.messages if m.get("id")]
    assert ids == sorted(ids)
    assert [m["event"] for m in again.messages] == ["ready", "live", "queue", "queue"]

    # Reconnecting from the newest id replays nothing.
    last = stream(at_agent, **{"Last-Event-ID": message["id"]})
    last.next("ready")
    with pytest.raises(TimeoutError):
        last.next(timeout=0.7)


def test_an_idle_connection_makes_no_database_query(stream, at_agent, make_request, settings, monkeypatch):
    from django.db.backends import utils

    settings.LIVE_POLL_SECONDS = 3600  # no periodic read of the events table: only commits wake the listener
    readers = [stream(at_agent) for _ in range(10)]
    for reader in readers:
        reader.next("queue")

    queries = []
    original = utils.CursorWrapper.execute

    def counting(self, sql, params=None):
        queries.append(sql)
        return original(self, sql, params)

    import time

    if 60 - time.time() % 60 < 2.5:  # not across a minute's turn, when every list is rendered afresh (time left)
        time.sleep(60 - time.time() % 60 + 0.5)
        for reader in readers:
            reader.next("queue")
    monkeypatch.setattr(utils.CursorWrapper, "execute", counting)
    with pytest.raises(TimeoutError):  # ten open desks, one second of nothing happening
        readers[0].next(timeout=1.0)
    assert queries == []

    make_request(subject="Réveil")  # and they still hear the next change
    for reader in readers:
        reader.next("queue")


def test_notification_count_and_dashboard_counters_are_pushed(stream, at_supervisor, make_request):
    from bawaba.servicedesk.models import Notification

    page = stream(at_supervisor, "/desk/live/?view=dashboard")
    page.next("ready")
    before = json.loads(page.next("counters")["data"])
    request = make_request()
    after = json.loads(page.next("counters")["data"])
    assert after["kpi-open"] == before["kpi-open"] + 1
    Notification.objects.create(recipient=at_supervisor, request=request, text="SLA", created_at=timezone.now())
    live.publish(f"user:{at_supervisor.pk}", "notifications")
    assert page.next("notifications")["data"] == "1"
    services.do_mark_notifications_read(at_supervisor)
    assert page.next("notifications")["data"] == "0"


def test_a_stream_ends_when_its_session_does(server, at_agent, monkeypatch):
    from django.contrib.sessions.backends.cached_db import SessionStore

    from bawaba.desk import live as desk_live

    monkeypatch.setattr(desk_live, "RECHECK_SECONDS", 0)  # check at every wake-up instead of every 5 minutes
    cookies = session_cookie(at_agent)
    reader = EventReader(server + QUEUE, cookies=cookies)
    reader.next("queue")
    SessionStore(cookies[settings.SESSION_COOKIE_NAME]).delete()  # signed out elsewhere
    live.publish(f"user:{at_agent.pk}", "ping")
    assert reader.wait_end(10)
    reader.close()


def test_stream_refuses_strangers(stream, server, fibre_less_user=None):
    import httpx

    response = httpx.get(server + QUEUE, timeout=5)
    assert response.status_code == 401


def test_under_wsgi_the_stream_says_no_content_and_the_page_keeps_polling(login, at_agent, make_request):
    created = make_request()
    client = login(at_agent)
    assert client.get(reverse("desk:live") + "?view=queue").status_code == 204  # EventSource stops; polls go on

    html = client.get(reverse("desk:home")).content.decode()
    assert created.reference in references(html)  # without JavaScript: the list is in the page
    assert 'hx-trigger="every' in html  # the fallback: polling with ETag/304
    assert 'name="bawaba-live"' in html and "desk-live.js" in html
    etag = client.get(reverse("desk:queue"))["ETag"]
    assert client.get(reverse("desk:queue"), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_change_through_one_server_process_reaches_a_screen_served_by_another(tmp_path, at_agent, make_request):
    """Two real server processes on one database: the agent's screen is connected to B, the change goes
    through A (the agent takes a request on A's desk form). PostgreSQL: LISTEN/NOTIFY; SQLite: the events
    table, read by B's listener."""
    import sqlite3

    import httpx
    from django.db import connection

    from bawaba.live.testing import asgi_server_processes

    request = make_request(subject="Câble arraché")
    cookies = session_cookie(at_agent)
    env = {"SECRET_KEY": settings.SECRET_KEY, "BAWABA_VAR_DIR": str(tmp_path), "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    if connection.vendor == "sqlite":  # the test database lives in memory: the servers get a copy on disk
        path = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        env.update(SQLITE_PATH=str(path), DATABASE_URL="")
    else:
        params = connection.settings_dict
        env["DATABASE_URL"] = (f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST']}:"
                               f"{params['PORT'] or 5432}/{params['NAME']}")
    with asgi_server_processes(env, 2) as (a, b):
        screen = EventReader(b + QUEUE, cookies=cookies, headers={"Accept-Language": "en"})
        try:
            screen.next("ready", timeout=20)
            assert "Amina" not in screen.next("queue", timeout=20)["data"]
            with httpx.Client(base_url=a, cookies=cookies, headers={"Accept-Language": "en"}, timeout=20) as client:
                page = client.get(f"/desk/r/{request.reference}/").text
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
                answer = client.post(f"/desk/r/{request.reference}/assign/",
                                     data={"csrfmiddlewaretoken": token, "assignee": "me"})
                assert answer.status_code == 302
            # The assignee's name, on B's screen. Not always the next list: one rendered for an earlier event
            # (opening the request on A) may arrive first, the renderings being coalesced.
            deadline = time.monotonic() + 20
            while "Amina" not in screen.next("queue", timeout=max(0.1, deadline - time.monotonic()))["data"]:
                assert time.monotonic() < deadline
        finally:
            screen.close()


def test_when_only_the_count_moves_the_stream_sends_the_count_not_the_list(stream, login, at_agent, make_request,
                                                                            frozen_minute):
    """A new request further down a long list leaves the rows on screen as they were: the stream sends the count's
    text and the list's new ETag (~150 bytes) instead of the whole list again; a change to a row on screen, or a
    new connection, still gets the whole list."""
    from bawaba.servicedesk.models import Request

    first_page = [make_request(subject=f"Panne {i}") for i in range(25)]
    make_request(subject="Panne 25")  # page 1 is full: later requests land further down
    agent = stream(at_agent)
    agent.next("ready")
    assert references(agent.next("queue")["data"]) == {r.reference for r in first_page}

    below = make_request(subject="Panne 26")
    message = agent.next()
    assert message["event"] == "queue-count", message["event"]
    values = json.loads(message["data"])
    assert values["text"] == "27 open requests"
    assert int(message["id"]) > 0
    # The ETag is the one polling would get now: if polling takes over, its first poll is answered 304.
    client = login(at_agent)
    assert client.get(reverse("desk:queue"))["ETag"] == f'"{values["etag"]}"'
    assert client.get(reverse("desk:queue"), HTTP_IF_NONE_MATCH=f'"{values["etag"]}"').status_code == 304
    assert below.reference not in references(client.get(reverse("desk:queue")).content.decode())

    # A row on screen changes (the agent takes the first request): the whole list again.
    services.do_assign(Request.objects.get(pk=first_page[0].pk), at_agent, actor=at_agent)
    whole = agent.next()
    assert whole["event"] == "queue"
    assert at_agent.first_name in whole["data"]
    assert int(whole["id"]) > int(message["id"])

    # A browser reconnecting after a count-only message gets the whole list first (its connection is new).
    again = stream(at_agent, **{"Last-Event-ID": message["id"]})
    again.next("ready")
    caught_up = again.next()
    assert caught_up["event"] == "queue" and caught_up["id"] == whole["id"]


def test_queue_frames_split_the_shared_rendering(at_agent, make_request, frozen_minute):
    from django.utils import translation

    from bawaba.desk.live import queue_frames
    from bawaba.desk.views import queue_list_html
    from bawaba.servicedesk import selectors

    make_request(subject="Fuite <d'eau> & panne")
    with translation.override("fr"):
        etag, rendered = queue_list_html(at_agent, {}, selectors.queue_scope(at_agent), "")
    frames = queue_frames(rendered)
    assert frames.full.startswith(b"event: queue\n") and frames.count is not None
    lines = frames.count.decode().split("\n")
    assert lines[0] == "event: queue-count"
    values = json.loads(lines[1].removeprefix("data: "))
    assert values["etag"] == etag
    assert values["text"] == "1 demande ouverte"
    # The rows' signature ignores the count and the ETag, and follows everything else.
    moved = rendered.replace(etag, "0" * 32).replace(values["text"], "2")
    assert queue_frames(moved).rows == frames.rows
    assert queue_frames(rendered.replace("Fuite", "Fuit")).rows != frames.rows
    # A rendering it cannot split is always sent whole.
    assert queue_frames("<div>" + rendered).count is None
