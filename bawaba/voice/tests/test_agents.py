"""Agents and queues: the next caller goes to an available agent of the right service, the agent's leg is
bridged, talk ends in wrap-up; callbacks due go first; transfers keep the history; provider failures lose
no call."""

import pytest

from bawaba.voice import agents, services
from bawaba.voice.models import AgentState, Call, CallState, Outcome

from .at_xml import check_answer
from .conftest import CALLBACK_PATH, agent_leg, post_event, queue_caller

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


POSTE_NUMBER = "+213215550200"


def _bridged_call_with_request(client, number, agent, session):
    from bawaba.servicedesk.services import do_create_request

    queue_caller(client, session)
    call = Call.objects.get(session_id=session)
    agent_leg(client, call)  # answered: the caller is bridged to the agent
    request = do_create_request(channel="phone", citizen_phone="+213550123456", subject="Colis perdu",
                                text="Appel reçu au 12.", service=number.default_service, created_by=agent)
    agents.do_link_request(agent, call.pk, request)
    return call, request


def test_a_live_call_is_transferred_to_another_organisation_through_the_provider_and_keeps_its_history(
        client, number, available_agent, poste_agent, provider_peer, open_hours):
    from bawaba.orgs.models import Organisation, Service
    from bawaba.voice.models import VoiceNumber

    mail = Service.objects.get(code="algerie-poste/mail")
    VoiceNumber.objects.create(organisation=Organisation.objects.get(slug="algerie-poste"), number=POSTE_NUMBER,
                               default_service=mail, hold_music_url="https://poste.example/attente.mp3")
    call, request = _bridged_call_with_request(client, number, available_agent, "moving")
    agents.do_set_agent_state(poste_agent, "available", contact="sip:yacine@example.test")
    first_leg = services.agent_leg_id(call)

    agents.do_transfer_call(available_agent, call.pk, mail, reason="Colis, pas téléphone")

    # The provider moves the caller's leg to Algérie Poste's number (Africa's Talking's call transfer).
    assert provider_peer.transfer_requests == [{
        "username": "bawaba", "sessionId": "moving", "phoneNumber": POSTE_NUMBER, "callLeg": "caller",
        "holdMusicUrl": "https://poste.example/attente.mp3", "apiKey": "test-key"}]
    call.refresh_from_db()
    assert call.state == CallState.QUEUED and call.step == services.TRANSFERRING
    assert call.organisation.slug == "algerie-poste" and call.agent is None
    assert AgentState.objects.get(user=available_agent).state == "wrap_up"
    assert AgentState.objects.get(user=poste_agent).state == "available"  # not offered before the caller is back
    request.refresh_from_db()  # the request followed the call, through the desk's transfer
    assert request.service == mail and request.organisation.slug == "algerie-poste"
    assert request.events.filter(kind="transferred").exists()

    # The old legs end: not an abandoned call, not a talk ended.
    assert check_answer(post_event(client, session="moving", active="0").content) == []
    assert check_answer(client.post(CALLBACK_PATH, {
        "isActive": "0", "sessionId": f"ATVId_agentleg_{call.pk}", "direction": "outbound",
        "callerNumber": "sip:amina@bawaba.sip.example", "destinationNumber": number.number,
        "clientRequestId": first_leg}).content) == []
    call.refresh_from_db()
    assert call.state == CallState.QUEUED and call.talk_ended_at is None
    # The caller arrives on Algérie Poste's number in a new session: the same call continues, no menu.
    again = check_answer(post_event(client, session="moving-2", destination=POSTE_NUMBER).content)
    assert [(a.tag, a.get("name")) for a in again] == [("Enqueue", f"call-{call.pk}")]
    call.refresh_from_db()
    assert call.session_id == "moving-2" and call.state == CallState.OFFERED and call.agent == poste_agent
    bridge = check_answer(agent_leg(client, call).content)
    assert [(a.tag, a.get("name"), a.get("phoneNumber")) for a in bridge] == [
        ("Dequeue", f"call-{call.pk}", POSTE_NUMBER)]
    # A late callback of the old leg is kept in the history, not made into a call of its own.
    assert check_answer(post_event(client, session="moving", active="0").content) == []
    assert Call.objects.count() == 1
    kinds = [e.kind for e in call.events.order_by("at", "id")]
    assert kinds.index("menu") < kinds.index("answered") < kinds.index("transfer_requested") \
        < kinds.index("transferred") < kinds.index("continued") < kinds.index("offered", kinds.index("continued"))
    assert {"request_transferred", "left_for_transfer", "old_leg_callback"} <= set(kinds)
    assert call.choices["service"] == "algerie-telecom/faults"  # what the caller chose is kept
    assert call.request == request


def test_the_agents_leg_ending_while_the_provider_moves_the_caller_does_not_end_the_call(
        client, number, available_agent, provider_peer, open_hours):
    call, _request = _bridged_call_with_request(client, number, available_agent, "window")
    Call.objects.filter(pk=call.pk).update(step=services.TRANSFERRING)  # between the provider's move and our commit
    assert check_answer(agent_leg(client, call, active="0").content) == []
    call.refresh_from_db()
    assert call.state == CallState.CONNECTED and call.talk_ended_at is None and call.outcome == ""
    assert call.events.filter(kind="agent_leg_ended").exists()


def test_a_transfer_the_provider_refuses_leaves_the_caller_with_the_agent(client, number, available_agent,
                                                                          provider_peer, open_hours):
    from django.core.exceptions import ValidationError

    from bawaba.orgs.models import Service

    call, request = _bridged_call_with_request(client, number, available_agent, "staying")
    provider_peer.mode = "refuse"
    with pytest.raises(ValidationError):
        agents.do_transfer_call(available_agent, call.pk, Service.objects.get(code="algerie-telecom/billing"))
    call.refresh_from_db()
    request.refresh_from_db()
    assert call.state == CallState.CONNECTED and call.agent == available_agent and call.step == ""
    assert AgentState.objects.get(user=available_agent).state == "on_call"
    assert request.service.code == "algerie-telecom/faults"
    assert call.events.filter(kind="transfer_failed").exists()


def test_a_transferred_caller_who_never_reaches_the_target_is_abandoned_by_the_sweep(
        client, number, available_agent, provider_peer, open_hours):
    from bawaba.orgs.models import Service

    call, _request = _bridged_call_with_request(client, number, available_agent, "lost")
    agents.do_transfer_call(available_agent, call.pk, Service.objects.get(code="algerie-telecom/billing"))
    services.sweep()
    call.refresh_from_db()
    assert call.step == services.TRANSFERRING  # not yet: the provider may be slow
    open_hours.shift(services.TRANSFER_LOST_SECONDS + 5)
    services.sweep()
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.outcome == Outcome.ABANDONED
    assert call.events.filter(kind="transfer_lost").exists()


def test_a_call_still_ringing_the_agent_is_transferred_without_the_provider(client, number, available_agent,
                                                                            poste_agent, provider_peer,
                                                                            open_hours):
    from bawaba.orgs.models import Service

    queue_caller(client, "ringing")
    call = Call.objects.get(session_id="ringing")
    assert call.state == CallState.OFFERED
    agents.do_transfer_call(available_agent, call.pk, Service.objects.get(code="algerie-poste/mail"))
    assert provider_peer.transfer_requests == []  # still in its provider queue: the next agent dequeues it
    agents.do_set_agent_state(poste_agent, "available", contact="sip:yacine@example.test")
    call.refresh_from_db()
    assert call.agent == poste_agent and call.state == CallState.OFFERED


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
