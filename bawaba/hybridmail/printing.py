"""What a print centre reports on each piece: printed, enveloped, handed to the post, or failed
(docs/hybrid-mail-print.md, "Reports"). From the web page (the sheet's 2-D code scanned or typed), a CSV/XLSX
file, or the API; a batch of reports is checked whole and stored whole or refused whole, with each faulty row
named.

- handed to the post: the piece is "handed" (at most one piece of a letter ever is: the database's
  hybridmail_handed_once), the letter "posted", evidence RelayToNonERDS {"channel": "paper", "print_run", "piece",
  "s10"}; a registered letter's postal item gets its posting event (EMA) at the centre's post office, so that
  track and trace starts there.
- failed: evidence RelayToNonERDSFailure with the reason, and the letter goes back to "to print" for a reprint
  (a new piece in a later run; this one is then superseded).
- printed / enveloped: the piece and the letter move on; no evidence of their own (SEND's CON080 "printed and
  enveloped" is a progress status, the legal step is the hand-over).
- a piece missing at reconciliation, or superseded by a reprint, cannot be reported any more: refused.
- the same report twice (a scanner's retry) changes nothing and is not an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bawaba.core.tabular import RowError
from bawaba.evidence.events import Event

from . import lifecycle
from .models import LetterState, PieceState, PrintCentre, PrintPiece, PrintReport, PrintRun, RunState

P = PieceState
REPORTABLE = {
    "printed": P.PRINTED, "enveloped": P.ENVELOPED, "handed": P.HANDED, "failed": P.FAILED,
}
# What a centre may say about a piece, from the state it is in.
NEXT: dict[str, frozenset[str]] = {
    P.QUEUED: frozenset({P.PRINTED, P.ENVELOPED, P.HANDED, P.FAILED}),
    P.PRINTED: frozenset({P.ENVELOPED, P.HANDED, P.FAILED}),
    P.ENVELOPED: frozenset({P.HANDED, P.FAILED}),
}
OPEN = tuple(NEXT)
LETTER_STATE = {P.PRINTED: LetterState.PRINTED, P.ENVELOPED: LetterState.ENVELOPED, P.HANDED: LetterState.POSTED,
                P.FAILED: LetterState.TO_PRINT}
# Labels of the states a centre types in a file (any of these words, any case).
STATE_WORDS = {
    "printed": P.PRINTED, "imprime": P.PRINTED, "imprimé": P.PRINTED, "con080": P.ENVELOPED,
    "enveloped": P.ENVELOPED, "mis sous pli": P.ENVELOPED, "enveloppe": P.ENVELOPED, "enveloppé": P.ENVELOPED,
    "handed": P.HANDED, "posted": P.HANDED, "remis": P.HANDED, "remis a la poste": P.HANDED,
    "remis à la poste": P.HANDED, "con018": P.HANDED,
    "failed": P.FAILED, "echec": P.FAILED, "échec": P.FAILED, "con993": P.FAILED, "con995": P.FAILED,
}
FAILURE_REASONS = {
    "print_error": gettext_lazy("Printing error (CON995)"),
    "damaged": gettext_lazy("Sheet damaged or jammed"),
    "insert_error": gettext_lazy("Inserting machine error"),
    "not_printable": gettext_lazy("Document cannot be printed correctly (CON996/CON998)"),
    "lost": gettext_lazy("Piece lost at the centre"),
}
CODE_RE = re.compile(r"^\s*(R-[0-9A-Z-]+?)\s*[|#\s]\s*0*(\d{1,6})(?:\s*\|\s*\d+\s*/\s*\d+)?\s*$", re.IGNORECASE)
MAX_ROWS = 20_000


@dataclasses.dataclass
class ReportRow:
    code: str  # the 2-D code's text, or "<run> <piece>"
    state: str
    reason: str = ""


class ReportsRefused(ValidationError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(f"{_('row')} {e.row}: {e.message}" for e in errors[:10]))


@dataclasses.dataclass
class ReportResult:
    recorded: int = 0
    unchanged: int = 0
    handed: int = 0
    failed: int = 0
    runs_closed: list[str] = dataclasses.field(default_factory=list)


def parse_code(text: str) -> tuple[str, int] | None:
    """The run and piece named by a sheet's 2-D code (``R-ALGER-ABC123|7|1/2``) or typed (``R-ALGER-ABC123 7``)."""
    match = CODE_RE.match((text or "").strip().upper())
    if not match:
        return None
    return match.group(1), int(match.group(2))


def parse_state(text: str) -> str | None:
    return STATE_WORDS.get((text or "").strip().lower())


def centres_of(user) -> list[PrintCentre]:
    """The centres whose runs this user may see and report on: print staff their own centre; the operator's
    hybrid-mail manager every centre of the operator; a platform admin all."""
    from .apps import PRINT_OPERATOR, SUPERVISOR

    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_platform_admin:
        return list(PrintCentre.objects.all())
    org = getattr(user, "organisation", None)
    if org is None or not org.is_active:
        return []
    if user.has_role(SUPERVISOR):
        return list(PrintCentre.objects.filter(operator_id=user.organisation_id))
    if user.has_role(PRINT_OPERATOR):
        staff = getattr(user, "print_centre_staff", None) if hasattr(user, "print_centre_staff") else None
        if staff is not None and staff.centre.operator_id == user.organisation_id:
            return [staff.centre]
    return []


def do_report(centres: list[PrintCentre], rows: list[ReportRow], *, actor, source: str,
              now: dt.datetime | None = None) -> ReportResult:
    """Check every row, then apply them all in one transaction (or none: ReportsRefused names the faulty rows).
    `centres`: the centres the reporter may report for (another centre's run answers "unknown run")."""
    now = now or timezone.now()
    if not rows:
        raise ReportsRefused([RowError(0, "empty", _("No report to record."))])
    if len(rows) > MAX_ROWS:
        raise ReportsRefused([RowError(0, "too_many", _("At most %(max)d reports at once.") % {"max": MAX_ROWS})])
    allowed = {c.pk for c in centres}
    wanted: dict[int, tuple[str, int]] = {}
    errors: list[RowError] = []
    for index, row in enumerate(rows, start=1):
        parsed = parse_code(row.code)
        if parsed is None:
            errors.append(RowError(index, "bad_code", _("“%(code)s” is not a piece code (run and piece number).")
                                   % {"code": (row.code or "")[:40]}))
            continue
        if row.state not in REPORTABLE.values():
            errors.append(RowError(index, "bad_state", _("“%(state)s” is not a report (printed, enveloped, handed, "
                                                         "failed).") % {"state": (row.state or "")[:20]}))
            continue
        if row.state == P.FAILED and not row.reason.strip():
            errors.append(RowError(index, "reason_required", _("A failed piece needs a reason.")))
            continue
        wanted[index] = parsed
    runs = {r.number: r for r in PrintRun.objects.filter(number__in={w[0] for w in wanted.values()},
                                                          centre_id__in=allowed).select_related("centre")}
    pieces = {(p.run.number, p.sequence): p for p in PrintPiece.objects.filter(run__in=runs.values()).select_related(
        "run", "letter", "letter__postal_item")}
    plan: list[tuple[int, PrintPiece, ReportRow]] = []
    planned_state: dict[int, str] = {}
    for index, (run_number, sequence) in wanted.items():
        row = rows[index - 1]
        if run_number not in runs:
            errors.append(RowError(index, "unknown_run", _("No run %(run)s at your centre.") % {"run": run_number}))
            continue
        piece = pieces.get((run_number, sequence))
        if piece is None:
            errors.append(RowError(index, "unknown_piece", _("Run %(run)s has no piece %(piece)d.")
                                   % {"run": run_number, "piece": sequence}))
            continue
        current = planned_state.get(piece.pk, piece.state)
        if current == row.state:
            plan.append((index, piece, row))  # a retry: nothing to do
            continue
        problem = _refusal(piece, current, row.state)
        if problem:
            errors.append(RowError(index, *problem))
            continue
        planned_state[piece.pk] = row.state
        plan.append((index, piece, row))
    if errors:
        raise ReportsRefused(errors)
    result = ReportResult()
    touched_runs: dict[int, PrintRun] = {}
    try:
        with transaction.atomic():
            for index, piece, row in plan:
                if piece.state == row.state:
                    result.unchanged += 1
                    continue
                if not _apply(piece, row, actor=actor, source=source, now=now):
                    raise ReportsRefused([RowError(index, "conflict", _(
                        "Piece %(piece)d of run %(run)s changed while this report was being recorded; send it "
                        "again.") % {"piece": piece.sequence, "run": piece.run.number})])
                result.recorded += 1
                result.handed += row.state == P.HANDED
                result.failed += row.state == P.FAILED
                touched_runs[piece.run_id] = piece.run
            for run in touched_runs.values():
                if close_if_done(run, now=now):
                    result.runs_closed.append(run.number)
    except IntegrityError as exc:  # hybridmail_handed_once: another piece of the letter was handed meanwhile
        raise ReportsRefused([RowError(0, "handed_twice", _(
            "One of these letters was already handed to the post from another piece: nothing was recorded."))]) from exc
    return result


def _refusal(piece: PrintPiece, current: str, target: str) -> tuple[str, str] | None:
    if current == P.SUPERSEDED:
        return "superseded", _("Piece %(piece)d of run %(run)s was replaced by a reprint: destroy it, do not post "
                               "it.") % {"piece": piece.sequence, "run": piece.run.number}
    if current == P.MISSING:
        return "missing", _("Piece %(piece)d of run %(run)s was declared missing at reconciliation and is being "
                            "printed again: destroy it, do not post it.") % {"piece": piece.sequence,
                                                                            "run": piece.run.number}
    if target not in NEXT.get(current, frozenset()):
        return "not_allowed", _(
            "Piece %(piece)d of run %(run)s is “%(state)s”: it cannot be reported “%(target)s”.") % {
            "piece": piece.sequence, "run": piece.run.number, "state": PieceState(current).label,
            "target": PieceState(target).label}
    return None


def _apply(piece: PrintPiece, row: ReportRow, *, actor, source: str, now: dt.datetime) -> bool:
    """One report, inside the caller's transaction; False when another process changed the piece or its letter
    first (the caller rolls everything back)."""
    updated = PrintPiece.objects.filter(pk=piece.pk, state=piece.state).update(
        state=row.state, reported_at=now, failure_reason=row.reason.strip()[:200] if row.state == P.FAILED else "")
    if not updated:
        return False
    letter = piece.letter
    target = LETTER_STATE[row.state]
    who = (f"user:{actor.pk}", "print_centre") if actor is not None else ("system:hybridmail", "platform")
    payload = {"channel": "paper", "print_run": piece.run.number, "piece": piece.sequence, "attempt": piece.attempt,
               "centre": piece.run.centre.code, "s10": letter.postal_item.number if letter.postal_item_id else ""}
    if letter.state != target:
        if not lifecycle.can_move(letter, target):
            return False
        event = None
        if row.state == P.HANDED:
            event = Event.RELAY_TO_NON_ERDS
        elif row.state == P.FAILED:
            event = Event.RELAY_TO_NON_ERDS_FAILURE
            payload["reason"] = row.reason.strip()[:200]
        if not lifecycle.move(letter, target, event=event, actor=who, now=now, payload=payload):
            return False
    if row.state == P.HANDED and letter.postal_item_id:
        _post_item(letter, piece, now=now, actor=actor)
    PrintReport.objects.create(piece=piece, run=piece.run, state=row.state, reason=row.reason.strip()[:200],
                               source=source, actor=actor, at=now)
    piece.state = row.state
    return True


def _post_item(letter, piece: PrintPiece, *, now: dt.datetime, actor) -> None:
    """The registered letter's postal item enters track and trace: its posting event at the centre's office."""
    from bawaba.postal import events as codes
    from bawaba.postal.models import EventSource, Item
    from bawaba.postal.tracking import EventInput, EventsRefused, record_events

    office = piece.run.centre.office
    item = letter.postal_item
    Item.objects.filter(pk=item.pk, accepted_at=None).update(accepted_at=now)
    try:
        record_events(item.organisation, [EventInput(
            number=item.number, code=codes.POSTING, occurred_at=now, office_code=office.code if office else "",
            details={"hybridmail": letter.reference, "print_run": piece.run.number})],
            source=EventSource.SYSTEM, user=actor, office=office, now=now)
    except EventsRefused as exc:
        raise ReportsRefused([RowError(0, "tracking", e.message) for e in exc.errors]) from exc


def close_if_done(run: PrintRun, *, now: dt.datetime) -> bool:
    """A run whose every piece has an outcome is closed (reconciled)."""
    if run.state == RunState.CLOSED or run.piece_set.filter(state__in=OPEN).exists():
        return False
    return bool(PrintRun.objects.filter(pk=run.pk).exclude(state=RunState.CLOSED).update(
        state=RunState.CLOSED, closed_at=now))


def do_mark_downloaded(run: PrintRun, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    PrintRun.objects.filter(pk=run.pk, state=RunState.READY).update(state=RunState.DOWNLOADED, downloaded_at=now)


# --- files ----------------------------------------------------------------------------------------------------

FILE_MAX_BYTES = 5 * 1024 * 1024


def rows_from_file(data: bytes) -> list[ReportRow]:
    """Rows of a CSV/XLSX report: columns ``code`` (or ``run`` and ``piece``), ``status``, ``reason``."""
    from bawaba.core.tabular import read_table

    table = read_table(data, max_bytes=FILE_MAX_BYTES, max_rows=MAX_ROWS + 1)
    if not table:
        raise ValidationError(_("The file is empty."))
    header = [h.strip().lower() for h in table[0]]
    if "status" not in header or not ("code" in header or {"run", "piece"} <= set(header)):
        raise ValidationError(_("The first row must name the columns: code (or run and piece), status, reason."))
    at = {name: header.index(name) for name in header}
    rows = []
    for cells in table[1:]:
        if not any(c.strip() for c in cells):
            continue
        def cell(name, cells=cells):
            return cells[at[name]].strip() if name in at and at[name] < len(cells) else ""

        code = cell("code") or f"{cell('run')} {cell('piece')}"
        rows.append(ReportRow(code=code, state=parse_state(cell("status")) or cell("status"), reason=cell("reason")))
    return rows
