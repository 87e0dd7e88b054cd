"""Billing arithmetic, statements, numbering, immutability, payments and interest."""

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bawaba.deployments.billing import arithmetic as billing_arithmetic
from bawaba.deployments.billing import payments as billing_payments
from bawaba.deployments.billing import selectors as billing_selectors
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.billing import words as billing_words
from bawaba.deployments.common import money as common_money
from bawaba.deployments.common.errors import Conflict
from bawaba.deployments.models import (
    BillingLine,
    Contract,
    ImmutableDocumentError,
    PaymentStatement,
    PaymentStatementKind,
    WorkStatement,
)
from bawaba.deployments.tests.factories import accepted_line

UTC = dt.UTC


def at(year, month, day, hour=12):
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


# --------------------------------------------------------------------------- pure arithmetic

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2)
# Small amounts too: rounding to the centime matters most there.
amounts = st.one_of(st.decimals(min_value=Decimal("0"), max_value=Decimal("2"), places=2), money)
rate = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.3"), places=4)
vat_rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.25"), places=4)


@st.composite
def contract_rates(draw):
    """(retention, advance recovery, penalty cap) in any order, below 100 % together as Contract.clean requires."""
    first = draw(st.integers(min_value=0, max_value=9999))
    second = draw(st.integers(min_value=0, max_value=9999 - first))
    third = draw(st.integers(min_value=0, max_value=9999 - first - second))
    return tuple(Decimal(n).scaleb(-4) for n in draw(st.permutations([first, second, third])))


def centimes(value) -> Fraction:
    """ROUND_HALF_UP to the centime, computed on exact fractions (independent of Decimal.quantize)."""
    scaled = Fraction(value) * 100
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    return Fraction(whole if scaled >= 0 else -whole, 100)


def expected_breakdown(gross, *, retention, recovery, remaining, penalties, cap, vat) -> dict:
    """docs/deployments.md "Billing arithmetic", rule by rule, with exact fractions."""
    gross, remaining, penalties = Fraction(gross), Fraction(remaining), Fraction(penalties)
    retention_amount = centimes(gross * Fraction(retention))                    # 2.
    advance = min(centimes(gross * Fraction(recovery)), remaining)              # 3.
    penalty = min(penalties, centimes(gross * Fraction(cap)))                    # 4.
    if gross >= 0:  # 7. deductions never exceed what is left of the gross
        advance = min(advance, gross - retention_amount)
        penalty = min(penalty, gross - retention_amount - advance)
    taxable = gross - penalty                                                    # 5. VAT base
    vat_amount = centimes(taxable * Fraction(vat))
    net = gross - retention_amount - advance - penalty + vat_amount
    return {"retention": retention_amount, "advance_recovery": advance, "penalties": penalty, "taxable": taxable,
            "vat": vat_amount, "net": net}


@given(gross=amounts, rates=contract_rates(), remaining=amounts, penalties=amounts, vat=vat_rates)
def test_a_payment_statement_follows_the_documented_arithmetic(gross, rates, remaining, penalties, vat):
    retention, recovery, cap = rates
    b = billing_arithmetic.compute_breakdown(gross, retention_rate=retention, advance_recovery_rate=recovery,
                                  advance_remaining=remaining, penalties=penalties, penalty_cap_rate=cap, vat_rate=vat)
    expected = expected_breakdown(gross, retention=retention, recovery=recovery, remaining=remaining,
                                  penalties=penalties, cap=cap, vat=vat)
    assert {key: Fraction(getattr(b, key)) for key in expected} == expected
    assert b.gross == gross
    assert all(amount == amount.quantize(Decimal("0.01")) for amount in
               (b.retention, b.advance_recovery, b.penalties, b.taxable, b.vat, b.net))
    assert 0 <= b.advance_recovery <= remaining  # never more than the advance left
    assert 0 <= b.penalties <= penalties and b.taxable == b.gross - b.penalties
    assert b.retention <= b.gross and b.vat <= b.taxable


@example(gross=Decimal("0.05"), rates=(Decimal("0.3"), Decimal("0.3"), Decimal("0.3")), remaining=Decimal("1"),
         penalties=Decimal("1"), vat=Decimal("0"))
@given(gross=amounts, rates=contract_rates(), remaining=amounts, penalties=amounts, vat=vat_rates)
def test_net_payable_is_never_negative_when_rates_stay_below_100_percent(gross, rates, remaining, penalties, vat):
    retention, recovery, cap = rates
    b = billing_arithmetic.compute_breakdown(gross, retention_rate=retention, advance_recovery_rate=recovery,
                                  advance_remaining=remaining, penalties=penalties, penalty_cap_rate=cap, vat_rate=vat)
    assert b.net >= 0


@given(advance=amounts, recovery=rate, grosses=st.lists(amounts, max_size=15))
def test_advance_recovered_over_successive_statements_never_exceeds_the_advance(advance, recovery, grosses):
    recovered = Decimal("0")
    for gross in grosses:
        # As the billing code does: what is left = the advance minus what earlier statements recovered.
        b = billing_arithmetic.compute_breakdown(gross, retention_rate=Decimal("0.05"), advance_recovery_rate=recovery,
                                      advance_remaining=advance - recovered)
        share = centimes(Fraction(gross) * Fraction(recovery))
        assert Fraction(b.advance_recovery) == min(share, Fraction(advance - recovered))
        recovered += b.advance_recovery
        assert recovered <= advance
    if recovered < advance:  # not yet recovered: every statement took its full share
        assert Fraction(recovered) == sum((centimes(Fraction(g) * Fraction(recovery)) for g in grosses), Fraction(0))


def test_worked_example_of_the_documentation():
    b = billing_arithmetic.compute_breakdown(Decimal("1000000.00"), retention_rate=Decimal("0.05"),
                                  advance_recovery_rate=Decimal("0.10"), advance_remaining=Decimal("60000"),
                                  penalties=Decimal("3000"), penalty_cap_rate=Decimal("0.10"),
                                  vat_rate=Decimal("0.19"))
    assert (b.retention, b.advance_recovery, b.penalties, b.taxable, b.vat, b.net) == (
        Decimal("50000.00"), Decimal("60000.00"), Decimal("3000.00"), Decimal("997000.00"), Decimal("189430.00"),
        Decimal("1076430.00"))


def test_half_centimes_round_up():
    b = billing_arithmetic.compute_breakdown(Decimal("0.50"), retention_rate=Decimal("0.05"), vat_rate=Decimal("0.19"))
    assert b.retention == Decimal("0.03")  # 0.025 → 0.03
    assert b.vat == Decimal("0.10")  # 0.095 → 0.10


def test_amount_in_words_french_and_arabic():
    assert billing_words.amount_in_words(Decimal("1076430.00"), "fr") == \
        "un million soixante-seize mille quatre cent trente dinars algériens"
    assert billing_words.amount_in_words(Decimal("1.50"), "fr") == "un dinar algérien et cinquante centimes"
    # 25 centimes: singular accusative (more cases in test_amount_in_words.py)
    assert billing_words.amount_in_words(Decimal("2500.25"), "ar") == \
        "ألفان و خمسمائة دينار جزائري و خمسة و عشرون سنتيماً"


lines_strategy = st.lists(
    st.tuples(st.decimals(min_value=Decimal("0"), max_value=Decimal("999999.99"), places=2),
              st.datetimes(min_value=dt.datetime(2025, 6, 1), max_value=dt.datetime(2026, 1, 31, 22),
                           timezones=st.just(UTC))),
    max_size=20)


@given(lines=lines_strategy, previous=st.one_of(st.none(), st.tuples(
    st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 12, 31)), money)))
def test_a_work_period_adds_its_lines_to_the_previous_cumulative_amount(lines, previous):
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Africa/Algiers")
    rows = [(pk, amount, moment) for pk, (amount, moment) in enumerate(lines, start=1)]
    period = billing_arithmetic.work_period(rows, period_end=dt.date(2026, 1, 31), starts_on=dt.date(2025, 9, 1),
                                 previous_end=previous[0] if previous else None,
                                 previous_cumulative=previous[1] if previous else None, tz=tz)
    if not rows:
        assert period is None  # never an empty statement
        return
    assert period.period_amount == sum((amount for amount, _at in lines), Decimal("0"))
    assert period.line_ids == tuple(range(1, len(rows) + 1))
    assert period.cumulative == (previous[1] if previous else 0) + period.period_amount
    if previous:
        assert period.period_start == previous[0] + dt.timedelta(days=1)
    else:
        first_day = min(moment.astimezone(tz).date() for _amount, moment in lines)
        assert period.period_start == min(dt.date(2025, 9, 1), first_day)


@given(per_day=st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2),
       orders=st.lists(st.tuples(st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 1, 31)),
                                 st.integers(min_value=0, max_value=30 * 24)), max_size=12))
def test_late_penalties_are_the_days_late_of_each_work_order_times_the_daily_penalty(per_day, orders):
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Africa/Algiers")
    completed = [(f"WO-{n}", due_on, dt.datetime.combine(due_on, dt.time(), tzinfo=tz) + dt.timedelta(hours=hours))
                 for n, (due_on, hours) in enumerate(orders)]
    total, detail = billing_arithmetic.late_penalties(per_day, completed, tz)
    if per_day <= 0:
        assert (total, detail) == (Decimal("0"), [])
        return
    expected = [(f"WO-{n}", hours // 24) for n, (_due, hours) in enumerate(orders) if hours // 24 > 0]
    assert [(entry["work_order"], entry["days"]) for entry in detail] == expected
    assert all(Decimal(entry["amount"]) == per_day * entry["days"] for entry in detail)
    assert total == sum((Decimal(entry["amount"]) for entry in detail), Decimal("0"))


def test_a_period_must_have_ended_and_follow_the_last_statement():
    billing_arithmetic.check_period(dt.date(2026, 1, 31), today=dt.date(2026, 2, 1), previous_end=dt.date(2025, 12, 31))
    with pytest.raises(Conflict):
        billing_arithmetic.check_period(dt.date(2026, 1, 31), today=dt.date(2026, 1, 31), previous_end=None)
    with pytest.raises(Conflict):
        billing_arithmetic.check_period(dt.date(2026, 1, 31), today=dt.date(2026, 3, 1), previous_end=dt.date(2026, 1,
                                                                                                              31))


@pytest.mark.django_db
def test_numbers_are_reserved_for_several_counters_at_once_following_each_last_number(world):
    from bawaba.deployments.models import DocumentCounter

    DocumentCounter.objects.create(contractor=world.contractor, kind="DEC", year=2026, last_number=7)
    with transaction.atomic():
        first = billing_statements.reserve_numbers({(world.contractor.pk, "DEC", 2026): 3, (world.contractor.pk,
                                                                                            "SIT", 2026): 2,
                                         (world.other_contractor.pk, "DEC", 2026): 1})
    assert first == {(world.contractor.pk, "DEC", 2026): 8, (world.contractor.pk, "SIT", 2026): 1,
                     (world.other_contractor.pk, "DEC", 2026): 1}
    assert dict(DocumentCounter.objects.values_list("kind", "last_number").filter(contractor=world.contractor)) == {
        "DEC": 10, "SIT": 2}
    with transaction.atomic():
        assert billing_statements.next_number(world.contractor, "DEC", 2026) == (11,
                f"DEC-2026-{world.contractor.pk:05d}-00011")


# --------------------------------------------------------------------------- statements

pytestmark_db = pytest.mark.django_db


@pytest.mark.django_db
def test_monthly_statements_are_cumulative_and_priced(world):
    accepted_line(world, "GC-01", 10, at(2026, 3, 5))       # 12 000.00
    accepted_line(world, "CAB-01", "80.5", at(2026, 3, 20))  # 12 075.00
    accepted_line(world, "CAB-01", 20, at(2026, 4, 2))      # 3 000.00

    march = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                        now=at(2026, 4, 3))
    ws = march.work_statement
    assert (ws.period_amount, ws.previous_cumulative_amount, ws.cumulative_amount, ws.line_count) == (
        Decimal("24075.00"), Decimal("0.00"), Decimal("24075.00"), 2)
    assert ws.period_start == dt.date(2026, 1, 1)
    assert march.gross_amount == Decimal("24075.00")
    assert march.retention_amount == Decimal("1203.75")
    assert march.advance_recovery_amount == Decimal("2407.50")
    assert march.vat_amount == Decimal("4574.25")
    assert march.net_amount == Decimal("25038.00")
    assert march.amount_in_words_fr == "vingt-cinq mille trente-huit dinars algériens"

    april = billing_statements.do_issue_statements(world.contract, dt.date(2026, 4, 30), world.billing_admin,
                                        now=at(2026, 5, 1))
    assert april.work_statement.previous == ws
    assert april.work_statement.period_start == dt.date(2026, 4, 1)
    assert april.work_statement.cumulative_amount == Decimal("27075.00")
    assert april.gross_amount == Decimal("3000.00")
    # Nothing new: no empty statement.
    assert billing_statements.do_issue_statements(world.contract, dt.date(2026, 5, 31), None, now=at(2026, 6,
                                                                                                     1)) is None


@pytest.mark.django_db
def test_running_statement_shows_what_the_next_statement_will_hold(world):
    accepted_line(world, "GC-01", 10, at(2026, 3, 5))
    billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None, now=at(2026, 4, 1))
    accepted_line(world, "GC-01", 2, at(2026, 4, 5))
    running = billing_selectors.running_statement(world.contract)
    assert running.billed_amount == Decimal("12000.00")
    assert running.unbilled_amount == Decimal("2400.00") and running.unbilled_count == 1
    assert running.cumulative_amount == Decimal("14400.00")


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.tuples(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=28),
                               st.sampled_from(["GC-01", "CAB-01", "EPI-01"]),
                               st.decimals(min_value=Decimal("0.001"), max_value=Decimal("50"), places=3)),
                     min_size=1, max_size=12),
       issue_months=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=6, unique=True),
       advance=st.decimals(min_value=Decimal("0"), max_value=Decimal("20000"), places=2))
def test_statements_never_double_count_an_item(world, plan, issue_months, advance):
    with transaction.atomic():
        Contract.objects.filter(pk=world.contract.pk).update(advance_amount=advance)  # recovery rate 10 %
        for month, day, code, quantity in plan:
            accepted_line(world, code, quantity, at(2026, month, day))
        issued = []
        for month in sorted(issue_months):
            period_end = dt.date(2026, month + 1, 1) - dt.timedelta(days=1)
            statement = billing_statements.do_issue_statements(world.contract, period_end, None, now=at(2026, 7, 15))
            if statement:
                issued.append(statement.work_statement)
        last_month = max(issue_months)
        expected = sum((line.amount for line in BillingLine.objects.filter(contract=world.contract)
                        if line.accepted_at.month <= last_month), Decimal("0"))
        statements = list(WorkStatement.objects.filter(contract=world.contract).order_by("period_end"))
        assert sum((s.period_amount for s in statements), Decimal("0")) == expected
        if statements:
            assert statements[-1].cumulative_amount == expected
        for previous, current in zip(statements, statements[1:], strict=False):
            assert current.previous_cumulative_amount == previous.cumulative_amount
            assert current.cumulative_amount - current.previous_cumulative_amount == current.period_amount
            assert current.period_start == previous.period_end + dt.timedelta(days=1)
        for statement in statements:  # each line sits in exactly one statement, inside its period
            lines = BillingLine.objects.filter(work_statement=statement)
            assert sum((line.amount for line in lines), Decimal("0")) == statement.period_amount
            assert all(line.accepted_at.date() <= statement.period_end for line in lines)
        assert [s.sequence for s in statements] == list(range(1, len(statements) + 1))
        # Successive payment statements recover the advance at 10 % of each gross, never more than is left.
        recovered = Decimal("0")
        for payment in PaymentStatement.objects.filter(contract=world.contract).order_by("sequence"):
            share = centimes(Fraction(payment.gross_amount) * Fraction("0.10"))
            assert Fraction(payment.advance_recovery_amount) == min(share, Fraction(advance - recovered))
            assert payment.taxable_amount == payment.gross_amount - payment.penalty_amount
            recovered += payment.advance_recovery_amount
        assert recovered <= advance
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_numbers_have_no_gap_even_when_an_issue_fails(world, monkeypatch):
    for month in (1, 2, 3):
        accepted_line(world, "GC-01", 1, at(2026, month, 10))
    billing_statements.do_issue_statements(world.contract, dt.date(2026, 1, 31), None, now=at(2026, 4, 1))

    def broken(*args, **kwargs):
        raise RuntimeError("printer on fire")

    with monkeypatch.context() as patch:
        patch.setattr(billing_statements, "amount_in_words", broken)
        with pytest.raises(RuntimeError):
            billing_statements.do_issue_statements(world.contract, dt.date(2026, 2, 28), None, now=at(2026, 4, 1))
    assert BillingLine.objects.filter(work_statement__isnull=False).count() == 1  # rolled back whole
    billing_statements.do_issue_statements(world.contract, dt.date(2026, 2, 28), None, now=at(2026, 4, 1))
    billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None, now=at(2026, 4, 1))
    numbers = list(PaymentStatement.objects.order_by("sequence").values_list("number", flat=True))
    assert numbers == [f"DEC-2026-{world.contractor.pk:05d}-0000{n}" for n in (1, 2, 3)]
    assert list(WorkStatement.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2, 3]
    # A new year starts again at 1.
    accepted_line(world, "GC-01", 1, at(2026, 12, 10))
    january = billing_statements.do_issue_statements(world.contract, dt.date(2026, 12, 31), None, now=at(2027, 1, 2))
    assert january.number.endswith("-00001") and january.year == 2027


@pytest.mark.django_db
def test_statements_numbered_per_contractor(world):
    accepted_line(world, "GC-01", 1, at(2026, 1, 10))
    other_order = world.other_contract.work_orders.create(reference="WO-X", site=world.site)
    other_order.items.create(price_item=world.item("GC-01").price_item, planned_quantity=5)
    accepted_line(world, "GC-01", 1, at(2026, 1, 10), work_order=other_order)
    issued = billing_statements.do_issue_monthly_statements(2026, 1, None, now=at(2026, 2, 1))
    assert sorted(s.sequence for s in issued) == [1, 1]
    assert len({s.number for s in issued}) == 2


@pytest.mark.django_db
def test_issued_documents_never_change_and_corrections_are_new_documents(world):
    accepted_line(world, "GC-01", 10, at(2026, 3, 5))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None, now=at(2026, 4, 1))
    statement.net_amount = Decimal("1")
    with pytest.raises(ImmutableDocumentError):
        statement.save()
    with pytest.raises(ImmutableDocumentError):
        statement.delete()
    with pytest.raises(ImmutableDocumentError):
        PaymentStatement.objects.filter(pk=statement.pk).update(net_amount=0)
    with pytest.raises(ImmutableDocumentError):
        WorkStatement.objects.all().delete()
    with pytest.raises(Conflict):  # the period is covered already
        billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None, now=at(2026, 4, 2))

    with pytest.raises(ValidationError):
        billing_statements.do_issue_correction(statement, gross_adjustment="-1200", reason="",
                                               actor=world.billing_admin)
    # Documents are numbered per year of issue: the correction is issued in the statement's year.
    with time_machine.travel(at(2026, 4, 20), tick=False):
        correction = billing_statements.do_issue_correction(statement, gross_adjustment="-1200",
                                                 reason="Trench measured twice", actor=world.billing_admin)
    assert correction.kind == PaymentStatementKind.CORRECTION and correction.corrects == statement
    assert correction.sequence == statement.sequence + 1
    assert correction.gross_amount == Decimal("-1200.00") and correction.retention_amount == Decimal("-60.00")
    assert correction.vat_amount == Decimal("-228.00") and correction.net_amount == Decimal("-1368.00")
    assert correction.amount_in_words_fr.startswith("moins mille trois cent soixante-huit")
    assert PaymentStatement.objects.filter(pk=statement.pk, net_amount=Decimal("12480.00")).exists()  # unchanged


@pytest.mark.django_db
def test_a_correction_issued_the_next_year_starts_that_years_numbering(world):
    accepted_line(world, "GC-01", 10, at(2026, 11, 5))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 11, 30), None, now=at(2026, 12, 1))
    with time_machine.travel(at(2027, 1, 10), tick=False):
        correction = billing_statements.do_issue_correction(statement, gross_adjustment="-100", reason="Measured twice",
                                                 actor=world.billing_admin)
    assert (statement.year, correction.year) == (2026, 2027)
    assert correction.sequence == 1 and correction.number != statement.number


@pytest.mark.django_db
def test_billing_lines_on_an_issued_statement_never_change(world):
    billed = accepted_line(world, "GC-01", 10, at(2026, 3, 5))  # 12 000.00, on the March statement
    unbilled = accepted_line(world, "GC-01", 1, at(2026, 4, 5))
    march = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None, now=at(2026, 4, 6))
    billed.refresh_from_db()
    assert billed.work_statement == march.work_statement

    billed.work_statement = None  # moved off its statement
    with pytest.raises(ImmutableDocumentError):
        billed.save()
    billed.refresh_from_db()
    billed.amount = Decimal("1")
    with pytest.raises(ImmutableDocumentError):
        billed.save(update_fields=["amount"])
    with pytest.raises(ImmutableDocumentError):
        billed.delete()
    with pytest.raises(ImmutableDocumentError):
        BillingLine.objects.filter(pk=billed.pk).update(amount=0)
    with pytest.raises(ImmutableDocumentError):
        march.work_statement.lines.update(work_statement=None)
    with pytest.raises(ImmutableDocumentError):  # a mix of billed and unbilled lines is refused whole
        BillingLine.objects.filter(contract=world.contract).update(amount=0)
    with pytest.raises(ImmutableDocumentError), transaction.atomic():  # bulk_update dooms its transaction
        BillingLine.objects.bulk_update([billed], ["amount"])
    with pytest.raises(ImmutableDocumentError):
        BillingLine.objects.all().delete()
    stored = BillingLine.objects.get(pk=billed.pk)
    assert (stored.amount, stored.work_statement_id) == (Decimal("12000.00"), march.work_statement_id)
    assert BillingLine.objects.get(pk=unbilled.pk).amount == Decimal("1200.00")

    # Issuing attaches unbilled lines only: a line on a statement is never moved to another one.
    assert BillingLine.objects.filter(pk=billed.pk).attach_unbilled({world.contract.pk: march.work_statement_id}) == 0

    # Lines still on the running statement are not frozen, and the next issue attaches them as before.
    april = billing_statements.do_issue_statements(world.contract, dt.date(2026, 4, 30), None, now=at(2026, 5, 1))
    assert list(april.work_statement.lines.all()) == [unbilled]
    assert march.work_statement.lines.get() == billed


@pytest.mark.django_db
def test_advance_recovery_stops_once_the_advance_is_recovered(world):
    # Advance 100 000, recovery 10 %: three months of 480 000 gross recover 48 000 + 48 000 + 4 000.
    for month in (1, 2, 3):
        accepted_line(world, "GC-01", 400, at(2026, month, 10))
    amounts = []
    for month, end in ((1, 31), (2, 28), (3, 31)):
        statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, month, end), None,
                                                           now=at(2026, 4, 1))
        amounts.append(statement.advance_recovery_amount)
    assert amounts == [Decimal("48000.00"), Decimal("48000.00"), Decimal("4000.00")]


@pytest.mark.django_db
def test_late_work_orders_are_penalised_per_day_with_a_cap(world):
    from bawaba.deployments.models import WorkOrder

    WorkOrder.objects.filter(pk=world.site_order.pk).update(due_on=dt.date(2026, 3, 1), state="completed",
                                                            completed_at=at(2026, 3, 8),
                                                            completion_recorded_at=at(2026, 3, 8))
    accepted_line(world, "SITE-CNX", 1, at(2026, 3, 8), work_order=world.site_order)  # 45 000.00
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None, now=at(2026, 4, 1))
    assert statement.penalty_detail == [{"work_order": "WO-0002", "days": 7, "amount": "7000.00"}]
    assert statement.penalty_amount == Decimal("4500.00")  # capped at 10 % of 45 000
    assert statement.taxable_amount == Decimal("40500.00")
    assert statement.vat_amount == Decimal("7695.00")


@pytest.mark.django_db
def test_only_the_operator_admin_issues_and_records_payments(world):
    accepted_line(world, "GC-01", 10, at(2026, 3, 5))
    for user in (world.worker, world.operator_agent, world.inspector, world.other_worker):
        with pytest.raises(PermissionDenied):
            billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), user, now=at(2026, 4, 1))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                            now=at(2026, 4, 1))
    with pytest.raises(PermissionDenied):
        billing_payments.do_record_payment(statement, amount="10", paid_on=dt.date(2026, 4, 2), actor=world.worker)


@pytest.mark.django_db
def test_payments_days_to_pay_and_late_interest(world, settings):
    settings.FIBRE_LATE_INTEREST_RATE = "0.08"
    accepted_line(world, "GC-01", 10, at(2026, 3, 5))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                            now=at(2026, 4, 1))
    assert statement.due_on == dt.date(2026, 5, 1) and statement.net_amount == Decimal("12480.00")
    with pytest.raises(Conflict):
        billing_payments.do_record_payment(statement, amount="20000", paid_on=dt.date(2026, 5, 2),
                                           actor=world.billing_admin)
    with pytest.raises(ValidationError):
        billing_payments.do_record_payment(statement, amount="-5", paid_on=dt.date(2026, 5, 2),
                                           actor=world.billing_admin)
    with pytest.raises(ValidationError):
        billing_payments.do_record_payment(statement, amount="5", paid_on=dt.date(2026, 3, 2),
                                           actor=world.billing_admin)

    billing_payments.do_record_payment(statement, amount="6240", paid_on=dt.date(2026, 5, 31),
                                       actor=world.billing_admin)
    assert billing_payments.days_to_pay(statement) is None
    # 30 days late on 12 480, then 30 more on 6 240, at 8 % a year.
    expected = common_money.money(Decimal("12480") * Decimal("0.08") * 30 / 365
                             + Decimal("6240") * Decimal("0.08") * 30 / 365)
    assert billing_payments.late_interest(statement, on=dt.date(2026, 6, 30)) == expected == Decimal("123.09")
    billing_payments.do_record_payment(statement, amount="6240", paid_on=dt.date(2026, 6, 30),
                                       actor=world.billing_admin)
    assert billing_payments.days_to_pay(statement) == 90
    assert billing_payments.late_interest(statement, on=dt.date(2026, 12, 31)) == expected  # stops when paid

    by_contractor = billing_selectors.days_to_pay(world.programme)
    assert by_contractor[0]["key"] == world.contractor and by_contractor[0]["mean_days_to_pay"] == Decimal("90.0")
    by_wilaya = billing_selectors.days_to_pay(world.programme, by="wilaya")
    assert [(row["key"].code, row["mean_days_to_pay"]) for row in by_wilaya] == [("16", Decimal("90.0"))]
    status = billing_selectors.statement_status(statement, on=dt.date(2026, 7, 1))
    assert status["outstanding"] == 0 and status["days_to_pay"] == 90 and not status["is_overdue"]
