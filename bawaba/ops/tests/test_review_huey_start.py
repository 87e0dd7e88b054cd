"""Starting a process never depends on Redis answering: the check of the queue's type made when the project's
Huey is built (observability.adopt_fifo_queue) is skipped with a warning when Redis is down or too slow, as
the plain RedisHuey, which does not talk to Redis before the first job, never failed an import or a command."""

import socket
import threading

import pytest


@pytest.fixture
def silent_peer():
    """A TCP peer on loopback that accepts connections and never answers (Redis stuck, or overloaded)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def test_a_redis_that_does_not_answer_does_not_fail_the_start(silent_peer, caplog):
    from bawaba.ops.observability import RedisHuey

    port, accepted = silent_peer
    huey = RedisHuey("bawabastart", url=f"redis://127.0.0.1:{port}/7?socket_timeout=0.3&socket_connect_timeout=0.3")
    assert accepted, "the queue's type was asked of the peer"
    assert huey.storage.queue_key and "not checked" in caplog.text
