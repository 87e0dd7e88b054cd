"""Health endpoints, metrics, request ids in logs and jobs, error reports and the status page."""

import datetime as dt
import http.server
import json
import logging
import threading
import zlib

import pytest
from django.utils import timezone
from huey.contrib.djhuey import db_task

from bawaba.ops import health, observability
from bawaba.ops.models import Heartbeat, JobFailure

seen_in_jobs: list[str] = []


@db_task()
def remember_request_id(value):
    seen_in_jobs.append((value, observability.request_id.get()))


@db_task()
def fail_on_purpose():
    raise RuntimeError("this job fails on purpose")


@pytest.fixture
def jobs_run_here():
    """Tasks run in this process when queued, as a consumer would run them."""
    from huey.contrib.djhuey import HUEY

    was_immediate = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was_immediate


def test_live_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_reports_a_late_worker_as_degraded_and_an_absent_one_as_fatal_when_required(client, db, settings):
    body = client.get("/health/ready").json()
    assert body["status"] == "degraded" and body["checks"]["worker"]["detail"] == "never seen"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    health.beat()
    response = client.get("/health/ready")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    Heartbeat.objects.update(beat_at=timezone.now() - dt.timedelta(minutes=10))
    assert client.get("/health/ready").json()["status"] == "degraded"
    settings.HEALTH_READY_REQUIRES_WORKER = True
    assert client.get("/health/ready").status_code == 503


def test_ready_takes_the_process_out_of_rotation_when_the_cache_is_gone(db, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    # A real Redis client talking to a port where nothing listens.
    unreachable = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    monkeypatch.setattr(health, "cache", unreachable)
    status, body = health.ready()
    assert status == 503 and body["status"] == "fail" and not body["checks"]["cache"]["ok"]
    assert "Error" in body["checks"]["cache"]["detail"]


def test_metrics_count_what_the_platform_holds_and_the_requests_served(client, make_request, settings):
    make_request()
    client.get("/health/live")
    text = client.get("/metrics").content.decode()
    assert 'bawaba_requests_open{organisation="algerie-telecom"} 1.0' in text
    assert "bawaba_worker_heartbeat_age_seconds -1.0" in text
    assert "django_http_responses_total_by_status_view_method_total" in text
    assert 'view="ops:live"' in text
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    settings.METRICS_TOKEN = "a-long-metrics-token"
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 401
    allowed = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer a-long-metrics-token")
    assert allowed.status_code == 200


def test_a_request_id_is_given_back_logged_and_carried_into_the_jobs_it_queues(client, db, settings, jobs_run_here):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"
    generated = client.get("/health/live", HTTP_X_REQUEST_ID="bad id <script>")["X-Request-ID"]
    assert generated != "bad id <script>" and len(generated) == 32

    token = observability.request_id.set("req-1234567890")
    try:
        remember_request_id("first")
    finally:
        observability.request_id.reset(token)
    assert ("first", "req-1234567890") in seen_in_jobs

    record = logging.LogRecord("bawaba.test", logging.INFO, __file__, 1, "hello", None, None)
    token = observability.request_id.set("req-abcdefgh")
    try:
        observability.RequestIdFilter().filter(record)
    finally:
        observability.request_id.reset(token)
    from pythonjsonlogger.json import JsonFormatter

    spec = settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(spec["format"], rename_fields=spec["rename_fields"])
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-abcdefgh" and line["message"] == "hello" and line["level"] == "INFO"


def test_a_failed_job_is_kept_for_the_metrics_and_the_status_page(db, jobs_run_here):
    token = observability.request_id.set("req-failing-0001")
    try:
        fail_on_purpose()
    finally:
        observability.request_id.reset(token)
    failure = JobFailure.objects.get()
    assert failure.task.endswith("fail_on_purpose") and "fails on purpose" in failure.error
    assert failure.request_id == "req-failing-0001"


class _SentryPeer(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_errors_go_to_a_sentry_compatible_server_without_personal_data(db):
    import sentry_sdk

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SentryPeer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/42"
        assert observability.configure_sentry(dsn, environment="test")
        try:
            raise ValueError("the citizen 0550123456 could not be reached")
        except ValueError:
            sentry_sdk.capture_exception()
        sentry_sdk.flush(timeout=5)
    finally:
        sentry_sdk.init(dsn=None)
        server.shutdown()
    payload = b"".join(_SentryPeer.received)
    assert b"ValueError" in payload and b'"environment":"test"' in payload.replace(b" ", b"")


def test_the_status_page_shows_the_worker_and_the_gateways_to_supervisors_only(client, at_supervisor, at_agent):
    health.beat()
    client.force_login(at_agent)
    assert client.get("/ops/status/").status_code == 403
    client.force_login(at_supervisor)
    for language in ("fr", "ar"):
        response = client.get("/ops/status/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
    page = client.get("/ops/status/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'id="worker"' in page and 'id="gateways"' in page and "outbox" in page
