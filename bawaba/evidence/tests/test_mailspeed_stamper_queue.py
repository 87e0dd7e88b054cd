"""The stamper task in a shared queue: it goes before the batch jobs, it does not linger (holding a worker idle)
while another job waits, and when it stops early it asks for one more look after the batch window. Run on an
in-memory Huey queue (the project's Huey in immediate mode: a real queue of this process only)."""

import time

import pytest

from bawaba.evidence import services, tasks
from bawaba.evidence.models import EvidenceRecord

from .helpers import FLOW, record_flow


@pytest.fixture
def memory_queue():
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True  # a memory queue of this process (a real storage: enqueue, dequeue, schedule)
    HUEY.flush()
    yield HUEY
    HUEY.flush()
    HUEY.immediate = was


def _wait_in_queue(huey):
    """A mail-merge chunk's job waiting in the queue (enqueued in the storage, not run)."""
    from bawaba.hybridmail.tasks_send import make_merge_chunk

    huey.storage.enqueue(huey.serialize_task(make_merge_chunk.s(0, 0)), 10)


@pytest.mark.django_db
def test_the_stamper_does_not_linger_while_a_job_waits_and_asks_for_one_more_look(memory_queue, settings):
    # A long linger and a long window, so that a loaded machine cannot make the test pass or fail by timing: the
    # stamper must stop well before its 30 s linger, and within the window's 2 x 3 s, so it asks for a follow-up.
    settings.EVIDENCE_STAMPER_LINGER_SECONDS = 30
    settings.EVIDENCE_BATCH_WINDOW_MS = 3000
    record_flow("letter:A", FLOW[:2])
    _wait_in_queue(memory_queue)
    started = time.monotonic()
    sealed = tasks.stamp_evidence.call_local(queued_at=time.time())
    took = time.monotonic() - started
    assert sealed == 2 and not EvidenceRecord.objects.pending().exists()
    assert took < 6, f"the stamper held the worker {took:.1f} s while a job waited"
    follow_ups = [task for task in memory_queue.scheduled() if task.name.endswith("stamp_evidence")]
    assert len(follow_ups) == 1 and follow_ups[0].kwargs.get("follow_up") is True  # (Sentry may add its headers)
    assert follow_ups[0].priority == tasks.STAMPER_PRIORITY
    # The follow-up looks once, without lingering, and seals what came meanwhile.
    record_flow("letter:B", FLOW[:1])
    started = time.monotonic()
    assert tasks.stamp_evidence.call_local(follow_up=True) == 1
    assert time.monotonic() - started < 6


@pytest.mark.django_db
def test_the_stamper_lingers_when_the_queue_is_quiet_and_needs_no_follow_up(memory_queue, settings):
    settings.EVIDENCE_STAMPER_LINGER_SECONDS = 1
    settings.EVIDENCE_BATCH_WINDOW_MS = 100
    record_flow("letter:A", FLOW[:2])
    started = time.monotonic()
    assert tasks.stamp_evidence.call_local(queued_at=time.time()) == 2
    assert time.monotonic() - started >= 1.0  # it kept looking for new records for its linger time
    assert memory_queue.scheduled() == []


@pytest.mark.django_db
def test_a_stamper_stopped_late_after_its_window_asks_for_no_follow_up(memory_queue, settings):
    settings.EVIDENCE_STAMPER_LINGER_SECONDS = 5
    settings.EVIDENCE_BATCH_WINDOW_MS = 100
    record_flow("letter:A", FLOW[:1])
    _wait_in_queue(memory_queue)
    # Queued 10 s ago (it waited in the queue): any record of its window was committed before it looked.
    assert tasks.stamp_evidence.call_local(queued_at=time.time() - 10) == 1
    assert memory_queue.scheduled() == []


@pytest.mark.django_db
def test_stamp_pending_stops_lingering_when_asked_and_keeps_the_lease_semantics(settings):
    settings.EVIDENCE_BATCH_WINDOW_MS = 100
    record_flow("letter:A", FLOW[:3])
    asked = []
    started = time.monotonic()
    assert services.stamp_pending(linger=30, stop_lingering=lambda: asked.append(1) or True) == 3
    assert time.monotonic() - started < 10 and asked
    # The lease is released: the next stamper takes it at once.
    record_flow("letter:B", FLOW[:1])
    assert services.stamp_pending() == 1


def test_the_queue_orders_the_stamper_and_runs_before_chunks_and_bulk_notices(tmp_path):
    """The declared priorities on a real SQLite queue (the embedded default's storage): higher first."""
    from huey.storage import SqliteStorage

    from bawaba.hybridmail.tasks_print import build_print_run
    from bawaba.hybridmail.tasks_send import make_merge_chunk
    from bawaba.notifications.services import BULK_PRIORITY, ONE_CITIZEN_PRIORITY
    from bawaba.notifications.tasks import send_messages

    storage = SqliteStorage(name="order", filename=str(tmp_path / "queue.sqlite3"))
    jobs = [
        ("bulk notices", send_messages.s([1], priority=BULK_PRIORITY)),
        ("chunk", make_merge_chunk.s(1, 0)),
        ("run", build_print_run.s(1, [1])),
        ("one citizen", send_messages.s([2], priority=ONE_CITIZEN_PRIORITY)),
        ("stamper", tasks.stamp_evidence.s(queued_at=1.0)),
        ("chunk 2", make_merge_chunk.s(1, 1)),
    ]
    for label, task in jobs:
        storage.enqueue(label.encode(), task.priority)
    order = []
    while (item := storage.dequeue()) is not None:
        order.append(item.decode())
    assert order == ["stamper", "one citizen", "run", "chunk", "chunk 2", "bulk notices"]


def test_the_redis_queue_class_accepts_priorities():
    """With REDIS_URL the project's Huey is a priority queue: the plain RedisHuey refuses a task's priority."""
    from bawaba.ops.observability import RedisHuey

    assert RedisHuey.storage_class.priority is True
