"""The stamper runs from a task queued after each commit that recorded evidence (within a second), and from
a sweep every minute that picks up whatever a lost task or a failed authority left behind: nothing depends
on the task alone. Only one stamper works at a time (services.StamperLease); the others return at once.

The task goes first in the queue (STAMPER_PRIORITY, above the mail-merge and print-run jobs): it is short, and
records are sealed within a second even while a 100,000-letter batch keeps both workers busy. It lingers (keeps
looking for new records) only while no other job waits: a worker lingering idle while jobs wait was the
stamper's main cost in the batch benchmark (docs/benchmarks.md). When it stops early, it asks for one more look
(a follow-up, without lingering) once the batch window has passed since it was queued: a record committed in
that window by the process that queued it queued no task of its own (services._stamp_soon)."""

import logging
import time

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from .services import stamp_pending

log = logging.getLogger(__name__)

STAMPER_PRIORITY = 30  # higher goes first: hybridmail chunks 10, print runs 20, notices to many citizens 0


def jobs_waiting() -> bool:
    """Whether another job waits in the queue (Huey's pending count: one COUNT on SQLite, ZCARD on Redis)."""
    try:
        return HUEY.pending_count() > 0
    except Exception:  # the queue cannot be read: linger as before  # noqa: BLE001
        return False


@db_task(priority=STAMPER_PRIORITY)
def stamp_evidence(queued_at: float | None = None, follow_up: bool = False):
    """Queued after a commit that recorded evidence: stamps it, then keeps looking for a few seconds of quiet
    (not while other jobs wait). A follow-up only looks once more."""
    window = settings.EVIDENCE_BATCH_WINDOW_MS / 1000
    queued_at = queued_at or time.time()
    if follow_up:
        return stamp_pending()
    stopped = []

    def stop_lingering() -> bool:
        if jobs_waiting():
            stopped.append(True)
            return True
        return False

    sealed = stamp_pending(
        linger=max(settings.EVIDENCE_STAMPER_LINGER_SECONDS, 2 * window), stop_lingering=stop_lingering
    )
    # Stopped early: the look the lingering would have made after the window, made by a follow-up instead (not
    # needed once the window since this task was queued has passed: a commit after it queues its own task).
    follow_at = queued_at + 2 * window
    if stopped and time.time() < follow_at:
        stamp_evidence.schedule(
            kwargs={"follow_up": True}, delay=max(0.05, follow_at - time.time()), priority=STAMPER_PRIORITY
        )
    return sealed


@db_periodic_task(crontab(minute="*"))
def sweep_evidence():
    count = stamp_pending()
    if count:
        log.info("sealed %d evidence records", count)
    return count
