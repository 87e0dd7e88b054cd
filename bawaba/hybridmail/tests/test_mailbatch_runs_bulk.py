"""Print runs built in bulk: a run's registered letters get consecutive S10 numbers and their postal items in one
go, letters short of numbers wait with the reason, runs are planned and built by the task queue one task per
run, and two workers building the same planned run put each letter in one run only (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from huey.contrib.djhuey import HUEY

from bawaba.hybridmail import dispatch, runs
from bawaba.hybridmail.models import Letter, LetterState, PrintPiece, PrintRun, SenderProfile
from bawaba.postal import s10
from bawaba.postal.counter import delivery_office_for
from bawaba.postal.models import S10Range


def _paper(make_letter, count, product="registered"):
    made = [make_letter(product, nin="") for _ in range(count)]
    for letter in made:
        dispatch.dispatch(letter)
    return made


def test_registered_letters_of_a_run_get_consecutive_numbers_and_items(make_letter, print_setup, ministry):
    letters = _paper(make_letter, 4)
    result = runs.build_runs()
    assert len(result.runs) == 1 and not result.skipped
    pieces = list(result.runs[0].piece_set.order_by("sequence").select_related("letter__postal_item"))
    numbers = [s10.parse(p.letter.postal_item.number) for p in pieces]
    serials = [int(n.serial) for n in numbers]
    assert serials == list(range(serials[0], serials[0] + 4))  # one block, in run order
    letter = pieces[0].letter
    item = letter.postal_item
    commune = letter.recipient_commune
    assert item.delivery_office == delivery_office_for(letter.operator, commune=commune, region=commune.region,
                                                       country=letter.recipient_country)
    profile = SenderProfile.objects.filter(organisation_id=letter.sender_id).first()
    assert item.sender_address == (profile.return_address if profile else "")
    assert item.accepted_office == print_setup.office and item.status == "announced"
    assert {p.letter_id for p in pieces} == {x.pk for x in letters}
    assert set(Letter.objects.filter(pk__in=[x.pk for x in letters]).values_list("state", "sheets")) == {
        (LetterState.IN_RUN, 1)}


def test_letters_short_of_numbers_wait_with_the_reason(make_letter, print_setup):
    letters = _paper(make_letter, 3)
    S10Range.objects.update(next_serial=S10Range.objects.get().last_serial - 1)  # two numbers left
    result = runs.build_runs()
    assert sum(r.pieces for r in result.runs) == 2 and len(result.skipped) == 1
    waiting = Letter.objects.get(reference__in=result.skipped)
    assert waiting.state == LetterState.TO_PRINT and waiting.postal_item is None
    assert waiting.pk == letters[-1].pk  # the block went to the letters first in line
    assert "S10" in next(iter(result.skipped.values()))


@pytest.fixture
def immediate_huey():
    previous = HUEY.immediate
    HUEY.immediate = True  # the tasks run in this process, through Huey's own queue code
    yield HUEY
    HUEY.immediate = previous


def test_the_queue_builds_one_run_per_planned_chunk(settings, make_letter, print_setup, immediate_huey):
    from bawaba.hybridmail.tasks_print import build_print_runs

    settings.HYBRIDMAIL_RUN_MAX_PIECES = 2
    _paper(make_letter, 3)
    _paper(make_letter, 2, product="ordinary")
    assert [len(chunk) for chunk in runs.plan_runs(print_setup)] == [2, 2, 1]
    build_print_runs.call_local()
    assert sorted(PrintRun.objects.values_list("pieces", flat=True)) == [1, 2, 2]
    assert not Letter.objects.filter(state=LetterState.TO_PRINT).exists()
    assert PrintPiece.objects.count() == 5
    # A second pass finds nothing to plan; a task planned twice builds nothing the second time.
    assert runs.queue_runs() == 0
    planned = list(PrintPiece.objects.values_list("letter_id", flat=True))
    assert runs.build_planned_run(print_setup.pk, planned).runs == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_building_the_same_planned_run_put_each_letter_in_one_run(make_letter, print_setup):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions: PostgreSQL only")
    _paper(make_letter, 6)
    _paper(make_letter, 2, product="ordinary")
    (chunk,) = runs.plan_runs(print_setup)
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def worker(index):
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            outcomes[index] = runs.build_planned_run(print_setup.pk, chunk)
        except Exception as exc:  # noqa: BLE001 - checked below
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert PrintPiece.objects.count() == 8
    assert len(set(PrintPiece.objects.values_list("letter_id", flat=True))) == 8
    numbers = list(Letter.objects.exclude(postal_item=None).values_list("postal_item__number", flat=True))
    assert len(numbers) == 6 and len(set(numbers)) == 6
    assert not Letter.objects.filter(state=LetterState.TO_PRINT).exists()
