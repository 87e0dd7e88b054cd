"""Webhooks against a real HTTP server on loopback: signed deliveries, retries with back-off, the log."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from bawaba.postal import webhooks
from bawaba.postal.models import WebhookDelivery, WebhookSubscription
from bawaba.postal.tracking import EventInput, record_events

pytestmark = pytest.mark.django_db


class Subscriber(BaseHTTPRequestHandler):
    """Answers with the next status of the server's script (then 200), and keeps what it received."""

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        status = self.server.script.pop(0) if self.server.script else 200
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def _loopback_subscribers_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the subscriber of these tests listens on 127.0.0.1


def test_a_subscriber_on_a_private_address_is_not_called(settings):
    from bawaba.postal.webhooks import private_address

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    assert private_address("http://127.0.0.1:8080/hook") == "127.0.0.1"
    assert private_address("http://10.1.2.3/hook") == "10.1.2.3"
    assert private_address("http://169.254.169.254/latest/meta-data") == "169.254.169.254"
    assert private_address("https://8.8.8.8/hook") is None
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    assert private_address("http://127.0.0.1:8080/hook") is None


@pytest.fixture
def subscriber():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Subscriber)
    server.received, server.script = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscription(poste, subscriber):
    return WebhookSubscription.objects.create(organisation=poste, name="Boutique", secret="s3cret",
                                              url=f"http://127.0.0.1:{subscriber.server_address[1]}/hook",
                                              event_codes=["EMG", "EMI"])


def record(poste, item, *events, capture):
    now = timezone.now()
    with capture(execute=True):
        record_events(poste, [EventInput(item.number, code, now - dt.timedelta(hours=h), office)
                              for code, h, office in events])


def test_a_matching_event_is_delivered_signed_once(poste, make_item, subscription, subscriber,
                                                  django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(webhooks, "_deliver_soon", lambda ids: None)  # the worker's job: run below
    item = make_item()
    record(poste, item, ("EMA", 30, "16001"), ("EMG", 2, "16001-DIST"), capture=django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert [e["code"] for e in delivery.payload["events"]] == ["EMG"]  # the filter: EMG and EMI only
    assert webhooks.deliver_due() == 1
    headers, body = subscriber.received[0]
    timestamp, mac = (p.split("=", 1)[1] for p in headers["X-Bawaba-Signature"].split(","))
    expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, expected) and webhooks.verify("s3cret", headers["X-Bawaba-Signature"], body)
    assert not webhooks.verify("other", headers["X-Bawaba-Signature"], body)
    assert not webhooks.verify("s3cret", headers["X-Bawaba-Signature"], body, now=int(timestamp) + 3600)
    payload = json.loads(body)
    assert payload["events"][0]["number"] == item.number and payload["events"][0]["item_status"] == \
        "at_delivery_office"
    assert "recipient" not in body.decode() and "Nadia" not in body.decode()
    assert headers["X-Bawaba-Delivery"] == payload["id"]
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 1 and delivery.last_status_code == 200
    assert webhooks.deliver_due() == 0  # nothing sent twice


def test_failures_are_retried_with_growing_delays_and_logged(poste, make_item, subscription, subscriber,
                                                            django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(webhooks, "_deliver_soon", lambda ids: None)
    subscriber.script = [500, 503, 302]
    item = make_item()
    record(poste, item, ("EMG", 2, "16001-DIST"), capture=django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    waits = []
    for _ in range(3):
        assert webhooks.deliver_due(now=now) == 0
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - now)
        assert webhooks.deliver_due(now=now) == 0  # not due again before its back-off
        now = delivery.next_attempt_at
    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60), dt.timedelta(seconds=120)]
    assert delivery.last_status_code == 302 and "302" in delivery.last_error  # a redirect is not followed
    assert webhooks.deliver_due(now=now) == 1
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 4 and len(subscriber.received) == 4


def test_a_subscriber_that_never_answers_is_given_up_after_the_last_attempt(poste, make_item, network,
                                                                           django_capture_on_commit_callbacks,
                                                                           monkeypatch):
    monkeypatch.setattr(webhooks, "_deliver_soon", lambda ids: None)
    closed = ThreadingHTTPServer(("127.0.0.1", 0), Subscriber)
    port = closed.server_address[1]
    closed.server_close()  # nobody listens there any more
    WebhookSubscription.objects.create(organisation=poste, name="Gone", url=f"http://127.0.0.1:{port}/")
    item = make_item()
    record(poste, item, ("EMA", 3, "16001"), capture=django_capture_on_commit_callbacks)
    now = timezone.now()
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver_due(now=now)
        now += webhooks.MAX_DELAY
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert "Connection refused" in delivery.last_error or "URLError" in delivery.last_error


def test_other_posts_subscribers_hear_nothing(sopeco, poste, make_item, subscriber,
                                             django_capture_on_commit_callbacks):
    WebhookSubscription.objects.create(organisation=sopeco, name="SOPECO partner",
                                       url=f"http://127.0.0.1:{subscriber.server_address[1]}/")
    item = make_item()
    record(poste, item, ("EMA", 3, "16001"), capture=django_capture_on_commit_callbacks)
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_is_in_the_admin(admin_client, poste, make_item, subscription,
                                          django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(webhooks, "_deliver_soon", lambda ids: None)
    record(poste, make_item(), ("EMG", 2, "16001-DIST"), capture=django_capture_on_commit_callbacks)
    page = admin_client.get("/admin/postal/webhookdelivery/")
    assert page.status_code == 200 and WebhookDelivery.objects.get().event_id in page.content.decode()
