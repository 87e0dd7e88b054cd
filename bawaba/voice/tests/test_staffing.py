"""Erlang C against a published example, and the forecast from history."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.voice.staffing import agents_needed, erlang_c, forecast, service_level


def test_erlang_c_matches_pyworkforces_published_example():
    # https://pypi.org/project/pyworkforce/ — ErlangC(transactions=100, asa=20/60, aht=3, interval=30,
    # shrinkage=0.3).required_positions(service_level=0.8, max_occupancy=0.85)
    need = agents_needed(100, handle_seconds=180, interval_seconds=1800, target_level=0.8, target_seconds=20,
                         shrinkage=0.3, max_occupancy=0.85)
    assert (need.raw_agents, need.agents) == (14, 20)
    assert need.service_level == pytest.approx(0.8883500191794669, abs=1e-9)
    assert need.occupancy == pytest.approx(0.7142857142857143)
    assert need.waiting_probability == pytest.approx(0.1741319335950498, abs=1e-9)


def test_no_calls_need_no_agents_and_bad_parameters_are_refused():
    assert agents_needed(0, handle_seconds=180).agents == 0
    with pytest.raises(ValueError):
        agents_needed(10, handle_seconds=0)
    with pytest.raises(ValueError):
        agents_needed(10, handle_seconds=180, shrinkage=1)


@given(traffic=st.floats(min_value=0.1, max_value=200), extra=st.integers(min_value=1, max_value=50))
def test_more_agents_never_lower_the_service_level(traffic, extra):
    agents = int(traffic) + extra
    assert 0 <= erlang_c(traffic, agents) <= 1
    assert service_level(traffic, agents + 1, 180, 20) >= service_level(traffic, agents, 180, 20) - 1e-12


def test_the_forecast_is_the_mean_of_the_same_half_hour_on_the_same_weekday():
    day = dt.date(2026, 12, 7)
    history = {(day - dt.timedelta(weeks=1), dt.time(9, 30)): 40, (day - dt.timedelta(weeks=2), dt.time(9, 30)): 20,
               (day - dt.timedelta(days=1), dt.time(9, 30)): 999}  # another weekday: ignored
    expected = forecast(history, day, weeks=4)
    assert expected[dt.time(9, 30)] == 15 and expected[dt.time(10, 0)] == 0
