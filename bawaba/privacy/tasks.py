"""The nightly retention job (bawaba.privacy.retention)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="2", minute="40"))
def apply_retention():
    from .retention import apply_all

    runs = apply_all()
    summary = {run.rule: run.counts for run in runs}
    log.info("privacy retention: %s", summary)
    return summary
