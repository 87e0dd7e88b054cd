"""Sending: a task queued after each commit (no wait), and the one-minute sweep that sends whatever is due
(retries after their back-off, messages whose task was lost): nothing depends on the task alone."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import send_due, send_one

log = logging.getLogger(__name__)


@db_task()
def send_messages(ids):
    for pk in ids:
        send_one(pk)


@db_periodic_task(crontab(minute="*"))
def sweep_notifications():
    count = send_due()
    if count:
        log.info("sent %d notifications", count)
    return count
