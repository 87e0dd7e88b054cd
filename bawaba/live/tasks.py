from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .events import prune


@db_periodic_task(crontab(minute="17"))
def prune_live_events():
    prune()
