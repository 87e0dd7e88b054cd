"""Posting TMF621 notifications: a task per delivery at once, and a sweep a minute that turns new history
into notifications and posts whatever is due (retries with back-off, deliveries whose task was lost)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def deliver_notification(pk: int):
    return services.deliver_one(pk)


@db_periodic_task(crontab(minute="*"))
def sweep_notifications():
    from .views import ticket_body

    services.publish_events(ticket_of=ticket_body)
    return services.deliver_due()


@db_task()
def publish_now():
    """After a change through the API: its notifications at once rather than at the next sweep."""
    from .views import ticket_body

    ids = services.publish_events(ticket_of=ticket_body)
    return len(ids)
