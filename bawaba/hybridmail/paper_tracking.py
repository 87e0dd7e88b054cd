"""The postman's delivery or non-delivery of a printed registered letter, from postal tracking
(docs/hybrid-mail-print.md, "Delivery by the postman").

A registered letter printed by a centre has a postal item (its S10 number). When that item's timeline grows
(bawaba.postal.tracking.events_recorded, sent after commit), this listener closes the letter's evidence chain:

- EMI (final delivery) → ContentHandover {"channel": "paper", "s10", "office", "signatory"?} and the letter
  DELIVERED;
- EMH (unsuccessful delivery) whose action is RTS (return to sender) → ContentHandoverFailure {"channel": "paper",
  "reason": <the postal non-delivery reason code>} and the letter UNDELIVERED. Other EMH (a new attempt, held at
  the office for pick-up) are not final: the letter stays POSTED, and a later EMI still delivers it.

Events flagged as impossible by postal tracking are ignored until staff accept them (they are not sent again,
so such a letter is closed by hand through the same `close_from_event`).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from bawaba.evidence.events import Event
from bawaba.postal import events as codes
from bawaba.postal.models import Item
from bawaba.postal.tracking import events_recorded

from . import lifecycle
from .models import Letter, LetterState

log = logging.getLogger(__name__)
RETURN_TO_SENDER = "RTS"


def outcome(event) -> str | None:
    if event.flagged:
        return None
    if event.code == codes.DELIVERED:
        return LetterState.DELIVERED
    if event.code == codes.UNSUCCESSFUL and event.action_code == RETURN_TO_SENDER:
        return LetterState.UNDELIVERED
    return None


@receiver(events_recorded, sender=Item, dispatch_uid="hybridmail.paper_tracking")
def on_events_recorded(sender, items, events, **kwargs):
    final = [e for e in events if outcome(e)]
    if not final:
        return
    letters = {letter.postal_item_id: letter for letter in Letter.objects.filter(
        postal_item_id__in={e.item_id for e in final}, state=LetterState.POSTED)}
    for event in sorted(final, key=lambda e: (e.occurred_at, e.pk)):
        letter = letters.get(event.item_id)
        if letter is None or letter.state != LetterState.POSTED:
            continue
        try:
            close_from_event(letter, event)
        except Exception:  # noqa: BLE001 - one letter's problem must not stop the others
            log.exception("hybrid-mail letter %s: could not record postal event %s", letter.reference, event.pk)


def close_from_event(letter: Letter, event) -> bool:
    target = outcome(event)
    if target is None:
        return False
    payload = {"channel": "paper", "s10": letter.postal_item.number if letter.postal_item_id else "",
               "postal_event": event.code, "office": event.office_code}
    if target == LetterState.DELIVERED:
        evidence = Event.CONTENT_HANDOVER
        if event.signatory:
            payload["signatory"] = event.signatory
    else:
        evidence = Event.CONTENT_HANDOVER_FAILURE
        payload["reason"] = event.reason_code
        payload["action"] = event.action_code
    actor = (f"user:{event.user_id}", "postman") if event.user_id else ("system:postal", "platform")
    with transaction.atomic():
        return lifecycle.move(letter, target, event=evidence, actor=actor, at=event.occurred_at, payload=payload)
