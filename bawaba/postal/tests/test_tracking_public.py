"""bawaba.postal.tracking.public_timeline: what the public may see of an item, and nothing more."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone, translation

from bawaba.postal.tracking import EventInput, public_timeline, record_events

pytestmark = pytest.mark.django_db


def test_the_public_sees_the_events_in_plain_words_and_no_person(poste, make_item, django_assert_max_num_queries):
    item = make_item()
    now = timezone.now()
    record_events(poste, [
        EventInput(item.number, "EMG", now - dt.timedelta(hours=2), "16001-DIST"),
        EventInput(item.number, "EMA", now - dt.timedelta(hours=30), "16001"),
        EventInput(item.number, "EMI", now - dt.timedelta(hours=1), "16001-DIST", signatory="Nadia Belkacem",
                   latitude=36.7, longitude=3.05),
    ])
    with django_assert_max_num_queries(1), translation.override("en"):
        found = public_timeline(item.number.lower()[:2] + " " + item.number[2:])
    assert [e.code for e in found.events] == ["EMA", "EMG", "EMI"]
    assert found.status == "delivered" and found.events[-1].text == "Your item was delivered."
    assert found.events[0].place == "Alger-RP"
    shown = repr(dataclasses.asdict(found))
    for secret in ("Nadia", "Belkacem", "Samir", "Didouche", "+213", "36.7"):
        assert secret not in shown


def test_unknown_and_invalid_numbers_look_the_same(poste, make_item):
    assert public_timeline("RR473124829CG") is None
    assert public_timeline("not a number") is None


def test_events_flagged_for_review_are_not_shown(poste, make_item):
    item = make_item()
    now = timezone.now()
    record_events(poste, [EventInput(item.number, "EMA", now - dt.timedelta(hours=5)),
                          EventInput(item.number, "EMA", now - dt.timedelta(hours=4), "16001")])
    assert [e.code for e in public_timeline(item.number).events] == ["EMA"]


@pytest.mark.parametrize("decision, shown", [("valid", ["EMA", "EMA"]), ("error", ["EMA"])])
def test_a_reviewed_event_is_shown_only_when_accepted_as_valid(poste, make_item, supervisor, decision, shown):
    from bawaba.postal.models import TrackingEvent
    from bawaba.postal.review import do_review_event

    item = make_item()
    now = timezone.now()
    record_events(poste, [EventInput(item.number, "EMA", now - dt.timedelta(hours=5)),
                          EventInput(item.number, "EMA", now - dt.timedelta(hours=4), "16001")])
    flagged = TrackingEvent.objects.get(item=item, flagged=True)
    do_review_event(flagged, decision=decision, note="scan en double du guichet", user=supervisor)
    assert [e.code for e in public_timeline(item.number).events] == shown
