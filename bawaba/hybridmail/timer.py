"""The timer of "digital first, paper on a timer": once a minute, registered letters left unopened in a mailbox
past their product's delay go to paper (bawaba.hybridmail.dispatch.send_unopened_to_paper). One sweep over an
indexed due-date column rather than one timer per letter (docs/GUIDE: jobs and timers)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def sweep_unopened_letters():
    from .dispatch import send_unopened_to_paper

    moved = send_unopened_to_paper()
    if moved:
        log.info("hybrid mail: %d unopened registered letters sent to paper", moved)
    return moved


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_old_codes():
    """SMS codes are worth nothing after their 10 minutes; their hashes are kept a day (the per-phone limit looks
    back a quarter of an hour), then deleted."""
    from .signin import purge_codes

    return purge_codes()
