"""Recording tracking events: order by event time, idempotent retries, flags, whole-or-nothing batches."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bawaba.postal import tracking
from bawaba.postal.models import TrackingEvent
from bawaba.postal.tracking import EventInput, EventsRefused, record_events

pytestmark = pytest.mark.django_db


def ev(item, code, hours_ago, office="", **extra):
    return EventInput(number=item.number, code=code, occurred_at=timezone.now() - dt.timedelta(hours=hours_ago),
                      office_code=office, **extra)


def test_a_late_scan_takes_its_place_in_the_timeline(poste, make_item, network):
    item = make_item()
    record_events(poste, [ev(item, "EMA", 30, "16001"), ev(item, "EMG", 5, "16001-DIST")])
    record_events(poste, [ev(item, "EDD", 20, "16000-CTN")])  # the sorting centre's scan arrives last
    assert [e.code for e in tracking.timeline(item)] == ["EMA", "EDD", "EMG"]
    item.refresh_from_db()
    assert item.status == "at_delivery_office" and item.last_event_code == "EMG" and not item.needs_review


def test_the_same_scan_sent_twice_is_recorded_once(poste, make_item):
    item = make_item()
    batch = [ev(item, "EMA", 3, "16001")]
    first = record_events(poste, batch)
    again = record_events(poste, batch)
    assert len(first.created) == 1 and again.created == [] and again.duplicates == 1
    assert TrackingEvent.objects.filter(item=item).count() == 1


def test_an_impossible_sequence_is_kept_and_flagged(poste, make_item):
    item = make_item()
    record_events(poste, [ev(item, "EMA", 30), ev(item, "EMG", 10, "16001-DIST"), ev(item, "EMI", 5, "16001-DIST")])
    result = record_events(poste, [ev(item, "EDD", 1, "16000-CTN")])  # sorted after delivery
    assert result.created[0].flagged and result.created[0].flag_reason == "after_delivery"
    item.refresh_from_db()
    assert item.status == "delivered" and item.needs_review


def test_a_batch_with_one_bad_row_is_refused_whole(poste, make_item):
    item = make_item()
    rows = [
        ev(item, "EMA", 3),
        EventInput(number="RR473124828DZ", code="EDD", occurred_at=timezone.now()),
        EventInput(number=str(item.number), code="XYZ", occurred_at=timezone.now()),
        ev(item, "EDD", -5),  # five hours ahead
        ev(item, "EDD", 1, "99999"),
        EventInput(number="RR473124829CG", code="EDD", occurred_at=timezone.now()),
    ]
    with pytest.raises(EventsRefused) as refused:
        record_events(poste, rows)
    assert [(e.row, e.code) for e in refused.value.errors] == [
        (2, "bad_check_digit"), (3, "unknown_code"), (4, "future"), (5, "unknown_office"), (6, "unknown_item"),
    ]
    assert not TrackingEvent.objects.exists()


def test_a_delivery_scan_at_another_office_is_refused(poste, make_item):
    item = make_item()
    with pytest.raises(EventsRefused) as refused:
        record_events(poste, [ev(item, "EMI", 1, "31000-DIST")])
    assert refused.value.errors[0].code == "wrong_office"


def test_another_posts_items_are_unknown(sopeco, make_item):
    item = make_item()
    with pytest.raises(EventsRefused) as refused:
        record_events(sopeco, [ev(item, "EMA", 1)])
    assert refused.value.errors[0].code == "unknown_item"


def test_foreign_offices_of_exchange_are_kept_by_their_impc_code(poste, make_item):
    item = make_item(origin_country="FR")
    result = record_events(poste, [ev(item, "EMC", 40, "FRCDGA"), ev(item, "EMD", 20, "DZALGA")])
    codes = {e.code: (e.office_id, e.office_code) for e in result.created}
    assert codes["EMC"] == (None, "FRCDGA")
    assert codes["EMD"][1] == "DZALGA" and codes["EMD"][0] is not None


def test_listeners_hear_of_new_events_after_commit(poste, make_item, django_capture_on_commit_callbacks):
    item = make_item()
    heard = []

    def listener(sender, items, events, **kwargs):
        heard.append([e.code for e in events])

    tracking.events_recorded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record_events(poste, [ev(item, "EMA", 2)])
        with django_capture_on_commit_callbacks(execute=True):
            record_events(poste, [ev(item, "EMA", 2)])  # a duplicate tells nobody
    finally:
        tracking.events_recorded.disconnect(listener)
    assert heard == [["EMA"]]


PATH = ["EMA", "EDD", "EDE", "EMG", "EDG", "EMI"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(PATH))), split=st.integers(1, len(PATH) - 1))
def test_arrival_order_never_changes_the_timeline(poste, make_item, order, split):
    item = make_item()
    start = timezone.now() - dt.timedelta(days=3)
    events = [EventInput(number=item.number, code=code, occurred_at=start + dt.timedelta(hours=i),
                         office_code="16001-DIST" if code in ("EMG", "EDG", "EMI") else "")
              for i, code in enumerate(PATH)]
    shuffled = [events[i] for i in order]
    record_events(poste, shuffled[:split])
    record_events(poste, shuffled[split:] + shuffled[:1])  # and one retry
    assert [e.code for e in tracking.timeline(item)] == PATH
    item.refresh_from_db()
    assert item.status == "delivered" and not item.needs_review


def test_two_batches_in_one_transaction_are_both_recorded(poste, make_item):
    """The counter records EMA inside its own transaction: a second batch in the same transaction works too."""
    from django.db import transaction

    item = make_item()
    with transaction.atomic():
        record_events(poste, [ev(item, "EMA", 5, "16001")])
        result = record_events(poste, [ev(item, "EDD", 3, "16000-CTN"), ev(item, "EMA", 5, "16001")])
    assert len(result.created) == 1 and result.duplicates == 1
    assert [e.code for e in tracking.timeline(item)] == ["EMA", "EDD"]


def test_an_unsuccessful_delivery_needs_a_known_reason(poste, make_item):
    item = make_item()
    with pytest.raises(EventsRefused) as refused:
        record_events(poste, [ev(item, "EMH", 2, "16001-DIST"), ev(item, "EMH", 1, "16001-DIST", reason_code="XYZ",
                                                                    action_code="NOP")])
    assert [(e.row, e.code) for e in refused.value.errors] == [(1, "reason_required"), (2, "bad_reason"),
                                                               (2, "bad_action")]
    result = record_events(poste, [ev(item, "EMH", 1, "16001-DIST", reason_code="abs", action_code="hld")])
    assert (result.created[0].reason_code, result.created[0].action_code) == ("ABS", "HLD")
