"""Background work. One sweep a minute over due_at columns rather than one timer per request."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import escalate_breaches

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def sweep_sla_breaches():
    count = escalate_breaches()
    if count:
        log.info("escalated %d requests past their SLA", count)
    return count
