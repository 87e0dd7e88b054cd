"""The centre's reports, reconciliation and reprints, never twice delivered, and the postman's delivery."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import printing, reconcile, runs
from bawaba.hybridmail.models import LetterState, PieceState, PrintPiece, PrintReport, RunState
from bawaba.hybridmail.printing import ReportRow, ReportsRefused

P = PieceState


def events_of(letter):
    return list(EvidenceRecord.objects.filter(subject=letter.evidence_subject).order_by("at", "pk")
                .values_list("event", "payload"))


@pytest.fixture
def run(paper_letters):
    return runs.build_runs().runs[0]


def code(run, piece):
    return runs.code_text(run.number, piece, 1, 1)


def test_handed_piece_posts_the_letter_with_evidence_and_starts_track_and_trace(run, printer, print_setup):
    registered = run.piece_set.get(sequence=1).letter
    result = printing.do_report([print_setup], [ReportRow(code(run, 1), P.PRINTED),
                                                ReportRow(f"{run.number} 1", P.ENVELOPED),
                                                ReportRow(code(run, 1), P.HANDED)], actor=printer, source="web")
    assert (result.recorded, result.handed) == (3, 1)
    registered.refresh_from_db()
    assert registered.state == LetterState.POSTED and registered.posted_at is not None
    event, payload = events_of(registered)[-1]
    assert event == "RelayToNonERDS"
    assert payload["channel"] == "paper" and payload["print_run"] == run.number
    assert payload["s10"] == registered.postal_item.number and payload["state"] == "posted"
    item = registered.postal_item
    item.refresh_from_db()
    assert item.status == "accepted" and item.events.get().code == "EMA"
    assert item.events.get().office == print_setup.office
    assert PrintReport.objects.filter(piece__run=run).count() == 3


def test_a_retried_report_changes_nothing(run, printer, print_setup):
    rows = [ReportRow(code(run, 2), P.HANDED)]
    printing.do_report([print_setup], rows, actor=printer, source="api")
    again = printing.do_report([print_setup], rows, actor=printer, source="api")
    assert (again.recorded, again.unchanged) == (0, 1)
    letter = run.piece_set.get(sequence=2).letter
    assert [e for e, _p in events_of(letter)].count("RelayToNonERDS") == 1


def test_a_batch_with_one_bad_row_stores_nothing(run, printer, print_setup):
    rows = [ReportRow(code(run, 1), P.HANDED), ReportRow(f"{run.number} 99", P.HANDED),
            ReportRow("nonsense", P.PRINTED), ReportRow(code(run, 3), P.FAILED)]
    with pytest.raises(ReportsRefused) as refused:
        printing.do_report([print_setup], rows, actor=printer, source="file")
    assert [(e.row, e.code) for e in refused.value.errors] == [(3, "bad_code"), (4, "reason_required"),
                                                               (2, "unknown_piece")]
    assert not run.piece_set.exclude(state=P.QUEUED).exists()
    assert not PrintReport.objects.exists()


def test_another_centre_cannot_report_on_this_run(run, oran_printer, oran_centre):
    with pytest.raises(ReportsRefused) as refused:
        printing.do_report(printing.centres_of(oran_printer), [ReportRow(code(run, 1), P.HANDED)],
                           actor=oran_printer, source="web")
    assert refused.value.errors[0].code == "unknown_run"


def test_failed_piece_goes_back_to_print_and_is_reprinted_in_a_new_run(run, printer, print_setup):
    letter = run.piece_set.get(sequence=2).letter
    printing.do_report([print_setup], [ReportRow(code(run, 2), P.FAILED, "print_error")], actor=printer,
                       source="web")
    letter.refresh_from_db()
    assert letter.state == LetterState.TO_PRINT
    assert events_of(letter)[-1][0] == "RelayToNonERDSFailure"
    assert events_of(letter)[-1][1]["reason"] == "print_error"
    reprint = runs.build_runs().runs[0]
    new_piece = reprint.piece_set.get()
    assert new_piece.letter == letter and new_piece.attempt == 2
    assert run.piece_set.get(sequence=2).state == P.SUPERSEDED
    # The old piece, found later and scanned, is refused: it must be destroyed, not posted.
    with pytest.raises(ReportsRefused) as refused:
        printing.do_report([print_setup], [ReportRow(code(run, 2), P.HANDED)], actor=printer, source="web")
    assert refused.value.errors[0].code == "superseded"


def test_file_of_reports(run, printer, print_setup):
    data = ("code;status;reason\n"
            f"{code(run, 1)};remis à la poste;\n"
            f"{run.number} 2;CON080;\n"
            f"{code(run, 3)};échec;damaged\n").encode()
    rows = printing.rows_from_file(data)
    assert [r.state for r in rows] == [P.HANDED, P.ENVELOPED, P.FAILED]
    result = printing.do_report([print_setup], rows, actor=printer, source="file")
    assert (result.recorded, result.handed, result.failed) == (3, 1, 1)


def test_reconciliation_reprints_missing_pieces_and_refuses_their_late_report(run, printer, print_setup):
    printing.do_report([print_setup], [ReportRow(code(run, 1), P.HANDED), ReportRow(code(run, 2), P.PRINTED)],
                       actor=printer, source="web")
    assert reconcile.reconcile(now=run.reconcile_after - dt.timedelta(minutes=1))["missing"] == 0
    counts = reconcile.reconcile(now=run.reconcile_after + dt.timedelta(minutes=1))
    assert counts == {"missing": 2, "closed": 1, "reprinted": 2}
    run.refresh_from_db()
    assert run.state == RunState.CLOSED
    assert dict(run.piece_set.values_list("sequence", "state")) == {1: P.HANDED, 2: P.SUPERSEDED, 3: P.SUPERSEDED}
    late = run.piece_set.get(sequence=2)
    assert events_of(late.letter)[-1][1]["reason"] == "missing"
    assert late.letter.pieces.get(attempt=2).state == P.QUEUED
    with pytest.raises(ReportsRefused) as refused:
        printing.do_report([print_setup], [ReportRow(code(run, 2), P.HANDED)], actor=printer, source="web")
    assert refused.value.errors[0].code == "superseded"
    assert reconcile.reconcile(now=run.reconcile_after + dt.timedelta(hours=1))["missing"] == 0


def test_report_racing_reconciliation_is_refused_whole(run, printer, print_setup):
    """The centre's report was checked against a piece that reconciliation declared missing just before the
    report's transaction: the conditional update finds it changed and nothing of the batch is stored."""
    stale = list(PrintPiece.objects.filter(run=run).select_related("run", "run__centre", "letter",
                                                                   "letter__postal_item"))
    reconcile.reconcile(now=run.reconcile_after + dt.timedelta(minutes=1), reprint=False)
    piece = next(p for p in stale if p.sequence == 1)
    with pytest.raises(ReportsRefused), transaction.atomic():
        assert not printing._apply(piece, ReportRow(code(run, 1), P.HANDED), actor=printer, source="web",
                                   now=timezone.now())
        raise ReportsRefused([])
    piece.refresh_from_db()
    assert piece.state == P.MISSING and piece.letter.state != LetterState.POSTED


def test_reconciliation_racing_a_report_leaves_the_handed_piece(run, printer, print_setup):
    stale = run.piece_set.select_related("letter").get(sequence=1)
    printing.do_report([print_setup], [ReportRow(code(run, 1), P.HANDED)], actor=printer, source="web")
    assert reconcile._declare_missing(stale, run, now=run.reconcile_after) is False
    stale.refresh_from_db()
    assert stale.state == P.HANDED


def test_database_refuses_a_second_handed_piece_of_a_letter(run):
    piece = run.piece_set.get(sequence=1)
    PrintPiece.objects.filter(pk=piece.pk).update(state=P.HANDED)
    other = PrintPiece(run=run, letter=piece.letter, attempt=2, sequence=99, first_sheet=99, sheets=1,
                       state=P.HANDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_postman_delivery_closes_the_letter_with_content_handover(run, printer, print_setup, postman, network,
                                                                   django_capture_on_commit_callbacks):
    from bawaba.postal.tracking import EventInput, record_events

    letter = run.piece_set.get(sequence=1).letter
    printing.do_report([print_setup], [ReportRow(code(run, 1), P.HANDED)], actor=printer, source="web")
    item = letter.postal_item
    item.delivery_office = network["delivery"]
    item.save()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):  # listeners run after commit, as in production
        record_events(item.organisation, [EventInput(number=item.number, code="EMI", occurred_at=now,
                                                     signatory="A. Benali")],
                      source="postman", user=postman, office=network["delivery"], now=now)
    letter.refresh_from_db()
    assert letter.state == LetterState.DELIVERED and letter.closed_at == now
    event, payload = events_of(letter)[-1]
    assert event == "ContentHandover"
    assert payload["channel"] == "paper" and payload["signatory"] == "A. Benali" and payload["s10"] == item.number


def test_return_to_sender_closes_the_letter_undelivered(run, printer, print_setup, postman, network,
                                                        django_capture_on_commit_callbacks):
    from bawaba.postal.tracking import EventInput, record_events

    letter = run.piece_set.get(sequence=1).letter
    printing.do_report([print_setup], [ReportRow(code(run, 1), P.HANDED)], actor=printer, source="web")
    item = letter.postal_item
    item.delivery_office = network["delivery"]
    item.save()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        record_events(item.organisation, [EventInput(number=item.number, code="EMH", occurred_at=now,
                                                     reason_code="ABS", action_code="RDL")],
                      source="postman", user=postman, office=network["delivery"], now=now)
    letter.refresh_from_db()
    assert letter.state == LetterState.POSTED  # a new attempt is coming
    later = now + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        record_events(item.organisation, [EventInput(number=item.number, code="EMH", occurred_at=later,
                                                     reason_code="UNK", action_code="RTS")],
                      source="postman", user=postman, office=network["delivery"], now=later)
    letter.refresh_from_db()
    assert letter.state == LetterState.UNDELIVERED
    event, payload = events_of(letter)[-1]
    assert event == "ContentHandoverFailure" and payload["reason"] == "UNK" and payload["channel"] == "paper"


def test_print_staff_see_only_their_centre(printer, oran_printer, mail_supervisor, print_setup, oran_centre):
    assert printing.centres_of(printer) == [print_setup]
    assert printing.centres_of(oran_printer) == [oran_centre]
    assert sorted(c.code for c in printing.centres_of(mail_supervisor)) == ["alger", "oran"]
