import datetime as dt
import zoneinfo

import pytest
import time_machine

ALGIERS = zoneinfo.ZoneInfo("Africa/Algiers")
# A Monday (Algeria's week runs Sunday to Thursday) that is not a public holiday, inside and outside hours.
OPEN_MOMENT = dt.datetime(2026, 12, 7, 10, 0, tzinfo=ALGIERS)
CLOSED_MOMENT = dt.datetime(2026, 12, 7, 20, 0, tzinfo=ALGIERS)
NUMBER = "+213215550100"
SECRET = "s3cret-voice-callback"


@pytest.fixture
def voice_settings(settings):
    settings.VOICE_CALLBACK_SECRET = SECRET
    settings.VOICE_CALLBACK_NETWORKS = []
    settings.VOICE_PROVIDER_TIMEOUT = 2
    return settings


@pytest.fixture
def open_hours():
    with time_machine.travel(OPEN_MOMENT, tick=True) as traveller:
        yield traveller


@pytest.fixture
def closed_hours():
    with time_machine.travel(CLOSED_MOMENT, tick=True) as traveller:
        yield traveller


@pytest.fixture
def number(orgs, voice_settings):
    from bawaba.orgs.models import Service
    from bawaba.voice.models import MenuOption, VoiceNumber

    org = orgs["algerie-telecom"]
    faults = Service.objects.get(code="algerie-telecom/faults")
    billing = Service.objects.get(code="algerie-telecom/billing")
    voice_number = VoiceNumber.objects.create(
        organisation=org, number=NUMBER, label="Algérie Télécom 12", greeting_fr="Bienvenue chez Algérie Télécom.",
        greeting_ar="مرحبا بكم في اتصالات الجزائر.", default_service=faults, callback_threshold_seconds=600)
    MenuOption.objects.create(number=voice_number, digit="1", label_fr="une panne", label_ar="عطل",
                              service=faults)
    MenuOption.objects.create(number=voice_number, digit="2", label_fr="la facturation", label_ar="الفوترة",
                              service=billing)
    return voice_number


CALLBACK_PATH = f"/voice/callbacks/africastalking/{SECRET}/"
_NEXT: dict = {}  # session -> the callbackUrl of the last question, as the provider would follow it


def next_path(session: str) -> str:
    return _NEXT.get(session, CALLBACK_PATH)


def remember(session: str, body: bytes) -> None:
    """Follow the provider's rule: a question's answer goes to its callbackUrl (else the number's URL)."""
    from urllib.parse import urlsplit
    from xml.etree import ElementTree as ET

    try:
        root = ET.fromstring(body)  # noqa: S314 - our own server's answer, in a test
    except ET.ParseError:
        return
    for node in root:
        if node.get("callbackUrl"):
            parts = urlsplit(node.get("callbackUrl"))
            _NEXT[session] = f"{parts.path}?{parts.query}"
            return


def post_event(client, *, session="ATVId_1", active="1", caller="+213550123456", destination=NUMBER, path=None,
               **extra):
    data = {"isActive": active, "sessionId": session, "direction": "inbound", "callerNumber": caller,
            "destinationNumber": destination, **extra}
    response = client.post(path or (next_path(session) if "dtmfDigits" in extra or "recordingUrl" in extra
                                    else CALLBACK_PATH), data)
    if response.status_code == 200:
        remember(session, response.content)
    return response


@pytest.fixture(autouse=True)
def _forget_sessions():
    _NEXT.clear()
    yield
    _NEXT.clear()


@pytest.fixture
def provider_peer(voice_settings):
    from .loopback import ProviderPeer

    with ProviderPeer() as peer:
        voice_settings.VOICE_AT_CALL_URL = f"{peer.url}/call"
        voice_settings.VOICE_AT_TRANSFER_URL = f"{peer.url}/callTransfer"
        voice_settings.VOICE_AT_API_KEY = "test-key"
        voice_settings.VOICE_AT_USERNAME = "bawaba"
        yield peer


@pytest.fixture
def huey_immediate():
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


@pytest.fixture
def available_agent(at_agent, open_hours):
    from bawaba.voice.agents import do_set_agent_state

    do_set_agent_state(at_agent, "available", contact="sip:amina@bawaba.sip.example")
    return at_agent


def agent_leg(client, call, *, active="1", **extra):
    """The provider's callback for the leg that rang the agent (its clientRequestId names the offer)."""
    from bawaba.voice.services import agent_leg_id

    call.refresh_from_db()
    data = {"isActive": active, "sessionId": f"ATVId_agentleg_{call.pk}", "direction": "outbound",
            "callerNumber": "sip:amina@bawaba.sip.example", "destinationNumber": NUMBER,
            "clientRequestId": agent_leg_id(call) if call.offered_at else "", **extra}
    return client.post(CALLBACK_PATH, data)


def queue_caller(client, session, digits=("1", "1")):
    post_event(client, session=session)
    for key in digits:
        post_event(client, session=session, dtmfDigits=key)
