"""The fibre REST API, through the Django test client (session authentication)."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.models import FieldReport

from .factories import accepted_line, good_report, make_photo

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bawaba.deployments.tests.urls_api")]
BASE = "/fibre/api/v1"


def report_form(world, code="ONT-01", work_order=None, **overrides):
    values = good_report(world, code, work_order=work_order, **overrides)
    form = {key: value for key, value in values.items() if key not in ("items", "photos", "splice_losses_db")}
    form["items"] = json.dumps(values["items"])
    form["splice_losses_db"] = ";".join(values["splice_losses_db"])
    form["photos"] = values["photos"]
    return form


def test_anonymous_requests_get_401(client):
    response = client.get(f"{BASE}/workOrder")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_contractor_sees_only_its_work_orders_in_tmf697_shape(world, as_user):
    response = as_user(world.worker).get(f"{BASE}/workOrder")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    order = next(item for item in body["items"] if item["id"] == "WO-0001")
    assert order["state"] == "acknowledged" and order["category"] == "ftth"
    assert order["href"] == f"{BASE}/workOrder/WO-0001"
    assert order["place"]["wilaya"] == "16" and order["step"] == {
        "current": "survey", "currentLabel": order["step"]["currentLabel"], "done": 0, "total": 8}
    assert {i["priceItem"]["code"] for i in order["workOrderItem"]} >= {"ONT-01", "GC-01"}
    assert as_user(world.other_worker).get(f"{BASE}/workOrder").json()["count"] == 0
    # Another contractor's order is not revealed: the same 404 as an unknown one.
    assert as_user(world.other_worker).get(f"{BASE}/workOrder/WO-0001").status_code == 404
    assert as_user(world.worker).get(f"{BASE}/workOrder/WO-NOPE").status_code == 404
    assert as_user(world.worker).get(f"{BASE}/workOrder?state=bogus").status_code == 422


def test_report_is_created_once_then_replayed(world, as_user):
    client = as_user(world.worker)
    form = report_form(world)
    created = client.post(f"{BASE}/workOrder/WO-0001/report", form)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["id"] == form["client_uuid"]
    assert body["items"][0]["decision"] == "accepted" and body["items"][0]["automatic"] is True
    assert len(body["photos"]) == 2 and body["photos"][0]["reused"] is False
    replay = client.post(f"{BASE}/workOrder/WO-0001/report", {**form, "photos": [make_photo()]})
    assert replay.status_code == 200 and replay.json()["id"] == form["client_uuid"]
    assert FieldReport.objects.count() == 1


def test_idempotency_key_header_is_accepted(world, as_user):
    form = report_form(world, "SRV-01")
    key = form.pop("client_uuid")
    client = as_user(world.worker)
    first = client.post(f"{BASE}/workOrder/WO-0001/report", form, headers={"Idempotency-Key": key})
    again = client.post(f"{BASE}/workOrder/WO-0001/report", {**form, "photos": [make_photo()]},
                        headers={"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] == key


def test_bad_reports_get_clear_4xx_and_store_nothing(world, as_user):
    client = as_user(world.worker)
    response = client.post(f"{BASE}/workOrder/WO-0001/report", report_form(world, ont_rx_power_dbm="35"),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "ont_rx_power_dbm" in response.json()["errors"]
    response = client.post(f"{BASE}/workOrder/WO-0001/report", {**report_form(world), "items": "not json"})
    assert response.status_code == 422 and "items" in response.json()["errors"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    text_file = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>" * 20, content_type="image/jpeg")
    response = client.post(f"{BASE}/workOrder/WO-0001/report", {**report_form(world), "photos": [text_file]})
    assert response.status_code == 422 and "photos" in response.json()["errors"]
    other = as_user(world.other_worker).post(f"{BASE}/workOrder/WO-0001/report", report_form(world))
    assert other.status_code == 404
    assert FieldReport.objects.count() == 0


def test_operator_changes_state_and_illegal_moves_conflict(world, as_user):
    assert as_user(world.worker).patch(f"{BASE}/workOrder/WO-0001", {"state": "held"},
                                       content_type="application/json").status_code == 403
    # A viewer follows the programme but does not change work orders; the operator's inspector does.
    assert as_user(world.operator_agent).patch(f"{BASE}/workOrder/WO-0001", {"state": "held"},
                                               content_type="application/json").status_code == 403
    client = as_user(world.inspector)
    held = client.patch(f"{BASE}/workOrder/WO-0001", {"state": "held", "reason": "No access"},
                        content_type="application/json")
    assert held.status_code == 200 and held.json()["state"] == "held"
    assert client.patch(f"{BASE}/workOrder/WO-0001", {"state": "completed"},
                        content_type="application/json").status_code == 409


def test_inspector_decides_doubtful_items_and_billing_follows(world, as_user):
    far = report_form(world, latitude=str(world.site.latitude + Decimal("0.00063")))
    as_user(world.worker).post(f"{BASE}/workOrder/WO-0001/report", far)
    inspector = as_user(world.inspector)
    queue = inspector.get(f"{BASE}/acceptance?decision=doubtful").json()
    assert queue["count"] == 1
    item = queue["items"][0]
    assert item["reasonCodes"] == ["position_beyond_tolerance"]
    agent = as_user(world.operator_agent).post(f"{BASE}/acceptance/{item['id']}/accept", {},
                                               content_type="application/json")
    assert agent.status_code == 403
    inspector = as_user(world.inspector)
    accepted = inspector.post(f"{BASE}/acceptance/{item['id']}/accept", {"note": "Seen on site"},
                              content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["decision"] == "accepted"
    again = inspector.post(f"{BASE}/acceptance/{item['id']}/reject", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409
    running = as_user(world.worker).get(f"{BASE}/statement/running").json()
    contract = next(r for r in running if r["contract"] == "CT-2026-001")
    assert Decimal(contract["unbilledAmount"]) == Decimal("3000.00")
    assert contract["latestLines"][0]["priceItem"] == "ONT-01"


def test_statements_with_pdf_and_ubl(world, as_user):
    accepted_line(world, "GC-01", 10, dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None,
                                            now=dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC))
    client = as_user(world.worker)
    listing = client.get(f"{BASE}/statement").json()
    assert listing["count"] == 1
    out = listing["items"][0]
    assert out["number"] == statement.number and Decimal(out["netAmount"]) == Decimal("12480.00")
    assert Decimal(out["outstandingAmount"]) == Decimal("12480.00")
    pdf = client.get(out["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    ubl = client.get(out["ubl"])
    # The amount due is the total incl. VAT; retention and advance recovery are deducted at payment (issue 12).
    assert ubl.status_code == 200 and b"<cbc:PayableAmount currencyID=\"DZD\">14280.00" in ubl.content
    assert b"net \xc3\xa0 payer 12480.00 DZD" in ubl.content
    from bawaba.deployments.models import IssuedFile  # the bytes stored at issue, not a new rendering

    assert ubl.content == bytes(IssuedFile.objects.get(statement=statement, kind="ubl").content)
    assert pdf.content == bytes(IssuedFile.objects.get(statement=statement, kind="pdf").content)
    assert as_user(world.other_worker).get(f"{BASE}/statement/{statement.number}").status_code == 404
    assert as_user(world.billing_admin).get(f"{BASE}/statement/{statement.number}").status_code == 200


def test_geojson_and_progress(world, as_user):
    client = as_user(world.operator_agent)
    response = client.get(f"{BASE}/programme/ftth-2027/sites.geojson")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    feature = next(f for f in data["features"] if f["properties"]["code"] == "S-0001")
    assert feature["geometry"] == {"type": "Point", "coordinates": [3.0597, 36.7753]}
    assert feature["properties"]["state"] == "acknowledged" and feature["properties"]["progress"] == 0
    progress = client.get(f"{BASE}/programme/ftth-2027/progress").json()
    assert progress[0]["wilaya"] == "16" and progress[0]["workOrders"] == 2
    assert client.get(f"{BASE}/programme/ftth-2027/progress?by=nonsense").status_code == 422
    assert client.get(f"{BASE}/programme/ftth-2027/progress?by=before_2026").json()[0]["wilaya"] == "16"
    no_reform = client.get(f"{BASE}/programme/ftth-2027/progress?by=before_2020")
    assert no_reform.status_code == 422 and "by" in no_reform.json()["errors"]
    assert as_user(world.worker).get(f"{BASE}/programme/ftth-2027/progress").status_code == 403
    assert as_user(world.worker).get(f"{BASE}/programme/ftth-2027/sites.geojson").status_code == 200
    assert as_user(world.worker).get(f"{BASE}/programme/none/sites.geojson").status_code == 404


def test_openapi_schema_documents_the_error_replies(client):
    schema = client.get(f"{BASE}/openapi.json").json()
    post = schema["paths"][f"{BASE}/workOrder/{{reference}}/report"]["post"]
    assert {"201", "200", "401", "403", "404", "409", "422"} <= set(post["responses"])
    assert uuid.UUID(str(uuid.uuid4()))


def test_platform_bearer_tokens_work_and_respect_their_scope(world, client):
    from bawaba.api.services import do_create_token

    _token, secret = do_create_token(world.contractor, "field phones")
    _readonly, read_secret = do_create_token(world.contractor, "dashboard", read_only=True)
    auth = {"Authorization": f"Bearer {secret}"}
    listing = client.get(f"{BASE}/workOrder", headers=auth)
    assert listing.status_code == 200 and listing.json()["count"] == 2
    created = client.post(f"{BASE}/workOrder/WO-0001/report", report_form(world, "SRV-01"), headers=auth)
    assert created.status_code == 201, created.content
    read_only = client.post(f"{BASE}/workOrder/WO-0001/report", report_form(world, "GC-01"),
                            headers={"Authorization": f"Bearer {read_secret}"})
    assert read_only.status_code == 403
    assert client.get(f"{BASE}/workOrder", headers={"Authorization": "Bearer bwb_nope_nope"}).status_code == 401
