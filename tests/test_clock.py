"""BAWABA_TEST_CLOCK: the named moments are computed from the real date and always lie in the future."""

import datetime as dt

import pytest

from tests.clock import ALGIERS, ClockError, clock_moment


def at(text):
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-12-06T12:00:00+00:00", "2026-12-11T23:30:00+01:00"),  # a Sunday: the coming Friday
    ("2026-12-11T20:00:00+00:00", "2026-12-11T23:30:00+01:00"),  # Friday evening, before 23:30 in Algiers
    ("2026-12-11T22:45:00+00:00", "2026-12-18T23:30:00+01:00"),  # Friday 23:45 in Algiers: next week's
])
def test_friday_night_is_the_next_friday_at_half_past_eleven_in_algiers(now, expected):
    moment = clock_moment("friday-night", at(now))
    assert moment == at(expected) and moment.astimezone(ALGIERS).weekday() == 4


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-12-06T12:00:00+00:00", "2026-12-31T23:50:00+01:00"),
    ("2026-12-31T22:55:00+00:00", "2027-01-31T23:50:00+01:00"),  # already 23:55 on the 31st in Algiers
    ("2027-02-03T08:00:00+00:00", "2027-02-28T23:50:00+01:00"),
    ("2028-02-10T08:00:00+00:00", "2028-02-29T23:50:00+01:00"),
])
def test_month_end_is_the_last_day_of_the_month_ten_minutes_before_midnight(now, expected):
    assert clock_moment("month-end", at(now)) == at(expected)


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-12-06T12:00:00+00:00", "2028-02-29T10:00:00+01:00"),
    ("2028-02-29T08:00:00+00:00", "2028-02-29T10:00:00+01:00"),
    ("2028-02-29T10:00:00+00:00", "2032-02-29T10:00:00+01:00"),
])
def test_leap_day_is_the_next_29_february(now, expected):
    assert clock_moment("leap-day", at(now)) == at(expected)


def test_iso_moment_without_offset_is_algiers_time():
    assert clock_moment("2027-03-01T00:05:00", at("2026-12-06T12:00:00+00:00")) == at("2027-03-01T00:05:00+01:00")
    assert clock_moment(" Month-End ", at("2026-12-06T12:00:00+00:00")) == at("2026-12-31T23:50:00+01:00")


def test_unset_clock_is_the_real_one():
    assert clock_moment("", at("2026-12-06T12:00:00+00:00")) is None


def test_unknown_clock_name_is_refused():
    with pytest.raises(ClockError, match="friday-night, month-end, leap-day"):
        clock_moment("tuesday", at("2026-12-06T12:00:00+00:00"))
