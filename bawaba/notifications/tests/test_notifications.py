"""The notification service without Kannel: the outbox, triggers, retries, opt-out, e-mail, links, providers."""

import datetime as dt
import json
import socket
import threading
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import Client

from bawaba.notifications import links, sms
from bawaba.notifications.models import DeliveryReport, OptOut, OutboundMessage, State
from bawaba.notifications.services import notify_request_citizen, send_due
from bawaba.notifications.texts import TEMPLATES, message_language
from bawaba.servicedesk.models import Status
from bawaba.servicedesk.services import TransitionNotAllowed, do_add_note, do_reply, do_transition

from .conftest import DLR_TOKEN

ALGIERS = ZoneInfo("Africa/Algiers")
T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ALGIERS)  # a Monday morning; no test depends on today's date
GATEWAY_TOKEN = "gateway-secret-for-tests"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def citizen_request(make_request):
    return make_request(citizen_phone="0550 12 34 56", citizen_email="nadia@example.dz", language="fr", now=T0)


# --- What is queued, and when ------------------------------------------------------------------------

def test_a_reply_queues_an_sms_and_an_email_in_the_requests_language(make_request, at_agent):
    req = make_request(citizen_phone="0661 22 33 44", citizen_email="amel@example.dz", language="ar",
                       subject="انقطاع", text="الخط مقطوع", now=T0)
    do_reply(req, "سيتصل بكم تقني غدا.", actor=at_agent, now=T0)
    sms_message = OutboundMessage.objects.get(reference=req.reference, channel="sms")
    email = OutboundMessage.objects.get(reference=req.reference, channel="email")
    assert sms_message.recipient == "+213661223344" and email.recipient == "amel@example.dz"
    assert sms_message.state == email.state == State.QUEUED
    assert sms_message.language == email.language == "ar"
    assert sms_message.body.startswith(f"طلبكم {req.reference}")
    assert "سيتصل بكم تقني غدا." in email.body  # the e-mail carries the agent's answer
    assert sms_message.organisation_id == req.organisation_id


def test_nothing_is_queued_when_the_change_is_not_stored(citizen_request, at_agent):
    do_transition(citizen_request, Status.CLOSED, actor=at_agent, now=T0)
    OutboundMessage.objects.all().delete()
    with pytest.raises(TransitionNotAllowed):
        do_reply(citizen_request, "Trop tard.", actor=at_agent, now=T0)
    with pytest.raises(RuntimeError), transaction.atomic():
        do_transition(citizen_request, Status.REOPENED, actor=at_agent, now=T0)
        do_transition(citizen_request, Status.RESOLVED, actor=at_agent, now=T0)
        raise RuntimeError("the process dies before the commit")
    assert not OutboundMessage.objects.exists()


def test_the_same_event_is_queued_once(citizen_request):
    first = notify_request_citizen(citizen_request, "reply", event="message:1", now=T0)
    again = notify_request_citizen(citizen_request, "reply", event="message:1", now=T0)
    assert {m.pk for m in first} == {m.pk for m in again}
    assert OutboundMessage.objects.count() == 2  # one SMS, one e-mail


def test_notes_tell_the_citizen_nothing_but_waiting_resolved_and_closed_do(citizen_request, at_agent):
    do_add_note(citizen_request, "Voir avec le central.", actor=at_agent, now=T0)
    assert not OutboundMessage.objects.exists()
    do_reply(citizen_request, "Nous regardons.", actor=at_agent, now=T0)
    do_transition(citizen_request, Status.WAITING, actor=at_agent, now=T0 + dt.timedelta(minutes=1))
    do_transition(citizen_request, Status.IN_PROGRESS, actor=at_agent, now=T0 + dt.timedelta(minutes=2))
    do_transition(citizen_request, Status.RESOLVED, actor=at_agent, now=T0 + dt.timedelta(minutes=3))
    do_transition(citizen_request, Status.CLOSED, actor=at_agent, now=T0 + dt.timedelta(minutes=4))
    templates = list(OutboundMessage.objects.filter(channel="sms").order_by("created_at")
                     .values_list("template", flat=True))
    assert templates == ["servicedesk.reply", "servicedesk.waiting", "servicedesk.resolved", "servicedesk.closed"]


def test_a_reply_that_asks_for_information_sends_one_message_not_two(citizen_request, at_agent):
    do_reply(citizen_request, "Quel est votre numéro de contrat ?", actor=at_agent, wait_for_citizen=True, now=T0)
    [message] = OutboundMessage.objects.filter(channel="sms")
    assert message.template == "servicedesk.waiting"
    assert message.body.startswith("Nous avons besoin d'informations")


# --- Language and length -----------------------------------------------------------------------------

@pytest.mark.parametrize(("declared", "text", "expected"), [
    ("fr", "", "fr"), ("ar", "", "ar"), ("en", "", "en"), ("arq", "", "ar"), ("arq-Latn", "", "fr"),
    ("", "الخط مقطوع منذ يومين", "ar"), ("", "", "fr"),
])
def test_the_message_language_follows_the_request(declared, text, expected):
    assert message_language(declared, text) == expected


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("template", ["servicedesk.reply", "servicedesk.waiting", "servicedesk.resolved",
                                      "servicedesk.closed"])
def test_every_sms_fits_in_one_segment(settings, language, template):
    from django.utils import translation

    settings.PUBLIC_BASE_URL = "https://bawaba.dz"
    context = {"reference": "K7M2-9QXR", "link": links.short_link("K7M2-9QXR")}
    with translation.override(language):
        text = TEMPLATES[template].sms(context)
    assert "K7M2-9QXR" in text and context["link"] in text
    assert sms.segments(text) == 1, (len(text), text)


def test_segments_count_gsm_and_ucs2_as_handsets_do():
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 161) == 2
    assert sms.segments("€" * 80) == 1 and sms.segments("€" * 81) == 2  # extension table: two each
    assert sms.segments("ب" * 70) == 1 and sms.segments("ب" * 71) == 2
    assert not sms.is_gsm7("clôturée")  # ô is not in the GSM alphabet: the whole SMS would be UCS-2


# --- Sending, retries, failure -----------------------------------------------------------------------

def test_the_embedded_outbox_records_the_message_as_sent(citizen_request, at_agent):
    do_reply(citizen_request, "Réponse.", actor=at_agent, now=T0)
    OutboundMessage.objects.filter(channel="email").delete()
    assert send_due(now=T0) == 1
    message = OutboundMessage.objects.get()
    assert message.state == State.SENT and message.provider == "outbox" and message.attempts == 1
    assert send_due(now=T0 + dt.timedelta(hours=1)) == 0  # sent once


@pytest.fixture
def dead_port():
    """A loopback port that refuses connections: bound by this test and never listened on, so no other
    process (another worker's Kannel) can take it meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


def test_kannel_down_is_retried_with_back_off_then_shown_failed(citizen_request, at_agent, settings, client,
                                                                 dead_port):
    settings.SMS_PROVIDER = "kannel"
    settings.KANNEL_SENDSMS_URL = f"http://127.0.0.1:{dead_port}/cgi-bin/sendsms"  # nothing listens there
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    do_reply(citizen_request, "Réponse.", actor=at_agent, now=T0)
    OutboundMessage.objects.filter(channel="email").delete()
    message = OutboundMessage.objects.get()

    send_due(now=T0)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.QUEUED, 1)
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=60)
    assert "Kannel unreachable" in message.error

    send_due(now=T0 + dt.timedelta(seconds=59))  # not yet
    message.refresh_from_db()
    assert message.attempts == 1

    send_due(now=T0 + dt.timedelta(seconds=60))
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.QUEUED, 2)
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=60 + 120)  # doubled

    client.force_login(at_agent)
    page = client.get(f"/desk/r/{citizen_request.reference}/").content.decode()
    assert f'data-notification="{message.pk}" data-channel="sms" data-state="queued"' in page

    send_due(now=T0 + dt.timedelta(seconds=180))
    message.refresh_from_db()
    assert (message.state, message.attempts, message.next_attempt_at) == (State.FAILED, 3, None)
    page = client.get(f"/desk/r/{citizen_request.reference}/").content.decode()
    assert f'data-notification="{message.pk}" data-channel="sms" data-state="failed"' in page
    assert "Kannel unreachable" in page


# --- E-mail through a real SMTP server, and its opt-out link -----------------------------------------



def test_the_email_reaches_the_smtp_server_and_its_link_stops_further_mail(citizen_request, at_agent, smtp_server):
    do_reply(citizen_request, "Un technicien passera jeudi.", actor=at_agent, now=T0)
    send_due(now=T0)
    [(recipients, mail)] = smtp_server.messages
    assert recipients == ["nadia@example.dz"]
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == f"Votre demande {citizen_request.reference} : une réponse"
    body = mail.get_payload(decode=True).decode()
    assert "Un technicien passera jeudi." in body
    assert links.short_link(citizen_request.reference) in body
    stop_url = links.stop_link("email", "nadia@example.dz")
    assert stop_url in body

    citizen = Client()
    path = stop_url.removeprefix("https://bawaba.example")
    assert citizen.get(path).status_code == 200
    assert not OptOut.objects.exists()  # opening the link (a mail scanner) stops nothing
    assert citizen.post(path).status_code == 200
    assert OptOut.objects.filter(channel="email", address="nadia@example.dz", source="link").exists()

    do_transition(citizen_request, Status.RESOLVED, actor=at_agent, now=T0 + dt.timedelta(minutes=5))
    email = OutboundMessage.objects.get(template="servicedesk.resolved", channel="email")
    assert email.state == State.STOPPED
    sms_message = OutboundMessage.objects.get(template="servicedesk.resolved", channel="sms")
    assert sms_message.state == State.QUEUED  # the phone did not opt out
    send_due(now=T0 + dt.timedelta(minutes=5))
    assert len(smtp_server.messages) == 1


def test_a_forged_stop_link_is_refused(client):
    assert client.get("/notifications/stop/forged-token/").status_code == 404


# --- STOP by SMS through the SMS channel --------------------------------------------------------------

@pytest.mark.parametrize("word", ["STOP", "Arrêt", "arret", "توقف"])
def test_stop_by_sms_stops_further_messages_to_that_number(citizen_request, at_agent, settings, word):
    settings.CHANNEL_GATEWAY_TOKEN = GATEWAY_TOKEN
    response = Client().post("/channels/sms", {"from": "+213550123456", "text": word},
                             HTTP_X_GATEWAY_TOKEN=GATEWAY_TOKEN)
    assert response.status_code == 200
    assert OptOut.objects.filter(channel="sms", address="+213550123456").exists()
    do_reply(citizen_request, "Réponse.", actor=at_agent, now=T0)
    assert OutboundMessage.objects.get(channel="sms").state == State.STOPPED
    assert OutboundMessage.objects.get(channel="email").state == State.QUEUED


def test_a_message_that_merely_starts_with_stop_is_a_request(orgs, settings):
    from bawaba.orgs.models import Service
    from bawaba.routing.models import RoutingRule

    RoutingRule.objects.create(name="sms", channel="sms", service=Service.objects.get(code="algerie-telecom/faults"))
    settings.CHANNEL_GATEWAY_TOKEN = GATEWAY_TOKEN
    response = Client().get("/channels/sms", {"from": "0550 99 88 77", "token": GATEWAY_TOKEN,
                                              "text": "stop coupure internet depuis trois jours"})
    assert response.status_code == 200
    from bawaba.servicedesk.models import Request

    assert Request.objects.filter(citizen_phone="+213550998877", text__startswith="stop coupure").exists()
    assert not OptOut.objects.exists()


def test_the_sms_channel_takes_kannels_get_url_with_the_token_in_the_query(settings, orgs):
    settings.CHANNEL_GATEWAY_TOKEN = GATEWAY_TOKEN
    assert Client().get("/channels/sms", {"from": "+213550123456", "text": "STOP"}).status_code == 401
    assert Client().get("/channels/sms", {"from": "+213550123456", "text": "STOP", "token": "wrong"}).status_code == 401
    response = Client().get("/channels/sms", {"from": "+213550123456", "text": "توقف", "token": GATEWAY_TOKEN})
    assert response.status_code == 200
    assert response["X-Kannel-Coding"] == "2"  # an Arabic answer goes back as UCS-2


# --- Delivery reports ---------------------------------------------------------------------------------

@pytest.fixture
def sent_sms(citizen_request, at_agent, settings):
    settings.NOTIFICATION_DLR_TOKEN = DLR_TOKEN
    do_reply(citizen_request, "Réponse.", actor=at_agent, now=T0)
    send_due(now=T0)
    return OutboundMessage.objects.get(channel="sms")


def test_a_kannel_delivery_report_needs_the_secret(sent_sms, client):
    query = {"id": sent_sms.pk, "type": "1", "smsc_id": "abc"}
    assert client.get("/notifications/dlr/kannel", query).status_code == 401
    assert client.get("/notifications/dlr/kannel", {**query, "token": "wrong"}).status_code == 401
    assert client.get("/notifications/dlr/kannel", {**query, "token": DLR_TOKEN, "id": "999999"}).status_code == 404
    for bad_id in ("x\x00", "²", "9" * 30, "-1", ""):
        assert client.get("/notifications/dlr/kannel", {**query, "token": DLR_TOKEN, "id": bad_id}).status_code == 404
    assert not DeliveryReport.objects.exists()


def test_a_late_report_does_not_undo_delivery(sent_sms, client):
    for report_type in ("1", "8"):  # delivered, then the SMSC's acceptance arriving late
        assert client.get("/notifications/dlr/kannel", {"token": DLR_TOKEN, "id": sent_sms.pk,
                                                         "type": report_type, "smsc_id": "m-1"}).status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.state == State.DELIVERED and sent_sms.delivered_at is not None
    assert list(sent_sms.reports.values_list("status", flat=True)) == ["kannel:1", "kannel:8"]


def test_a_failed_delivery_report_shows_the_message_failed(sent_sms, client):
    client.get("/notifications/dlr/kannel", {"token": DLR_TOKEN, "id": sent_sms.pk, "type": "16",
                                             "answer": "NACK/0x0000000b/Invalid Destination Address"})
    sent_sms.refresh_from_db()
    assert sent_sms.state == State.FAILED and "Invalid Destination" in sent_sms.error
    # A NUL in what the gateway sends is dropped, not a server error (PostgreSQL stores none).
    assert client.get("/notifications/dlr/kannel", {"token": DLR_TOKEN, "id": sent_sms.pk, "type": "2",
                                                    "answer": "bad\x00answer"}).status_code == 200
    assert sent_sms.reports.last().data["answer"] == "badanswer"


# --- The generic HTTP SMS API --------------------------------------------------------------------------

class _SmsApi(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _SmsApi.received.append((self.headers["Authorization"], json.loads(body)))
        payload = json.dumps({"id": f"api-{len(_SmsApi.received)}"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_api(settings):
    server = HTTPServer(("127.0.0.1", 0), _SmsApi)
    _SmsApi.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/messages"
    settings.SMS_HTTP_TOKEN = "api-token"
    settings.NOTIFICATION_DLR_TOKEN = DLR_TOKEN
    yield _SmsApi.received
    server.shutdown()
    server.server_close()


def test_the_http_provider_posts_json_and_takes_its_delivery_report(citizen_request, at_agent, sms_api, client):
    do_reply(citizen_request, "Réponse.", actor=at_agent, now=T0)
    send_due(now=T0)
    [(authorisation, payload)] = sms_api
    assert authorisation == "Bearer api-token"
    assert payload["to"] == "+213550123456" and citizen_request.reference in payload["text"]
    message = OutboundMessage.objects.get(channel="sms")
    assert (message.state, message.provider, message.provider_message_id) == (State.SENT, "http", "api-1")
    assert payload["client_reference"] == message.idempotency_key

    report = json.dumps({"id": "api-1", "status": "delivered"})
    assert client.post("/notifications/dlr/http", report, content_type="application/json").status_code == 401
    assert client.post("/notifications/dlr/http", "{not json", content_type="application/json",
                       HTTP_X_NOTIFICATION_TOKEN=DLR_TOKEN).status_code == 400
    assert client.post("/notifications/dlr/http", report, content_type="application/json",
                       HTTP_X_NOTIFICATION_TOKEN=DLR_TOKEN).status_code == 200
    message.refresh_from_db()
    assert message.state == State.DELIVERED


# --- Pages: the staff outbox, the short link ------------------------------------------------------------

def test_staff_read_their_organisations_outbox_page_by_page(citizen_request, at_agent, poste_agent, client):
    for number in range(26):
        notify_request_citizen(citizen_request, "reply", event=f"message:{number}", now=T0)  # 52 messages
    client.force_login(at_agent)
    first = client.get("/notifications/outbox/")
    assert first.status_code == 200
    assert first.content.decode().count("data-notification=") == 50
    second = client.get("/notifications/outbox/", {"page": 2})
    assert second.content.decode().count("data-notification=") == 2
    failed_only = client.get("/notifications/outbox/", {"state": "failed"})
    assert failed_only.content.decode().count("data-notification=") == 0

    client.force_login(poste_agent)  # another organisation's staff see none of it
    assert client.get("/notifications/outbox/").content.decode().count("data-notification=") == 0


def test_the_outbox_page_needs_a_signed_in_member_of_staff(client):
    assert client.get("/notifications/outbox/").status_code == 302


def test_the_short_link_opens_the_citizens_request_page(citizen_request):
    path = links.short_link(citizen_request.reference).removeprefix("https://bawaba.example")
    citizen = Client()
    response = citizen.get(path)
    assert response.status_code == 302 and response["Location"] == f"/track/{citizen_request.reference}/"
    page = citizen.get(response["Location"])
    assert page.status_code == 200 and citizen_request.reference in page.content.decode()


def test_a_short_link_with_a_wrong_signature_is_refused(citizen_request, client):
    code = links.short_code(citizen_request.reference)
    forged = code[:-1] + ("a" if code[-1] != "a" else "b")
    assert client.get(f"/s/{forged}").status_code == 404
    assert client.get("/s/K7M29QXR").status_code == 404


def test_a_task_sends_the_message_right_after_the_commit(citizen_request, at_agent, settings,
                                                         django_capture_on_commit_callbacks):
    """Citizens do not wait for the sweep: a Huey task queued after the commit sends at once."""
    from huey.contrib.djhuey import HUEY

    settings.NOTIFICATION_SEND_AT_ONCE = True
    was_immediate = HUEY.immediate
    HUEY.immediate = True  # the task runs in this process, as a consumer would run it
    try:
        with django_capture_on_commit_callbacks(execute=True):
            do_reply(citizen_request, "Réponse.", actor=at_agent)
    finally:
        HUEY.immediate = was_immediate
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {State.SENT}


def test_the_citizens_request_page_offers_to_stop_the_messages(citizen_request):
    citizen = Client()
    citizen.get(links.short_link(citizen_request.reference).removeprefix("https://bawaba.example"))
    page = citizen.get(f"/track/{citizen_request.reference}/").content.decode()
    assert 'data-opt-out="sms"' in page and 'data-opt-out="email"' in page
    citizen.post(links.stop_path("sms", citizen_request.citizen_phone))
    page = citizen.get(f"/track/{citizen_request.reference}/").content.decode()
    assert 'data-opt-out="sms"' not in page and 'data-opt-out="email"' in page
    assert OptOut.objects.filter(channel="sms", address="+213550123456", source="link").exists()


def test_the_links_in_messages_resolve_to_their_pages():
    from django.urls import resolve

    from bawaba.notifications import views

    assert resolve(links.SHORT_LINK_PATH.format(code="K7M29QXRabcdef")).func is views.short_link
    assert resolve(links.STOP_PATH.format(token="abc:def")).func is views.stop


def test_the_settings_are_checked_at_start(settings):
    from bawaba.notifications.checks import sms_provider_settings

    settings.SMS_PROVIDER = "carrier-pigeon"
    assert [problem.id for problem in sms_provider_settings(None)] == ["notifications.E001"]
    settings.SMS_PROVIDER, settings.SMS_HTTP_URL, settings.NOTIFICATION_DLR_TOKEN = "http", "", ""
    assert [problem.id for problem in sms_provider_settings(None)] == ["notifications.E002", "notifications.W001"]
    settings.SMS_PROVIDER = "outbox"
    assert sms_provider_settings(None) == []


def test_a_fibre_technician_cannot_read_the_citizens_outbox(orgs, client):
    from bawaba.orgs.models import Organisation
    from bawaba.orgs.services import do_add_staff, do_onboard_organisation

    contractor = Organisation.objects.filter(kind="contractor").first() or do_onboard_organisation(
        {"slug": "fibre-co-test", "kind": "contractor", "name_fr": "Fibre Test SARL"})
    technician = do_add_staff(contractor, {"username": "tech.outbox", "roles": ["fibre.technician"],
                                           "password": "correct horse 42"})
    client.force_login(technician)
    assert client.get("/notifications/outbox/").status_code == 403
