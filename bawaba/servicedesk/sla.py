"""SLA deadlines: computed on creation (and on transfer), paused while waiting for the citizen."""

import datetime as dt

from bawaba.core.business_time import add_business_minutes, business_minutes_between
from bawaba.orgs.services import calendar_for, sla_targets

from .models import Request


def set_deadlines(request: Request, start: dt.datetime) -> None:
    """Deadlines from `start` in the owning organisation's business time (no save)."""
    targets = sla_targets(request.organisation, request.priority)
    if targets is None:
        request.first_response_due_at = request.resolution_due_at = None
        return
    calendar = calendar_for(request.organisation)
    first_response, resolution = targets
    if request.first_responded_at is None:
        request.first_response_due_at = add_business_minutes(calendar, start, first_response)
    request.resolution_due_at = add_business_minutes(calendar, start, resolution)


def pause(request: Request, now: dt.datetime) -> None:
    if request.sla_paused_at is None:
        request.sla_paused_at = now


def resume(request: Request, now: dt.datetime) -> float:
    """Push unmet deadlines forward by the business time spent waiting; returns those minutes."""
    if request.sla_paused_at is None:
        return 0.0
    calendar = calendar_for(request.organisation)
    waited = business_minutes_between(calendar, request.sla_paused_at, now)
    if waited > 0:
        if request.first_responded_at is None and request.first_response_due_at:
            request.first_response_due_at = add_business_minutes(calendar, request.first_response_due_at, waited)
        if request.resolution_due_at:
            request.resolution_due_at = add_business_minutes(calendar, request.resolution_due_at, waited)
    request.sla_paused_at = None
    return waited
