"""Real races on PostgreSQL (two threads, two connections): the centre's "handed" report and the reconciliation
declaring the same piece missing. Whatever the order, the piece ends either handed (letter posted, no reprint) or
missing (letter back to print, the report refused whole) — never both, never a letter posted and reprinted."""

import datetime as dt
import threading

import pytest
from django.db import connection

from bawaba.hybridmail import printing, reconcile, runs
from bawaba.hybridmail.models import LetterState, PieceState
from bawaba.hybridmail.printing import ReportRow, ReportsRefused

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pg():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions: PostgreSQL only")


def _race(*jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            outcomes[index] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_handed_report_racing_reconciliation(pg, paper_letters, printer, print_setup):
    run = runs.build_runs().runs[0]
    late = run.reconcile_after + dt.timedelta(minutes=1)
    report = lambda: printing.do_report(  # noqa: E731
        [print_setup], [ReportRow(runs.code_text(run.number, s, 1, 1), PieceState.HANDED) for s in (1, 2, 3)],
        actor=printer, source="api", now=late)
    outcomes = _race(report, lambda: reconcile.reconcile(now=late, reprint=False))
    states = dict(run.piece_set.values_list("sequence", "state"))
    if isinstance(outcomes[0], ReportsRefused):
        assert set(states.values()) == {PieceState.MISSING}
    else:
        assert not isinstance(outcomes[0], Exception), outcomes[0]
        assert set(states.values()) == {PieceState.HANDED} and outcomes[1]["missing"] == 0
    for piece in run.piece_set.select_related("letter"):
        expected = LetterState.POSTED if piece.state == PieceState.HANDED else LetterState.TO_PRINT
        assert piece.letter.state == expected
