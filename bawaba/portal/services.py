"""The portal's one write: a citizen's web request, created at most once per form token."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from bawaba.servicedesk.models import Channel, Request
from bawaba.servicedesk.services import do_create_request

from .models import Submission

# How long a form token is remembered; a reload after that would create a new request.
TOKEN_RETENTION = dt.timedelta(days=2)


def submitted_request(token: uuid.UUID) -> Request | None:
    """The request an earlier submission of this form token created, if any."""
    submission = (
        Submission.objects.filter(token=token, request__isnull=False).select_related("request").first()
    )
    return submission.request if submission else None


def do_submit_web_request(
    *, token: uuid.UUID, now: dt.datetime | None = None, **fields
) -> tuple[Request, bool]:
    """Create the request of a web form (channel "web", automatic routing) unless this token already did.

    Returns (request, created). The token claim, the request, its attachments and its history are
    stored in one transaction: on a ValidationError nothing is kept and the token can be used again.
    """
    now = now or timezone.now()
    existing = submitted_request(token)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            # Claiming the token first makes a concurrent double submission wait on the unique index
            # (PostgreSQL) or the write lock (SQLite) and then fail here instead of routing twice.
            submission = Submission.objects.create(token=token, created_at=now)
            request = do_create_request(channel=Channel.WEB, service=None, now=now, **fields)
            submission.request = request
            submission.save(update_fields=["request"])
    except IntegrityError:
        existing = submitted_request(token)
        if existing is None:
            raise
        return existing, False
    return request, True


def purge_old_tokens(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _ = Submission.objects.filter(created_at__lt=now - TOKEN_RETENTION).delete()
    return deleted
