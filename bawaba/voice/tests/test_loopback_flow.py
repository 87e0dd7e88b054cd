"""The provider's documented callback sequences replayed over real HTTP to the running platform by a peer on
loopback, every answer checked against the documented actions; the peer is also the provider's call API."""

import json
import urllib.parse
import urllib.request

import pytest

from bawaba.voice.models import AgentState, Call, CallState, Outcome

from .at_xml import check_answer
from .conftest import NUMBER, SECRET


class Replayer:
    def __init__(self, base_url):
        self.base = base_url
        self.next_url = {}
        self.answers = []

    def post(self, session, *, active="1", direction="inbound", caller="+213550123456", **fields):
        url = self.next_url.get(session) if ("dtmfDigits" in fields or "recordingUrl" in fields) else None
        url = url or f"{self.base}/voice/callbacks/africastalking/{SECRET}/"
        data = urllib.parse.urlencode({"isActive": active, "sessionId": session, "direction": direction,
                                       "callerNumber": caller, "destinationNumber": NUMBER, **fields}).encode()
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as response:  # noqa: S310
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("application/xml")
            body = response.read()
        actions = check_answer(body)
        self.answers.append(body)
        for action in actions:
            if action.get("callbackUrl"):
                self.next_url[session] = action.get("callbackUrl")
        return actions


@pytest.mark.django_db(transaction=True)
def test_a_call_from_arrival_to_wrap_up_over_http(live_server, number, at_agent, provider_peer, huey_immediate,
                                                  open_hours):
    from bawaba.voice.agents import do_set_agent_state

    do_set_agent_state(at_agent, "available", contact="sip:amina@bawaba.sip.example")
    peer = Replayer(live_server.url)
    # Inbound: greeting and language question, French, the menu, faults.
    assert [a.tag for a in peer.post("ATVId_live")] == ["Say", "GetDigits"]
    assert [a.tag for a in peer.post("ATVId_live", dtmfDigits="1")] == ["GetDigits"]
    replayed = peer.answers[-1]
    assert [a.tag for a in peer.post("ATVId_live", dtmfDigits="1")] == ["Say", "Enqueue"]
    # The provider rang the agent through its call API.
    assert len(provider_peer.ring_requests) == 1
    ring = provider_peer.ring_requests[0]
    assert ring["to"] == "sip:amina@bawaba.sip.example" and ring["from"] == NUMBER
    # The agent picks up: the outbound leg's callback carries the clientRequestId; the answer bridges the caller.
    bridge = peer.post("ATVId_agentleg", direction="outbound", caller=ring["to"],
                       clientRequestId=ring["clientRequestId"])
    call = Call.objects.get(session_id="ATVId_live")
    assert [(a.tag, a.get("name")) for a in bridge] == [("Dequeue", f"call-{call.pk}")]
    assert AgentState.objects.get(user=at_agent).state == "on_call"
    # A late replay of the menu answer changes nothing; the caller hangs up; the agent's leg ends after.
    peer.next_url["ATVId_live"] = peer.next_url["ATVId_live"].replace("seq=3", "seq=2")
    peer.post("ATVId_live", dtmfDigits="1")
    assert peer.post("ATVId_live", active="0", durationInSeconds="95", currencyCode="DZD", amount="12") == []
    assert peer.post("ATVId_agentleg", active="0", direction="outbound", caller=ring["to"],
                     clientRequestId=ring["clientRequestId"], durationInSeconds="90") == []
    call.refresh_from_db()
    assert call.state == CallState.WRAP_UP and call.outcome == Outcome.ANSWERED and call.agent == at_agent
    assert call.duration_seconds == 95
    assert AgentState.objects.get(user=at_agent).state == "wrap_up"
    assert replayed  # every answer above went through the strict checker
    assert json.dumps(call.choices)
