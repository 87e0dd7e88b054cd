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
from bawaba.evidence.services import record_many

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
            found = _declare_missing_many(run, now=now)
            if found:
                missing += found
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


CHUNK = 500  # pieces per round of statements: a few "IN (...)" lists well under every database's parameter limit


def _declare_missing_many(run: PrintRun, *, now: dt.datetime) -> int:
    """Inside the caller's transaction: every open piece of the run MISSING and its letter back to "to print", a
    few statements per CHUNK pieces instead of some ten per piece (mailgaps). The run's open pieces are locked
    (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs one write transaction at a time), so a centre's report
    either committed before (the piece is no longer open: left alone) or waits and then finds the piece missing
    (its report refused whole). The letters move with conditional updates naming the state they were read in, and
    their evidence is recorded in one INSERT (evidence.services.record_many), in the pieces' order: the same
    records, payloads and chains as one lifecycle.move per letter. Should a letter have moved meanwhile, that
    chunk is rolled back and done again one piece at a time (_declare_missing), leaving the moved letter's piece
    as it is."""
    pieces = list(
        PrintPiece.objects.select_for_update(of=("self",))
        .filter(run=run, state__in=OPEN)
        .select_related("letter")
        .order_by("sequence")
    )
    declared = 0
    for offset in range(0, len(pieces), CHUNK):
        chunk = pieces[offset : offset + CHUNK]
        try:
            with transaction.atomic():  # a savepoint: the chunk's pieces, letters, evidence and reports, or nothing
                declared += _declare_chunk(chunk, run, now=now)
        except _Moved:  # read again: the rolled-back chunk may have left letters moved in memory
            fresh = PrintPiece.objects.filter(pk__in=[p.pk for p in chunk], state__in=OPEN).select_related("letter")
            declared += sum(_declare_missing(piece, run, now=now) for piece in fresh.order_by("sequence"))
    return declared


def _declare_chunk(pieces: list[PrintPiece], run: PrintRun, *, now: dt.datetime) -> int:
    to_move = [p for p in pieces if p.letter.state != LetterState.TO_PRINT]
    if any(not lifecycle.can_move(p.letter, LetterState.TO_PRINT) for p in to_move):
        raise _Moved
    by_state: dict[str, list[int]] = {}
    for piece in pieces:
        by_state.setdefault(piece.state, []).append(piece.pk)
    for state, ids in by_state.items():
        if PrintPiece.objects.filter(pk__in=ids, state=state).update(state=PieceState.MISSING, reported_at=now) != len(
            ids
        ):
            raise _Moved
    try:
        lifecycle.move_locked([p.letter for p in to_move], LetterState.TO_PRINT, at=now, now=now)
    except lifecycle.TransitionRefused as exc:
        raise _Moved from exc
    record_many(
        [
            {
                "event": Event.RELAY_TO_NON_ERDS_FAILURE,
                "subject": p.letter.evidence_subject,
                "actor": SYSTEM,
                "content_hash": p.letter.sha256,
                "at": now,
                "payload": {
                    "state": LetterState.TO_PRINT,
                    "channel": "paper",
                    "print_run": run.number,
                    "piece": p.sequence,
                    "reason": "missing",
                    "centre": run.centre.code,
                },
            }
            for p in to_move
        ],
        now=now,
    )
    PrintReport.objects.bulk_create([_missing_report(p, run, now) for p in pieces])
    for piece in pieces:
        piece.state, piece.reported_at = PieceState.MISSING, now
    return len(pieces)


def _declare_missing(piece: PrintPiece, run: PrintRun, *, now: dt.datetime) -> bool:
    """Inside the caller's transaction: the piece MISSING and its letter back to "to print", or nothing when a
    report came in first (the conditional update finds the piece in another state). One piece at a time: the
    fallback of _declare_missing_many when a letter moved meanwhile."""
    try:
        with transaction.atomic():  # a savepoint: the piece and its letter change together or not at all
            if not PrintPiece.objects.filter(pk=piece.pk, state=piece.state).update(
                state=PieceState.MISSING, reported_at=now
            ):
                return False
            letter = piece.letter
            if letter.state != LetterState.TO_PRINT:
                moved = lifecycle.can_move(letter, LetterState.TO_PRINT) and lifecycle.move(
                    letter,
                    LetterState.TO_PRINT,
                    event=Event.RELAY_TO_NON_ERDS_FAILURE,
                    actor=SYSTEM,
                    now=now,
                    payload={
                        "channel": "paper",
                        "print_run": run.number,
                        "piece": piece.sequence,
                        "reason": "missing",
                        "centre": run.centre.code,
                    },
                )
                if not moved:
                    raise _Moved
            _missing_report(piece, run, now).save(force_insert=True)
    except _Moved:
        return False
    return True


def _missing_report(piece, run, now) -> PrintReport:
    """The centre's silence, as the report the system files for a piece not reported in time (not yet saved)."""
    return PrintReport(piece=piece, run=run, state=PieceState.MISSING, reason="not reported in time",
                       source=ReportSource.SYSTEM, at=now)


class _Moved(Exception):
    """The letter moved on meanwhile (a report came in): leave this piece as it is."""
