"""Postal jobs: webhook deliveries, queued after each commit, and the one-minute sweep that sends whatever is
due (retries after their back-off, deliveries whose task was lost)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bawaba.postal.webhooks import deliver_due, deliver_one

log = logging.getLogger(__name__)


@db_task()
def deliver_webhooks(ids):
    for pk in ids:
        deliver_one(pk)


@db_periodic_task(crontab(minute="*"))
def sweep_webhooks():
    count = deliver_due()
    if count:
        log.info("delivered %d postal webhooks", count)
    return count
