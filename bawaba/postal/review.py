"""A supervisor's review of a flagged tracking event (the exceptions queue).

The event keeps its row: reviewing sets ``reviewed_at``/``reviewed_by`` on it and stores the decision and
the note in an ``EventReview`` (the audit record), in one transaction, then the item's state is recomputed
(bawaba.postal.tracking.refresh_items: the item no longer needs review once none of its flagged events
waits). Accepting an event as valid says the scan really happened (a late scan, an item sent back through
a sorting centre); the item's status still follows its normal path. Confirming it as an error needs a note
saying what was wrong.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.postal.models import EventReview, ReviewDecision, TrackingEvent
from bawaba.postal.tracking import refresh_items

NOTE_MAX = 500


def do_review_event(event: TrackingEvent, *, decision: str, note: str = "", user,
                    now: dt.datetime | None = None) -> EventReview:
    """Record the decision on a flagged event. The caller has checked that ``user`` oversees the item."""
    now = now or timezone.now()
    note = (note or "").replace("\x00", "").strip()
    errors = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = _("Choose whether the event is valid or an error.")
    if decision == ReviewDecision.ERROR and not note:
        errors["note"] = _("Say what was wrong with this event.")
    if len(note) > NOTE_MAX:
        errors["note"] = _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = TrackingEvent.objects.select_for_update().select_related("item").get(pk=event.pk)
        if not row.flagged:
            raise ValidationError(_("This event is not flagged for review."))
        if row.reviewed_at is not None:
            raise ValidationError(_("This event was already reviewed."))
        row.reviewed_at, row.reviewed_by = now, user
        row.save(update_fields=["reviewed_at", "reviewed_by"])
        review = EventReview.objects.create(event=row, decision=decision, note=note, reviewed_by=user,
                                            reviewed_at=now)
        refresh_items([row.item])
    return review
