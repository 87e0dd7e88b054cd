"""Staffing: calls forecast per half-hour from history, and agents needed by Erlang C.

Erlang C is implemented here (a dozen lines) rather than taken from `pyworkforce`, the maintained library that
has it: pyworkforce pulls in Google OR-tools and pandas for its scheduling half. The reference example of
pyworkforce's own documentation (https://pypi.org/project/pyworkforce/, "Queue systems": 100 calls in 30
minutes, 3-minute handling, 80 % answered within 20 s, 85 % maximum occupancy, 30 % shrinkage → 14 agents on
the phones, 20 scheduled, service level 0.88835, occupancy 0.7143, waiting probability 0.17413) is a test.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

SLOT_MINUTES = 30


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a call waits (Erlang C) with `traffic` Erlangs offered to `agents` agents."""
    if agents <= traffic:
        return 1.0
    # Erlang B by its stable recurrence, then C from B.
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b / (1 - (traffic / agents) * (1 - b))


def service_level(traffic: float, agents: int, handle_seconds: float, target_seconds: float) -> float:
    """Share of calls answered within `target_seconds`."""
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(traffic, agents) * math.exp(-(agents - traffic) * target_seconds / handle_seconds)


@dataclass(frozen=True)
class Requirement:
    raw_agents: int  # on the phones
    agents: int  # to schedule, with shrinkage
    service_level: float
    occupancy: float
    waiting_probability: float


def agents_needed(calls: float, *, handle_seconds: float, interval_seconds: float = SLOT_MINUTES * 60,
                  target_level: float = 0.8, target_seconds: float = 20, shrinkage: float = 0.3,
                  max_occupancy: float = 0.85) -> Requirement:
    """The fewest agents meeting the service level and the occupancy ceiling, then scheduled for shrinkage."""
    if calls < 0 or handle_seconds <= 0 or interval_seconds <= 0 or not 0 <= shrinkage < 1:
        raise ValueError("calls >= 0, handle time and interval > 0, 0 <= shrinkage < 1")
    if calls == 0:
        return Requirement(0, 0, 1.0, 0.0, 0.0)
    traffic = calls * handle_seconds / interval_seconds
    agents = max(1, math.floor(traffic) + 1)
    while True:
        level = service_level(traffic, agents, handle_seconds, target_seconds)
        occupancy = traffic / agents
        if level >= target_level and occupancy <= max_occupancy:
            break
        agents += 1
    return Requirement(agents, math.ceil(agents / (1 - shrinkage)), level, occupancy, erlang_c(traffic, agents))


def forecast(history: dict[tuple[dt.date, dt.time], int], day: dt.date, weeks: int = 4) -> dict[dt.time, float]:
    """Calls expected in each half-hour of `day`: the mean of the same weekday's half-hour over the previous
    `weeks` weeks (days without any call in the history count as zero only when other weeks had calls)."""
    slots = [dt.time(hour, minute) for hour in range(24) for minute in (0, 30)]
    past_days = [day - dt.timedelta(weeks=week) for week in range(1, weeks + 1)]
    result = {}
    for slot in slots:
        counts = [history.get((past, slot), 0) for past in past_days]
        result[slot] = sum(counts) / len(past_days)
    return result


def slot_of(moment: dt.datetime) -> dt.time:
    return dt.time(moment.hour, 0 if moment.minute < 30 else 30)
