"""TMF621 listeners: registration, notifications from the requests' history, signed posts, retries."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from bawaba.postal.webhooks import verify
from bawaba.servicedesk.models import Request
from bawaba.servicedesk.services import do_transition
from bawaba.tmf621 import services
from bawaba.tmf621.models import Delivery, Subscription
from bawaba.tmf621.views import ticket_body

from .conftest import MINIMAL, conforms, valid

pytestmark = pytest.mark.django_db


class Listener:
    """A real HTTP peer on loopback that records what it is posted and answers `status`."""

    def __init__(self):
        self.received: list[tuple[str, dict, bytes]] = []
        self.status = 201
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((self.path, dict(self.headers), body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/bss"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    peer = Listener()
    yield peer
    peer.close()


def publish():
    services.publish_events(ticket_of=ticket_body)
    return list(Delivery.objects.order_by("pk"))


def register(tmf, callback, query=None):
    body = {"callback": callback, **({"query": query} if query else {})}
    response = tmf.post("/hub", body)
    return response, conforms(response, "/hub", "post")


def test_registering_a_listener_gives_its_signing_secret_once(tmf):
    response, body = register(tmf, "https://bss.example.test/tmf", "eventType=TroubleTicketStatusChangeEvent")
    subscription = Subscription.objects.get(pk=body["id"])
    assert response["X-Bawaba-Webhook-Secret"] == subscription.secret
    assert body == {"id": str(subscription.pk), "callback": "https://bss.example.test/tmf",
                    "query": "eventType=TroubleTicketStatusChangeEvent"}


@pytest.mark.parametrize("payload", [{}, {"callback": 5}, {"callback": "ftp://x.test/"}, {"callback": "nope"},
                                     {"callback": "https://x.test/", "query": "colour=red"},
                                     {"callback": "https://x.test/", "query": "eventType=SomethingElse"}])
def test_bad_registrations_are_400(tmf, payload):
    response = tmf.post("/hub", payload)
    assert conforms(response, "/hub", "post")["status"] == "400"
    assert not Subscription.objects.exists()


def test_unregistering(tmf, poste_tmf):
    _response, body = register(tmf, "https://bss.example.test/tmf")
    assert conforms(poste_tmf.delete(f"/hub/{body['id']}"), "/hub/{id}", "delete")["code"] == "notFound"
    response = tmf.delete(f"/hub/{body['id']}")
    assert response.status_code == 204 and conforms(response, "/hub/{id}", "delete") is None
    assert tmf.delete(f"/hub/{body['id']}").status_code == 404
    assert tmf.delete("/hub/abc").status_code == 404
    assert tmf.delete("/hub/²").status_code == 404


def test_changes_are_posted_signed_to_the_listener_as_the_spec_defines_them(tmf, listener, at_supervisor):
    _response, hub = register(tmf, listener.url)
    secret = Subscription.objects.get().secret
    publish()  # the cursor starts now: nothing of the past is sent
    ticket = json.loads(tmf.post("/troubleTicket", MINIMAL).content)
    req = Request.objects.get(reference=ticket["id"])
    do_transition(req, "in_progress", actor=at_supervisor)  # a change in the desk is a TMF event too
    do_transition(req, "resolved", actor=at_supervisor)
    tmf.patch(f"/troubleTicket/{ticket['id']}", {"priority": "Low"})
    deliveries = publish()
    assert [d.event_type for d in deliveries] == [
        "TroubleTicketCreateEvent", "TroubleTicketStatusChangeEvent", "TroubleTicketStatusChangeEvent",
        "TroubleTicketResolvedEvent", "TroubleTicketAttributeValueChangeEvent"]
    assert all(services.deliver_one(d.pk) for d in deliveries)
    paths = [path for path, _headers, _body in listener.received]
    assert paths == ["/bss/listener/troubleTicketCreateEvent", "/bss/listener/troubleTicketStatusChangeEvent",
                     "/bss/listener/troubleTicketStatusChangeEvent", "/bss/listener/troubleTicketResolvedEvent",
                     "/bss/listener/troubleTicketAttributeValueChangeEvent"]
    for _path, headers, body in listener.received:
        assert verify(secret, headers["X-Bawaba-Signature"], body)
        event = json.loads(body)
        assert valid(event["eventType"], event) == []
        assert valid("TroubleTicket", event["event"]["troubleTicket"]) == []
    assert json.loads(listener.received[-1][2])["fieldPath"] == "priority"
    assert not Delivery.objects.filter(delivered_at__isnull=True).exists()
    assert hub["id"]


def test_information_required_and_query_filter(tmf, listener, at_supervisor):
    register(tmf, listener.url, "eventType=TroubleTicketInformationRequiredEvent")
    publish()
    ticket = json.loads(tmf.post("/troubleTicket", MINIMAL).content)
    tmf.patch(f"/troubleTicket/{ticket['id']}", {"status": "inProgress"})
    tmf.patch(f"/troubleTicket/{ticket['id']}", {"status": "pending", "statusChangeReason": "Votre adresse ?"})
    assert [d.event_type for d in publish()] == ["TroubleTicketInformationRequiredEvent"]


def test_other_organisations_listeners_hear_nothing(tmf, poste_tmf, listener):
    register(poste_tmf, listener.url)
    publish()
    tmf.post("/troubleTicket", MINIMAL)
    assert publish() == []


def test_a_failing_listener_is_retried_with_back_off_then_given_up(tmf, listener, settings):
    register(tmf, listener.url)
    publish()
    tmf.post("/troubleTicket", MINIMAL)
    delivery = publish()[0]
    listener.status = 503
    assert services.deliver_one(delivery.pk) is False
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code, delivery.delivered_at) == (1, 503, None)
    assert delivery.next_attempt_at > delivery.created_at
    assert services.deliver_due(now=delivery.created_at) == 0  # not due yet
    listener.status = 200
    assert services.deliver_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 2
    assert len(listener.received) == 2
    # A listener that never answers well is given up after the last attempt.
    listener.status = 500
    tmf.post("/troubleTicket", MINIMAL)
    failing = publish()[-1]
    from bawaba.postal.webhooks import MAX_ATTEMPTS

    Delivery.objects.filter(pk=failing.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert services.deliver_one(failing.pk) is False
    failing.refresh_from_db()
    assert failing.failed_at is not None and failing.next_attempt_at is None


def test_a_private_address_is_not_called_unless_allowed(tmf, listener, settings):
    register(tmf, listener.url)
    publish()
    tmf.post("/troubleTicket", MINIMAL)
    delivery = publish()[0]
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    assert services.deliver_one(delivery.pk) is False
    delivery.refresh_from_db()
    assert "private address" in delivery.last_error and listener.received == []


def test_without_listeners_the_publisher_skips_to_the_end(tmf, listener):
    from bawaba.servicedesk.models import RequestEvent
    from bawaba.tmf621.models import Cursor

    publish()
    tmf.post("/troubleTicket", MINIMAL)
    assert publish() == []
    assert Cursor.objects.get().last_event_id == RequestEvent.objects.order_by("-pk").first().pk
    register(tmf, listener.url)  # from now on: what happened before is not replayed
    assert publish() == []


def test_a_large_backlog_is_published_in_batches(tmf, listener):
    register(tmf, listener.url, "eventType=TroubleTicketCreateEvent")
    publish()
    for _i in range(3):
        tmf.post("/troubleTicket", MINIMAL)
    made = services.publish_events(ticket_of=ticket_body, batch=2)
    assert len(made) == 3


def test_through_the_job_queue_an_api_change_reaches_the_listener_at_once(tmf, listener,
                                                                           django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    register(tmf, listener.url)
    publish()
    was_immediate = HUEY.immediate
    HUEY.immediate = True  # the tasks run in this process, as a consumer would run them
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = json.loads(tmf.post("/troubleTicket", MINIMAL).content)
    finally:
        HUEY.immediate = was_immediate
    assert [path for path, _h, _b in listener.received] == ["/bss/listener/troubleTicketCreateEvent"]
    assert json.loads(listener.received[0][2])["event"]["troubleTicket"]["id"] == ticket["id"]


@pytest.mark.parametrize(("callback", "expected"), [
    ("https://bss.example/tmf", "https://bss.example/tmf/listener/troubleTicketCreateEvent"),
    ("https://bss.example/tmf/", "https://bss.example/tmf/listener/troubleTicketCreateEvent"),
    ("https://bss.example", "https://bss.example/listener/troubleTicketCreateEvent"),
    ("https://bss.example/tmf?tenant=at", "https://bss.example/tmf/listener/troubleTicketCreateEvent?tenant=at"),
])
def test_notifications_go_to_the_swaggers_listener_operation_under_the_callback(callback, expected):
    # TMF621 v4's swagger: "POST /listener/troubleTicketCreateEvent" ("Client listener for entity
    # TroubleTicketCreateEvent"), relative to the callback registered with POST /hub.
    assert services.listener_url(callback, "TroubleTicketCreateEvent") == expected
