"""Prometheus metrics (docs/operations.md, "Metrics").

Requests by view and status and their latency histograms come from django-prometheus's middleware. What the
platform holds (open requests and SLA breaches per organisation, messages to citizens by channel and state,
jobs pending and failed, evidence waiting for its time stamp, the worker's heartbeat) is read from the database
when Prometheus scrapes, by one collector with a few aggregate queries, so every web process reports the same
figures and nothing is counted twice.

Under gunicorn with several processes set PROMETHEUS_MULTIPROC_DIR (an empty directory, cleaned at start) so the
request counters of every process are summed (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import datetime as dt
import os

from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily


class PlatformCollector:
    """Gauges of the platform's state, read at scrape time."""

    def describe(self):
        """The families' names without their values: registering must not query the database."""
        yield GaugeMetricFamily("bawaba_requests_open", "Open requests", labels=["organisation"])
        yield GaugeMetricFamily("bawaba_requests_sla_breached", "", labels=["organisation"])
        yield CounterMetricFamily("bawaba_notifications", "", labels=["channel", "state"])
        yield GaugeMetricFamily("bawaba_jobs_pending", "")
        yield CounterMetricFamily("bawaba_jobs_failed", "", labels=["task"])
        yield GaugeMetricFamily("bawaba_evidence_unstamped", "")
        yield GaugeMetricFamily("bawaba_worker_heartbeat_age_seconds", "")

    def collect(self):
        from bawaba.evidence.models import EvidenceRecord
        from bawaba.notifications.models import OutboundMessage
        from bawaba.orgs.models import Organisation
        from bawaba.servicedesk.models import OPEN_STATUSES, Request

        from . import health
        from .models import JobFailure

        now = timezone.now()
        slugs = dict(Organisation.objects.values_list("pk", "slug"))
        open_requests = GaugeMetricFamily("bawaba_requests_open", "Open requests", labels=["organisation"])
        breached = GaugeMetricFamily("bawaba_requests_sla_breached",
                                     "Open requests past their resolution deadline", labels=["organisation"])
        rows = (Request.objects.filter(status__in=OPEN_STATUSES).values("organisation_id")
                .annotate(total=Count("pk"), late=Count("pk", filter=Q(resolution_due_at__lt=now))))
        for row in rows:
            slug = slugs.get(row["organisation_id"], str(row["organisation_id"]))
            open_requests.add_metric([slug], row["total"])
            breached.add_metric([slug], row["late"])
        yield open_requests
        yield breached

        messages = CounterMetricFamily("bawaba_notifications", "Messages to citizens by channel and state",
                                       labels=["channel", "state"])
        for row in OutboundMessage.objects.values("channel", "state").annotate(total=Count("pk")):
            messages.add_metric([row["channel"], row["state"]], row["total"])
        yield messages

        pending = health.pending_jobs()
        jobs = GaugeMetricFamily("bawaba_jobs_pending", "Background jobs waiting in the queue")
        jobs.add_metric([], -1 if pending is None else pending)
        yield jobs
        failed = CounterMetricFamily("bawaba_jobs_failed", "Background jobs that raised", labels=["task"])
        for row in JobFailure.objects.values("task").annotate(total=Count("pk")):
            failed.add_metric([row["task"]], row["total"])
        yield failed

        stamps = GaugeMetricFamily("bawaba_evidence_unstamped", "Evidence records waiting for a time stamp")
        stamps.add_metric([], EvidenceRecord.objects.filter(Q(batch__isnull=True) | Q(batch__stamped_at__isnull=True))
                          .count())
        yield stamps

        age = health.worker_age(now)
        heartbeat = GaugeMetricFamily("bawaba_worker_heartbeat_age_seconds",
                                      "Seconds since the worker's last heartbeat (-1: never)")
        heartbeat.add_metric([], -1 if age is None else age)
        yield heartbeat


_collector = PlatformCollector()


def register() -> None:
    if _collector not in REGISTRY._collector_to_names:  # noqa: SLF001 - once per process
        REGISTRY.register(_collector)


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_collector)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def recent_failures(hours: int = 24):
    from .models import JobFailure

    return JobFailure.objects.filter(at__gte=timezone.now() - dt.timedelta(hours=hours)).order_by("-at")
