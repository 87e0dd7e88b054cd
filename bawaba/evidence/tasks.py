"""The stamper runs from a task queued after each commit that recorded evidence (within a second), and from
a sweep every minute that picks up whatever a lost task or a failed authority left behind: nothing depends
on the task alone. Only one stamper works at a time (services.StamperLease); the others return at once."""

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import stamp_pending

log = logging.getLogger(__name__)


@db_task()
def stamp_evidence():
    """Queued after a commit that recorded evidence: stamps it, then keeps looking for a few seconds of quiet."""
    window = settings.EVIDENCE_BATCH_WINDOW_MS / 1000
    return stamp_pending(linger=max(settings.EVIDENCE_STAMPER_LINGER_SECONDS, 2 * window))


@db_periodic_task(crontab(minute="*"))
def sweep_evidence():
    count = stamp_pending()
    if count:
        log.info("sealed %d evidence records", count)
    return count
