"""SLA deadlines: computed on creation, restarted on reopening and cross-organisation transfer,
recomputed on a change of priority, paused while waiting for the citizen.

All business-time arithmetic goes through a `Clock`. When the organisation's calendar cannot be used
(an unknown time zone, no opening hours at all), the clock counts around the clock instead, logs an
error and remembers the problem so that the service can record it in the request's history:
a configuration mistake must never stop a citizen's request from being stored.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfoNotFoundError

from django.db.models import Q

from bawaba.core.business_time import (
    BusinessCalendar,
    CalendarNeverOpens,
    add_business_minutes,
    business_minutes_between,
)
from bawaba.orgs.services import calendar_for, sla_targets

from .models import EventKind, Request, RequestEvent, Status

log = logging.getLogger(__name__)

# The fields `restart` may change, for `update_fields`.
RESTART_FIELDS = (
    "first_response_due_at",
    "resolution_due_at",
    "first_response_escalated_at",
    "resolution_escalated_at",
    "sla_paused_at",
)


class Clock:
    """Business time of one organisation, or wall-clock time when its calendar is unusable."""

    def __init__(self, organisation, calendar: BusinessCalendar | None, problem: str | None = None):
        self.organisation = organisation
        self.calendar = calendar
        self.problem = problem

    def _fall_back(self, problem: str) -> None:
        log.error("SLA of organisation %s counted around the clock: %s", self.organisation.slug, problem)
        self.calendar = None
        self.problem = problem

    def add(self, start: dt.datetime, minutes: float) -> dt.datetime:
        if self.calendar is not None:
            try:
                return add_business_minutes(self.calendar, start, minutes)
            except CalendarNeverOpens as exc:
                self._fall_back(str(exc))
        return start + dt.timedelta(minutes=minutes)

    def between(self, start: dt.datetime, end: dt.datetime) -> float:
        if self.calendar is not None:
            return business_minutes_between(self.calendar, start, end)
        return (end - start).total_seconds() / 60


def clock_for(organisation) -> Clock:
    calendar = calendar_for(organisation)
    clock = Clock(organisation, calendar)
    try:
        calendar.tz  # noqa: B018 -- resolves the time zone now rather than in the middle of a computation
    except (ZoneInfoNotFoundError, ValueError) as exc:
        clock._fall_back(f"unknown time zone {calendar.timezone!r} ({exc})")
        return clock
    if not any(calendar.hours.values()):
        clock._fall_back("no opening hours")
    return clock


def record_problem(request: Request, clock: Clock | None, actor, now: dt.datetime) -> None:
    """Write the calendar problem, if the clock met one, into the request's history."""
    if clock is None or clock.problem is None:
        return
    RequestEvent.objects.create(
        request=request, kind=EventKind.SLA_CALENDAR_ERROR, actor=actor,
        organisation_id=getattr(actor, "organisation_id", None), data={"problem": clock.problem}, at=now,
    )


def set_deadlines(request: Request, start: dt.datetime, clock: Clock | None = None) -> Clock | None:
    """Deadlines from `start` in the owning organisation's business time (no save). Returns the clock used
    (None when the organisation has no target for this priority)."""
    targets = sla_targets(request.organisation, request.priority)
    if targets is None:
        request.first_response_due_at = request.resolution_due_at = None
        return None
    clock = clock or clock_for(request.organisation)
    first_response, resolution = targets
    if request.first_responded_at is None:
        request.first_response_due_at = clock.add(start, first_response)
    request.resolution_due_at = clock.add(start, resolution)
    return clock


def restart(request: Request, start: dt.datetime, clock: Clock | None = None) -> Clock | None:
    """Fresh deadlines from `start` (reopening, transfer to another organisation), no save.

    Escalation marks of the deadlines that restart are cleared so the sweep escalates them again, and a
    request that is still waiting for the citizen starts its pause again at `start`: the wait before is
    already behind the new deadlines. Set `status` before calling this. Save `RESTART_FIELDS`."""
    clock = set_deadlines(request, start, clock)
    request.resolution_escalated_at = None
    if request.first_responded_at is None:
        request.first_response_escalated_at = None
    request.sla_paused_at = start if request.status == Status.WAITING else None
    return clock


def sla_started_at(request: Request) -> dt.datetime:
    """When the current deadlines started counting: creation, or the last reopening or transfer to
    another organisation."""
    last = (
        request.events.filter(
            Q(kind=EventKind.STATUS, data__to=Status.REOPENED)
            | Q(kind=EventKind.TRANSFERRED, data__across_organisations=True)
        )
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return max(last, request.created_at) if last else request.created_at


def retarget(request: Request, now: dt.datetime, clock: Clock | None = None) -> Clock | None:
    """Deadlines for the request's (new) priority, keeping the business time already spent since the SLA
    started (less the time spent waiting for the citizen). No save; changes the due and escalation fields."""
    targets = sla_targets(request.organisation, request.priority)
    if targets is None:
        request.first_response_due_at = request.resolution_due_at = None
        return None
    clock = clock or clock_for(request.organisation)
    start = sla_started_at(request)
    # While paused, the clock stands at the pause; `resume` later pushes the deadlines by the wait.
    reference = request.sla_paused_at or now
    waited = sum(
        (data or {}).get("business_minutes_waited", 0) or 0
        for data in request.events.filter(kind=EventKind.SLA_RESUMED, at__gte=start).values_list("data", flat=True)
    )
    spent = max(clock.between(start, reference) - waited, 0)
    first_response, resolution = targets
    if request.first_responded_at is None:
        left = first_response - spent
        request.first_response_due_at = clock.add(reference, max(left, 0))
        if left > 0:
            request.first_response_escalated_at = None
    left = resolution - spent
    request.resolution_due_at = clock.add(reference, max(left, 0))
    if left > 0:
        request.resolution_escalated_at = None
    return clock


def pause(request: Request, now: dt.datetime) -> None:
    if request.sla_paused_at is None:
        request.sla_paused_at = now


def resume(request: Request, now: dt.datetime, clock: Clock | None = None) -> float:
    """Push unmet deadlines forward by the business time spent waiting; returns those minutes."""
    if request.sla_paused_at is None:
        return 0.0
    clock = clock or clock_for(request.organisation)
    waited = clock.between(request.sla_paused_at, now)
    if waited > 0:
        if request.first_responded_at is None and request.first_response_due_at:
            request.first_response_due_at = clock.add(request.first_response_due_at, waited)
        if request.resolution_due_at:
            request.resolution_due_at = clock.add(request.resolution_due_at, waited)
    request.sla_paused_at = None
    return waited
