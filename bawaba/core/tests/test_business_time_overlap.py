"""Opening periods that overlap (entered twice, or stored before they were checked) are counted once."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.business_time import BusinessCalendar, add_business_minutes, business_minutes_between, merge_intervals

ALGIERS = ZoneInfo("Africa/Algiers")
T = dt.time


def local(*args):
    return dt.datetime(*args, tzinfo=ALGIERS)


def test_overlapping_periods_are_merged():
    assert merge_intervals([(T(10), T(16)), (T(8), T(12))]) == ((T(8), T(16)),)
    assert merge_intervals([(T(8), T(12)), (T(9), T(10))]) == ((T(8), T(12)),)
    assert merge_intervals([(T(8), T(12)), (T(12), T(13)), (T(14), T(17))]) == ((T(8), T(13)), (T(14), T(17)))


def test_empty_or_reversed_periods_are_dropped():
    assert merge_intervals([(T(12), T(8)), (T(9), T(9)), (T(13), T(14))]) == ((T(13), T(14)),)


def test_six_hours_from_eight_end_at_two_despite_an_overlap():
    calendar = BusinessCalendar(timezone="Africa/Algiers", hours={0: ((T(8), T(12)), (T(10), T(16)))})
    assert calendar.hours[0] == ((T(8), T(16)),)
    monday = local(2026, 11, 23, 8)
    assert add_business_minutes(calendar, monday, 6 * 60) == local(2026, 11, 23, 14)
    assert business_minutes_between(calendar, monday, local(2026, 11, 23, 20)) == 8 * 60


minutes_of_day = st.integers(min_value=0, max_value=23 * 60 + 59).map(lambda m: T(m // 60, m % 60))


@given(st.lists(st.tuples(minutes_of_day, minutes_of_day), max_size=6))
def test_a_day_never_has_more_open_minutes_than_the_union_of_its_periods(periods):
    calendar = BusinessCalendar(timezone="Africa/Algiers", hours={0: tuple(periods)})
    open_minutes = set()
    for opens, closes in periods:
        open_minutes.update(range(opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute))
    monday = local(2026, 11, 23)
    assert business_minutes_between(calendar, monday, monday + dt.timedelta(days=1)) == len(open_minutes)
    merged = calendar.hours[0]
    assert all(earlier[1] < later[0] for earlier, later in zip(merged, merged[1:], strict=False))
