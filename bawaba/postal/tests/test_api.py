"""The postal tracking API: announce, add events (one, batch), timeline; idempotency, errors, other posts."""

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from bawaba.api.services import do_create_token
from bawaba.postal.models import ApiIdempotency, Item, TrackingEvent

pytestmark = pytest.mark.django_db
BASE = "/post/api/v1"


class ApiClient:
    def __init__(self, token=None, language="en"):
        self.client = Client()
        self.headers = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, **headers):
        return self.client.get(BASE + path, headers={**self.headers, **headers})

    def post(self, path, body=None, *, raw=None, **headers):
        data = raw if raw is not None else json.dumps(body if body is not None else {}, default=str)
        return self.client.post(BASE + path, data, content_type="application/json",
                                headers={**self.headers, **headers})


@pytest.fixture
def api(poste, network):
    return ApiClient(do_create_token(poste, "Scanners")[1])


_start = {}


@pytest.fixture(autouse=True)
def _fixed_start():
    # One moment per test: two calls to when() must name the same instant even if a second ticks between them.
    _start["now"] = timezone.now().replace(microsecond=0)


def when(hours_ago):
    return (_start["now"] - dt.timedelta(hours=hours_ago)).isoformat()


def test_an_announced_item_gets_a_number_from_the_posts_range(api, products, ranges):
    answer = api.post("/items", {"product": "registered", "recipient_name": "Nadia", "delivery_office": "16001-dist"})
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["number"].startswith("RR") and body["number"].endswith("DZ") and body["status"] == "announced"
    assert body["delivery_office"] == "16001-DIST" and "recipient_name" not in body
    assert Item.objects.get(number=body["number"]).recipient_name == "Nadia"


def test_a_label_number_in_use_is_a_conflict_and_a_wrong_one_is_explained(api, make_item, products):
    item = make_item()
    assert api.post("/items", {"number": item.number}).status_code == 409
    wrong = api.post("/items", {"number": "RR473124828DZ", "product": "nope"})
    assert wrong.status_code == 422
    assert set(wrong.json()["errors"]) == {"number", "product"}
    assert "check digit" in wrong.json()["errors"]["number"][0]


def test_events_one_by_one_build_the_timeline_in_event_order(api, make_item):
    item = make_item()
    first = api.post(f"/items/{item.number}/events", {"code": "EMG", "occurred_at": when(2),
                                                     "office_code": "16001-DIST"})
    assert first.status_code == 201 and first.json()["status"] == "at_delivery_office"
    late = api.post(f"/items/{item.number}/events", {"code": "EMA", "occurred_at": when(30), "office_code": "16001"})
    assert late.status_code == 201
    again = api.post(f"/items/{item.number}/events", {"code": "EMA", "occurred_at": when(30), "office_code": "16001"})
    assert again.status_code == 200 and again.json()["created"] is False
    timeline = api.get(f"/items/{item.number[:2]} {item.number[2:]}")
    assert timeline.status_code == 200
    assert [e["code"] for e in timeline.json()["events"]] == ["EMA", "EMG"]
    assert "recipient_name" not in timeline.json()


def test_a_batch_with_a_bad_event_stores_nothing_and_names_each_fault(api, make_item):
    item = make_item()
    answer = api.post("/events", {"events": [
        {"number": item.number, "code": "EMA", "occurred_at": when(5), "office_code": "16001"},
        {"number": "RR473124828DZ", "code": "EDD", "occurred_at": when(4)},
        {"number": item.number, "code": "EDD", "occurred_at": when(-3)},
        {"number": item.number, "code": "EMI", "occurred_at": when(1), "office_code": "31000-DIST"},
        {"number": item.number, "code": "EMH", "occurred_at": when(1), "office_code": "16001-DIST"},
    ]}, **{"Accept-Language": "fr"})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert sorted(errors) == ["events.1", "events.2", "events.3", "events.4"]
    assert errors["events.2"][0].startswith("future: L'événement est daté dans le futur")
    assert errors["events.3"][0].startswith("wrong_office:")
    assert errors["events.4"][0].startswith("reason_required:")
    assert not TrackingEvent.objects.exists()


def test_a_batch_is_counted_and_flags_what_cannot_follow(api, make_item):
    a, b = make_item(), make_item()
    answer = api.post("/events", {"events": [
        {"number": a.number, "code": "EMA", "occurred_at": when(30)},
        {"number": a.number, "code": "EMI", "occurred_at": when(3), "office_code": "16001-DIST",
         "signatory": "N. Belkacem"},
        {"number": a.number, "code": "EDD", "occurred_at": when(2), "office_code": "16000-CTN"},
        {"number": b.number, "code": "EMH", "occurred_at": when(2), "office_code": "16001-DIST",
         "reason_code": "abs", "action_code": "HLD", "latitude": 36.77, "longitude": 3.06},
        {"number": b.number, "code": "EMH", "occurred_at": when(2), "office_code": "16001-DIST",
         "reason_code": "abs", "action_code": "HLD", "latitude": 36.77, "longitude": 3.06},
    ]})
    assert answer.status_code == 201, answer.json()
    assert answer.json() == {"received": 5, "created": 4, "duplicates": 1, "flagged": 1, "items": 2}
    events = api.get(f"/items/{b.number}").json()["events"]
    assert events[0]["reason_code"] == "ABS" and events[0]["latitude"] == 36.77


def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing(api, make_item):
    item = make_item()
    body = {"events": [{"number": item.number, "code": "EMA", "occurred_at": when(3)}]}
    first = api.post("/events", body, **{"Idempotency-Key": "batch-42"})
    retry = api.post("/events", body, **{"Idempotency-Key": "batch-42"})
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert TrackingEvent.objects.count() == 1 and ApiIdempotency.objects.count() == 1
    other = api.post("/events", {"events": [{"number": item.number, "code": "EDD", "occurred_at": when(2)}]},
                     **{"Idempotency-Key": "batch-42"})
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["errors"]
    created = api.post("/items", {"product": "parcel"}, **{"Idempotency-Key": "item-1"})
    replay = api.post("/items", {"product": "parcel"}, **{"Idempotency-Key": "item-1"})
    assert replay.status_code == 201 and replay.json()["number"] == created.json()["number"]
    assert Item.objects.filter(product__code="parcel").count() == 1


def test_a_refused_write_keeps_no_key_so_the_corrected_body_can_use_it(api, make_item):
    item = make_item()
    bad = api.post("/events", {"events": [{"number": item.number, "code": "XYZ", "occurred_at": when(1)}]},
                   **{"Idempotency-Key": "k1"})
    good = api.post("/events", {"events": [{"number": item.number, "code": "EMA", "occurred_at": when(1)}]},
                    **{"Idempotency-Key": "k1"})
    assert bad.status_code == 422 and good.status_code == 201


def test_another_posts_items_answer_404_like_unknown_ones(poste, sopeco, make_item, network):
    item = make_item()
    other = ApiClient(do_create_token(sopeco, "SOPECO")[1])
    assert other.get(f"/items/{item.number}").status_code == 404
    assert other.post(f"/items/{item.number}/events", {"code": "EMA", "occurred_at": when(1)}).status_code == 404
    refused = other.post("/events", {"events": [{"number": item.number, "code": "EMA", "occurred_at": when(1)}]})
    assert refused.status_code == 422 and refused.json()["errors"]["events.0"][0].startswith("unknown_item:")
    assert other.get("/items/not-a-number").status_code == 404


def test_read_only_tokens_and_strangers_are_refused(poste, make_item):
    item = make_item()
    reader = ApiClient(do_create_token(poste, "Dashboard", read_only=True)[1])
    assert reader.get(f"/items/{item.number}").status_code == 200
    assert reader.post(f"/items/{item.number}/events", {"code": "EMA", "occurred_at": when(1)}).status_code == 403
    assert ApiClient().get(f"/items/{item.number}").status_code == 401


def test_malformed_bodies_are_4xx_with_the_error_body(api, make_item):
    item = make_item()
    for raw, status in (("{", 400), ('{"events": []}', 422), ('{"events": "x"}', 422)):
        answer = api.post("/events", raw=raw)
        assert answer.status_code == status and "detail" in answer.json()
    naive = api.post(f"/items/{item.number}/events", {"code": "EMA", "occurred_at": "2026-01-01T10:00:00"})
    assert naive.status_code == 422 and "occurred_at" in naive.json()["errors"]
    nul = api.post(f"/items/{item.number}/events", {"code": "EMA", "occurred_at": when(1), "details": {"a": "\x00"}})
    assert nul.status_code == 422


def test_the_schema_documents_every_error_reply(api):
    schema = Client().get(f"{BASE}/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"400", "401", "403", "404", "422", "429"} <= documented, (method, path)
            if method == "post":
                assert {"409", "413"} <= documented
                assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), path


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_with_one_key_write_once(poste, network, make_item):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole transactions)")
    item = make_item()
    token = do_create_token(poste, "Flaky")[1]
    body = {"events": [{"number": item.number, "code": "EMA", "occurred_at": when(2)}]}
    answers = []

    def send():
        answers.append(ApiClient(token).post("/events", body, **{"Idempotency-Key": "same"}).status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201] * 4
    assert TrackingEvent.objects.filter(item=item).count() == 1
