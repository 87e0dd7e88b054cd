"""Telephony in a real browser: a call reaches an agent on a French desktop and the caller's screen opens by
itself, by the state bar's poll on the WSGI live server (the fallback: the desk's stream answers 204 there) and
by push on the ASGI server (bawaba.live); the supervisor follows the wallboard on a 360-px phone in Arabic."""

import contextlib
import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import expect

from bawaba.live.testing import asgi_server_thread
from bawaba.voice.models import Call, MenuOption, VoiceNumber
from tests.e2e.browser_fixtures import *  # noqa: F403
from tests.e2e.browser_fixtures import BROWSER_DB, login

pytestmark = [pytest.mark.browser, BROWSER_DB]
SECRET = "browser-voice-secret"


def caller_press(client, session, *digits):
    path = f"/voice/callbacks/africastalking/{SECRET}/"
    base = {"isActive": "1", "sessionId": session, "direction": "inbound", "callerNumber": "+213550123456",
            "destinationNumber": "+213215550100"}
    answer = client.post(path, base)
    for key in digits:
        url = re.search(rb'callbackUrl="https?://[^/]+([^"]+)"', answer.content).group(1).decode()
        answer = client.post(url.replace("&amp;", "&"), {**base, "dtmfDigits": key})
        assert answer.status_code == 200


@pytest.fixture
def agent_on_the_pushed_desk(live_server, new_chromium_context, at_agent):
    """Opens the desk served by uvicorn (bawaba.live) for the agent, available with her SIP contact, and waits for
    its stream to be up: `with agent_on_the_pushed_desk() as (page, asked):`, `asked` the URLs the page requested.
    Settings the test changes before entering apply; a travel of the clock entered before it does too."""
    from bawaba.voice.agents import do_set_agent_state

    @contextlib.contextmanager
    def open_desk():
        with asgi_server_thread() as server:
            do_set_agent_state(at_agent, "available", contact="sip:amina@bawaba.sip.example")
            agent = new_chromium_context(locale="fr-FR", base_url=server).new_page()
            asked = []
            agent.on("request", lambda request: asked.append(request.url))
            login(agent, "at.agent")
            agent.goto("/desk/")
            expect(agent.locator("html[data-live='on']")).to_have_count(1, timeout=10_000)
            expect(agent.locator("#voice-state")).to_have_text(re.compile("Disponible|Available"))
            yield agent, asked

    return open_desk


def test_a_call_pops_the_callers_screen_and_the_wallboard_reads_on_an_arabic_phone(
        live_server, settings, new_chromium_context, at_agent, at_supervisor, make_request):
    settings.VOICE_CALLBACK_SECRET = SECRET
    from bawaba.orgs.models import Organisation, Service

    faults = Service.objects.get(code="algerie-telecom/faults")
    number = VoiceNumber.objects.create(organisation=Organisation.objects.get(slug="algerie-telecom"),
                                        number="+213215550100", default_service=faults,
                                        callback_threshold_seconds=3600, greeting_fr="Bienvenue.")
    MenuOption.objects.create(number=number, digit="1", label_fr="une panne", label_ar="عطل", service=faults)
    earlier = make_request(citizen_phone="+213550123456", channel="phone", subject="Ligne coupée la semaine passée")
    moment = dt.datetime(2026, 12, 7, 10, 0, tzinfo=zoneinfo.ZoneInfo("Africa/Algiers"))  # a Monday, open
    with time_machine.travel(moment, tick=True):
        agent = new_chromium_context(locale="fr-FR").new_page()
        login(agent, "at.agent")
        agent.goto("/voice/phone/")
        agent.select_option("#id_state", "available")
        agent.fill("#id_contact", "sip:amina@bawaba.sip.example")
        agent.click("#set-state")
        expect(agent.locator("#voice-state")).to_have_text(re.compile("Disponible|Available"))
        agent.goto("/desk/")
        caller_press(Client(), "ATVId_browser", "1", "1")  # French, faults
        call = Call.objects.get(session_id="ATVId_browser")
        # The next poll of the state bar (2 s) takes the agent to the caller's screen.
        expect(agent.locator("#screen-pop")).to_be_visible(timeout=6000)
        assert agent.url.endswith(f"/voice/calls/{call.pk}/")
        expect(agent.locator("#caller-history")).to_contain_text(earlier.reference)
        expect(agent.locator("#ivr-choices")).to_contain_text("une panne")
        expect(agent.locator("#caller-phone")).to_have_value("+213550123456")
        expect(agent.locator("#id_channel")).to_have_value("phone")
        expect(agent.locator("#id_service")).to_have_value(str(faults.pk))

        phone = new_chromium_context(phone=True, locale="ar-DZ").new_page()
        login(phone, "at.supervisor")
        phone.goto("/voice/wallboard/")
        expect(phone.locator("html")).to_have_attribute("dir", "rtl")
        board = phone.locator('[data-service="algerie-telecom/faults"]')
        expect(board).to_be_visible()
        expect(board.locator('[data-figure="waiting"]')).to_have_text("1")  # ringing the agent counts as waiting
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_by_push_the_callers_screen_opens_at_once_without_a_poll(settings, agent_on_the_pushed_desk):
    """Served by uvicorn (the desk's stream is up): the screen opens by the pushed event, well before a poll of
    the state bar could (its period is set to a minute here, so only the push can open it)."""
    settings.VOICE_CALLBACK_SECRET = SECRET
    settings.VOICE_POLL_SECONDS = 60
    from bawaba.orgs.models import Organisation, Service

    faults = Service.objects.get(code="algerie-telecom/faults")
    number = VoiceNumber.objects.create(organisation=Organisation.objects.get(slug="algerie-telecom"),
                                        number="+213215550100", default_service=faults,
                                        callback_threshold_seconds=3600, greeting_fr="Bienvenue.")
    MenuOption.objects.create(number=number, digit="1", label_fr="une panne", label_ar="عطل", service=faults)
    moment = dt.datetime(2026, 12, 7, 10, 0, tzinfo=zoneinfo.ZoneInfo("Africa/Algiers"))  # a Monday, open
    with time_machine.travel(moment, tick=True), agent_on_the_pushed_desk() as (agent, asked):
        bar_polls = len([url for url in asked if "/voice/phone/bar/" in url])

        caller_press(Client(), "ATVId_pushed", "1", "1")  # French, faults
        call = Call.objects.get(session_id="ATVId_pushed")
        expect(agent.locator("#screen-pop")).to_be_visible(timeout=5_000)
        assert agent.url.endswith(f"/voice/calls/{call.pk}/")
        assert agent.evaluate("document.documentElement.getAttribute('data-live')") is not None
        # The fetch told by the pushed state change (ringing) and the new page's own first fetch of the bar: no
        # poll took the agent there.
        assert len([url for url in asked if "/voice/phone/bar/" in url]) <= bar_polls + 2
        expect(agent.locator("#caller-phone")).to_have_value("+213550123456")
        expect(agent.locator("#ivr-choices")).to_contain_text("une panne")


def test_by_push_the_phone_bar_follows_the_agents_state_without_polling(settings, agent_on_the_pushed_desk,
                                                                        at_agent):
    """Served by uvicorn (the desk's stream is up): the bar's poll (every second here) asks nothing; a change of
    the agent's state is pushed and the bar is fetched once then."""
    settings.VOICE_POLL_SECONDS = 1
    from bawaba.voice.agents import do_set_agent_state

    with agent_on_the_pushed_desk() as (agent, asked):
        before = len([url for url in asked if "/voice/phone/bar/" in url])
        agent.wait_for_timeout(3_500)  # three ticks of the poll: none goes out while the stream is up
        assert len([url for url in asked if "/voice/phone/bar/" in url]) == before

        do_set_agent_state(at_agent, "paused", reason="break")
        expect(agent.locator("#voice-state")).to_have_text(re.compile("Pause"), timeout=5_000)
        assert len([url for url in asked if "/voice/phone/bar/" in url]) == before + 1
