"""Business-time arithmetic: deadlines counted only in an organisation's opening hours.

Pure functions over a `BusinessCalendar` value so they can be tested without a database.
Holidays are data (lunar holidays move every year), weekly hours are data (Algeria's weekend
is Friday-Saturday, Congo's Saturday-Sunday).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# Longest search for the next open minute: a calendar with no opening at all for a year is a
# configuration error, not an infinite loop.
_MAX_DAYS_SCANNED = 366 * 2


def merge_intervals(intervals) -> tuple[tuple[dt.time, dt.time], ...]:
    """Sorted, non-overlapping (opens, closes) pairs: overlapping or touching periods become one, empty or
    reversed ones are dropped. Counting an overlap twice would bring every deadline forward."""
    merged: list[list[dt.time]] = []
    for opens, closes in sorted(intervals):
        if closes <= opens:
            continue
        if merged and opens <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], closes)
        else:
            merged.append([opens, closes])
    return tuple((opens, closes) for opens, closes in merged)


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str
    # weekday (Monday=0) -> sorted, non-overlapping (opens, closes) local times; normalised on creation
    hours: dict[int, tuple[tuple[dt.time, dt.time], ...]]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "hours", {day: merge_intervals(periods) for day, periods in self.hours.items()})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open_day(self, day: dt.date) -> bool:
        return day not in self.holidays and bool(self.hours.get(day.weekday()))

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The open intervals of one local day, as aware datetimes."""
        if day in self.holidays:
            return []
        tz = self.tz
        return [
            (dt.datetime.combine(day, opens, tz), dt.datetime.combine(day, closes, tz))
            for opens, closes in self.hours.get(day.weekday(), ())
        ]


class CalendarNeverOpens(ValueError):
    pass


def add_business_minutes(calendar: BusinessCalendar, start: dt.datetime, minutes: float) -> dt.datetime:
    """The instant when `minutes` of opening time have elapsed after `start`.

    A start outside opening hours counts from the next opening. Zero minutes from a closed
    instant gives the next opening.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    remaining = dt.timedelta(minutes=minutes)
    local = start.astimezone(calendar.tz)
    day = local.date()
    for _ in range(_MAX_DAYS_SCANNED):
        for opens, closes in calendar.intervals_on(day):
            if closes <= local:
                continue
            begin = max(opens, local)
            available = closes - begin
            if remaining <= available:
                return (begin + remaining).astimezone(dt.UTC)
            remaining -= available
        day += dt.timedelta(days=1)
    raise CalendarNeverOpens(f"no opening hours within {_MAX_DAYS_SCANNED} days of {start.isoformat()}")


def business_minutes_between(calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> float:
    """Opening minutes in [start, end); negative if end is before start."""
    if end < start:
        return -business_minutes_between(calendar, end, start)
    start_local = start.astimezone(calendar.tz)
    end_local = end.astimezone(calendar.tz)
    total = dt.timedelta()
    day = start_local.date()
    while day <= end_local.date():
        for opens, closes in calendar.intervals_on(day):
            begin, finish = max(opens, start_local), min(closes, end_local)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60
