from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import health


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat():
    """The worker's sign of life, read by /health/ready, the metrics and the status page."""
    health.beat()
