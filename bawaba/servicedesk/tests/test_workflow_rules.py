"""Workflow rules: waiting needs a question first, reply-and-wait is one change, who may unassign."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from bawaba.orgs.services import do_add_staff
from bawaba.servicedesk import services
from bawaba.servicedesk.models import EventKind, MessageKind, Status

# --- 7: the SLA pauses only after the citizen was asked something ----------------------------------

def test_cannot_wait_for_the_citizen_before_asking_them_anything(make_request, at_agent):
    request = make_request()
    events = request.events.count()
    with translation.override("en"), pytest.raises(services.TransitionNotAllowed) as error:
        services.do_transition(request, Status.WAITING, actor=at_agent)
    assert "wait for the citizen" in error.value.message
    request.refresh_from_db()
    assert request.status == Status.NEW and request.sla_paused_at is None
    assert request.events.count() == events
    assert Status.WAITING not in request.allowed_statuses()  # what the desk should offer


def test_waiting_is_allowed_once_the_citizen_was_answered(make_request, at_agent):
    request = make_request()
    services.do_reply(request, "Pouvez-vous redémarrer le modem ?", actor=at_agent)
    request.refresh_from_db()
    assert Status.WAITING in request.allowed_statuses()
    request = services.do_transition(request, Status.WAITING, actor=at_agent)
    assert request.status == Status.WAITING and request.sla_paused_at is not None


# --- 10: reply and wait is one change -------------------------------------------------------------

def test_reply_and_wait_on_a_resolved_request_is_refused_without_sending_the_reply(make_request, at_agent):
    request = make_request()
    services.do_transition(request, Status.RESOLVED, actor=at_agent)
    with pytest.raises(services.TransitionNotAllowed):
        services.do_reply(request, "Envoyez une photo.", actor=at_agent, wait_for_citizen=True)
    request.refresh_from_db()
    assert request.status == Status.RESOLVED
    assert not request.messages.filter(kind=MessageKind.PUBLIC_REPLY).exists()
    assert not request.events.filter(kind=EventKind.REPLIED).exists()


def test_reply_and_wait_stores_the_reply_and_the_pause_together(make_request, at_agent):
    request = make_request()
    services.do_reply(request, "Envoyez une photo.", actor=at_agent, wait_for_citizen=True)
    request.refresh_from_db()
    assert request.status == Status.WAITING and request.sla_paused_at is not None
    assert request.first_responded_at is not None
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.REPLIED, EventKind.SLA_PAUSED, EventKind.STATUS]


# --- 19: unassigning --------------------------------------------------------------------------------

def test_agent_cannot_unassign_a_colleague(make_request, orgs, at_agent, at_supervisor):
    colleague = do_add_staff(orgs["algerie-telecom"], {"username": "at.colleague", "role": "agent",
                                                       "password": "correct horse 42"})
    request = services.do_assign(make_request(), colleague, actor=colleague)
    with pytest.raises(PermissionDenied):
        services.do_assign(request, None, actor=at_agent)
    request.refresh_from_db()
    assert request.assignee == colleague and request.status == Status.ASSIGNED


def test_unassigning_puts_an_assigned_request_back_to_new(make_request, at_agent, at_supervisor):
    request = services.do_assign(make_request(), at_agent, actor=at_agent)
    request = services.do_assign(request, None, actor=at_agent)  # agents may give up their own requests
    assert request.assignee is None and request.status == Status.NEW
    request = services.do_assign(request, at_agent, actor=at_supervisor)
    request = services.do_assign(request, None, actor=at_supervisor)
    assert request.assignee is None and request.status == Status.NEW


def test_unassigning_a_request_in_progress_keeps_its_status(make_request, at_agent):
    request = services.do_assign(make_request(), at_agent, actor=at_agent)
    services.do_reply(request, "Nous regardons.", actor=at_agent)
    request = services.do_assign(request, None, actor=at_agent)
    assert request.assignee is None and request.status == Status.IN_PROGRESS


def test_a_request_cannot_be_assigned_to_someone_without_a_desk_role(make_request, orgs, at_supervisor):
    from django.core.exceptions import ValidationError

    inspector = do_add_staff(orgs["algerie-telecom"], {"username": "at.inspector", "roles": ["fibre.inspector"]})
    request = make_request()
    with pytest.raises(ValidationError) as refused:
        services.do_assign(request, inspector, actor=at_supervisor)
    assert "assignee" in refused.value.message_dict
    request.refresh_from_db()
    assert request.assignee is None
