"""Reads for the wallboard, the staffing page and the screen pop."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Min, Q

from bawaba.orgs.models import Service

from . import staffing
from .models import SERVICE_LEVEL_SECONDS, AgentState, AgentStateKind, Call, CallState, Outcome, ScheduledAgents


def local_day_bounds(organisation, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(organisation.timezone)
    day = now.astimezone(tz).date()
    start = dt.datetime.combine(day, dt.time(0), tz)
    return start, start + dt.timedelta(days=1)


def wallboard(organisation, now: dt.datetime) -> dict:
    """Per service of the organisation: calls waiting, longest wait, agents by state, today's service level
    (answered within 20 s among calls that reached a queue and were answered or abandoned) and abandonment."""
    start, end = local_day_bounds(organisation, now)
    services = list(Service.objects.filter(organisation=organisation, is_active=True).order_by("code"))
    waiting = {row["service_id"]: row for row in
               Call.objects.filter(service__organisation=organisation, state__in=(CallState.QUEUED,
                                                                                CallState.OFFERED))
               .values("service_id").annotate(count=Count("pk"), oldest=Min("queued_at"),
                                             callbacks=Count("pk", filter=Q(callback_requested_at__isnull=False)))}
    today = {row["service_id"]: row for row in
             Call.objects.filter(service__organisation=organisation, queued_at__gte=start, queued_at__lt=end)
             .values("service_id").annotate(
                 answered=Count("pk", filter=Q(answered_at__isnull=False)),
                 fast=Count("pk", filter=Q(answered_at__isnull=False, wait_seconds__lte=SERVICE_LEVEL_SECONDS)),
                 abandoned=Count("pk", filter=Q(outcome=Outcome.ABANDONED)))}
    agents_by_queue: dict[int, Counter] = defaultdict(Counter)
    for queue_id, state in (AgentState.objects.filter(organisation=organisation)
                            .exclude(state=AgentStateKind.OFFLINE)
                            .values_list("user__queues", "state")):
        if queue_id:
            agents_by_queue[queue_id][state] += 1
    rows = []
    for service in services:
        wait = waiting.get(service.pk, {})
        stats = today.get(service.pk, {})
        handled = stats.get("answered", 0) + stats.get("abandoned", 0)
        oldest = wait.get("oldest")
        rows.append({
            "service": service,
            "waiting": wait.get("count", 0),
            "callbacks": wait.get("callbacks", 0),
            "longest_wait": int((now - oldest).total_seconds()) if oldest else 0,
            "agents": {state: agents_by_queue[service.queue_id].get(state, 0) for state in AgentStateKind.values
                       if state != AgentStateKind.OFFLINE},
            "answered": stats.get("answered", 0),
            "abandoned": stats.get("abandoned", 0),
            "service_level": round(100 * stats.get("fast", 0) / handled) if handled else None,
            "abandonment": round(100 * stats.get("abandoned", 0) / handled) if handled else None,
        })
    totals = Counter()
    for state in AgentState.objects.filter(organisation=organisation).values_list("state", flat=True):
        totals[state] += 1
    return {"rows": rows, "agents": {state: totals.get(state, 0) for state in AgentStateKind.values}}


def call_history(organisation, day: dt.date, weeks: int) -> dict:
    """Calls that arrived on the organisation's numbers in the weeks before `day`, per (date, half-hour)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(organisation.timezone)
    start = dt.datetime.combine(day - dt.timedelta(weeks=weeks), dt.time(0), tz)
    end = dt.datetime.combine(day, dt.time(0), tz)
    counts: dict = Counter()
    for arrived in (Call.objects.filter(organisation=organisation, arrived_at__gte=start, arrived_at__lt=end)
                    .values_list("arrived_at", flat=True).iterator()):
        local = arrived.astimezone(tz)
        counts[(local.date(), staffing.slot_of(local))] += 1
    return counts


def staffing_table(organisation, day: dt.date, *, weeks: int = 4, target_level: float = 0.8,
                   target_seconds: int = SERVICE_LEVEL_SECONDS, shrinkage: float = 0.3,
                   handle_seconds: int) -> list[dict]:
    expected = staffing.forecast(call_history(organisation, day, weeks), day, weeks)
    scheduled = dict(ScheduledAgents.objects.filter(organisation=organisation, date=day)
                     .values_list("slot", "agents"))
    rows = []
    for slot, calls in expected.items():
        need = staffing.agents_needed(calls, handle_seconds=handle_seconds, target_level=target_level,
                                      target_seconds=target_seconds, shrinkage=shrinkage)
        planned = scheduled.get(slot)
        if not calls and planned is None:
            continue
        rows.append({"slot": slot, "calls": round(calls, 1), "raw_agents": need.raw_agents, "agents": need.agents,
                     "service_level": round(100 * need.service_level, 1), "scheduled": planned,
                     "gap": (planned or 0) - need.agents})
    return rows
