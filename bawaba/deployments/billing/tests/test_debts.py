"""Corrections are netted against the statement they correct: one debt, one outstanding amount (review finding 2).

A regular payment statement and its corrections are one debt: still owed = net + Σ corrections' nets − payments.
Payments are recorded against the original; interest runs on what was really owed and late; a credit can never
take the debt below zero nor below what was paid on it.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bawaba.deployments.billing import payments as billing_payments
from bawaba.deployments.billing import selectors as billing_selectors
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.common import money as common_money
from bawaba.deployments.common.errors import Conflict
from bawaba.deployments.models import Payment, PaymentStatement
from bawaba.deployments.tests.factories import accepted_line

UTC = dt.UTC
RATE = Decimal("0.08")


def at(year, month, day, hour=12):
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def rate(settings):
    settings.FIBRE_LATE_INTEREST_RATE = str(RATE)
    return RATE


def interest(amount, days) -> Decimal:
    return Decimal(amount) * RATE * days / 365


def march_statement(world, quantity=10):
    """Net 12 480.00 (gross 12 000, retention 5 %, advance 10 %, VAT 19 %), issued 1 April 2026, due 1 May."""
    accepted_line(world, "GC-01", quantity, at(2026, 3, 5))
    return billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                  now=at(2026, 4, 1))


def correct(world, statement, gross, penalty="0", reason="Tranchée comptée deux fois"):
    return billing_statements.do_issue_correction(statement, gross_adjustment=gross, penalty_adjustment=penalty,
                                                  reason=reason,
                                       actor=world.billing_admin)


def pay(world, statement, amount, paid_on):
    return billing_payments.do_record_payment(statement, amount=amount, paid_on=paid_on, actor=world.billing_admin)


# --------------------------------------------------------------------------- the review's probe


@pytest.mark.django_db
@pytest.mark.parametrize("correction_first", [True, False])
def test_paying_the_original_less_its_credit_correction_settles_it(world, rate, correction_first):
    statement = march_statement(world)
    assert statement.net_amount == Decimal("12480.00")
    if correction_first:
        correction = correct(world, statement, "-1200")
    pay(world, statement, "11112.00", dt.date(2026, 5, 20))
    if not correction_first:
        correction = correct(world, statement, "-1200")
    assert correction.net_amount == Decimal("-1368.00")

    status = billing_selectors.statement_status(statement, on=dt.date(2027, 5, 20))
    assert status["outstanding"] == 0 and status["paid"] == Decimal("11112.00")
    assert status["total"] == Decimal("11112.00")
    assert status["days_to_pay"] == 49 and not status["is_overdue"]
    # 19 days late on the 11 112.00 really owed, then nothing: no interest on the credited 1 368.00.
    expected = common_money.money(interest("11112", 19))
    assert status["late_interest"] == expected == billing_payments.late_interest(statement, dt.date(2026, 5, 20))
    assert billing_payments.outstanding_amount(statement) == 0 and billing_payments.days_to_pay(statement) == 49
    # The correction belongs to the same debt and shows the same figures.
    assert billing_selectors.statement_status(correction, on=dt.date(2027, 5, 20)) == status
    with pytest.raises(Conflict):  # settled: nothing more can be recorded
        pay(world, statement, "0.01", dt.date(2026, 6, 1))


@pytest.mark.django_db
def test_the_statement_page_shows_the_netted_outstanding_amount(world, client):
    statement = march_statement(world)
    correction = correct(world, statement, "-1200")
    client.force_login(world.billing_admin)
    response = client.post(f"/fibre/statements/{statement.pk}/payments/", {
        "amount": "11112.00", "paid_on": "2026-05-20", "reference": "OV 1", "form_token": str(uuid.uuid4())})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(f"/fibre/statements/{statement.pk}/")
    assert page.context["status"]["outstanding"] == 0 and page.context["status"]["days_to_pay"] == 49
    on_correction = client.get(f"/fibre/statements/{correction.pk}/")
    assert on_correction.context["status"]["outstanding"] == 0


@pytest.mark.django_db
def test_the_api_and_the_pages_show_the_debt_not_the_statement_alone(world, client):
    """The statement list, the correction's page and the API all give the netted figures (a credit of 1 368.00
    and a payment of 11 112.00 settle a 12 480.00 statement), long after the due date."""
    statement = march_statement(world)
    correction = correct(world, statement, "-1200")
    pay(world, statement, "11112.00", dt.date(2026, 5, 20))
    client.force_login(world.billing_admin)

    one = client.get(f"/fibre/api/v1/statement/{statement.number}").json()
    figures = (Decimal(one["outstandingAmount"]), Decimal(one["paidAmount"]), one["daysToPay"])
    assert figures == (0, Decimal("11112"), 49)
    listed = {item["number"]: item for item in client.get("/fibre/api/v1/statement").json()["items"]}
    assert Decimal(listed[statement.number]["outstandingAmount"]) == 0
    assert Decimal(listed[correction.number]["outstandingAmount"]) == 0
    assert listed[correction.number]["corrects"] == statement.number

    html = client.get("/fibre/statements/").content.decode()
    row = html.split(f'id="statement-{statement.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "overdue" not in row and "0,00" in row

    response = client.get(f"/fibre/statements/{correction.pk}/")
    page = response.content.decode()
    assert 'id="paid-with"' in page and statement.number in page
    assert 'id="record-payment"' not in page and 'id="issue-correction"' not in page
    # the debt's payment (recorded on the original) is listed on the correction's page too
    assert [p.amount for p in response.context["payments"]] == [Decimal("11112.00")]


# --------------------------------------------------------------------------- payments against the netted amount


@pytest.mark.django_db
def test_paying_more_than_the_netted_amount_is_refused(world):
    statement = march_statement(world)
    correct(world, statement, "-1200")
    with pytest.raises(Conflict, match="11\xa0112,00\xa0DA"):
        pay(world, statement, "11112.01", dt.date(2026, 5, 20))
    pay(world, statement, "11000", dt.date(2026, 5, 20))
    with pytest.raises(Conflict):
        pay(world, statement, "112.01", dt.date(2026, 5, 21))
    pay(world, statement, "112", dt.date(2026, 5, 21))
    assert billing_payments.outstanding_amount(statement) == 0 and billing_payments.days_to_pay(statement) == 50
    assert Payment.objects.count() == 2


@pytest.mark.django_db
def test_a_payment_is_recorded_on_the_original_not_on_its_correction(world, client):
    statement = march_statement(world)
    correction = correct(world, statement, "500")
    with pytest.raises(Conflict, match=statement.number):
        pay(world, correction, "100", dt.date(2026, 5, 20))
    cache.clear()
    client.force_login(world.billing_admin)
    response = client.post(f"/fibre/statements/{correction.pk}/payments/", {
        "amount": "100", "paid_on": "2026-05-20", "form_token": str(uuid.uuid4())})
    assert response.status_code == 409 and statement.number in response.content.decode()
    api = client.post(f"/fibre/api/v1/statement/{correction.number}/payment",
                      {"amount": "100", "paid_on": "2026-05-20"}, content_type="application/json")
    assert api.status_code == 409 and statement.number in api.json()["detail"]
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_positive_correction_adds_to_what_is_owed_from_its_own_due_date(world, rate):
    statement = march_statement(world)
    pay(world, statement, "12480", dt.date(2026, 5, 1))  # on time
    assert billing_payments.days_to_pay(statement) == 30
    correction = correct(world, statement, "1000", reason="Chambre oubliée")  # net 1 140.00, issued today
    assert correction.net_amount == Decimal("1140.00") and correction.due_on > timezone.localdate()
    status = billing_selectors.statement_status(statement)
    assert status["outstanding"] == Decimal("1140.00") and status["days_to_pay"] is None
    assert not status["is_overdue"] and status["late_interest"] == 0  # the extra amount is not due yet
    later = correction.due_on + dt.timedelta(days=30)
    assert billing_payments.late_interest(statement, later) == common_money.money(interest("1140", 30))
    assert billing_selectors.statement_status(statement, on=later)["is_overdue"]
    with pytest.raises(Conflict):
        pay(world, statement, "1140.01", timezone.localdate())
    pay(world, statement, "1140", timezone.localdate())
    assert billing_payments.outstanding_amount(statement) == 0
    assert billing_payments.days_to_pay(statement) == (timezone.localdate() - dt.date(2026, 4, 1)).days


# --------------------------------------------------------------------------- credits are bounded


@pytest.mark.django_db
def test_a_credit_larger_than_the_statement_is_refused(world, client):
    statement = march_statement(world)
    with pytest.raises(ValidationError) as refused:
        correct(world, statement, "-99999999")
    assert "gross_adjustment" in refused.value.message_dict
    cache.clear()
    client.force_login(world.billing_admin)
    page = client.post(f"/fibre/statements/{statement.pk}/corrections/", {
        "gross_adjustment": "-99999999", "reason": "Trop", "form_token": str(uuid.uuid4())})
    assert page.status_code == 400 and "12\xa0000,00\xa0DA" in page.content.decode()
    api = client.post(f"/fibre/api/v1/statement/{statement.number}/correction",
                      {"gross_adjustment": "-99999999", "reason": "Trop"}, content_type="application/json")
    assert api.status_code == 422 and "gross_adjustment" in api.json()["errors"]
    assert PaymentStatement.objects.count() == 1


@pytest.mark.django_db
def test_credits_are_bounded_by_what_the_statement_still_bills(world):
    statement = march_statement(world)  # gross 12 000, net 12 480 after the advance recovery of 1 200
    with pytest.raises(ValidationError, match="zéro|zero"):  # the whole gross back would take the net below 0
        correct(world, statement, "-12000")
    correct(world, statement, "-7000")
    with pytest.raises(ValidationError) as refused:  # 5 000 left after the first credit
        correct(world, statement, "-5000.01")
    assert "gross_adjustment" in refused.value.message_dict
    with pytest.raises(ValidationError, match="zéro|zero"):  # within the gross left, but the net would be −60.00
        correct(world, statement, "-4000")
    with pytest.raises(Conflict):  # a correction is corrected through its original
        correct(world, statement.corrections.get(), "-1")
    assert statement.corrections.count() == 1


@pytest.mark.django_db
def test_a_credit_cannot_take_the_statement_below_what_was_paid(world):
    statement = march_statement(world)
    pay(world, statement, "12000", dt.date(2026, 5, 1))
    with pytest.raises(ValidationError) as error:
        correct(world, statement, "-1200")  # net 11 112 < 12 000 paid
    assert "12\xa0000,00\xa0DA" in error.value.messages[0]
    correct(world, statement, "-400")  # net −456.00: 12 024.00 ≥ 12 000 paid
    assert billing_payments.outstanding_amount(statement) == Decimal("24.00")


# --------------------------------------------------------------------------- interest on what is really owed


def debt(net, due_on, corrections=(), payments=()):
    """A Debt of unsaved rows: corrections [(net, issued on, due on)], payments [(amount, paid on)]."""
    statement = PaymentStatement(pk=1, net_amount=Decimal(net), due_on=due_on, issued_at=at(2026, 1, 1),
                                 issued_on=dt.date(2026, 1, 1))
    return billing_payments.Debt(
        statement,
        tuple(PaymentStatement(pk=10 + i, net_amount=Decimal(n), issued_at=at(issued.year, issued.month, issued.day),
                               issued_on=issued, due_on=due, corrects_id=1)
              for i, (n, issued, due) in enumerate(corrections)),
        tuple(Payment(pk=100 + i, amount=Decimal(a), paid_on=day) for i, (a, day) in enumerate(payments)))


def test_a_credit_reduces_interest_from_the_original_due_date(rate):
    owed = debt("12480", dt.date(2026, 5, 1), corrections=[("-1368", dt.date(2026, 6, 1), dt.date(2026, 7, 1))],
                payments=[("11112", dt.date(2026, 5, 31))])
    assert owed.late_interest(dt.date(2027, 1, 1)) == common_money.money(interest("11112", 30))
    assert owed.outstanding == 0 and owed.days_to_pay() == 150 and not owed.is_overdue(dt.date(2027, 1, 1))


def test_a_positive_correction_bears_interest_from_its_own_due_date_only(rate):
    owed = debt("10000", dt.date(2026, 1, 31), corrections=[("1140", dt.date(2026, 3, 1), dt.date(2026, 3, 31))],
                payments=[("10000", dt.date(2026, 1, 31))])
    assert owed.late_interest(dt.date(2026, 3, 31)) == 0 and not owed.is_overdue(dt.date(2026, 3, 31))
    assert owed.is_overdue(dt.date(2026, 4, 1))
    assert owed.late_interest(dt.date(2026, 4, 30)) == common_money.money(interest("1140", 30))
    # An early payment counts for the oldest amount first, whatever statement it was meant for.
    unpaid = debt("10000", dt.date(2026, 1, 31), corrections=[("1140", dt.date(2026, 3, 1), dt.date(2026, 3, 31))],
                  payments=[("1140", dt.date(2026, 1, 15))])
    assert unpaid.late_interest(dt.date(2026, 3, 31)) == common_money.money(interest("8860", 59))


def test_a_credit_reverses_the_latest_amounts_first(rate):
    # +500 then its reversal: the original's 1 000 stays owed from its own due date.
    reversed_extra = debt("1000", dt.date(2026, 1, 31), corrections=[
        ("500", dt.date(2026, 3, 1), dt.date(2026, 3, 31)), ("-500", dt.date(2026, 3, 10), dt.date(2026, 4, 9))])
    assert reversed_extra.tranches() == [(dt.date(2026, 1, 31), Decimal("1000"))]
    assert reversed_extra.late_interest(dt.date(2026, 4, 30)) == common_money.money(interest("1000", 89))
    # A credit issued before an extra amount reduces the original; the extra amount stays whole.
    credit_first = debt("1000", dt.date(2026, 1, 31), corrections=[
        ("-200", dt.date(2026, 2, 10), dt.date(2026, 3, 12)), ("300", dt.date(2026, 3, 1), dt.date(2026, 3, 31))])
    assert credit_first.tranches() == [(dt.date(2026, 1, 31), Decimal("800")), (dt.date(2026, 3, 31), Decimal("300"))]
    wholly_credited = debt("1000", dt.date(2026, 1, 31), corrections=[("-1000", dt.date(2026, 2, 1),
                                                                        dt.date(2026, 3, 3))])
    assert wholly_credited.late_interest(dt.date(2027, 1, 1)) == 0 and wholly_credited.days_to_pay() is None
    assert not wholly_credited.is_overdue(dt.date(2027, 1, 1))


# --------------------------------------------------------------------------- per contractor and per wilaya


@pytest.mark.django_db
def test_payment_delays_per_contractor_and_wilaya_show_netted_figures(world, rate):
    settled = march_statement(world)
    correct(world, settled, "-1200")
    pay(world, settled, "11112", dt.date(2026, 5, 20))
    accepted_line(world, "GC-01", 5, at(2026, 4, 5))  # April: gross 6 000, net 6 240
    april = billing_statements.do_issue_statements(world.contract, dt.date(2026, 4, 30), world.billing_admin,
                                        now=at(2026, 5, 1))
    correct(world, april, "-1000")  # net −1 140.00: 5 100.00 owed, due 31 May 2026
    pay(world, april, "100", dt.date(2026, 6, 30))
    today = timezone.localdate()
    open_interest = common_money.money(interest("5100", 30) + interest("5000", (today - dt.date(2026, 6, 30)).days))

    for by in ("contractor", "wilaya"):
        (row,) = billing_selectors.days_to_pay(world.programme, by=by)
        assert row["paid_statements"] == 1 and row["open_statements"] == 1, by
        assert row["mean_days_to_pay"] == Decimal("49.0"), by
        assert row["outstanding"] == Decimal("5000.00"), by
        assert row["late_interest"] == common_money.money(interest("11112", 19)) + open_interest, by
    assert billing_selectors.days_to_pay(world.programme, by="wilaya")[0]["key"].code == "16"

    listed = {s.number: s for s in billing_selectors.statements_of(world.billing_admin)}
    assert listed[settled.number].debt_outstanding == 0 and listed[settled.number].paid == Decimal("11112.00")
    assert listed[april.number].debt_outstanding == Decimal("5000.00")
    correction = april.corrections.get()
    assert listed[correction.number].debt_outstanding == Decimal("5000.00") and listed[correction.number].paid == 0


def corrected_and_paid_month(world, month):
    """A month's statement with a small credit correction and a partial payment."""
    accepted_line(world, "GC-01", 2, at(2026, month, 5))
    end = dt.date(2026, month + 1, 1) - dt.timedelta(days=1)
    statement = billing_statements.do_issue_statements(world.contract, end, world.billing_admin, now=at(2026,
                                                                                                        month + 1, 1))
    correct(world, statement, "-100")
    pay(world, statement, "10", dt.date(2026, month + 1, 2))


@pytest.mark.django_db
def test_payment_delays_do_not_query_once_per_statement(world):
    def count(by):
        with CaptureQueriesContext(connection) as queries:
            billing_selectors.days_to_pay(world.programme, by=by)
        return len(queries)

    corrected_and_paid_month(world, 1)
    one = {by: count(by) for by in ("contractor", "wilaya")}
    for month in (2, 3, 4):
        corrected_and_paid_month(world, month)
    assert {by: count(by) for by in ("contractor", "wilaya")} == one


@pytest.mark.django_db
def test_a_page_of_statements_gets_its_statuses_in_a_few_queries(world):
    def page():
        with CaptureQueriesContext(connection) as queries:
            listed = billing_selectors.statement_statuses(billing_selectors.statements_of(world.billing_admin)[:50])
        return listed, len(queries)

    corrected_and_paid_month(world, 1)
    _listed, one = page()
    for month in (2, 3, 4):
        corrected_and_paid_month(world, month)
    listed, four = page()
    assert four == one and len(listed) == 8
    for statement in listed:
        assert statement.status == billing_selectors.statement_status(statement)
        assert statement.status["outstanding"] == statement.debt_outstanding


# --------------------------------------------------------------------------- property


operations = st.lists(st.one_of(
    st.tuples(st.just("correct"), st.integers(0, 1), st.decimals(min_value=Decimal("-15000"),
                                                                  max_value=Decimal("3000"), places=2),
              st.sampled_from([Decimal("0"), Decimal("-200"), Decimal("300")])),
    st.tuples(st.just("pay"), st.integers(0, 1), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9000"),
                                                              places=2), st.integers(0, 150)),
    st.tuples(st.just("pay_correction"), st.integers(0, 1), st.just(Decimal("1")), st.just(0)),
), min_size=1, max_size=8)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_what_is_owed_is_nets_less_payments_and_never_negative(world, ops):
    with transaction.atomic():
        statements = [march_statement(world)]
        accepted_line(world, "CAB-01", 40, at(2026, 4, 5))
        statements.append(billing_statements.do_issue_statements(world.contract, dt.date(2026, 4, 30),
                                                                 world.billing_admin,
                                                      now=at(2026, 5, 1)))
        for kind, target, amount, extra in ops:
            statement = statements[target]
            try:
                if kind == "correct":
                    correct(world, statement, amount, penalty=extra)
                elif kind == "pay":
                    pay(world, statement, amount, dt.date(2026, 5, 1) + dt.timedelta(days=extra))
                elif statement.corrections.exists():
                    pay(world, statement.corrections.first(), amount, dt.date(2026, 6, 1))
            except (ValidationError, Conflict):
                pass
        total_outstanding = Decimal("0")
        for statement in statements:
            members = [statement, *statement.corrections.all()]
            nets = sum((s.net_amount for s in members), Decimal("0"))
            paid = sum((p.amount for p in Payment.objects.filter(statement__in=members)), Decimal("0"))
            assert all(p.statement_id == statement.pk for p in Payment.objects.filter(statement__in=members))
            assert sum((s.gross_amount for s in members), Decimal("0")) >= 0
            outstanding = billing_payments.outstanding_amount(statement)
            assert outstanding == nets - paid >= 0
            for member in members:
                seen = billing_selectors.statements_of(world.billing_admin).get(pk=member.pk)
                assert seen.debt_outstanding == outstanding
            assert (billing_payments.days_to_pay(statement) is not None) == (outstanding == 0 and nets > 0)
            if outstanding == 0:  # settled: interest stops
                assert billing_payments.late_interest(statement, dt.date(2030, 1,
                        1)) == billing_payments.late_interest(statement)
            total_outstanding += outstanding
        rows = billing_selectors.days_to_pay(world.programme)
        assert sum((row["outstanding"] for row in rows), Decimal("0")) == total_outstanding
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_correction_applies_its_penalty_as_asked_within_what_the_debt_allows(world):
    statement = march_statement(world)  # net 12 480.00, no penalty
    correction = correct(world, statement, "0", penalty="500")
    assert (correction.penalty_amount, correction.vat_amount, correction.net_amount) == (
        Decimal("500.00"), Decimal("-95.00"), Decimal("-595.00"))
    with pytest.raises(ValidationError, match="600,00"):
        correct(world, statement, "0", penalty="-600")  # only 500.00 of penalties were charged
    refund = correct(world, statement, "0", penalty="-500")
    assert refund.net_amount == Decimal("595.00")
    with pytest.raises(ValidationError):  # rounds to nothing at all
        correct(world, statement, "0.001")
    assert billing_payments.outstanding_amount(statement) == Decimal("12480.00")


@pytest.mark.django_db
def test_a_settled_statement_with_a_correction_not_yet_due_is_not_shown_overdue(world, client):
    statement = march_statement(world)  # due 1 May 2026
    pay(world, statement, statement.net_amount, dt.date(2026, 4, 20))
    correct(world, statement, "1000")  # positive: due 30 days from today
    assert not billing_selectors.statement_status(statement)["is_overdue"]
    client.force_login(world.billing_admin)
    html = client.get("/fibre/statements/").content.decode()
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert 'class="badge urgent"' not in rows
