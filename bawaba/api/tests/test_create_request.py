"""POST /api/v1/requests: creation, validation, routing and idempotent retries."""

import json
import threading
import uuid

import pytest
from django.db import connection, connections

from bawaba.api.models import IdempotencyKey
from bawaba.geo.models import Commune, Region
from bawaba.orgs.models import Service
from bawaba.routing.models import RoutingRule
from bawaba.servicedesk.models import EventKind, Request

from .conftest import NEW_REQUEST

URL = "/api/v1/requests"


def test_integration_creates_a_request_in_its_own_service(api, at_token):
    response = api.post(URL, NEW_REQUEST)
    assert response.status_code == 201
    body = response.json()
    req = Request.objects.get(reference=body["reference"])
    assert body["organisation"] == "algerie-telecom"
    assert body["service"] == "algerie-telecom/faults"
    assert body["channel"] == "api"
    assert body["status"] == "new"
    assert body["citizen_phone"] == "+213550123456"
    assert body["region_code"] == "16"
    assert body["read_only"] is False
    assert body["resolution_due_at"] is not None
    assert req.created_by == at_token[0].user
    assert req.routing_method == "manual"
    created = req.events.get(kind=EventKind.CREATED)
    assert created.actor == at_token[0].user


def test_channel_priority_commune_and_language_are_kept(api):
    commune = Commune.objects.filter(region__code="16", region__country="DZ").first()
    response = api.post(URL, {**NEW_REQUEST, "channel": "phone", "priority": "high", "commune_id": commune.pk,
                              "language": "ar", "citizen_email": "samir@example.test"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["channel"], body["priority"], body["commune_id"], body["language"]) == (
        "phone", "high", commune.pk, "ar")
    assert body["citizen_email"] == "samir@example.test"


def test_service_of_another_organisation_is_refused(api):
    response = api.post(URL, {**NEW_REQUEST, "service": "mobilis/network"})
    assert response.status_code == 422
    assert "mobilis/network" in response.json()["errors"]["service"][0]
    assert not Request.objects.exists()


def test_without_service_routing_decides_even_for_another_organisation(api):
    RoutingRule.objects.create(name="Réseau mobile", keywords="4G", service=Service.objects.get(code="mobilis/network"))
    body = {key: value for key, value in NEW_REQUEST.items() if key != "service"}
    response = api.post(URL, {**body, "text": "Pas de 4G dans mon quartier."})
    assert response.status_code == 201
    created = response.json()
    assert created["organisation"] == "mobilis"
    assert created["routing_method"] == "rule"
    assert created["read_only"] is True
    # Routed away: the integration keeps the reference but cannot read the request afterwards.
    assert api.get(f"{URL}/{created['reference']}").status_code == 404


def test_invalid_phone_unknown_wilaya_and_commune_give_field_errors(api):
    response = api.post(URL, {**NEW_REQUEST, "citizen_phone": "12", "region_code": "99"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"region_code"}
    response = api.post(URL, {**NEW_REQUEST, "citizen_phone": "12"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"citizen_phone"}
    response = api.post(URL, {**NEW_REQUEST, "commune_id": 2_000_000})
    assert response.json()["errors"] == {"commune_id": ["Unknown commune."]}


def test_commune_outside_the_wilaya_is_reported_on_commune_id(api):
    oran = Region.objects.get(country="DZ", code="31")
    commune = Commune.objects.filter(region=oran).first()
    response = api.post(URL, {**NEW_REQUEST, "commune_id": commune.pk})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["commune_id"]


def test_wrong_types_and_missing_fields_give_422_with_the_error_body(api):
    response = api.post(URL, {"subject": 12, "text": ["a"], "priority": "soon", "commune_id": "x"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["subject"] == ["Enter a valid value."]
    assert errors["priority"] == ["Select a valid choice. soon is not one of the available choices."]
    assert errors["commune_id"] == ["Enter a whole number."]
    response = api.post(URL, {**NEW_REQUEST, "subject": "x" * 201})
    assert response.json()["errors"]["subject"] == [
        "Ensure this value has at most 200 characters (it has 201)."]


def test_null_characters_are_refused(api):
    response = api.post(URL, {**NEW_REQUEST, "citizen_name": "Samir\x00"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"citizen_name": ["Null characters are not allowed."]}


def test_empty_subject_is_refused_by_the_service(api):
    response = api.post(URL, {**NEW_REQUEST, "subject": "   "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"subject": ["This field cannot be empty."]}
    response = api.post(URL, {**NEW_REQUEST, "subject": ""})
    assert response.json()["errors"] == {"subject": ["Ensure this value has at least 1 character (it has 0)."]}


@pytest.mark.parametrize("raw", ["{not json", "\xff\xfe", '"just a string"', "[1, 2]", "null", "12"])
def test_malformed_bodies_never_cause_a_server_error(api, raw):
    response = api.post(URL, raw=raw)
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"detail", "errors"}


def test_oversize_body_is_refused_with_413(api, settings):
    response = api.post(URL, {**NEW_REQUEST, "text": "x" * 70_000})
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is too large."
    # Past Django's own limit the body is not even read.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    assert api.post(URL, {**NEW_REQUEST, "text": "x" * 200_000}).status_code == 413


def test_retry_with_the_same_idempotency_key_returns_the_same_request(api):
    key = str(uuid.uuid4())
    first = api.post(URL, NEW_REQUEST, **{"Idempotency-Key": key})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    # The same fields in another order and layout are the same body.
    retry = api.post(URL, raw=json.dumps(dict(reversed(list(NEW_REQUEST.items()))), indent=4),
                     **{"Idempotency-Key": key})
    assert retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["reference"] == first.json()["reference"]
    assert Request.objects.count() == 1


def test_retry_returns_the_request_even_if_its_service_was_closed_since(api):
    key = "before-closing"
    first = api.post(URL, NEW_REQUEST, **{"Idempotency-Key": key})
    Service.objects.filter(code=NEW_REQUEST["service"]).update(is_active=False)
    retry = api.post(URL, NEW_REQUEST, **{"Idempotency-Key": key})
    assert retry.status_code == 200
    assert retry.json()["reference"] == first.json()["reference"]


def test_same_key_with_another_body_is_refused(api):
    key = "order-42"
    assert api.post(URL, NEW_REQUEST, **{"Idempotency-Key": key}).status_code == 201
    response = api.post(URL, {**NEW_REQUEST, "subject": "Autre chose"}, **{"Idempotency-Key": key})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["errors"]
    assert Request.objects.count() == 1


def test_keys_belong_to_one_organisation(api, poste_api):
    key = "shared-key"
    assert api.post(URL, NEW_REQUEST, **{"Idempotency-Key": key}).status_code == 201
    poste_body = {**NEW_REQUEST, "service": "algerie-poste/mail"}
    assert poste_api.post(URL, poste_body, **{"Idempotency-Key": key}).status_code == 201
    assert Request.objects.count() == 2


def test_a_refused_submission_does_not_use_up_its_key(api):
    key = "retry-after-fix"
    assert api.post(URL, {**NEW_REQUEST, "citizen_phone": "12"}, **{"Idempotency-Key": key}).status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert api.post(URL, NEW_REQUEST, **{"Idempotency-Key": key}).status_code == 201


def test_invalid_idempotency_key_is_refused(api):
    response = api.post(URL, NEW_REQUEST, **{"Idempotency-Key": "x" * 256})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["errors"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_request(orgs):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) for real concurrent transactions")
    from bawaba.api.services import do_create_token

    from .conftest import ApiClient

    _token, secret = do_create_token(orgs["algerie-telecom"], "CRM")
    key = str(uuid.uuid4())
    barrier = threading.Barrier(4)
    statuses, references, errors = [], [], []

    def submit():
        try:
            client = ApiClient(secret)
            barrier.wait()
            response = client.post(URL, NEW_REQUEST, **{"Idempotency-Key": key})
            statuses.append(response.status_code)
            references.append(response.json()["reference"])
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Request.objects.count() == 1
    assert set(references) == {Request.objects.get().reference}
    assert sorted(statuses) == [200, 200, 200, 201]
