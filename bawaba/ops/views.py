"""Health for load balancers, metrics for Prometheus, and the status page supervisors read."""

from __future__ import annotations

import datetime as dt
import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from . import health, metrics

LOOPBACK = {"127.0.0.1", "::1"}


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    status, body = health.ready()
    return JsonResponse(body, status=status)


@never_cache
@require_GET
def prometheus(request):
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse("metrics need the bearer token (METRICS_TOKEN)\n", status=401,
                                content_type="text/plain", headers={"WWW-Authenticate": "Bearer"})
    elif request.META.get("REMOTE_ADDR") not in LOOPBACK:
        return HttpResponse("metrics are served to this machine only unless METRICS_TOKEN is set\n", status=403,
                            content_type="text/plain")
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)


def status_data(now: dt.datetime | None = None) -> dict:
    from bawaba.evidence.models import EvidenceBatch, EvidenceRecord
    from bawaba.notifications.models import OutboundMessage

    now = now or timezone.now()
    code, readiness = health.ready(now)
    hour_ago = now - dt.timedelta(hours=1)
    gateways = []
    recent = OutboundMessage.objects.filter(updated_at__gte=hour_ago)
    gone = Q(state__in=("sent", "delivered"))
    by_channel = {row["channel"]: row for row in recent.values("channel").annotate(
        sent=Count("pk", filter=gone), failed=Count("pk", filter=Q(state="failed")),
        queued=Count("pk", filter=Q(state="queued")), last=Max("updated_at", filter=gone))}
    for channel, provider in (("sms", settings.SMS_PROVIDER), ("email", settings.EMAIL_BACKEND.rsplit(".", 2)[-2])):
        row = by_channel.get(channel, {})
        waiting = OutboundMessage.objects.filter(channel=channel, state="queued", next_attempt_at__lt=hour_ago)
        gateways.append({"channel": channel, "provider": provider, "sent": row.get("sent", 0),
                         "failed": row.get("failed", 0), "queued": row.get("queued", 0), "last_sent": row.get("last"),
                         "stuck": waiting.count()})
    last_stamp = EvidenceBatch.objects.aggregate(last=Max("stamped_at"))["last"]
    unstamped = EvidenceRecord.objects.filter(Q(batch__isnull=True) | Q(batch__stamped_at__isnull=True)).count()
    return {"code": code, "readiness": readiness, "worker_age": health.worker_age(now),
            "pending_jobs": health.pending_jobs(), "failures": list(metrics.recent_failures()[:20]),
            "gateways": gateways, "tsa": {"url": settings.EVIDENCE_TSA_URL or "local (NOT QUALIFIED)",
                                          "last_stamp": last_stamp, "unstamped": unstamped}, "now": now}


@login_required
@never_cache
def status(request):
    user = request.user
    if not (user.is_platform_admin or user.is_org_admin or user.is_supervisor):
        raise PermissionDenied
    return render(request, "ops/status.html", status_data())
