"""A letter's states and the only moves between them, each with its evidence record (docs/hybrid-mail.md).

Every change of state goes through `move`, inside the caller's transaction: the row is updated only if it is
still in the state the caller saw (two workers, two clicks, a replayed report change nothing twice), and the
evidence record of the step is written in the same transaction, so a step and its evidence exist together or
not at all.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bawaba.evidence.services import record_evidence

from .models import Letter, LetterState

S = LetterState

ALLOWED: dict[str, frozenset[str]] = {
    S.ACCEPTED: frozenset({S.DEPOSITED, S.TO_PRINT}),
    S.DEPOSITED: frozenset({S.OPENED, S.TO_PRINT}),
    S.OPENED: frozenset(),
    S.TO_PRINT: frozenset({S.IN_RUN}),
    # A piece that failed, or went missing at reconciliation, sends its letter back to be printed again.
    S.IN_RUN: frozenset({S.PRINTED, S.ENVELOPED, S.POSTED, S.TO_PRINT}),
    S.PRINTED: frozenset({S.ENVELOPED, S.POSTED, S.TO_PRINT}),
    S.ENVELOPED: frozenset({S.POSTED, S.TO_PRINT}),
    S.POSTED: frozenset({S.DELIVERED, S.UNDELIVERED}),
    S.DELIVERED: frozenset(),
    S.UNDELIVERED: frozenset(),
    S.REFUSED: frozenset(),
}

# The timestamp column each state sets when it is reached.
STAMPS = {S.DEPOSITED: "deposited_at", S.OPENED: "opened_at", S.TO_PRINT: "to_print_at", S.PRINTED: "printed_at",
          S.POSTED: "posted_at", S.DELIVERED: "closed_at", S.UNDELIVERED: "closed_at"}


class TransitionRefused(Exception):
    def __init__(self, letter: Letter, target: str):
        self.letter, self.target = letter, target
        super().__init__(_("Letter %(reference)s cannot go from “%(state)s” to “%(target)s”.") % {
            "reference": letter.reference, "state": letter.get_state_display(), "target": LetterState(target).label})


def can_move(letter: Letter, target: str) -> bool:
    return target in ALLOWED.get(letter.state, frozenset())


def move(letter: Letter, target: str, *, event: str | None, actor, actor_role: str = "", payload: dict | None = None,
         at: dt.datetime | None = None, now: dt.datetime | None = None, fields: dict | None = None) -> bool:
    """Move `letter` to `target`, record `event` (bawaba.evidence.events.Event; None for an internal step with no
    evidence of its own, such as being routed to a print centre) for it, and set `fields` too.
    Returns False, changing nothing, when another process moved the letter first; raises TransitionRefused
    when the move is not allowed from the state the letter is in."""
    now = now or timezone.now()
    at = at or now
    if not can_move(letter, target):
        raise TransitionRefused(letter, target)
    changes = dict(fields or {})
    changes["state"] = target
    if target in STAMPS:
        changes.setdefault(STAMPS[target], at)
    with transaction.atomic():
        updated = Letter.objects.filter(pk=letter.pk, state=letter.state).update(**changes)
        if not updated:
            return False
        if event:
            record_evidence(event, subject=letter.evidence_subject, actor=actor, actor_role=actor_role,
                            content_hash=letter.sha256, payload={"state": target, **(payload or {})}, at=at,
                            now=now)
    for name, value in changes.items():
        setattr(letter, name, value)
    return True


def move_locked(letters: list[Letter], target: str, *, at: dt.datetime | None = None,
                now: dt.datetime | None = None, fields: dict[int, dict] | None = None) -> None:
    """Move many letters to `target` at once, for a step with no evidence of its own (a print run taking its
    letters: "to print" → "in a run"). The caller holds the letters' rows locked (select_for_update) in its
    transaction and has checked their state, so one UPDATE per distinct set of `fields` (per letter pk: a run's
    letters differ only by their sheet count) replaces one per letter; the UPDATEs still name the state the
    letters are in, and a letter found in another state rolls the caller's transaction back
    (TransitionRefused) rather than moving it."""
    now = now or timezone.now()
    at = at or now
    fields = fields or {}
    groups: dict[tuple, list[Letter]] = {}
    for letter in letters:
        if not can_move(letter, target):
            raise TransitionRefused(letter, target)
        changes = dict(fields.get(letter.pk, {}))
        changes["state"] = target
        if target in STAMPS:
            changes.setdefault(STAMPS[target], at)
        groups.setdefault((letter.state, tuple(sorted(changes.items()))), []).append(letter)
    with transaction.atomic():
        for (state, changes), group in groups.items():
            updated = Letter.objects.filter(pk__in=[letter.pk for letter in group], state=state).update(
                **dict(changes))
            if updated != len(group):
                raise TransitionRefused(group[0], target)
            for letter in group:
                for name, value in changes:
                    setattr(letter, name, value)
