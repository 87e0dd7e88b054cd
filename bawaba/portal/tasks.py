"""Daily clean-up of the form tokens that protect against double submission."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import purge_old_tokens


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_submission_tokens():
    return purge_old_tokens()
