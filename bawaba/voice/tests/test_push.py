"""The screen pop by push (bawaba.live): the call reaching an agent publishes "voice.screen_pop" on the agent's
own topic in the offer's transaction (and again at the answer); the desk's stream, served by a real ASGI server,
hands it to the agent's pages. Polling (the state bar) stays the fallback: tests/e2e/test_voice.py."""

import json

import pytest
from django.conf import settings
from django.test import Client

from bawaba.live.models import LiveEvent
from bawaba.live.testing import EventReader, asgi_server_thread
from bawaba.voice import services
from bawaba.voice.models import Call

from .conftest import agent_leg, queue_caller


def pops(user) -> list[dict]:
    return list(LiveEvent.objects.filter(topic=f"user:{user.pk}", kind=services.SCREEN_POP)
                .order_by("id").values_list("payload", flat=True))


@pytest.mark.django_db
def test_the_offer_and_the_answer_publish_the_screen_pop_to_that_agent_only(client, number, available_agent,
                                                                           poste_agent, provider_peer):
    queue_caller(client, "pushed")
    call = Call.objects.get(session_id="pushed")
    offered = pops(available_agent)
    assert offered == [{"call": call.pk, "leg": services.agent_leg_id(call), "url": f"/voice/calls/{call.pk}/"}]
    assert pops(poste_agent) == []
    agent_leg(client, call)  # the agent picks up: the caller is dequeued to them
    assert pops(available_agent) == offered * 2  # the same leg: a page that already popped does nothing
    assert not LiveEvent.objects.filter(kind=services.SCREEN_POP).exclude(topic=f"user:{available_agent.pk}")


@pytest.mark.django_db
def test_no_pop_is_published_when_nobody_is_available_or_the_offer_rolls_back(client, number, at_agent,
                                                                             open_hours):
    from django.db import transaction

    queue_caller(client, "waiting")
    assert pops(at_agent) == []
    with pytest.raises(RuntimeError), transaction.atomic():
        from bawaba.voice.agents import do_set_agent_state

        do_set_agent_state(at_agent, "available", contact="sip:amina@bawaba.sip.example")
        assert len(pops(at_agent)) == 1  # written with the offer…
        raise RuntimeError("the offer's transaction fails")
    assert pops(at_agent) == []  # …and gone with it


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_desk_stream_delivers_the_screen_pop_when_the_call_reaches_the_agent(number, at_agent, open_hours):
    from bawaba.voice.agents import do_set_agent_state

    browser = Client()
    browser.force_login(at_agent)
    cookies = {settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value}
    do_set_agent_state(at_agent, "available", contact="sip:amina@bawaba.sip.example")
    with asgi_server_thread() as server:
        stream = EventReader(server + "/desk/live/?view=page", cookies=cookies, headers={"Accept-Language": "fr"})
        try:
            stream.next("ready")
            queue_caller(Client(), "streamed")
            call = Call.objects.get(session_id="streamed")
            message = stream.next("live", timeout=10)
            assert json.loads(message["data"]) == {
                "kind": services.SCREEN_POP, "topic": f"user:{at_agent.pk}",
                "payload": {"call": call.pk, "leg": services.agent_leg_id(call), "url": f"/voice/calls/{call.pk}/"}}
            assert int(message["id"]) == LiveEvent.objects.get(kind=services.SCREEN_POP).pk
        finally:
            stream.close()


def states(user) -> list[dict]:
    return list(LiveEvent.objects.filter(topic=f"user:{user.pk}", kind=services.AGENT_STATE)
                .order_by("id").values_list("payload", flat=True))


@pytest.mark.django_db
def test_each_change_of_an_agents_state_is_pushed_to_that_agent_after_the_commit(
        client, number, at_agent, poste_agent, open_hours, django_capture_on_commit_callbacks):
    """The phone bar is redrawn by push (voice-live.js fetches it when told), not by a poll every 2 s."""
    from django.db import transaction

    from bawaba.voice.agents import do_set_agent_state
    from bawaba.voice.models import AgentState

    with django_capture_on_commit_callbacks(execute=True):
        do_set_agent_state(at_agent, "available", contact="sip:amina@bawaba.sip.example")
    version = AgentState.objects.get(pk=at_agent.pk).version
    assert states(at_agent) == [{"state": "available", "version": version}]
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        do_set_agent_state(at_agent, "paused", reason="break")
        raise RuntimeError("the change rolls back")
    assert [payload["state"] for payload in states(at_agent)] == ["available"]  # nothing for it
    with django_capture_on_commit_callbacks(execute=True):
        queue_caller(client, "pushed-state")  # dispatched to the agent: their phone rings
    assert states(at_agent)[-1] == {"state": "reserved", "version": version + 1}
    assert states(poste_agent) == []
