"""Billing and import writes of the fibre API: issue statements, payments (idempotent), corrections, import.

Contractor staff and agents get 403, another operator's billing manager 404, bad input a translated 4xx
(never a 500) with nothing stored.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.common import money as common_money
from bawaba.deployments.models import Payment, PaymentStatement, Site, WorkOrder

from .factories import accepted_line

pytestmark = pytest.mark.django_db
BASE = "/fibre/api/v1"
JSON = "application/json"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def poste_admin(orgs):
    from bawaba.orgs.services import do_add_staff

    return do_add_staff(orgs["algerie-poste"], {"username": "poste.admin", "role": "org_admin",
                                                "password": "correct horse 42"})


def last_month() -> tuple[str, dt.date]:
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return f"{end.year:04d}-{end.month:02d}", end


@pytest.fixture
def billed_last_month(world):
    _month, end = last_month()
    at = timezone.make_aware(dt.datetime.combine(end.replace(day=10), dt.time(12)))
    accepted_line(world, "SRV-01", 1, at)
    accepted_line(world, "GC-01", 20, at)


@pytest.fixture
def issued(world):
    yesterday = timezone.now() - dt.timedelta(days=1)
    accepted_line(world, "SRV-01", 1, yesterday)
    accepted_line(world, "GC-01", 20, yesterday)
    return billing_statements.do_issue_statements(world.contract, timezone.localdate() - dt.timedelta(days=1),
                                       world.billing_admin)


def post(client, url, body, **headers):
    return client.post(url, body, content_type=JSON, headers=headers)


# --------------------------------------------------------------------------- issue


def test_billing_manager_issues_the_month_of_a_programme(world, billed_last_month, as_user):
    month, end = last_month()
    response = post(as_user(world.billing_admin), f"{BASE}/statement/issue",
                    {"programme": world.programme.code, "month": month})
    assert response.status_code == 201, response.content
    body = response.json()
    statement = PaymentStatement.objects.get()
    assert body["periodEnd"] == end.isoformat() and body["count"] == 1
    assert body["items"][0]["number"] == statement.number
    assert body["items"][0]["href"] == f"{BASE}/statement/{statement.number}"


def test_issuing_a_contract_again_is_a_conflict_and_nothing_new_is_a_200(world, billed_last_month, as_user):
    month, _end = last_month()
    client = as_user(world.billing_admin)
    body = {"contract": world.contract.reference, "month": month}
    assert post(client, f"{BASE}/statement/issue", body).status_code == 201
    again = post(client, f"{BASE}/statement/issue", body)
    assert again.status_code == 409 and "couvre déjà la période" in again.json()["detail"]
    nothing = post(client, f"{BASE}/statement/issue", {"contract": world.other_contract.reference, "month": month})
    assert nothing.status_code == 200 and nothing.json()["count"] == 0
    assert PaymentStatement.objects.count() == 1


@pytest.mark.parametrize("body", [
    {"month": "2026-10"},  # neither programme nor contract
    {"programme": "ftth-2027", "month": "2026-13"},
    {"programme": "ftth-2027", "month": "0000-01"},
    {"programme": "ftth-2027"},
    {"programme": "ftth-2027", "month": 202610},
])
def test_issue_with_bad_input_is_a_422(world, billed_last_month, as_user, body):
    response = post(as_user(world.billing_admin), f"{BASE}/statement/issue", body)
    assert response.status_code == 422 and response.json()["detail"]
    assert PaymentStatement.objects.count() == 0


def test_issue_with_a_body_that_is_not_json_is_a_400(world, as_user):
    response = as_user(world.billing_admin).post(f"{BASE}/statement/issue", "{not json", content_type=JSON)
    assert response.status_code == 400 and response.json()["detail"]


def test_only_the_operators_billing_manager_may_issue_statements(world, billed_last_month, poste_admin, as_user):
    month, _end = last_month()
    for user in (world.worker, world.operator_agent, world.inspector):
        response = post(as_user(user), f"{BASE}/statement/issue", {"programme": world.programme.code, "month": month})
        assert response.status_code == 403, user
    client = as_user(poste_admin)
    assert post(client, f"{BASE}/statement/issue",
                {"programme": world.programme.code, "month": month}).status_code == 404
    assert post(client, f"{BASE}/statement/issue",
                {"contract": world.contract.reference, "month": month}).status_code == 404
    assert PaymentStatement.objects.count() == 0


def test_anonymous_writes_get_401(world, issued, client):
    assert post(client, f"{BASE}/statement/issue", {"programme": "ftth-2027", "month": "2026-10"}).status_code == 401
    assert post(client, f"{BASE}/statement/{issued.number}/payment",
                {"amount": "1", "paid_on": "2026-12-01"}).status_code == 401


# --------------------------------------------------------------------------- payments


def test_billing_manager_records_a_payment(world, issued, as_user):
    today = timezone.localdate().isoformat()
    response = post(as_user(world.billing_admin), f"{BASE}/statement/{issued.number}/payment",
                    {"amount": "1000.50", "paid_on": today, "reference": "VIR-77"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["statement"] == issued.number and body["amount"] == "1000.50" and body["paidOn"] == today
    assert body["outstandingAmount"] == str(issued.net_amount - 1000 - common_money.money("0.50"))
    assert Payment.objects.get().recorded_by == world.billing_admin


def test_a_payment_retried_with_the_same_idempotency_key_is_recorded_once(world, issued, as_user):
    client = as_user(world.billing_admin)
    key = str(uuid.uuid4())
    body = {"amount": 500, "paid_on": timezone.localdate().isoformat()}
    first = post(client, f"{BASE}/statement/{issued.number}/payment", body, **{"Idempotency-Key": key})
    again = post(client, f"{BASE}/statement/{issued.number}/payment", body, **{"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Payment.objects.count() == 1
    other = post(client, f"{BASE}/statement/{issued.number}/payment", {**body, "amount": 600},
                 **{"Idempotency-Key": key})
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["errors"]
    assert Payment.objects.count() == 1
    without = post(client, f"{BASE}/statement/{issued.number}/payment", body)
    assert without.status_code == 201 and Payment.objects.count() == 2


def test_a_refused_payment_does_not_burn_its_idempotency_key(world, issued, as_user):
    client = as_user(world.billing_admin)
    key = str(uuid.uuid4())
    too_much = {"amount": str(issued.net_amount + 1), "paid_on": timezone.localdate().isoformat()}
    refused = post(client, f"{BASE}/statement/{issued.number}/payment", too_much, **{"Idempotency-Key": key})
    assert refused.status_code == 409
    assert "restant dus sur" in refused.json()["detail"]
    fixed = post(client, f"{BASE}/statement/{issued.number}/payment", {**too_much, "amount": "10"},
                 **{"Idempotency-Key": key})
    assert fixed.status_code == 201 and Payment.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": "abc", "paid_on": "TODAY"}, "amount"),
    ({"amount": "-5", "paid_on": "TODAY"}, "amount"),
    ({"amount": "12.345", "paid_on": "TODAY"}, "amount"),
    ({"amount": "1e400", "paid_on": "TODAY"}, "amount"),
    ({"amount": "NaN", "paid_on": "TODAY"}, "amount"),
    ({"amount": "10", "paid_on": "2026-02-31"}, "paid_on"),
    ({"amount": "10", "paid_on": "TOMORROW"}, "paid_on"),
    ({"amount": "10", "paid_on": "2020-01-01"}, "paid_on"),
    ({"amount": "10", "paid_on": "TODAY", "reference": "R" * 61}, "reference"),
    ({"paid_on": "TODAY"}, "amount"),
])
def test_payment_with_bad_input_is_a_translated_422_and_nothing_stored(world, issued, as_user, body, field):
    dates = {"TODAY": timezone.localdate().isoformat(),
             "TOMORROW": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}
    body = {key: dates.get(value, value) for key, value in body.items()}
    response = post(as_user(world.billing_admin), f"{BASE}/statement/{issued.number}/payment", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert Payment.objects.count() == 0


def test_payment_errors_come_in_the_readers_language(world, issued, as_user):
    client = as_user(world.billing_admin)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    french = post(client, f"{BASE}/statement/{issued.number}/payment", {"amount": "10", "paid_on": tomorrow})
    assert french.json()["errors"]["paid_on"] == ["Un paiement ne peut pas être daté dans le futur."]
    english = client.post(f"{BASE}/statement/{issued.number}/payment", {"amount": "10", "paid_on": tomorrow},
                          content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"]["paid_on"] == ["A payment cannot be dated in the future."]


def test_schema_errors_are_translated_and_name_the_field(world, issued, as_user):
    client = as_user(world.billing_admin)
    missing = post(client, f"{BASE}/statement/{issued.number}/payment", {"paid_on": "2026-12-01"})
    assert missing.status_code == 422
    assert missing.json() == {"detail": "Données invalides.", "errors": {"amount": ["Ce champ est obligatoire."]}}
    infinite = client.post(f"{BASE}/statement/{issued.number}/payment", '{"amount": 1e400, "paid_on": "2026-12-01"}',
                           content_type=JSON)
    assert infinite.status_code == 422 and "amount" in infinite.json()["errors"]
    assert Payment.objects.count() == 0


def test_only_the_operators_billing_manager_may_record_payments(world, issued, poste_admin, as_user):
    body = {"amount": "10", "paid_on": timezone.localdate().isoformat()}
    for user in (world.worker, world.other_worker, world.operator_agent, world.inspector):
        assert post(as_user(user), f"{BASE}/statement/{issued.number}/payment", body).status_code == 403, user
    assert post(as_user(poste_admin), f"{BASE}/statement/{issued.number}/payment", body).status_code == 404
    assert post(as_user(world.billing_admin), f"{BASE}/statement/DEC-NOPE/payment", body).status_code == 404
    assert Payment.objects.count() == 0


# --------------------------------------------------------------------------- corrections


def test_billing_manager_issues_a_correction_once_per_idempotency_key(world, issued, as_user):
    client = as_user(world.billing_admin)
    key = str(uuid.uuid4())
    body = {"gross_adjustment": "-1000", "reason": "Câble compté deux fois"}
    first = post(client, f"{BASE}/statement/{issued.number}/correction", body, **{"Idempotency-Key": key})
    assert first.status_code == 201, first.content
    out = first.json()
    assert out["kind"] == "correction" and out["corrects"] == issued.number and out["grossAmount"] == "-1000.00"
    again = post(client, f"{BASE}/statement/{issued.number}/correction", body, **{"Idempotency-Key": key})
    assert again.status_code == 200 and again.json()["number"] == out["number"]
    assert PaymentStatement.objects.filter(corrects=issued).count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"gross_adjustment": "-100", "reason": " "}, "reason"),
    ({"gross_adjustment": "0", "penalty_adjustment": "0", "reason": "Rien"}, "gross_adjustment"),
    ({"gross_adjustment": "99999999999999999", "reason": "Trop"}, "gross_adjustment"),
    ({"gross_adjustment": "abc", "reason": "x"}, "gross_adjustment"),
    ({"reason": "x"}, "gross_adjustment"),
])
def test_correction_with_bad_input_is_a_422_and_nothing_issued(world, issued, as_user, body, field):
    response = post(as_user(world.billing_admin), f"{BASE}/statement/{issued.number}/correction", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert PaymentStatement.objects.count() == 1


def test_only_the_operators_billing_manager_may_issue_corrections(world, issued, poste_admin, as_user):
    body = {"gross_adjustment": "-100", "reason": "Erreur"}
    for user in (world.worker, world.operator_agent, world.inspector):
        assert post(as_user(user), f"{BASE}/statement/{issued.number}/correction", body).status_code == 403, user
    assert post(as_user(poste_admin), f"{BASE}/statement/{issued.number}/correction", body).status_code == 404
    assert PaymentStatement.objects.count() == 1


# --------------------------------------------------------------------------- import

HEADER = "site_code;site_kind;site_name;wilaya;commune;latitude;longitude;homes;work_order;due_on;items\n"
GOOD = (
    "A-100;building;Cité 100 logements;16;16000;36.7500;3.0500;24;WO-A100;2026-12-31;SRV-01:1| GC-01:35\n"
    "H-1;hospital;CHU;09;;36.4700;2.8300;;WO-H1;;SITE-SRV:1|SITE-CNX:1|SITE-WIFI:4\n"
)
BAD = "B-1;castle;X;16;;36.75;3.05;;WO-B1;;SRV-01:1\n"


def csv_file(text, name="ordres.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def counts():
    return Site.objects.count(), WorkOrder.objects.count()


def test_supervisor_imports_a_csv_into_a_contract(world, as_user):
    response = as_user(world.inspector).post(f"{BASE}/contract/{world.contract.reference}/import",
                                             {"file": csv_file(HEADER + GOOD)})
    assert response.status_code == 201, response.content
    assert response.json() == {"contract": world.contract.reference, "rows": 2, "createdSites": 2,
                               "reusedSites": 0, "createdWorkOrders": 2, "createdItems": 5}
    again = as_user(world.inspector).post(f"{BASE}/contract/{world.contract.reference}/import",
                                          {"file": csv_file(HEADER + GOOD)})
    assert again.status_code == 422 and again.json()["rows"][0]["column"] == "work_order"


def test_an_import_with_bad_rows_lists_them_and_stores_nothing(world, as_user):
    before = counts()
    response = as_user(world.inspector).post(f"{BASE}/contract/{world.contract.reference}/import",
                                             {"file": csv_file(HEADER + GOOD + BAD)})
    assert response.status_code == 422
    body = response.json()
    assert body["errorCount"] == 1 and body["rows"][0]["row"] == 4 and body["rows"][0]["column"] == "site_kind"
    assert body["detail"] and body["errors"] == {}
    assert counts() == before


@pytest.mark.parametrize(("name", "content"), [
    ("ordres.pdf", b"%PDF-1.4"),
    ("ordres.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    ("ordres.xlsx", b"not a workbook"),
    ("ordres.csv", b"colonne;autre\n1;2\n"),
    ("ordres.csv", b"S\x81;home;16\n"),  # 0x81 after a Latin letter: not UTF-8, undefined in 1252, not Arabic
])
def test_an_import_of_the_wrong_type_is_a_422_on_the_file(world, as_user, name, content):
    before = counts()
    response = as_user(world.inspector).post(f"{BASE}/contract/{world.contract.reference}/import",
                                             {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422 and "file" in response.json()["errors"]
    assert counts() == before


def test_an_import_without_a_file_is_a_400(world, as_user):
    response = as_user(world.inspector).post(f"{BASE}/contract/{world.contract.reference}/import", {})
    assert response.status_code == 400 and response.json()["detail"]


def test_only_the_operators_supervisors_may_import(world, orgs, as_user):
    from bawaba.orgs.services import do_add_staff

    poste_supervisor = do_add_staff(orgs["algerie-poste"], {"username": "poste.sup", "role": "supervisor",
                                                            "password": "correct horse 42"})
    url = f"{BASE}/contract/{world.contract.reference}/import"
    before = counts()
    for user in (world.worker, world.operator_agent):
        assert as_user(user).post(url, {"file": csv_file(HEADER + GOOD)}).status_code == 403, user
    assert as_user(poste_supervisor).post(url, {"file": csv_file(HEADER + GOOD)}).status_code == 404
    assert as_user(world.inspector).post(f"{BASE}/contract/CT-NOPE/import",
                                         {"file": csv_file(HEADER + GOOD)}).status_code == 404
    assert counts() == before


# --------------------------------------------------------------------------- schema


def test_openapi_documents_the_new_writes_and_their_error_replies(client):
    paths = client.get(f"{BASE}/openapi.json").json()["paths"]
    routes = [(f"{BASE}/statement/issue", {"200", "201"}),
              (f"{BASE}/statement/{{number}}/payment", {"200", "201"}),
              (f"{BASE}/statement/{{number}}/correction", {"200", "201"}),
              (f"{BASE}/contract/{{reference}}/import", {"201"})]
    for path, success in routes:
        responses = set(paths[path]["post"]["responses"])
        assert success | {"400", "401", "403", "404", "409", "422"} <= responses, path
    payment = paths[f"{BASE}/statement/{{number}}/payment"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in payment["parameters"])
    upload = paths[f"{BASE}/contract/{{reference}}/import"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
