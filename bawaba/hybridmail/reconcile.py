"""Reconciliation of print runs (docs/hybrid-mail-print.md, "Reconciliation"), a Huey periodic job.

A run's pieces not reported handed or failed by the run's `reconcile_after` are declared MISSING: the letter goes
back to "to print" (evidence RelayToNonERDSFailure {"reason": "missing"}) and is printed again in a new run at
once. When the reprint is made the missing piece becomes SUPERSEDED, and the centre's late report of it is refused
("destroy it, do not post it"). So a letter is never handed to the post twice: the report of an old piece is
refused, every move is a conditional update, and the database itself keeps at most one handed piece per letter
(constraint hybridmail_handed_once).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from bawaba.evidence.events import Event

from . import lifecycle, runs
from .models import LetterState, PieceState, PrintPiece, PrintReport, PrintRun, ReportSource, RunState
from .printing import OPEN, close_if_done

log = logging.getLogger(__name__)
SYSTEM = ("system:hybridmail", "platform")


def due_runs(now: dt.datetime):
    return PrintRun.objects.filter(reconcile_after__lte=now).exclude(state=RunState.CLOSED).order_by("reconcile_after")


def reconcile(*, now: dt.datetime | None = None, reprint: bool = True, operator=None) -> dict:
    """Declare the unreported pieces of every run past its time missing, close those runs, and build the reprint
    runs (of one operator's centres when `operator` is given). Returns counts for the log and the supervisor
    page."""
    now = now or timezone.now()
    missing, closed, centres = 0, 0, {}
    due = due_runs(now)
    if operator is not None:
        due = due.filter(centre__operator=operator)
    for run in due.select_related("centre"):
        with transaction.atomic():
            for piece in run.piece_set.filter(state__in=OPEN).select_related("letter").order_by("sequence"):
                if _declare_missing(piece, run, now=now):
                    missing += 1
                    centres[run.centre_id] = run.centre
            if close_if_done(run, now=now):
                closed += 1
    reprinted = 0
    if reprint:
        for centre in centres.values():
            reprinted += sum(r.pieces for r in runs.build_runs(now=now, centre=centre).runs)
    if missing:
        log.warning("print reconciliation: %d pieces missing, %d reprinted", missing, reprinted)
    return {"missing": missing, "closed": closed, "reprinted": reprinted}


def _declare_missing(piece: PrintPiece, run: PrintRun, *, now: dt.datetime) -> bool:
    """Inside the caller's transaction: the piece MISSING and its letter back to "to print", or nothing when a
    report came in first (the conditional update finds the piece in another state)."""
    try:
        with transaction.atomic():  # a savepoint: the piece and its letter change together or not at all
            if not PrintPiece.objects.filter(pk=piece.pk, state=piece.state).update(state=PieceState.MISSING,
                                                                                  reported_at=now):
                return False
            letter = piece.letter
            if letter.state != LetterState.TO_PRINT:
                moved = lifecycle.can_move(letter, LetterState.TO_PRINT) and lifecycle.move(
                    letter, LetterState.TO_PRINT, event=Event.RELAY_TO_NON_ERDS_FAILURE, actor=SYSTEM, now=now,
                    payload={"channel": "paper", "print_run": run.number, "piece": piece.sequence,
                             "reason": "missing", "centre": run.centre.code})
                if not moved:
                    raise _Moved
            PrintReport.objects.create(piece=piece, run=run, state=PieceState.MISSING, reason="not reported in time",
                                       source=ReportSource.SYSTEM, at=now)
    except _Moved:
        return False
    return True


class _Moved(Exception):
    """The letter moved on meanwhile (a report came in): leave this piece as it is."""
