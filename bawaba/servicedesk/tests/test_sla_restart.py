"""Deadlines that restart (reopening, transfer to another organisation) or change (priority):
escalation marks, pauses and the business time already spent follow them."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest

from bawaba.core.business_time import business_minutes_between
from bawaba.orgs.models import Organisation, Service
from bawaba.orgs.services import calendar_for
from bawaba.servicedesk import services
from bawaba.servicedesk.models import EventKind, Request, Status

ALGIERS = ZoneInfo("Africa/Algiers")
MONDAY_9AM = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ALGIERS)  # AT and Poste open Sunday-Thursday 08:00-16:30


def at(day, hour, minute=0):
    """A local time in the week of 23 November 2026 (day 0 = Monday), or later with day > 6."""
    return dt.datetime(2026, 11, 23, hour, minute, tzinfo=ALGIERS) + dt.timedelta(days=day)


def escalated(request) -> int:
    return request.events.filter(kind=EventKind.ESCALATED).count()


# --- 3: escalation marks are cleared when deadlines restart ---------------------------------------

def test_reopened_request_is_escalated_again_when_its_new_deadline_passes(make_request, at_agent, at_supervisor):
    request = make_request(priority="urgent", now=MONDAY_9AM)  # resolution within 8 business hours
    services.do_reply(request, "Nous regardons.", actor=at_agent, now=at(0, 9, 5))
    assert services.escalate_breaches(now=at(1, 12)) == 1  # due Tuesday 08:30
    services.do_transition(request, Status.RESOLVED, actor=at_agent, now=at(1, 13))
    request = services.do_transition(request, Status.REOPENED, actor=at_agent, now=at(1, 13))
    assert request.resolution_escalated_at is None
    assert request.resolution_due_at == at(2, 12, 30)  # 3.5 h on Tuesday, 4.5 h on Wednesday
    assert services.escalate_breaches(now=at(2, 12)) == 0
    assert services.escalate_breaches(now=at(2, 13)) == 1
    assert escalated(request) == 2


def test_request_reopened_by_the_citizen_is_escalated_again(make_request, at_agent, at_supervisor):
    request = make_request(priority="urgent", now=MONDAY_9AM)
    services.do_reply(request, "Nous regardons.", actor=at_agent, now=at(0, 9, 5))
    assert services.escalate_breaches(now=at(1, 12)) == 1
    services.do_transition(request, Status.RESOLVED, actor=at_agent, now=at(1, 13))
    services.do_citizen_message(request, "Toujours coupé.", now=at(1, 13))
    request.refresh_from_db()
    assert request.status == Status.REOPENED and request.resolution_escalated_at is None
    assert services.escalate_breaches(now=at(2, 13)) == 1


def test_request_escalated_before_a_transfer_is_escalated_again_by_the_receiver(
    make_request, at_supervisor, at_agent
):
    request = make_request(priority="normal", now=MONDAY_9AM)  # first response within 4 business hours
    assert services.escalate_breaches(now=at(0, 14)) == 1  # missed at 13:00; priority raised to high
    poste = Service.objects.get(code="algerie-poste/financial")
    request = services.do_transfer(request, poste, actor=at_agent, reason="CCP", now=at(0, 15))
    assert request.first_response_escalated_at is None
    assert request.first_response_due_at == at(0, 16)  # high: first response within 1 business hour
    assert services.escalate_breaches(now=at(0, 16, 15)) == 1
    request.refresh_from_db()
    assert request.first_response_escalated_at == at(0, 16, 15)


# --- 6: a transfer while waiting restarts the pause -------------------------------------------------

def test_transfer_while_waiting_does_not_count_the_earlier_wait_again(make_request, at_agent):
    request = make_request(priority="normal", now=MONDAY_9AM)
    services.do_reply(request, "Votre numéro de compte ?", actor=at_agent, wait_for_citizen=True, now=at(0, 10))
    poste = Service.objects.get(code="algerie-poste/financial")
    two_weeks_later = at(14, 10)
    request = services.do_transfer(request, poste, actor=at_agent, reason="CCP", now=two_weeks_later)
    assert request.status == Status.WAITING and request.sla_paused_at == two_weeks_later
    due_at_transfer = request.resolution_due_at

    services.do_citizen_message(request, "Compte 0012345", now=at(14, 11))
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.sla_paused_at is None
    assert business_minutes_between(calendar_for(request.organisation), due_at_transfer,
                                    request.resolution_due_at) == 60


# --- 11: a merged waiting duplicate is not paused for good -----------------------------------------

def test_merged_waiting_duplicate_reopened_runs_again_and_is_escalated(make_request, at_agent, at_supervisor):
    survivor = make_request(now=MONDAY_9AM)
    duplicate = make_request(now=MONDAY_9AM)
    services.do_reply(duplicate, "Votre adresse ?", actor=at_agent, wait_for_citizen=True, now=at(0, 9, 30))
    services.do_merge(duplicate, survivor, actor=at_agent, now=at(0, 10))
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.sla_paused_at is None

    duplicate = services.do_transition(duplicate, Status.REOPENED, actor=at_agent, now=at(0, 10, 30))
    assert duplicate.status == Status.REOPENED and duplicate.sla_paused_at is None
    assert duplicate.merged_into is None
    assert duplicate.events.get(kind=EventKind.STATUS, data__to="reopened").data["unmerged_from"] == \
        survivor.reference
    services.escalate_breaches(now=at(60, 10))
    assert escalated(duplicate) == 1


# --- 14: a change of priority recomputes the remaining targets ---------------------------------------

def test_raising_the_priority_shortens_the_deadlines_by_the_time_already_spent(make_request, at_agent,
                                                                               at_supervisor):
    request = make_request(priority="normal", now=MONDAY_9AM)
    request = services.do_change_priority(request, "urgent", actor=at_agent, now=at(0, 11))
    # Urgent: 30 min to first response (2 h already spent: due now), 8 h to resolution (6 h left).
    assert request.first_response_due_at == at(0, 11)
    assert request.resolution_due_at == at(1, 8, 30)
    assert services.escalate_breaches(now=at(0, 11, 1)) == 1


def test_priority_change_does_not_count_the_time_spent_waiting_for_the_citizen(make_request, at_agent):
    request = make_request(priority="normal", now=MONDAY_9AM)
    services.do_reply(request, "Votre numéro ?", actor=at_agent, wait_for_citizen=True, now=at(0, 10))
    services.do_citizen_message(request, "021 23 45 67", now=at(1, 10))  # 8.5 business hours waited
    request = services.do_change_priority(request, "urgent", actor=at_agent, now=at(1, 11))
    # Spent: 10.5 business hours since creation, less 8.5 h waiting = 2 h; 6 h of the 8 h are left.
    assert request.resolution_due_at == at(2, 8, 30)


def test_priority_change_while_waiting_keeps_the_clock_stopped(make_request, at_agent):
    request = make_request(priority="normal", now=MONDAY_9AM)
    services.do_reply(request, "Votre numéro ?", actor=at_agent, wait_for_citizen=True, now=at(0, 10))
    request = services.do_change_priority(request, "urgent", actor=at_agent, now=at(1, 10))
    # 1 h spent before the pause: 7 h left, counted from the pause and pushed by the wait once the citizen answers.
    assert request.resolution_due_at == at(1, 8, 30)
    services.do_citizen_message(request, "021 23 45 67", now=at(1, 10))
    request.refresh_from_db()
    assert business_minutes_between(calendar_for(request.organisation), at(1, 10), request.resolution_due_at) == 420


def test_lowering_the_priority_after_a_breach_lets_the_new_deadline_escalate(make_request, at_agent,
                                                                             at_supervisor):
    request = make_request(priority="urgent", now=MONDAY_9AM)
    services.do_reply(request, "Nous regardons.", actor=at_agent, now=at(0, 9, 5))
    assert services.escalate_breaches(now=at(1, 9)) == 1
    request = services.do_change_priority(request, "normal", actor=at_agent, now=at(1, 9))
    assert request.resolution_escalated_at is None and request.resolution_due_at > at(1, 9)
    assert services.escalate_breaches(now=at(30, 9)) == 1


def test_priority_of_a_closed_request_cannot_change(make_request, at_agent):
    request = make_request(priority="normal")
    services.do_transition(request, Status.CLOSED, actor=at_agent)
    with pytest.raises(services.TransitionNotAllowed):
        services.do_change_priority(request, "urgent", actor=at_agent)
    request.refresh_from_db()
    assert request.priority == "normal"
    assert not request.events.filter(kind=EventKind.PRIORITY).exists()


# --- 9: a broken calendar never stops a request ------------------------------------------------------

def _assert_counted_around_the_clock(request, start, first_response=240, resolution=2400):
    assert request.first_response_due_at == start + dt.timedelta(minutes=first_response)
    assert request.resolution_due_at == start + dt.timedelta(minutes=resolution)
    assert request.events.filter(kind=EventKind.SLA_CALENDAR_ERROR).exists()


def test_unknown_time_zone_still_stores_the_request_counting_around_the_clock(make_request, caplog):
    Organisation.objects.filter(slug="algerie-telecom").update(timezone="Africa/Algier")
    with caplog.at_level(logging.ERROR, logger="bawaba.servicedesk.sla"):
        request = make_request(priority="normal", now=MONDAY_9AM)
    assert Request.objects.filter(pk=request.pk).exists()
    _assert_counted_around_the_clock(request, MONDAY_9AM)
    event = request.events.get(kind=EventKind.SLA_CALENDAR_ERROR)
    assert "Africa/Algier" in event.data["problem"]
    assert any("algerie-telecom" in record.getMessage() for record in caplog.records)


def test_calendar_without_opening_hours_still_stores_the_request(make_request, orgs):
    orgs["algerie-telecom"].business_hours.all().delete()
    request = make_request(priority="normal", now=MONDAY_9AM)
    _assert_counted_around_the_clock(request, MONDAY_9AM)


def test_transfer_into_an_organisation_with_a_broken_calendar_succeeds(make_request, at_agent):
    Organisation.objects.filter(slug="algerie-poste").update(timezone="Europe/Pariss")
    request = make_request(priority="normal", now=MONDAY_9AM)
    poste = Service.objects.get(code="algerie-poste/financial")
    request = services.do_transfer(request, poste, actor=at_agent, reason="CCP", now=at(0, 10))
    assert request.organisation.slug == "algerie-poste"
    _assert_counted_around_the_clock(request, at(0, 10))


def test_citizen_answer_resumes_in_an_organisation_with_a_broken_calendar(make_request, at_agent, orgs):
    request = make_request(priority="normal", now=MONDAY_9AM)
    services.do_reply(request, "Votre numéro ?", actor=at_agent, wait_for_citizen=True, now=at(0, 10))
    due = Request.objects.get(pk=request.pk).resolution_due_at
    orgs["algerie-telecom"].business_hours.all().delete()
    services.do_citizen_message(request, "021 23 45 67", now=at(0, 12))
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.sla_paused_at is None
    assert request.resolution_due_at == due + dt.timedelta(hours=2)
    assert request.events.filter(kind=EventKind.SLA_CALENDAR_ERROR).exists()
