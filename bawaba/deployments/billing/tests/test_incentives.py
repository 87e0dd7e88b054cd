"""Incentive rules of a contract: bonuses for first-time-right work and early completion, computed on each
statement at issue and explained on it (bawaba.deployments.incentives)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from bawaba.deployments.billing import incentives as billing_incentives
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.models import (
    Decision,
    FieldReport,
    IncentiveKind,
    IncentiveRule,
    ReportedItem,
    StatementIncentive,
    WorkOrder,
    WorkOrderState,
)
from bawaba.deployments.tests.factories import accepted_line

MARCH = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
ISSUE = dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC)


def _rule(kind, **values):
    return IncentiveRule(kind=kind, **values)  # unsaved: the arithmetic needs no database


def test_first_time_right_bonus_is_a_share_of_the_gross_above_the_threshold():
    rule = _rule(IncentiveKind.FIRST_TIME_RIGHT, threshold=Decimal("0.95"), rate=Decimal("0.02"))
    award = billing_incentives.first_time_right_award(rule, gross=Decimal("12345.67"), items=20, right_first_time=19)
    assert award.amount == Decimal("246.91") and award.basis["share"] == "0.9500"
    assert billing_incentives.first_time_right_award(rule, gross=Decimal("12345.67"), items=20,
                                                     right_first_time=18) is None
    assert billing_incentives.first_time_right_award(rule, gross=Decimal("0"), items=0, right_first_time=0) is None


def test_early_completion_bonus_counts_orders_finished_days_before_their_due_date():
    rule = _rule(IncentiveKind.EARLY_COMPLETION, amount=Decimal("1500"), days_early=3)
    orders = [("WO-1", dt.date(2026, 3, 20), dt.date(2026, 3, 17)),  # 3 days early: counts
              ("WO-2", dt.date(2026, 3, 20), dt.date(2026, 3, 18)),  # 2 days: not enough
              ("WO-3", None, dt.date(2026, 3, 1))]  # no due date: nothing to beat
    award = billing_incentives.early_completion_award(rule, orders)
    assert award.amount == Decimal("1500.00") and award.basis["orders"] == ["WO-1"]
    assert billing_incentives.early_completion_award(rule, orders[1:]) is None


@pytest.mark.django_db
def test_a_statement_carries_its_bonuses_computed_and_explained(world, as_user):
    IncentiveRule.objects.create(contract=world.contract, kind=IncentiveKind.FIRST_TIME_RIGHT,
                                 threshold=Decimal("0.90"), rate=Decimal("0.02"))
    IncentiveRule.objects.create(contract=world.contract, kind=IncentiveKind.EARLY_COMPLETION,
                                 amount=Decimal("2000"), days_early=5)
    accepted_line(world, "GC-01", 10, MARCH)  # 12 000
    accepted_line(world, "SRV-01", 1, MARCH)  # 1 500
    # WO-0001 finished on 10 March, due 31 March: 21 days early.
    WorkOrder.objects.filter(pk=world.work_order.pk).update(
        state=WorkOrderState.COMPLETED, completed_at=dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC),
        due_on=dt.date(2026, 3, 31))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                       now=ISSUE)
    awards = {a.kind: a for a in StatementIncentive.objects.filter(statement=statement)}
    assert awards[IncentiveKind.FIRST_TIME_RIGHT].amount == Decimal("270.00")  # 2 % of 13 500
    assert awards[IncentiveKind.FIRST_TIME_RIGHT].basis["items"] == 2
    assert awards[IncentiveKind.EARLY_COMPLETION].amount == Decimal("2000.00")
    assert awards[IncentiveKind.EARLY_COMPLETION].basis["orders"] == ["WO-0001"]
    with translation.override("en"):
        text = awards[IncentiveKind.FIRST_TIME_RIGHT].explanation
    assert "2 of the 2 work items" in text and "90 %" in text and "13500.00" in text
    # On the statement's page and in the API, with the explanation.
    client = as_user(world.billing_admin)
    page = client.get(f"/fibre/statements/{statement.pk}/").content.decode()
    assert 'id="incentives"' in page and "WO-0001" in page
    assert 'id="bonus-row"' in page and statement.bonus_amount == Decimal("2270.00")  # paid: in the breakdown
    answer = client.get(f"/fibre/api/v1/statement/{statement.number}").json()
    assert answer["bonusAmount"] == "2270.00"
    assert {(i["kind"], i["amount"]) for i in answer["incentives"]} == {
        ("first_time_right", "270.00"), ("early_completion", "2000.00")}


@pytest.mark.django_db
def test_rework_on_the_statement_loses_the_first_time_right_bonus(world):
    IncentiveRule.objects.create(contract=world.contract, kind=IncentiveKind.FIRST_TIME_RIGHT,
                                 threshold=Decimal("0.90"), rate=Decimal("0.02"))
    line = accepted_line(world, "GC-01", 10, MARCH)
    accepted_line(world, "SRV-01", 1, MARCH)
    # GC-01 had been rejected once before it was accepted: 1 of 2 items right the first time.
    rejected = FieldReport.objects.create(client_uuid="00000000-0000-4000-8000-000000000001",
                                          work_order=world.work_order, contractor=world.contractor,
                                          reported_by=world.worker, received_at=MARCH - dt.timedelta(days=2))
    ReportedItem.objects.create(report=rejected, work_item=line.reported_item.work_item, quantity=10,
                                decision=Decision.REJECTED, decided_at=MARCH - dt.timedelta(days=1))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                       now=ISSUE)
    assert not StatementIncentive.objects.filter(statement=statement).exists()


@pytest.mark.django_db
def test_a_contract_without_rules_gets_no_bonus_and_no_extra_query(world, django_assert_max_num_queries):
    accepted_line(world, "GC-01", 10, MARCH)
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                       now=ISSUE)
    assert statement.bonus_amount == 0
    with django_assert_max_num_queries(1):
        assert billing_incentives.rules_by_contract([world.contract.pk]) == {}


@pytest.mark.django_db
def test_replacing_the_rules_keeps_those_that_explain_a_bonus_and_stops_applying_them(world):
    billing_incentives.do_set_incentive_rules(world.contract, [
        {"kind": "first_time_right", "threshold": "0.90", "rate": "0.02"}], actor=world.billing_admin)
    accepted_line(world, "GC-01", 10, MARCH)
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                       now=ISSUE)
    used = statement.incentives.get().rule
    billing_incentives.do_set_incentive_rules(world.contract, [
        {"kind": "early_completion", "amount": "500", "days_early": 2}], actor=world.billing_admin)
    used.refresh_from_db()
    assert not used.is_active and statement.incentives.get().rule == used
    assert list(IncentiveRule.objects.filter(contract=world.contract, is_active=True)
                .values_list("kind", flat=True)) == ["early_completion"]
    with pytest.raises(ValidationError):
        billing_incentives.do_set_incentive_rules(world.contract, [{"kind": "first_time_right", "rate": "0.5"}])
