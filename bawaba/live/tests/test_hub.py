"""The per-process fan-out and the shared renderings, without a server or a database."""

import asyncio
import concurrent.futures

from bawaba.live.events import Event
from bawaba.live.hub import Hub
from bawaba.live.sse import SharedRenderings, frame


def run(coro):
    # In its own thread: a browser test earlier in the same worker leaves Playwright's event loop running here.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_each_subscription_gets_its_topics_once_and_in_order(monkeypatch):
    hub = Hub()
    monkeypatch.setattr(hub, "_ensure_listening", lambda: None)

    async def scenario():
        agent = hub.subscribe({"queue:1", "user:7"})
        other = hub.subscribe({"queue:2"})
        admin = hub.subscribe({"queue:*"})
        hub.last_id = 0
        hub.dispatch([Event(3, "queue:2", "queue", {}), Event(1, "queue:1", "queue", {}),
                      Event(2, "user:7", "screen_pop", {"phone": "+213"})])
        hub.dispatch([Event(2, "user:7", "screen_pop", {}), Event(4, "queue:1", "queue", {})])  # 2 again: dropped
        return ([e.id for e in await agent.next_batch(0)], [e.id for e in await other.next_batch(0)],
                [e.id for e in await admin.next_batch(0)])

    assert run(scenario()) == ([1, 2, 4], [3], [1, 3, 4])


def test_an_unsubscribed_connection_hears_nothing_more(monkeypatch):
    hub = Hub()
    monkeypatch.setattr(hub, "_ensure_listening", lambda: None)

    async def scenario():
        sub = hub.subscribe({"queue:1"})
        hub.unsubscribe(sub)
        hub.dispatch([Event(1, "queue:1", "queue", {})])
        return await sub.next_batch(0.01), hub.connections

    assert run(scenario()) == ([], 0)


def test_connections_needing_the_same_change_share_one_rendering():
    position = {"id": 10}
    calls = []

    async def render():
        calls.append(position["id"])
        await asyncio.sleep(0.01)
        return f"list as of {position['id']}"

    async def scenario():
        shared = SharedRenderings(lambda: position["id"], interval=0.05)
        first = await asyncio.gather(*[shared.get(("queue", 1), 10, render) for _ in range(50)])
        again = await shared.get(("queue", 1), 9, render)  # older need: the same rendering
        position["id"] = 11
        newer = await asyncio.gather(*[shared.get(("queue", 1), 11, render) for _ in range(50)])
        return first, again, newer

    first, again, newer = run(scenario())
    assert set(first) == {"list as of 10"} and again == "list as of 10"
    assert set(newer) == {"list as of 11"}
    assert calls == [10, 11]  # 101 connections, two renderings


def test_message_framing():
    assert frame("<div>\na</div>", event="queue", id=5) == b"id: 5\nevent: queue\ndata: <div>\ndata: a</div>\n\n"
    assert frame("", event="ready", retry=3000) == b"retry: 3000\nevent: ready\ndata: \n\n"
