"""Billing and import pages of the operator: issue the month's statements, record payments, corrections, import.

Who may: the operator's billing manager (org admin) for money, supervisors and admins for imports. Contractor
staff and plain agents get 403, another operator's staff 403/404, bad input a translated 4xx and nothing stored.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.models import Payment, PaymentStatement, Site, WorkOrder, WorkStatement
from bawaba.deployments.work import importing as work_importing

from .factories import accepted_line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def poste_admin(orgs):
    """The billing manager of another operator."""
    from bawaba.orgs.services import do_add_staff

    return do_add_staff(orgs["algerie-poste"], {"username": "poste.admin", "role": "org_admin",
                                                "password": "correct horse 42"})


def html(response) -> str:
    return response.content.decode()


def last_month() -> tuple[str, dt.date]:
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return f"{end.year:04d}-{end.month:02d}", end


@pytest.fixture
def billed_last_month(world):
    """Accepted work of the first contract in the month that has just ended."""
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


def payment_form(statement, **overrides):
    values = {"amount": "1000,50", "paid_on": timezone.localdate().isoformat(), "reference": "VIR-2026-001",
              "form_token": str(uuid.uuid4())}
    values.update(overrides)
    return values


# --------------------------------------------------------------------------- issuing the month's statements


def test_billing_manager_sees_the_issue_form_and_others_do_not(world, as_user):
    page = html(as_user(world.billing_admin).get("/fibre/statements/"))
    assert 'id="issue-statements"' in page and world.programme.code in page
    assert f'value="{last_month()[0]}"' in page
    for user in (world.operator_agent, world.inspector, world.worker):
        assert 'id="issue-statements"' not in html(as_user(user).get("/fibre/statements/"))


def test_issuing_asks_for_confirmation_then_issues_the_month(world, billed_last_month, as_user):
    month, end = last_month()
    client = as_user(world.billing_admin)
    confirm = client.get("/fibre/statements/issue/", {"programme": world.programme.code, "month": month})
    assert confirm.status_code == 200
    body = html(confirm)
    assert 'id="issue-confirm"' in body and 'method="post"' in body
    assert PaymentStatement.objects.count() == 0  # looking is not issuing
    response = client.post("/fibre/statements/issue/", {"programme": world.programme.code, "contract": "",
                                                        "month": month})
    issued = PaymentStatement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fibre/statements/{issued.pk}/"
    assert issued.contract == world.contract and issued.work_statement.period_end == end
    assert issued.issued_by == world.billing_admin
    assert issued.number in html(client.get(response["Location"]))


def test_issuing_for_one_contract_only_issues_that_contract(world, billed_last_month, as_user):
    month, _end = last_month()
    response = as_user(world.billing_admin).post("/fibre/statements/issue/", {
        "programme": world.programme.code, "contract": world.other_contract.reference, "month": month})
    assert response.status_code == 302 and response["Location"] == "/fibre/statements/"
    assert PaymentStatement.objects.count() == 0  # the other contract had nothing accepted


def test_issuing_the_same_period_twice_is_a_conflict_with_the_reason(world, billed_last_month, as_user):
    month, _end = last_month()
    client = as_user(world.billing_admin)
    form = {"programme": world.programme.code, "contract": world.contract.reference, "month": month}
    assert client.post("/fibre/statements/issue/", form).status_code == 302
    again = client.post("/fibre/statements/issue/", form)
    assert again.status_code == 409
    assert "couvre déjà la période" in html(again)
    assert PaymentStatement.objects.count() == WorkStatement.objects.count() == 1


def test_issuing_a_month_that_has_not_ended_is_refused_and_nothing_issued(world, as_user):
    accepted_line(world, "SRV-01", 1, timezone.now() - dt.timedelta(days=1))
    today = timezone.localdate()
    response = as_user(world.billing_admin).post("/fibre/statements/issue/", {
        "programme": world.programme.code, "month": f"{today.year:04d}-{today.month:02d}"})
    assert response.status_code == 409 and 'id="issue-error"' in html(response)
    assert PaymentStatement.objects.count() == 0


@pytest.mark.parametrize("month", ["2026-13", "octobre", "0000-01", ""])
def test_issue_form_with_a_bad_month_is_a_400(world, billed_last_month, as_user, month):
    response = as_user(world.billing_admin).post("/fibre/statements/issue/", {
        "programme": world.programme.code, "month": month})
    assert response.status_code == 400
    assert PaymentStatement.objects.count() == 0


def test_issue_for_an_unknown_programme_or_contract_is_a_404(world, billed_last_month, as_user):
    month, _end = last_month()
    client = as_user(world.billing_admin)
    assert client.get("/fibre/statements/issue/", {"programme": "nope", "month": month}).status_code == 404
    response = client.post("/fibre/statements/issue/", {"programme": world.programme.code, "contract": "CT-NOPE",
                                                        "month": month})
    assert response.status_code == 404 and "introuvable" in html(response)
    assert PaymentStatement.objects.count() == 0


def test_only_the_operators_billing_manager_may_issue(world, billed_last_month, poste_admin, as_user):
    month, _end = last_month()
    form = {"programme": world.programme.code, "month": month}
    for user in (world.worker, world.operator_agent, world.inspector):
        assert as_user(user).get("/fibre/statements/issue/", form).status_code == 403, user
        assert as_user(user).post("/fibre/statements/issue/", form).status_code == 403, user
    assert as_user(poste_admin).post("/fibre/statements/issue/", form).status_code == 404
    assert PaymentStatement.objects.count() == 0


# --------------------------------------------------------------------------- payments


def test_billing_manager_records_a_payment_and_the_statement_shows_it(world, issued, as_user):
    client = as_user(world.billing_admin)
    page = html(client.get(f"/fibre/statements/{issued.pk}/"))
    assert 'id="record-payment"' in page and 'id="issue-correction"' in page
    response = client.post(f"/fibre/statements/{issued.pk}/payments/", payment_form(issued))
    assert response.status_code == 302 and response["Location"] == f"/fibre/statements/{issued.pk}/"
    payment = Payment.objects.get()
    assert str(payment.amount) == "1000.50" and payment.reference == "VIR-2026-001"
    assert payment.recorded_by == world.billing_admin
    assert "VIR-2026-001" in html(client.get(f"/fibre/statements/{issued.pk}/"))


def test_contractor_sees_the_statement_without_the_billing_forms(world, issued, as_user):
    page = html(as_user(world.worker).get(f"/fibre/statements/{issued.pk}/"))
    assert issued.number in page
    assert 'id="record-payment"' not in page and 'id="issue-correction"' not in page


def test_overpayment_is_refused_with_a_clear_message_and_nothing_stored(world, issued, as_user):
    too_much = str(issued.net_amount + 1)
    response = as_user(world.billing_admin).post(f"/fibre/statements/{issued.pk}/payments/",
                                                 payment_form(issued, amount=too_much))
    assert response.status_code == 409
    body = html(response)
    assert 'id="payment-error"' in body and "restant dus sur" in body and issued.number in body
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("amount", "abc", ""),
    ("amount", "12.345", ""),
    ("amount", "-5", "supérieur à zéro"),
    ("amount", "1e400", ""),
    ("amount", "NaN", ""),
    ("paid_on", "31/02/2026", ""),
    ("paid_on", "", ""),
    ("reference", "R" * 61, ""),
])
def test_payment_with_bad_input_is_a_400_and_nothing_stored(world, issued, as_user, field, value, message):
    response = as_user(world.billing_admin).post(f"/fibre/statements/{issued.pk}/payments/",
                                                 payment_form(issued, **{field: value}))
    assert response.status_code == 400
    body = html(response)
    assert f'id="field-{field}"' in body and 'class="field invalid"' in body
    assert message in body
    assert Payment.objects.count() == 0


def test_payment_dated_in_the_future_is_refused_by_the_service(world, issued, as_user):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = as_user(world.billing_admin).post(f"/fibre/statements/{issued.pk}/payments/",
                                                 payment_form(issued, paid_on=tomorrow))
    assert response.status_code == 400 and "Un paiement ne peut pas être daté dans le futur." in html(response)
    assert Payment.objects.count() == 0


def test_a_double_submitted_payment_form_records_one_payment(world, issued, as_user):
    client = as_user(world.billing_admin)
    form = payment_form(issued)
    first = client.post(f"/fibre/statements/{issued.pk}/payments/", form)
    second = client.post(f"/fibre/statements/{issued.pk}/payments/", form)
    assert first.status_code == second.status_code == 302
    assert Payment.objects.count() == 1
    changed = client.post(f"/fibre/statements/{issued.pk}/payments/", {**form, "amount": "20"})
    assert changed.status_code == 409 and 'id="payment-error"' in html(changed)
    assert Payment.objects.count() == 1
    assert client.post(f"/fibre/statements/{issued.pk}/payments/", payment_form(issued)).status_code == 302
    assert Payment.objects.count() == 2


def test_only_the_operators_billing_manager_may_record_a_payment(world, issued, poste_admin, as_user):
    url = f"/fibre/statements/{issued.pk}/payments/"
    for user in (world.worker, world.other_worker, world.operator_agent, world.inspector):
        assert as_user(user).post(url, payment_form(issued)).status_code == 403, user
    # Another operator's billing manager: the statement is not revealed.
    assert as_user(poste_admin).post(url, payment_form(issued)).status_code == 404
    assert as_user(world.billing_admin).post("/fibre/statements/999999/payments/",
                                             payment_form(issued)).status_code == 404
    assert as_user(world.billing_admin).get(url).status_code == 405
    assert Payment.objects.count() == 0


# --------------------------------------------------------------------------- corrections


def test_billing_manager_issues_a_correction_referring_to_the_statement(world, issued, as_user):
    client = as_user(world.billing_admin)
    response = client.post(f"/fibre/statements/{issued.pk}/corrections/", {
        "gross_adjustment": "-1 000,00", "penalty_adjustment": "", "reason": "Câble compté deux fois",
        "form_token": str(uuid.uuid4())})
    correction = PaymentStatement.objects.get(corrects=issued)
    assert response.status_code == 302 and response["Location"] == f"/fibre/statements/{correction.pk}/"
    assert correction.kind == "correction" and str(correction.gross_amount) == "-1000.00"
    assert correction.correction_reason == "Câble compté deux fois"
    page = html(client.get(f"/fibre/statements/{issued.pk}/"))
    assert correction.number in page  # listed under the original's corrections


def test_correction_without_a_reason_or_a_change_is_refused_and_nothing_issued(world, issued, as_user):
    client = as_user(world.billing_admin)
    url = f"/fibre/statements/{issued.pk}/corrections/"
    no_reason = client.post(url, {"gross_adjustment": "-100", "reason": "  "})
    assert no_reason.status_code == 400 and "Expliquez la rectification" in html(no_reason)
    no_change = client.post(url, {"gross_adjustment": "0", "penalty_adjustment": "0", "reason": "Rien"})
    assert no_change.status_code == 400 and "Une rectification doit modifier au moins un montant." in html(no_change)
    huge = client.post(url, {"gross_adjustment": "99999999999999999", "reason": "Trop"})
    assert huge.status_code == 400
    assert PaymentStatement.objects.count() == 1


def test_a_double_submitted_correction_form_issues_one_correction(world, issued, as_user):
    client = as_user(world.billing_admin)
    form = {"gross_adjustment": "500", "reason": "Oubli", "form_token": str(uuid.uuid4())}
    assert client.post(f"/fibre/statements/{issued.pk}/corrections/", form).status_code == 302
    assert client.post(f"/fibre/statements/{issued.pk}/corrections/", form).status_code == 302
    assert PaymentStatement.objects.filter(corrects=issued).count() == 1


def test_only_the_operators_billing_manager_may_issue_a_correction(world, issued, poste_admin, as_user):
    form = {"gross_adjustment": "-100", "reason": "Erreur"}
    for user in (world.worker, world.operator_agent, world.inspector):
        assert as_user(user).post(f"/fibre/statements/{issued.pk}/corrections/", form).status_code == 403, user
    assert as_user(poste_admin).post(f"/fibre/statements/{issued.pk}/corrections/", form).status_code == 404
    assert PaymentStatement.objects.count() == 1


# --------------------------------------------------------------------------- import

HEADER = "site_code;site_kind;site_name;wilaya;commune;latitude;longitude;homes;work_order;due_on;items\n"
GOOD = (
    "A-100;building;Cité 100 logements;16;16000;36.7500;3.0500;24;WO-A100;2026-12-31;SRV-01:1| GC-01:35\n"
    "H-1;hospital;CHU;09;;36.4700;2.8300;;WO-H1;;SITE-SRV:1|SITE-CNX:1|SITE-WIFI:4\n"
)
BAD = (
    "B-1;castle;X;16;;36.75;3.05;;WO-B1;;SRV-01:1\n"  # unknown kind
    "B-2;home;X;31;;36.75;3.05;;WO-B2;;SRV-01:1\n"  # Oran: not in the contract
)


def csv_file(text, name="ordres.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def counts():
    return Site.objects.count(), WorkOrder.objects.count()


def test_import_page_is_for_supervisors_and_admins_of_the_operator(world, as_user):
    page = html(as_user(world.inspector).get("/fibre/import/"))
    assert 'id="import-form"' in page and 'enctype="multipart/form-data"' in page
    assert 'id="nav-import"' in page
    assert 'id="nav-import"' not in html(as_user(world.operator_agent).get("/fibre/dashboard/"))
    assert world.contract.reference in page  # offered in the datalist
    assert as_user(world.billing_admin).get("/fibre/import/").status_code == 200
    for user in (world.worker, world.operator_agent):
        assert as_user(user).get("/fibre/import/").status_code == 403
        assert as_user(user).post("/fibre/import/", {"contract": world.contract.reference,
                                                     "file": csv_file(HEADER + GOOD)}).status_code == 403


def test_good_csv_is_imported_and_summarised(world, as_user):
    client = as_user(world.inspector)
    before = counts()
    response = client.post("/fibre/import/", {"contract": world.contract.reference, "file": csv_file(HEADER + GOOD)})
    assert response.status_code == 302
    assert response["Location"] == f"/fibre/import/?contract={world.contract.reference}"
    assert counts() == (before[0] + 2, before[1] + 2)
    page = html(client.get(response["Location"]))
    assert world.contract.reference in page and "WO-A100" not in page  # a summary, not a listing
    assert WorkOrder.objects.get(reference="WO-A100").contract == world.contract


def test_good_xlsx_is_imported(world, as_user):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in (HEADER + GOOD).splitlines():
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("ordres.xlsx", buffer.getvalue())
    response = as_user(world.inspector).post("/fibre/import/", {"contract": world.contract.reference,
                                                                "file": upload})
    assert response.status_code == 302
    assert WorkOrder.objects.filter(reference__in=["WO-A100", "WO-H1"]).count() == 2


def test_a_file_with_bad_rows_shows_the_row_errors_and_stores_nothing(world, as_user):
    before = counts()
    response = as_user(world.inspector).post("/fibre/import/", {"contract": world.contract.reference,
                                                                "file": csv_file(HEADER + GOOD + BAD)})
    assert response.status_code == 400
    body = html(response)
    assert 'id="import-errors"' in body and "site_kind" in body and "wilaya" in body
    assert "<td class=\"num\">4</td>" in body and "<td class=\"num\">5</td>" in body  # the lines in the file
    assert counts() == before


@pytest.mark.parametrize(("name", "content", "message"), [
    ("ordres.pdf", b"%PDF-1.4 not a table", "CSV"),
    ("ordres.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "CSV"),
    ("ordres.xlsx", b"site_code;site_kind\n", "xlsx"),
    ("ordres.csv", b"", ""),
    ("ordres.csv", b"colonne;autre\n1;2\n", "Colonnes manquantes"),
])
def test_a_file_of_the_wrong_type_or_shape_is_refused(world, as_user, name, content, message):
    before = counts()
    upload = SimpleUploadedFile(name, content)
    response = as_user(world.inspector).post("/fibre/import/", {"contract": world.contract.reference,
                                                                "file": upload})
    assert response.status_code == 400
    assert 'id="field-file"' in html(response) and message in html(response)
    assert counts() == before


def test_a_file_above_the_size_limit_is_refused(world, as_user, monkeypatch):

    monkeypatch.setattr(work_importing, "MAX_BYTES", 100)
    response = as_user(world.inspector).post("/fibre/import/", {"contract": world.contract.reference,
                                                                "file": csv_file(HEADER + GOOD)})
    assert response.status_code == 400 and "découpez-le" in html(response)


def test_import_into_another_operators_or_an_unknown_contract_is_a_404(world, orgs, as_user):
    from bawaba.orgs.services import do_add_staff

    poste_supervisor = do_add_staff(orgs["algerie-poste"], {"username": "poste.sup", "role": "supervisor",
                                                            "password": "correct horse 42"})
    before = counts()
    for user, reference in ((poste_supervisor, world.contract.reference), (world.inspector, "CT-NOPE")):
        response = as_user(user).post("/fibre/import/", {"contract": reference, "file": csv_file(HEADER + GOOD)})
        assert response.status_code == 404 and "Contrat introuvable." in html(response)
    assert counts() == before
