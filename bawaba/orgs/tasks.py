"""Background work for organisations: keep a year of public holidays ahead of today."""

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import extend_holidays_everywhere

log = logging.getLogger(__name__)


# Monthly rather than once a year, so a consumer that was down on the day catches up; a year already loaded
# is left alone, so the admins' corrections to lunar dates survive.
@db_periodic_task(crontab(day="1", hour="3", minute="30"))
def load_next_years_holidays():
    year = dt.date.today().year + 1
    added = extend_holidays_everywhere(year)
    total = sum(added.values())
    if total:
        log.info("loaded %d public holidays of %d for %s", total, year, ", ".join(s for s, n in added.items() if n))
    return total
