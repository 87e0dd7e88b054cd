"""Reconciliation in bulk (mailgaps): a run's missing pieces are declared a chunk at a time (a few statements, one
INSERT of evidence), with the same evidence as one move per letter: each letter's chain verifies, the reprint is
made once and the old piece can never be handed, and a letter that moved meanwhile is left alone."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bawaba.evidence import services as evidence
from bawaba.evidence.events import Event
from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import dispatch, reconcile, runs
from bawaba.hybridmail.models import LetterState, PieceState, PrintPiece, PrintReport, PrintRun, RunState
from bawaba.hybridmail.printing import ReportRow, ReportsRefused, do_report
from bawaba.hybridmail.tests.conftest import letter_pdf

P = PieceState


def paper_run(make_letter, print_setup, count: int) -> PrintRun:
    letters = []
    for _ in range(count):
        letter = make_letter("paper", nin="", pdf=letter_pdf())
        dispatch.dispatch(letter)
        letters.append(letter)
    made = runs.build_runs(centre=print_setup).runs
    assert len(made) == 1 and made[0].pieces == count
    return made[0]


def due_now(*runs_due):
    """The runs' reconciliation time a minute ago, so that reconciliation runs at the real time: the evidence it
    records is time-stamped after it (a record dated later than its time stamp would rightly fail to verify)."""
    from django.utils import timezone

    PrintRun.objects.filter(pk__in=[r.pk for r in runs_due]).update(
        reconcile_after=timezone.now() - dt.timedelta(minutes=1)
    )


def code(run, piece):
    return runs.code_text(run.number, piece, 1, 1)


def chain(letter):
    return list(
        EvidenceRecord.objects.filter(subject=letter.evidence_subject)
        .order_by("at", "pk")
        .values_list("event", "payload")
    )


def test_many_missing_pieces_each_get_their_evidence_and_every_chain_verifies(
    make_letter, print_setup, printer, monkeypatch
):
    monkeypatch.setattr(reconcile, "CHUNK", 4)  # several chunks out of one run
    run = paper_run(make_letter, print_setup, 11)
    do_report(
        [print_setup],
        [ReportRow(code(run, 1), P.HANDED), ReportRow(code(run, 2), P.PRINTED), ReportRow(code(run, 3), P.ENVELOPED)],
        actor=printer,
        source="web",
    )
    due_now(run)
    counts = reconcile.reconcile(reprint=False)
    assert counts == {"missing": 10, "closed": 1, "reprinted": 0}
    pieces = list(run.piece_set.select_related("letter").order_by("sequence"))
    assert [p.state for p in pieces] == [P.HANDED] + [P.MISSING] * 10
    assert PrintReport.objects.filter(run=run, state=P.MISSING, source="system").count() == 10
    for piece in pieces[1:]:
        assert piece.letter.state == LetterState.TO_PRINT and piece.reported_at is not None
        event, payload = chain(piece.letter)[-1]
        assert event == Event.RELAY_TO_NON_ERDS_FAILURE
        assert payload == {
            "state": "to_print",
            "channel": "paper",
            "print_run": run.number,
            "piece": piece.sequence,
            "reason": "missing",
            "centre": print_setup.code,
        }
        record = EvidenceRecord.objects.filter(subject=piece.letter.evidence_subject).latest("pk")
        assert (record.actor_id, record.actor_role, record.content_hash) == (
            "system:hybridmail",
            "platform",
            piece.letter.sha256,
        )
    evidence.stamp_pending()
    for piece in pieces:
        report = evidence.verify_bundle(evidence.proof_for(piece.letter.evidence_subject, format="json"))
        assert report.ok, report.failures
    assert evidence.audit() == []


def test_the_queries_do_not_grow_with_the_number_of_missing_pieces(make_letter, print_setup):
    small = paper_run(make_letter, print_setup, 3)
    large = paper_run(make_letter, print_setup, 12)
    PrintRun.objects.filter(pk=large.pk).update(reconcile_after=small.reconcile_after + dt.timedelta(hours=1))
    spent = []
    for run, count in ((small, 3), (large, 12)):
        with CaptureQueriesContext(connection) as queries:
            assert (
                reconcile.reconcile(
                    now=small.reconcile_after + dt.timedelta(hours=1, minutes=1)
                    if run == large
                    else small.reconcile_after + dt.timedelta(minutes=1),
                    reprint=False,
                )["missing"]
                == count
            )
        spent.append(len(queries))
    assert spent[0] == spent[1], spent  # the one-by-one path spent some ten queries per piece


def test_the_reprint_is_made_once_and_the_missing_piece_is_never_handed(make_letter, print_setup, printer, monkeypatch):
    monkeypatch.setattr(reconcile, "CHUNK", 3)
    run = paper_run(make_letter, print_setup, 7)
    due_now(run)
    assert reconcile.reconcile() == {"missing": 7, "closed": 1, "reprinted": 7}
    assert reconcile.reconcile()["missing"] == 0  # nothing declared twice
    reprint = PrintRun.objects.exclude(pk=run.pk).get()
    assert set(run.piece_set.values_list("state", flat=True)) == {P.SUPERSEDED}
    assert list(reprint.piece_set.values_list("attempt", flat=True).distinct()) == [2]
    # The centre's late report of an old piece is refused whole; the reprint is handed once.
    with pytest.raises(ReportsRefused) as refused:
        do_report([print_setup], [ReportRow(code(run, 1), P.HANDED)], actor=printer, source="web")
    assert refused.value.errors[0].code == "superseded"
    do_report([print_setup], [ReportRow(code(reprint, s), P.HANDED) for s in range(1, 8)], actor=printer, source="web")
    with pytest.raises(ReportsRefused):
        do_report([print_setup], [ReportRow(code(run, 2), P.HANDED)], actor=printer, source="web")
    for piece in run.piece_set.select_related("letter"):
        letter = piece.letter
        assert PrintPiece.objects.filter(letter=letter, state=P.HANDED).count() == 1
        assert letter.pieces.count() == 2
        events = [event for event, _ in chain(letter)]
        assert events.count(Event.RELAY_TO_NON_ERDS) == 1 and events.count(Event.RELAY_TO_NON_ERDS_FAILURE) == 1
    reprint.refresh_from_db()
    assert reprint.state == RunState.CLOSED
    evidence.stamp_pending()
    assert evidence.audit() == []


def test_a_letter_that_moved_meanwhile_keeps_its_piece_and_the_rest_of_its_chunk_is_declared(
    make_letter, print_setup, monkeypatch
):
    monkeypatch.setattr(reconcile, "CHUNK", 4)
    run = paper_run(make_letter, print_setup, 6)
    moved = run.piece_set.select_related("letter").get(sequence=2)
    # As if the letter had been posted by another path between the report and this reconciliation.
    type(moved.letter).objects.filter(pk=moved.letter_id).update(state=LetterState.POSTED)
    counts = reconcile.reconcile(now=run.reconcile_after + dt.timedelta(minutes=1), reprint=False)
    assert counts["missing"] == 5 and counts["closed"] == 0
    states = dict(run.piece_set.values_list("sequence", "state"))
    assert states == {1: P.MISSING, 2: P.QUEUED, 3: P.MISSING, 4: P.MISSING, 5: P.MISSING, 6: P.MISSING}
    assert not any(event == Event.RELAY_TO_NON_ERDS_FAILURE for event, _ in chain(moved.letter))
    assert EvidenceRecord.objects.filter(event=Event.RELAY_TO_NON_ERDS_FAILURE).count() == 5
