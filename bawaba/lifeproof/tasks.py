"""Background work: deciding attempts (queued after each submission; a sweep decides those whose task was lost),
the daily campaign messages (invitations, reminders) and the retention of frames."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger(__name__)


@db_task()
def decide_attempt_task(attempt_id):
    from .proofs import do_decide_attempt

    return do_decide_attempt(attempt_id).status


@db_periodic_task(crontab(minute="*"))
def sweep_lifeproof_attempts():
    from .proofs import decide_pending

    return decide_pending()


@db_periodic_task(crontab(hour="9", minute="0"))
def send_lifeproof_messages():
    from .proofs import send_campaign_messages

    counts = send_campaign_messages()
    log.info("proof of life messages: %s", counts)
    return counts


@db_periodic_task(crontab(hour="3", minute="15"))
def purge_lifeproof_frames():
    from .privacy import purge_frames

    return purge_frames()
