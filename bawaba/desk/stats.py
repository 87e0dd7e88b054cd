"""Supervisor dashboard figures, computed with aggregate queries (a fixed number of queries whatever
the number of requests: no Python loop over request rows).

Definitions (also in docs/desk.md):
- backlog: open requests now, by status and by service; "overdue" = open, SLA running, next deadline past;
- SLA attainment over the period (requests created since the start of the period, merged duplicates
  excluded): a first-response target is *decided* once a public reply was given or the deadline passed
  while the clock was running; it is *met* when the first reply came no later than the deadline. The
  resolution target likewise, with the resolution (or, failing that, the closing) time;
- volumes: requests created in the period per service, channel, wilaya (top 15) and calendar day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from bawaba.geo.models import Region
from bawaba.orgs.models import Organisation, Service
from bawaba.servicedesk.models import OPEN_STATUSES, Channel, Request, Status
from bawaba.servicedesk.selectors import with_sla_due

PERIODS = (7, 30)
TOP_REGIONS = 15


@dataclass
class Attainment:
    met: int
    decided: int

    @property
    def missed(self) -> int:
        return self.decided - self.met

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.decided, 1) if self.decided else None


@dataclass
class Dashboard:
    organisation: Organisation | None
    days: int
    since: dt.datetime
    now: dt.datetime
    open_total: int = 0
    overdue: int = 0
    backlog_by_status: list[tuple[str, int]] = field(default_factory=list)
    backlog_by_service: list[tuple[str, int]] = field(default_factory=list)
    first_response: Attainment = field(default_factory=lambda: Attainment(0, 0))
    resolution: Attainment = field(default_factory=lambda: Attainment(0, 0))
    created_total: int = 0
    by_service: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_region: list[tuple[str, int]] = field(default_factory=list)
    region_not_given: int = 0
    by_day: list[tuple[dt.date, int]] = field(default_factory=list)


def scope_for(user, organisation: Organisation | None = None):
    """Requests the user's dashboard covers: their organisation, or for a platform admin every
    organisation (or the one chosen)."""
    qs = Request.objects.all()
    if user.is_platform_admin:
        return qs.filter(organisation=organisation) if organisation is not None else qs
    return qs.filter(organisation_id=user.organisation_id)


def period_start(days: int, now: dt.datetime) -> dt.datetime:
    """Midnight (current time zone) of the first of `days` calendar days ending today."""
    today = timezone.localtime(now).date()
    first = today - dt.timedelta(days=days - 1)
    return timezone.make_aware(dt.datetime.combine(first, dt.time.min))


def _service_names(counts: list[tuple[int, int]]) -> list[tuple[str, int]]:
    services = Service.objects.in_bulk([pk for pk, _n in counts])
    return [(services[pk].name if pk in services else "?", n) for pk, n in counts]


def backlog(qs, now: dt.datetime) -> dict:
    open_qs = qs.filter(status__in=OPEN_STATUSES)
    totals = with_sla_due(open_qs).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(sla_paused_at__isnull=True, sla_due__lt=now) & ~Q(status=Status.WAITING)),
    )
    by_status = dict(open_qs.order_by().values_list("status").annotate(n=Count("pk")))
    by_service = list(
        open_qs.order_by().values_list("service").annotate(n=Count("pk")).order_by("-n", "service")
    )
    return {
        "open_total": totals["total"],
        "overdue": totals["overdue"],
        "backlog_by_status": [(Status(s).label, by_status.get(s, 0)) for s in OPEN_STATUSES],
        "backlog_by_service": _service_names(by_service),
    }


def attainment(qs, now: dt.datetime) -> tuple[Attainment, Attainment]:
    """First-response and resolution attainment of `qs` (already restricted to the period)."""
    qs = qs.filter(merged_into__isnull=True).annotate(done_at=Coalesce("resolved_at", "closed_at"))
    running = Q(sla_paused_at__isnull=True)
    figures = qs.aggregate(
        fr_decided=Count("pk", filter=Q(first_response_due_at__isnull=False) & (
            Q(first_responded_at__isnull=False) | (Q(first_response_due_at__lt=now) & running))),
        fr_met=Count("pk", filter=Q(first_response_due_at__isnull=False, first_responded_at__isnull=False,
                                    first_responded_at__lte=F("first_response_due_at"))),
        res_decided=Count("pk", filter=Q(resolution_due_at__isnull=False) & (
            Q(done_at__isnull=False) | (Q(resolution_due_at__lt=now) & running))),
        res_met=Count("pk", filter=Q(resolution_due_at__isnull=False, done_at__isnull=False,
                                     done_at__lte=F("resolution_due_at"))),
    )
    return (
        Attainment(figures["fr_met"], figures["fr_decided"]),
        Attainment(figures["res_met"], figures["res_decided"]),
    )


def volumes(qs, since: dt.datetime, now: dt.datetime) -> dict:
    """Requests created from `since`: per service, channel, wilaya (top 15) and day (every day shown)."""
    created = qs.filter(created_at__gte=since, created_at__lte=now).order_by()
    by_service = list(created.values_list("service").annotate(n=Count("pk")).order_by("-n", "service"))
    channels = dict(created.values_list("channel").annotate(n=Count("pk")))
    regions = list(
        created.filter(region__isnull=False).values_list("region").annotate(n=Count("pk"))
        .order_by("-n", "region")[:TOP_REGIONS]
    )
    region_objects = Region.objects.in_bulk([pk for pk, _n in regions])
    tz = timezone.get_current_timezone()
    per_day = dict(
        created.annotate(day=TruncDate("created_at", tzinfo=tz)).values_list("day").annotate(n=Count("pk"))
    )
    totals = created.aggregate(total=Count("pk"), no_region=Count("pk", filter=Q(region__isnull=True)))
    first_day = timezone.localtime(since).date()
    last_day = timezone.localtime(now).date()
    days = [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    return {
        "created_total": totals["total"],
        "by_service": _service_names(by_service),
        "by_channel": sorted(
            ((label, channels[value]) for value, label in Channel.choices if channels.get(value)),
            key=lambda item: -item[1],
        ),
        "by_region": [
            (f"{region_objects[pk].code} {region_objects[pk].name}" if pk in region_objects else "?", n)
            for pk, n in regions
        ],
        "region_not_given": totals["no_region"],
        "by_day": [(day, per_day.get(day, 0)) for day in days],
    }


def dashboard(user, *, organisation: Organisation | None = None, days: int = 7,
              now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    since = period_start(days, now)
    qs = scope_for(user, organisation)
    first_response, resolution = attainment(qs.filter(created_at__gte=since, created_at__lte=now), now)
    result = Dashboard(
        organisation=organisation if user.is_platform_admin else user.organisation,
        days=days, since=since, now=now, first_response=first_response, resolution=resolution,
    )
    for name, value in {**backlog(qs, now), **volumes(qs, since, now)}.items():
        setattr(result, name, value)
    return result
