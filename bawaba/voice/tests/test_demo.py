"""The telephony demo data (bawaba/voice/demo.py) through `bawaba demo load`: numbers with their IVR, call
history, the moment's queue and agents, night voicemails as requests, the schedule; the wallboard and the
staffing page show figures that follow from it, on an open morning and on a closed day alike."""

import datetime as dt
import io
import re
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from bawaba.voice import selectors
from bawaba.voice.models import AgentState, Call, CallState, MenuOption, Outcome, ScheduledAgents, VoiceNumber

pytestmark = pytest.mark.django_db
ALGIERS = zoneinfo.ZoneInfo("Africa/Algiers")


@pytest.fixture(autouse=True)
def _small_demo(monkeypatch):
    from bawaba.demo.management.commands import demo

    monkeypatch.setattr(demo, "FIBRE_ORDERS", 0)
    monkeypatch.setattr(demo, "POSTAL_ITEMS", 0)


def load(moment, clock=None) -> str:
    out = io.StringIO()
    with time_machine.travel(clock or moment, tick=False):
        call_command("demo", "load", "--requests", "12", "--agents", "40", "--now", moment.isoformat(), stdout=out)
    return out.getvalue()


def test_an_open_morning_the_demo_has_numbers_history_a_queue_and_the_wallboard_shows_them():
    moment = dt.datetime(2026, 12, 9, 10, 40, tzinfo=ALGIERS)  # a Wednesday
    output = load(moment)
    assert "Telephony loaded" in output
    numbers = {n.organisation.slug: n for n in VoiceNumber.objects.select_related("organisation")}
    assert set(numbers) == {"algerie-telecom", "mobilis", "algerie-poste"}
    at = numbers["algerie-telecom"]
    assert at.offered_languages == ["fr", "ar"] and at.greeting_ar and at.closed_fr
    assert MenuOption.objects.filter(number=at).count() >= 2
    history = Call.objects.filter(organisation=at.organisation, state=CallState.ENDED)
    outcomes = set(history.values_list("outcome", flat=True))
    assert {Outcome.ANSWERED, Outcome.ABANDONED, Outcome.CALLBACK_DONE, Outcome.VOICEMAIL} <= outcomes
    assert history.filter(arrived_at__lt=moment - dt.timedelta(days=21)).exists()  # four weeks for the forecast
    assert not Call.objects.filter(arrived_at__gt=moment).exists()
    voicemail = history.filter(outcome=Outcome.VOICEMAIL, request__isnull=False).first()
    assert voicemail is not None and voicemail.recording and voicemail.request.channel == "phone"
    assert history.filter(outcome=Outcome.VOICEMAIL, caller="", request__citizen_phone="").exists()  # withheld
    # Nobody is left available while callers wait (the sweep would ring agents with no provider behind).
    assert not AgentState.objects.filter(state="available").exists()

    board = selectors.wallboard(at.organisation, moment)
    waiting = sum(row["waiting"] for row in board["rows"])
    assert waiting == Call.objects.filter(organisation=at.organisation, state=CallState.QUEUED).count() > 0
    faults = next(row for row in board["rows"] if row["service"].code == "algerie-telecom/faults")
    assert faults["answered"] > 0 and faults["service_level"] is not None and faults["agents"]["on_call"] > 0

    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="at.supervisor"))
    with time_machine.travel(moment, tick=False):
        page = client.get("/voice/wallboard/").content.decode()
        staffing = client.get("/voice/staffing/").content.decode()
    figure = re.search(r'data-service="algerie-telecom/faults".*?data-figure="waiting">(\d+)<', page, re.S)
    assert int(figure.group(1)) == faults["waiting"]
    assert f'{faults["service_level"]} %' in page
    assert ScheduledAgents.objects.filter(organisation=at.organisation, date=moment.date()).exists()
    assert "10:00" in staffing and "10:30" in staffing


def test_on_a_closed_day_there_is_no_live_queue_but_the_nights_voicemails_and_the_history(settings):
    moment = dt.datetime(2026, 12, 11, 11, 0, tzinfo=ALGIERS)  # a Friday: the operators are closed
    load(moment)
    assert not Call.objects.filter(state__in=(CallState.QUEUED, CallState.CONNECTED)).exists()
    assert not AgentState.objects.exclude(state="offline").exists()
    assert Call.objects.filter(outcome=Outcome.VOICEMAIL, request__isnull=False).exists()
    assert Call.objects.filter(outcome=Outcome.ANSWERED).exists()


def test_loading_twice_does_not_duplicate_the_telephony():
    moment = dt.datetime(2026, 12, 9, 10, 40, tzinfo=ALGIERS)
    load(moment)
    calls = Call.objects.count()
    from bawaba.voice.demo import load_voice_demo

    assert load_voice_demo(now=moment).skipped
    assert Call.objects.count() == calls


def test_the_nights_voicemails_are_dated_from_now_not_from_the_clock_of_the_loading():
    moment = dt.datetime(2026, 12, 9, 10, 40, tzinfo=ALGIERS)
    load(moment, clock=moment + dt.timedelta(days=40, hours=5))  # loaded long after the demo's --now
    voicemails = list(Call.objects.filter(outcome=Outcome.VOICEMAIL, request__isnull=False,
                                          arrived_at__gt=moment - dt.timedelta(days=4)).select_related("request"))
    assert voicemails
    for call in voicemails:
        assert call.request.created_at == call.ended_at < moment
        assert not call.request.events.filter(at__gt=moment).exists()
