"""The test suite's clock: BAWABA_TEST_CLOCK moves the whole test session to a chosen moment.

    BAWABA_TEST_CLOCK=friday-night   the next Friday at 23:30 in Algiers (the weekend starts, offices closed)
    BAWABA_TEST_CLOCK=month-end      the last day of this month at 23:50 in Algiers (of next month if passed)
    BAWABA_TEST_CLOCK=leap-day       the next 29 February at 10:00 in Algiers
    BAWABA_TEST_CLOCK=2027-02-28T23:59:00+01:00   any ISO 8601 moment (without offset: Algiers time)

The named moments are computed from the real date and always lie in the future: browser tests drive a real
Chromium whose clock is not moved, and it would drop cookies whose expiry lies in its past. The root
conftest.py starts time_machine there (tick=True: time keeps running from that moment) before tests are
collected, so even values computed at import time see the chosen clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

ALGIERS = ZoneInfo("Africa/Algiers")
ENVIRONMENT_VARIABLE = "BAWABA_TEST_CLOCK"
NAMED = ("friday-night", "month-end", "leap-day")


class ClockError(ValueError):
    pass


def next_friday_night(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(ALGIERS)
    day = local.date() + dt.timedelta(days=(4 - local.weekday()) % 7)
    moment = dt.datetime.combine(day, dt.time(23, 30), ALGIERS)
    return moment if moment > now else moment + dt.timedelta(days=7)


def next_month_end(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(ALGIERS)
    year, month = local.year, local.month
    for _ in range(2):
        last = calendar.monthrange(year, month)[1]
        moment = dt.datetime(year, month, last, 23, 50, tzinfo=ALGIERS)
        if moment > now:
            return moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable: next month's end is always in the future")


def next_leap_day(now: dt.datetime) -> dt.datetime:
    year = now.astimezone(ALGIERS).year
    while True:
        if calendar.isleap(year):
            moment = dt.datetime(year, 2, 29, 10, 0, tzinfo=ALGIERS)
            if moment > now:
                return moment
        year += 1


def clock_moment(spec: str, now: dt.datetime) -> dt.datetime | None:
    """The moment BAWABA_TEST_CLOCK=`spec` stands for, seen from the real `now` (aware); None when unset."""
    spec = (spec or "").strip().lower()
    if not spec:
        return None
    if spec == "friday-night":
        return next_friday_night(now)
    if spec == "month-end":
        return next_month_end(now)
    if spec == "leap-day":
        return next_leap_day(now)
    try:
        moment = dt.datetime.fromisoformat(spec.upper())
    except ValueError:
        raise ClockError(f"{ENVIRONMENT_VARIABLE}={spec!r}: use one of {', '.join(NAMED)} or an ISO 8601 "
                         "moment such as 2028-02-29T10:00:00+01:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ALGIERS)

