"""The stamper runs from a task queued after each commit that recorded evidence (within a second), and from
a sweep every minute that picks up whatever a lost task or a failed authority left behind: nothing depends
on the task alone. Only one stamper works at a time (services.StamperLease); the others return at once."""

import logging
import time

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import stamp_pending

log = logging.getLogger(__name__)


@db_task()
def stamp_evidence(queued_at: float | None = None):
    """Run the stamper; then, at the end of the window that began when the task was queued, once more: the
    process that queued it queues no other task during that window (services._stamp_soon)."""
    count = stamp_pending()
    if queued_at is not None:
        wait = queued_at + settings.EVIDENCE_BATCH_WINDOW_MS / 1000 - time.time()
        if wait > 0:
            time.sleep(min(wait, 1.0))
        count += stamp_pending()
    return count


@db_periodic_task(crontab(minute="*"))
def sweep_evidence():
    count = stamp_pending()
    if count:
        log.info("sealed %d evidence records", count)
    return count
