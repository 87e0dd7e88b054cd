"""The retention rules, applied each night by tasks.apply_retention (and by `manage.py privacy retention`).

Each rule removes what is past its delay, in batches, and writes one RetentionRun with the counts of what it
removed (never the data). Each rule is idempotent: what it already removed no longer matches, so running it
twice, or after a crash half-way, removes nothing twice and counts only what it did.

Evidence records (bawaba.evidence) are never touched here: they are kept for their own retention, because
their worth is that they are unchanged (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import conf
from .models import RetentionRun

ANONYMISED = "[anonymised]"  # stored text: the same in every language, so that a later run recognises it
BATCH = 200


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def anonymise_requests(request_ids, *, now) -> dict:
    """Replace the citizen's name, phone, e-mail and free text of these requests (and of the citizen's messages
    on them) and delete their attachments. The reference, service, queue, channel, place, dates, status and
    priority stay: the statistics and the history still add up. Shared with the erasure of a subject request."""
    from bawaba.servicedesk.models import Attachment, EventKind, Message, MessageKind, Request, RequestEvent

    ids = list(request_ids)
    if not ids:
        return {"requests": 0, "messages": 0, "attachments": 0}
    counts = {"requests": Request.objects.filter(pk__in=ids).update(
        citizen_name="", citizen_phone="", citizen_email="", subject=ANONYMISED, text=ANONYMISED, updated_at=now)}
    counts["messages"] = (Message.objects.filter(request_id__in=ids, kind=MessageKind.CITIZEN)
                          .exclude(body=ANONYMISED).update(body=ANONYMISED))
    attachments = list(Attachment.objects.filter(request_id__in=ids))
    for attachment in attachments:
        name = attachment.file.name
        storage = attachment.file.storage
        # The file goes when the transaction commits: a rolled-back run keeps both row and file.
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name) if name else None)
    counts["attachments"] = Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()[0]
    # The history keeps that a file was added (and its hash), not the name the citizen gave it.
    for event in RequestEvent.objects.filter(request_id__in=ids, kind=EventKind.ATTACHMENT).exclude(
            data__name=ANONYMISED):
        event.data = {**event.data, "name": ANONYMISED}
        event.save(update_fields=["data"])
    return counts


def closed_requests(now: dt.datetime) -> RetentionRun:
    from bawaba.servicedesk.models import Request, Status

    cutoff = _years_before(now, conf.request_years())
    due = (Request.objects.filter(status=Status.CLOSED, closed_at__lte=cutoff).exclude(text=ANONYMISED)
           .values_list("pk", flat=True))
    totals = {"requests": 0, "messages": 0, "attachments": 0}
    while True:
        batch = list(due[:BATCH])
        if not batch:
            break
        with transaction.atomic():
            for key, value in anonymise_requests(batch, now=now).items():
                totals[key] += value
    return RetentionRun.objects.create(rule="servicedesk.closed_requests", at=now, cutoff=cutoff, counts=totals)


def lifeproof_frames(now: dt.datetime) -> RetentionRun:
    """Proof-of-life frames: the proof-of-life app's own purge (its delay, its audit per attempt)."""
    from bawaba.lifeproof import conf as lifeproof_conf
    from bawaba.lifeproof.privacy import purge_frames

    cutoff = now - dt.timedelta(days=lifeproof_conf.frame_retention_days())
    count = purge_frames(now)
    return RetentionRun.objects.create(rule="lifeproof.frames", at=now, cutoff=cutoff, counts={"attempts": count})


def message_bodies(now: dt.datetime) -> RetentionRun:
    """The text of SMS and e-mails sent to citizens: blanked once the delay has passed and the message is no
    longer waiting to be sent. The row stays (recipient, template, state, dates): the delivery history and the
    SMS statistics still add up."""
    from bawaba.notifications.models import OutboundMessage, State

    cutoff = now - dt.timedelta(days=conf.sms_body_days())
    due = (OutboundMessage.objects.filter(created_at__lte=cutoff).exclude(state=State.QUEUED)
           .exclude(body="", subject=""))
    count = 0
    while True:
        batch = list(due.values_list("pk", flat=True)[:BATCH])
        if not batch:
            break
        count += OutboundMessage.objects.filter(pk__in=batch).update(body="", subject="")
    return RetentionRun.objects.create(rule="notifications.bodies", at=now, cutoff=cutoff, counts={"messages": count})


RULES = (closed_requests, lifeproof_frames, message_bodies)


def apply_all(now: dt.datetime | None = None) -> list[RetentionRun]:
    now = now or timezone.now()
    return [rule(now) for rule in RULES]
