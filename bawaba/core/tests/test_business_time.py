import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bawaba.core.business_time import (
    BusinessCalendar,
    CalendarNeverOpens,
    add_business_minutes,
    business_minutes_between,
)

ALGIERS = ZoneInfo("Africa/Algiers")
# Algeria: Sunday to Thursday 08:00-16:30; Friday and Saturday closed.
DZ = BusinessCalendar(
    timezone="Africa/Algiers",
    hours={d: ((dt.time(8), dt.time(16, 30)),) for d in (6, 0, 1, 2, 3)},
    holidays=frozenset({dt.date(2026, 11, 1), dt.date(2026, 7, 5)}),
)
SPLIT_DAY = BusinessCalendar(
    timezone="Africa/Algiers",
    hours={d: ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))) for d in range(5)},
)


def local(*args):
    return dt.datetime(*args, tzinfo=ALGIERS)


def test_minutes_within_one_open_day():
    # Monday 23 November 2026, 09:00 + 2 h
    assert add_business_minutes(DZ, local(2026, 11, 23, 9), 120) == local(2026, 11, 23, 11)


def test_thursday_evening_deadline_skips_the_algerian_weekend():
    # Thursday 26 Nov 16:00 + 60 min: 30 min on Thursday, 30 min on Sunday 29 Nov.
    assert add_business_minutes(DZ, local(2026, 11, 26, 16), 60) == local(2026, 11, 29, 8, 30)


def test_request_made_on_friday_counts_from_sunday_opening():
    assert add_business_minutes(DZ, local(2026, 11, 27, 10), 30) == local(2026, 11, 29, 8, 30)


def test_holiday_is_not_counted():
    # Saturday 31 Oct 2026 then Sunday 1 Nov (Revolution Day) are closed: opens Monday 2 Nov.
    assert add_business_minutes(DZ, local(2026, 10, 29, 16, 30), 10) == local(2026, 11, 2, 8, 10)


def test_lunch_break_is_skipped():
    assert add_business_minutes(SPLIT_DAY, local(2026, 11, 23, 11, 30), 60) == local(2026, 11, 23, 13, 30)


def test_zero_minutes_from_a_closed_instant_is_the_next_opening():
    assert add_business_minutes(DZ, local(2026, 11, 28, 3), 0) == local(2026, 11, 29, 8)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_business_minutes(DZ, dt.datetime(2026, 11, 23, 9), 10)


def test_calendar_without_hours_raises_instead_of_looping():
    with pytest.raises(CalendarNeverOpens):
        add_business_minutes(BusinessCalendar(timezone="UTC", hours={}), local(2026, 1, 1), 10)


def test_minutes_between_over_a_weekend():
    assert business_minutes_between(DZ, local(2026, 11, 26, 16), local(2026, 11, 29, 9)) == 90
    assert business_minutes_between(DZ, local(2026, 11, 29, 9), local(2026, 11, 26, 16)) == -90


instants = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=ALGIERS)
)


@settings(max_examples=200, deadline=None)
@given(start=instants, minutes=st.integers(min_value=0, max_value=20 * 8 * 60))
def test_adding_then_measuring_gives_back_the_minutes(start, minutes):
    end = add_business_minutes(DZ, start, minutes)
    assert end >= start
    assert business_minutes_between(DZ, start, end) == pytest.approx(minutes)


@settings(max_examples=200, deadline=None)
@given(start=instants, a=st.integers(0, 5000), b=st.integers(0, 5000))
def test_adding_is_additive(start, a, b):
    assert add_business_minutes(DZ, add_business_minutes(DZ, start, a), b) == add_business_minutes(DZ, start, a + b)


@settings(max_examples=100, deadline=None)
@given(start=instants, minutes=st.integers(1, 5000))
def test_deadline_never_falls_on_a_closed_day(start, minutes):
    end = add_business_minutes(DZ, start, minutes).astimezone(ALGIERS)
    assert DZ.is_open_day(end.date())
