"""Agents and queues: the next caller goes to an available agent of the right service, the agent's leg is
bridged, talk ends in wrap-up; callbacks due go first; transfers keep the history; provider failures lose
no call."""

import pytest

from bawaba.voice import agents, services
from bawaba.voice.models import AgentState, Call, CallState, Outcome

from .at_xml import check_answer
from .conftest import agent_leg, post_event, queue_caller

pytestmark = pytest.mark.django_db


def test_an_available_agent_gets_the_caller_and_the_legs_are_bridged(client, number, available_agent,
                                                                      provider_peer, huey_immediate, open_hours,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_caller(client, "caller-1")
    call = Call.objects.get(session_id="caller-1")
    assert call.state == CallState.OFFERED and call.agent == available_agent
    assert provider_peer.ring_requests[0]["to"] == "sip:amina@bawaba.sip.example"
    assert provider_peer.ring_requests[0]["clientRequestId"] == services.agent_leg_id(call)
    assert provider_peer.ring_requests[0]["apiKey"] == "test-key"
    open_hours.shift(8)
    bridge = check_answer(agent_leg(client, call).content)
    assert [(a.tag, a.get("name"), a.get("phoneNumber")) for a in bridge] == [
        ("Dequeue", f"call-{call.pk}", number.number)]
    call.refresh_from_db()
    assert call.state == CallState.CONNECTED and call.wait_seconds >= 8
    assert AgentState.objects.get(user=available_agent).state == "on_call"
    open_hours.shift(60)
    post_event(client, session="caller-1", active="0", durationInSeconds="75")
    call.refresh_from_db()
    assert call.state == CallState.WRAP_UP and call.outcome == Outcome.ANSWERED and call.duration_seconds == 75
    agent = AgentState.objects.get(user=available_agent)
    assert agent.state == "wrap_up"
    agents.do_set_agent_state(available_agent, "available")
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.wrapup_ended_at is not None
    kinds = [e.kind for e in call.events.all()]
    assert kinds[:2] == ["arrived", "language"] and kinds[-4:] == ["offered", "answered", "talk_ended", "wrap_up_ended"]
    assert "offered" in kinds and "queued" in kinds


def test_the_longest_waiting_caller_goes_first_but_a_callback_due_goes_before(client, number, at_agent,
                                                                              provider_peer, open_hours):
    number.callback_threshold_seconds = 0
    number.save()
    agents.do_set_agent_state(at_agent, "paused", reason="meal", contact="sip:amina@bawaba.sip.example")
    queue_caller(client, "first", digits=("1", "1", "2"))  # offered a callback, chose to wait
    open_hours.shift(5)
    queue_caller(client, "second", digits=("1", "1", "2"))
    open_hours.shift(5)
    queue_caller(client, "wants-callback", digits=("1", "1", "1"))
    post_event(client, session="wants-callback", active="0")
    due = Call.objects.get(session_id="wants-callback")
    open_hours.shift(3600)  # the callback is due now
    agents.do_set_agent_state(at_agent, "available")
    due.refresh_from_db()
    assert due.state == CallState.OFFERED and due.agent == at_agent
    # Answered, the agent's leg dials the citizen back.
    bridge = check_answer(agent_leg(client, due).content)
    assert [(a.tag, a.get("phoneNumbers")) for a in bridge] == [("Dial", "+213550123456")]
    post_event(client, session="first", active="0")  # "first" gives up
    agent_leg(client, due, active="0")
    agents.do_set_agent_state(at_agent, "available")
    assert Call.objects.get(session_id="second").state == CallState.OFFERED
    assert Call.objects.get(session_id="wants-callback").outcome == Outcome.CALLBACK_DONE


def test_only_agents_of_the_services_queue_get_its_calls(client, number, open_hours, poste_agent):
    agents.do_set_agent_state(poste_agent, "available", contact="sip:yacine@example.test")
    queue_caller(client, "at-caller")
    assert Call.objects.get(session_id="at-caller").state == CallState.QUEUED


def test_a_transfer_to_another_organisation_keeps_the_calls_history(client, number, available_agent,
                                                                    poste_agent, provider_peer, open_hours):
    from bawaba.orgs.models import Service

    queue_caller(client, "moving")
    call = Call.objects.get(session_id="moving")
    agent_leg(client, call)
    mail = Service.objects.get(code="algerie-poste/mail")
    agents.do_transfer_call(available_agent, call.pk, mail, reason="Colis, pas téléphone")
    call.refresh_from_db()
    assert call.state == CallState.QUEUED and call.organisation.slug == "algerie-poste"
    assert AgentState.objects.get(user=available_agent).state == "wrap_up"
    agents.do_set_agent_state(poste_agent, "available", contact="sip:yacine@example.test")
    call.refresh_from_db()
    assert call.agent == poste_agent
    kinds = [e.kind for e in call.events.all()]
    assert kinds.index("menu") < kinds.index("answered") < kinds.index("transferred") < len(kinds) - 1
    assert call.choices["service"] == "algerie-telecom/faults"  # what the caller chose is kept


def test_a_provider_that_times_out_puts_the_caller_back_in_line(client, number, available_agent, provider_peer,
                                                                huey_immediate, voice_settings, open_hours,
                                                                django_capture_on_commit_callbacks):
    voice_settings.VOICE_PROVIDER_TIMEOUT = 0.3
    provider_peer.mode = "slow"
    with django_capture_on_commit_callbacks(execute=True):
        queue_caller(client, "patient")
    call = Call.objects.get(session_id="patient")
    assert call.state == CallState.QUEUED and call.queued_at is not None
    assert "ring_failed" in [e.kind for e in call.events.all()]
    assert AgentState.objects.get(user=available_agent).state == "available"
    provider_peer.mode = "refuse"
    with django_capture_on_commit_callbacks(execute=True):
        agents.do_set_agent_state(available_agent, "paused", reason="break")
        agents.do_set_agent_state(available_agent, "available")
    assert len(provider_peer.ring_requests) == 2
    assert Call.objects.get(session_id="patient").state == CallState.QUEUED


def test_an_unanswered_offer_expires_and_the_agent_is_paused(client, number, available_agent, open_hours):
    queue_caller(client, "ringing")
    assert Call.objects.get(session_id="ringing").state == CallState.OFFERED
    open_hours.shift(31)
    assert services.sweep()["requeued"] == 1
    agent = AgentState.objects.get(user=available_agent)
    assert (agent.state, agent.pause_reason) == ("paused", "missed")
    call = Call.objects.get(session_id="ringing")
    assert call.state == CallState.QUEUED
    # The expired offer's leg, answered late, hears that the caller is elsewhere and bridges nothing.
    late = check_answer(agent_leg(client, call, clientRequestId=f"agent:{call.pk}:1").content)
    assert [a.tag for a in late] == ["Say"]


def test_the_agent_chooses_a_state_but_not_a_calls_one(at_agent, mobilis_agent, orgs):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        agents.do_set_agent_state(at_agent, "available")  # no phone where to ring
    with pytest.raises(ValidationError):
        agents.do_set_agent_state(at_agent, "paused", reason="")
    with pytest.raises(ValidationError):
        agents.do_set_agent_state(at_agent, "on_call")
    agent = agents.do_set_agent_state(at_agent, "paused", reason="training", contact="+213550000001")
    assert (agent.state, agent.pause_reason, agent.contact) == ("paused", "training", "+213550000001")
    from bawaba.voice.models import AgentStateChange

    assert list(AgentStateChange.objects.filter(user=at_agent).values_list("state", "pause_reason")) == [
        ("paused", "training")]  # the refused changes left no trace
