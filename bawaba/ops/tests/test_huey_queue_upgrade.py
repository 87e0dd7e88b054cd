"""Upgrading from the plain RedisHuey (a list) to the priority queue (a sorted set) keeps the jobs waiting, in
their order, instead of failing every new job with WRONGTYPE. Against a real Redis server (skipped when none
listens on 127.0.0.1:6379); database 13, a name of its own."""

import socket
import uuid

import pytest


def redis_listening() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


pytestmark = pytest.mark.skipif(not redis_listening(), reason="no Redis server on 127.0.0.1:6379")
URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def name():
    import redis

    name = f"bawabaupgrade{uuid.uuid4().hex[:8]}"  # huey keeps only letters and digits
    yield name
    conn = redis.Redis.from_url(URL)
    conn.delete(*(conn.keys(f"*{name}*") or [b"none"]))


def job(value):
    return value


def test_jobs_left_in_the_old_queue_run_first_and_in_order_after_the_upgrade(name):
    import huey

    from bawaba.ops.observability import RedisHuey

    old = huey.RedisHuey(name, url=URL)
    old_job = old.task(name="job")(job)
    for n in range(3):
        old_job(n)
    assert old.storage.conn.type(old.storage.queue_key) == b"list"

    new = RedisHuey(name, url=URL)  # the next release starts
    assert new.storage.conn.type(new.storage.queue_key) == b"zset"
    assert new.pending_count() == 3
    new_job = new.task(name="job")(job)
    new.enqueue(new_job.s("urgent", priority=30))
    new_job("later")  # no WRONGTYPE

    ran = [new.dequeue().args[0] for _ in range(5)]
    assert ran == ["urgent", 0, 1, 2, "later"]  # priority first, then the old jobs in their order, then the new


def test_a_priority_queue_already_in_place_is_left_alone(name):
    from bawaba.ops.observability import RedisHuey, adopt_fifo_queue

    first = RedisHuey(name, url=URL)
    first.task(name="job")(job)("kept")
    assert adopt_fifo_queue(first.storage.conn, first.storage.queue_key) == 0
    second = RedisHuey(name, url=URL)
    second.task(name="job")(job)
    assert second.dequeue().args == ("kept",)
