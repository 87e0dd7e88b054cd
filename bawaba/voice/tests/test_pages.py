"""The agent's pages (state bar, console, screen pop) and the supervisors' (wallboard, staffing)."""

import csv
import datetime as dt
import io

import pytest

from bawaba.voice import agents
from bawaba.voice.models import Call, ScheduledAgents

from .conftest import agent_leg, post_event, queue_caller

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/desk/"}


def test_the_state_bar_answers_304_until_a_call_reaches_the_agent_then_opens_the_callers_screen(
        client, number, available_agent, open_hours, make_request):
    earlier = make_request(citizen_phone="+213550123456", channel="phone")
    client.force_login(available_agent)
    first = client.get("/voice/phone/bar/", **HTMX)
    assert first.status_code == 200 and b"state-available" in first.content
    etag = first["ETag"]
    assert client.get("/voice/phone/bar/", HTTP_IF_NONE_MATCH=etag, **HTMX).status_code == 304
    queue_caller(client, "pop")
    call = Call.objects.get(session_id="pop")
    ringing = client.get("/voice/phone/bar/", HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert ringing.status_code == 204 and ringing["HX-Redirect"] == f"/voice/calls/{call.pk}/"
    screen = client.get(ringing["HX-Redirect"])
    html = screen.content.decode()
    # Once popped, the bar leaves the agent free to open other pages during the call.
    assert client.get("/voice/phone/bar/", **HTMX).status_code == 200
    assert earlier.reference in html  # the caller's requests by phone number
    assert 'value="+213550123456"' in html and 'value="phone" selected' in html.replace('selected ', 'selected')
    assert "une panne" in html  # the IVR choice, in the pre-filled text and the summary


def test_the_agent_creates_the_request_from_the_screen_and_it_is_linked_to_the_call(
        client, number, available_agent, open_hours):
    queue_caller(client, "pop")
    call = Call.objects.get(session_id="pop")
    agent_leg(client, call)
    client.force_login(available_agent)
    response = client.post(f"/voice/calls/{call.pk}/", {
        "citizen_phone": "+213550123456", "channel": "phone", "priority": "normal",
        "service": str(call.service_id), "subject": "Ligne coupée", "text": "Plus de tonalité depuis ce matin."})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.request.subject == "Ligne coupée" and call.request.channel == "phone"
    assert call.request.events.filter(kind="linked", data__module="voice").exists()
    page = client.get(f"/desk/r/{call.request.reference}/")
    assert b'id="voice-calls"' in page.content


def test_someone_elses_call_screen_is_not_found(client, number, available_agent, mobilis_agent, open_hours):
    queue_caller(client, "pop")
    call = Call.objects.get(session_id="pop")
    client.force_login(mobilis_agent)
    assert client.get(f"/voice/calls/{call.pk}/").status_code == 404
    assert client.post(f"/voice/calls/{call.pk}/transfer/", {"service": call.service_id}).status_code == 404


def test_the_console_sets_the_state_and_refuses_nonsense(client, at_agent, orgs):
    client.force_login(at_agent)
    assert client.get("/voice/phone/").status_code == 200
    bad = client.post("/voice/phone/", {"state": "available"})
    assert bad.status_code == 400 and "SIP" in bad.content.decode()
    assert client.post("/voice/phone/", {"state": "flying"}).status_code == 400
    ok = client.post("/voice/phone/", {"state": "paused", "reason": "break", "contact": "sip:a@example.test"})
    assert ok.status_code == 302
    assert at_agent.voice_state.state == "paused"


def test_the_wallboard_shows_waiting_calls_agents_and_todays_service_level(
        client, number, at_agent, at_supervisor, open_hours):
    agents.do_set_agent_state(at_agent, "paused", reason="meal", contact="sip:amina@example.test")
    queue_caller(client, "waiting")
    open_hours.shift(30)
    client.force_login(at_supervisor)
    page = client.get("/voice/wallboard/")
    assert page.status_code == 200
    html = page.content.decode()
    faults = html[html.index('data-service="algerie-telecom/faults"'):]
    assert '<dd class="big" data-figure="waiting">1</dd>' in faults
    assert 'data-figure="longest">30 s' in faults
    poll = client.get("/voice/wallboard/", **HTMX)
    assert client.get("/voice/wallboard/", HTTP_IF_NONE_MATCH=poll["ETag"], **HTMX).status_code == 304


def test_agents_cannot_open_the_wallboard_or_staffing(client, at_agent, orgs):
    client.force_login(at_agent)
    assert client.get("/voice/wallboard/").status_code == 403
    assert client.get("/voice/staffing.csv").status_code == 403


def test_staffing_forecasts_from_history_and_compares_with_the_schedule(client, number, at_supervisor, orgs):
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Africa/Algiers")
    day = dt.date(2026, 12, 14)
    org = number.organisation
    for week in (1, 2):
        for index in range(100):
            Call.objects.create(provider="africastalking", session_id=f"h{week}-{index}", number=number,
                                organisation=org, caller="+213550123456",
                                arrived_at=dt.datetime.combine(day - dt.timedelta(weeks=week), dt.time(9, 40), tz))
    ScheduledAgents.objects.create(organisation=org, date=day, slot=dt.time(9, 30), agents=8)
    client.force_login(at_supervisor)
    query = {"day": "2026-12-14", "weeks": 2, "target_level": 80, "target_seconds": 20, "shrinkage": 30,
             "handle_seconds": 180}
    page = client.get("/voice/staffing/", query)
    assert page.status_code == 200
    rows = list(csv.reader(io.StringIO(client.get("/voice/staffing.csv", query).content.decode())))
    assert rows[0][0] == "half_hour"
    assert rows[1] == ["09:30", "100.0", "14", "20", "88.8", "8", "-12"]
    assert client.get("/voice/staffing.csv", {**query, "shrinkage": "x"}).status_code == 400


def test_a_hang_up_before_the_agent_answers_frees_the_agent(client, number, available_agent, open_hours):
    queue_caller(client, "gone")
    post_event(client, session="gone", active="0")
    call = Call.objects.get(session_id="gone")
    assert call.outcome == "abandoned"
    assert available_agent.voice_state.__class__.objects.get(pk=available_agent.pk).state == "available"


def test_the_calls_panel_reads_no_call_until_one_is_linked_then_shows_it_at_once(
        client, number, available_agent, open_hours, make_request):
    """The desk's request page skips the calls query when the request's history has no voice line (every link
    writes one); a call linked after the page was cached (its record with it) shows on the next opening."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    req = make_request(citizen_phone="+213550123456", channel="phone")
    queue_caller(client, "link-later")
    call = Call.objects.get(session_id="link-later")
    agent_leg(client, call)
    client.force_login(available_agent)
    url = f"/desk/r/{req.reference}/"
    client.get(url)  # the record is cached from now on
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200 and b'id="voice-calls"' not in page.content
    assert not [q["sql"] for q in queries.captured_queries if "voice_call" in q["sql"]]
    agents.do_link_request(available_agent, call.pk, req)
    page = client.get(url)
    assert b'id="voice-calls"' in page.content
