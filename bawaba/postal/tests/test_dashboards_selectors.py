"""Operations dashboards' reads: stuck items, J+n on the business calendar, exceptions, counter activity.

The clock is fixed (Thursday 12 March 2026, noon in Algiers): nothing depends on the day the tests run.
Algérie Poste works Sunday to Thursday; 1–7 March 2026 is Sunday to Saturday.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.business_time import BusinessCalendar
from bawaba.postal import selectors
from bawaba.postal.models import EventReview, TrackingEvent
from bawaba.postal.review import do_review_event
from bawaba.postal.tracking import EventInput, record_events

pytestmark = pytest.mark.django_db

ALGIERS = ZoneInfo("Africa/Algiers")
NOW = dt.datetime(2026, 3, 12, 12, 0, tzinfo=ALGIERS)


def at(day, hour=10, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=ALGIERS)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def calendar(poste):
    """Sunday–Thursday, and Tuesday 3 March 2026 a holiday (the organisation's own calendar rows)."""
    from bawaba.core import refdata
    from bawaba.orgs.models import Holiday
    from bawaba.orgs.services import set_business_hours

    set_business_hours(poste, {str(day): [["08:00", "16:30"]] for day in (6, 0, 1, 2, 3)})
    poste.holidays.all().delete()
    Holiday.objects.create(organisation=poste, date=dt.date(2026, 3, 3), name="Test holiday")
    refdata.changed()
    return poste


@pytest.fixture
def whole_post(poste, network):
    from bawaba.postal.tests.conftest import _postal_staff

    return _postal_staff(poste, "poste.director", ["postal.supervisor"])


def delivered(make_item, product, accepted, delivered_at, **fields):
    return make_item(product, when=accepted, delivered_at=delivered_at, status="delivered", last_event_code="EMI",
                     last_event_at=delivered_at, **fields)


def test_an_item_without_events_for_longer_than_its_product_allows_is_stuck(supervisor, make_item, products):
    products["parcel"].stuck_after_days = 7
    products["parcel"].save()
    quiet_letter = make_item("registered", when=at(5), last_event_at=at(8), last_event_code="EDD")
    never_scanned = make_item("registered", when=at(6))  # accepted, then nothing: counts from acceptance
    make_item("registered", when=at(10), last_event_at=at(11), last_event_code="EDD")  # recent
    make_item("parcel", when=at(5), last_event_at=at(8), last_event_code="EDD")  # a parcel may rest a week
    delivered(make_item, "registered", at(1), at(3))  # finished long ago: not stuck

    scope = selectors.scope_for(supervisor)
    stuck = list(selectors.stuck_items(scope, now=NOW))
    assert [i.number for i in stuck] == [never_scanned.number, quiet_letter.number]  # the quietest first
    counts = {row.product.code: row.count for row in selectors.stuck_by_product(scope, now=NOW)}
    assert counts == {"registered": 2, "parcel": 0, "ems": 0}


def test_a_supervisor_sees_only_their_regions_items(supervisor, whole_post, make_item, network):
    alger = make_item("registered", when=at(2))
    oran = make_item("registered", when=at(2), delivery="oran_delivery", accepted_office=network["oran_delivery"])
    regional = [i.number for i in selectors.stuck_items(selectors.scope_for(supervisor), now=NOW)]
    everything = [i.number for i in selectors.stuck_items(selectors.scope_for(whole_post), now=NOW)]
    assert regional == [alger.number]
    assert sorted(everything) == sorted([alger.number, oran.number])


def test_only_supervisors_have_a_scope(clerk, sorter):
    for user in (clerk, sorter):
        with pytest.raises(PermissionDenied):
            selectors.scope_for(user)


def test_service_level_counts_working_days_of_the_posts_calendar(calendar, supervisor, make_item):
    # Thursday -> Monday: Sunday and Monday are the 1st and 2nd working days (4 calendar days): on time (J+3).
    over_weekend = delivered(make_item, "registered", at(5), at(9, 11))
    # Sunday -> Thursday: Monday, (Tuesday holiday), Wednesday, Thursday = J+3: on time.
    over_holiday = delivered(make_item, "registered", at(1), at(5, 15))
    # Sunday -> Sunday a week later: Mon, Wed, Thu, Sun = J+4: late.
    late = delivered(make_item, "registered", at(1), at(8, 15))
    # EMS, J+1: Thursday afternoon -> Sunday morning is one working day.
    delivered(make_item, "ems", at(5, 15), at(8, 9))
    # EMS delivered the same day: J+0.
    delivered(make_item, "ems", at(10, 8), at(10, 14))
    scope = selectors.scope_for(supervisor)
    rows = selectors.service_levels(scope, since=NOW - dt.timedelta(days=30), until=NOW)
    by_product = {row.product.code: row for row in selectors.service_level_by_product(rows)}
    assert (by_product["registered"].delivered, by_product["registered"].on_time) == (3, 2)
    assert by_product["registered"].percent == 67 and by_product["registered"].late == 1
    assert by_product["registered"].average_days == Decimal("3.0")  # (2 + 3 + 4) / 3
    assert (by_product["ems"].delivered, by_product["ems"].on_time) == (2, 2)
    assert over_weekend.pk and over_holiday.pk and late.pk


def test_without_the_holiday_the_same_delivery_is_late(poste, supervisor, make_item):
    from bawaba.core import refdata
    from bawaba.orgs.services import set_business_hours

    set_business_hours(poste, {str(day): [["08:00", "16:30"]] for day in (6, 0, 1, 2, 3)})
    poste.holidays.filter(date=dt.date(2026, 3, 3)).delete()
    refdata.changed()
    delivered(make_item, "registered", at(1), at(5, 15))  # Mon, Tue, Wed, Thu = J+4 > J+3
    rows = selectors.service_levels(selectors.scope_for(supervisor), since=NOW - dt.timedelta(days=30), until=NOW)
    assert [(r.delivered, r.on_time) for r in rows] == [(1, 0)]


def test_service_level_is_per_route_between_regions_or_offices(calendar, whole_post, make_item, network):
    delivered(make_item, "registered", at(8), at(9))
    delivered(make_item, "registered", at(8), at(10))
    delivered(make_item, "registered", at(1), at(10), delivery="oran_delivery")  # J+6: late
    scope = selectors.scope_for(whole_post)
    since = NOW - dt.timedelta(days=30)
    rows = selectors.service_levels(scope, since=since, until=NOW)
    assert [(r.origin, r.destination, r.delivered, r.on_time) for r in rows] == [
        ("16 Alger", "16 Alger", 2, 2), ("16 Alger", "31 Oran", 1, 0)]
    offices = selectors.service_levels(scope, since=since, until=NOW, level="office")
    assert {r.destination.split()[0] for r in offices} == {"16001-DIST", "31000-DIST"}
    assert all(r.origin.startswith("16001 ") for r in offices)
    # Deliveries before the period are not counted.
    assert selectors.service_levels(scope, since=at(9, 12), until=NOW)[0].delivered == 1


def test_working_days_on_a_given_calendar():
    calendar = BusinessCalendar("Africa/Algiers", {d: ((dt.time(8), dt.time(16)),) for d in (6, 0, 1, 2, 3)},
                                frozenset({dt.date(2026, 3, 3)}))
    days = selectors.WorkingDays(calendar, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert days.after(dt.date(2026, 3, 5), dt.date(2026, 3, 9)) == 2
    assert days.after(dt.date(2026, 3, 1), dt.date(2026, 3, 5)) == 3
    assert days.after(dt.date(2026, 3, 5), dt.date(2026, 3, 5)) == 0


@given(start=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), span=st.integers(0, 60))
def test_working_days_match_counting_one_by_one(start, span):
    calendar = BusinessCalendar("Africa/Algiers", {d: ((dt.time(8), dt.time(16)),) for d in (6, 0, 1, 2, 3)},
                                frozenset({dt.date(2026, 3, 3), dt.date(2026, 7, 5)}))
    end = start + dt.timedelta(days=span)
    days = selectors.WorkingDays(calendar, start, end)
    expected = sum(calendar.is_open_day(start + dt.timedelta(days=i)) for i in range(1, span + 1))
    assert days.after(start, end) == expected


def _flagged(poste, make_item):
    item = make_item("registered", when=at(2))
    record_events(poste, [EventInput(item.number, "EMA", at(2), "16001"),
                          EventInput(item.number, "EMG", at(3), "16001-DIST"),
                          EventInput(item.number, "EMI", at(4), "16001-DIST"),
                          EventInput(item.number, "EDD", at(5), "16000-CTN")])  # a scan after the delivery
    return item, TrackingEvent.objects.get(item=item, code="EDD")


def test_flagged_events_wait_in_the_exceptions_queue_until_reviewed(poste, supervisor, make_item):
    item, event = _flagged(poste, make_item)
    scope = selectors.scope_for(supervisor)
    assert list(selectors.exceptions_queue(scope)) == [event]
    assert list(selectors.items_needing_review(scope)) == [item]

    review = do_review_event(event, decision="valid", note="Retour au centre de tri", user=supervisor,
                             now=at(6))
    event.refresh_from_db()
    item.refresh_from_db()
    assert event.reviewed_at == at(6) and event.reviewed_by == supervisor
    assert review.decision == "valid" and EventReview.objects.get(event=event).note == "Retour au centre de tri"
    assert not item.needs_review and item.status == "delivered"
    assert list(selectors.exceptions_queue(scope)) == []


def test_confirming_an_error_needs_a_note_and_an_event_is_reviewed_once(poste, supervisor, make_item):
    _item, event = _flagged(poste, make_item)
    with pytest.raises(ValidationError) as refused:
        do_review_event(event, decision="error", note="  ", user=supervisor)
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError):
        do_review_event(event, decision="maybe", user=supervisor)
    assert not EventReview.objects.exists()
    do_review_event(event, decision="error", note="Scanné par erreur", user=supervisor)
    with pytest.raises(ValidationError):
        do_review_event(event, decision="valid", user=supervisor)
    assert EventReview.objects.count() == 1


def test_another_regions_exceptions_are_not_in_the_queue(poste, supervisor, make_item, network):
    item = make_item("registered", when=at(2), delivery="oran_delivery", accepted_office=network["oran_delivery"])
    record_events(poste, [EventInput(item.number, "EMA", at(2), "31000-DIST"),
                          EventInput(item.number, "EMA", at(3), "31000-DIST")])  # posted twice
    assert TrackingEvent.objects.filter(flagged=True).count() == 1
    assert list(selectors.exceptions_queue(selectors.scope_for(supervisor))) == []


def test_counter_activity_counts_items_and_revenue_per_office_in_the_period(supervisor, whole_post, make_item,
                                                                            network):
    make_item("registered", when=at(9), price=Decimal("120.00"))
    make_item("parcel", when=at(10), price=Decimal("800.00"))
    make_item("registered", when=at(11), price=None)  # prepaid: counted, no revenue
    make_item("registered", when=dt.datetime(2026, 1, 5, 10, tzinfo=ALGIERS), price=Decimal("999.00"))  # too old
    make_item("ems", when=at(10), price=Decimal("900.00"), accepted_office=network["oran_delivery"],
              delivery="oran_delivery")
    since, until = selectors.period(30, now=NOW)
    rows = selectors.counter_activity(selectors.scope_for(supervisor), since=since, until=until)
    assert [(r.office.code, r.items, r.revenue) for r in rows] == [("16001", 3, Decimal("920.00"))]
    everywhere = selectors.counter_activity(selectors.scope_for(whole_post), since=since, until=until)
    assert [(r.office.code, r.items) for r in everywhere] == [("16001", 3), ("31000-DIST", 1)]
    per_day = dict(selectors.accepted_per_day(selectors.scope_for(supervisor), since=since, until=until))
    assert len(per_day) == 31 and per_day[dt.date(2026, 3, 10)] == 1 and per_day[dt.date(2026, 3, 9)] == 1
    assert sum(per_day.values()) == 3
