"""Open311 GeoReport v2: services, definitions, posting with an app's key, reading by id, dates and token."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree

import pytest
import time_machine
from django.test import Client

from bawaba.open311.models import Report
from bawaba.open311.services import do_issue_key, do_revoke_key
from bawaba.servicedesk.models import Request
from bawaba.servicedesk.services import do_reply, do_transition

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def xml(content: bytes):
    return ElementTree.fromstring(content)  # noqa: S314 - our own answer


@pytest.fixture
def app_key(orgs):
    return do_issue_key("Civic app")


@pytest.fixture
def client():
    return Client(headers={"Accept-Language": "en"})


def post(client, fmt="json", **fields):
    return client.post(f"{BASE}/requests.{fmt}", fields)


def report(client, key, **fields):
    values = {"api_key": key, "service_code": "algerie-telecom/faults", "lat": "36.7538", "long": "3.0588",
              "description": "Câble arraché devant l'école.", "device_id": "phone-7", "account_id": "acc-9",
              "media_url": "https://img.example.test/cable.jpg", "email": "samia@example.test",
              "first_name": "Samia", "last_name": "Kaci", "address_string": "12 rue Didouche Mourad, Alger"}
    values.update(fields)
    return post(client, **{k: v for k, v in values.items() if v is not None})


def test_services_in_json_and_xml_by_jurisdiction(client, orgs):
    rows = json.loads(client.get(f"{BASE}/services.json", {"jurisdiction_id": "algerie-telecom"}).content)
    assert {row["service_code"] for row in rows} == {"algerie-telecom/faults", "algerie-telecom/billing",
                                                     "algerie-telecom/subscriptions"}
    assert set(rows[0]) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    response = client.get(f"{BASE}/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    root = xml(response.content)
    assert root.tag == "services" and root.find("service/metadata").text == "false"
    assert "orientation" not in {s.findtext("service_code") for s in root.findall("service")}


def test_service_definition_with_a_slash_in_the_code(client, orgs):
    body = json.loads(client.get(f"{BASE}/services/algerie-telecom/faults.json").content)
    assert body == {"service_code": "algerie-telecom/faults", "attributes": []}
    root = xml(client.get(f"{BASE}/services/algerie-telecom/faults.xml").content)
    assert root.tag == "service_definition"
    missing = client.get(f"{BASE}/services/nope.xml")
    assert missing.status_code == 404 and xml(missing.content).findtext("error/code") == "404"


def test_posting_a_request_creates_a_desk_request_and_answers_id_and_token(client, app_key):
    app, key = app_key
    response = report(client, key)
    assert response.status_code == 201, response.content
    [row] = json.loads(response.content)
    req = Request.objects.get(reference=row["service_request_id"])
    assert (req.service.code, req.channel, req.citizen_email, req.citizen_name) == (
        "algerie-telecom/faults", "api", "samia@example.test", "Samia Kaci")
    assert "36.753800, 3.058800" in req.text and "12 rue Didouche Mourad" in req.text
    stored = Report.objects.get(request=req)
    assert (stored.app, stored.device_id, stored.account_id, stored.lat) == (app, "phone-7", "acc-9", 36.7538)
    assert row["account_id"] == "acc-9" and row["token"] == stored.token
    # by token (the deferred form), in XML
    root = xml(client.get(f"{BASE}/tokens/{stored.token}.xml").content)
    assert root.findtext("request/service_request_id") == req.reference


def test_reading_a_request_shows_only_georeport_fields(client, app_key, at_supervisor):
    _app, key = app_key
    [row] = json.loads(report(client, key).content)
    req = Request.objects.get(reference=row["service_request_id"])
    do_reply(req, "Une équipe passe demain.", actor=at_supervisor)
    [body] = json.loads(client.get(f"{BASE}/requests/{req.reference}.json").content)
    assert body["status"] == "open" and body["status_notes"] == "Une équipe passe demain."
    assert body["description"] == "Câble arraché devant l'école." and body["lat"] == 36.7538
    assert body["agency_responsible"] and body["media_url"] == "https://img.example.test/cable.jpg"
    assert "samia" not in json.dumps(body).lower()  # no personal data in public reads
    do_transition(req, "resolved", actor=at_supervisor)
    root = xml(client.get(f"{BASE}/requests/{req.reference}.xml").content)
    assert root.tag == "service_requests" and root.findtext("request/status") == "closed"


def test_requests_by_ids_date_range_and_status(client, app_key, at_supervisor):
    _app, key = app_key
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        old = json.loads(report(client, key).content)[0]["service_request_id"]
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        new = json.loads(report(client, key, service_code="algerie-poste/mail").content)[0]["service_request_id"]
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        def ids(**params):
            return [row["service_request_id"] for row in json.loads(client.get(f"{BASE}/requests.json",
                                                                               params).content)]

        assert ids() == [new, old]
        assert ids(start_date="2026-11-15T00:00:00Z") == [new]
        assert ids(start_date="2026-11-01T00:00:00+01:00", end_date="2026-11-03T00:00:00Z") == [old]
        assert ids(jurisdiction_id="algerie-poste") == [new]
        assert ids(service_code="algerie-telecom/faults") == [old]
        assert ids(status="closed") == []
        assert ids(service_request_id=f"{old},NOPE") == [old]
        for params in ({"start_date": "yesterday"}, {"status": "pending"}, {"end_date": "2026-02-30T00:00:00Z"},
                       {"start_date": "2025-01-01T00:00:00Z"}, {"jurisdiction_id": "atlantis"}):
            response = client.get(f"{BASE}/requests.json", params)
            assert response.status_code in (400, 404), params
            [error] = json.loads(response.content)
            assert set(error) == {"code", "description"} and error["code"] == response.status_code


@pytest.mark.parametrize("fields, status, words", [
    ({"service_code": None}, 400, "service_code was not provided"),
    ({"service_code": "atlantis/roads"}, 404, "not found"),
    ({"api_key": "o311_wrong_key"}, 403, "api_key"),
    ({"api_key": None}, 403, "api_key"),
    ({"lat": None, "long": None, "address_string": None}, 400, "location"),
    ({"lat": "95", "long": "3"}, 400, "lat"),
    ({"long": None}, 400, "together"),
    ({"email": "not-an-address"}, 400, "email"),
    ({"phone": "12"}, 400, "phone"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"jurisdiction_id": "algerie-poste"}, 400, "jurisdiction"),
    ({"description": "x" * 4001}, 400, "description"),
])
def test_bad_posts_are_open311_errors_in_both_formats_and_store_nothing(client, app_key, fields, status, words):
    _app, key = app_key
    for fmt in ("json", "xml"):
        response = report(client, key, **fields) if fmt == "json" else post(client, "xml", **{
            k: v for k, v in {"api_key": key, "service_code": "algerie-telecom/faults", "lat": "36.7",
                              "long": "3.0", "address_string": "x", **fields}.items() if v is not None})
        assert response.status_code == status, (fmt, response.content)
        if fmt == "json":
            [error] = json.loads(response.content)
            assert error["code"] == status and words in error["description"]
        else:
            root = xml(response.content)
            assert root.tag == "errors" and root.findtext("error/code") == str(status)
    assert not Request.objects.exists() and not Report.objects.exists()


def test_a_revoked_key_is_refused(client, app_key):
    app, key = app_key
    do_revoke_key(app)
    assert report(client, key).status_code == 403


def test_posting_is_rate_limited_like_the_public_forms(client, app_key, settings, still_clock):
    settings.PUBLIC_FORM_RATE = "2/m"
    _app, key = app_key
    assert [report(client, key).status_code for _i in range(3)] == [201, 201, 429]
    assert Request.objects.count() == 2


def test_unknown_ids_formats_and_methods(client, orgs):
    assert client.get(f"{BASE}/requests/ABCD-EFGH.json").status_code == 404
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404
    assert client.get(f"{BASE}/services.html").status_code == 404
    assert client.get(f"{BASE}/elsewhere").status_code == 404
    response = client.delete(f"{BASE}/requests.xml")
    assert response.status_code == 405 and xml(response.content).tag == "errors"
    discovery = json.loads(client.get(f"{BASE}/discovery.json").content)
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"


def test_errors_speak_the_callers_language(orgs):
    response = Client(headers={"Accept-Language": "ar"}).post(f"{BASE}/requests.json", {"api_key": "x"})
    assert json.loads(response.content)[0]["description"] == "مفتاح api_key المستلم غير صالح: تعذّر إنشاء الطلب."
