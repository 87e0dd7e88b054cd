"""Retention: captured frames are deleted LIFEPROOF_FRAME_RETENTION_DAYS after the decision (never while a review
is open); templates and photos go when the pensioner leaves (enrolment.do_pensioner_leaves)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import audit, conf
from .models import Attempt, Outcome


def purge_frames(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    limit = now - dt.timedelta(days=conf.frame_retention_days())
    due = (Attempt.objects.filter(frames_deleted_at__isnull=True, decided_at__lte=limit)
           .exclude(status__in=[Outcome.PENDING, Outcome.REVIEW]).select_related("obligation__pensioner"))
    count = 0
    for attempt in due.iterator(chunk_size=200):
        with transaction.atomic():
            Attempt.objects.filter(pk=attempt.pk).update(frames=b"", frames_deleted_at=now)
            audit.access(attempt.obligation.pensioner, action="delete", data="frames", purpose="retention",
                         attempt=attempt, at=now)
        count += 1
    return count
