"""The monthly statement run with worker processes (`fibre_statements --workers N`), on PostgreSQL.

The processes are real (spawned interpreters with their own connections), so the test's data must be
committed for them to see it: a transactional test, on the test database the parent process uses. On SQLite
a run with workers issues in the calling process (its writers are serialised anyway), which the other
billing tests cover.
"""

import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection, transaction

from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.models import BillingLine, DeploymentEvent, EventKind, PaymentStatement, WorkStatement
from bawaba.deployments.tests.factories import accepted_line, make_contractor
from bawaba.deployments.work import setup as work_setup

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="worker processes are used on PostgreSQL only (DATABASE_URL)"),
]


def at(month, day):
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def contracts_with_january_work(world, count_per_contractor=(3, 2, 1, 1)):
    """Contractors with one or more contracts each, every contract with two lines accepted in January."""
    price_item = world.item("GC-01").price_item
    contracts = []
    for index, count in enumerate(count_per_contractor):
        contractor, _user = make_contractor(f"fibre-proc-{index}", f"fibre.proc{index}")
        for number in range(count):
            contract = work_setup.do_create_contract(
                world.programme, contractor, world.version, reference=f"CT-P{index}-{number}", wilayas=["16"],
                starts_on=dt.date(2026, 1, 1), advance_amount="1000", advance_recovery_rate="0.10")
            order = contract.work_orders.create(reference=f"WO-P{index}-{number}", site=world.site)
            order.items.create(price_item=price_item, planned_quantity=50)
            for day in (5, 20):
                accepted_line(world, "GC-01", index + number + 1, at(1, day), work_order=order)
            contracts.append(contract)
    return contracts


@pytest.mark.django_db(transaction=True)
def test_worker_processes_issue_every_contract_once_with_numbers_without_gaps(world):
    contracts = contracts_with_january_work(world)
    lines_before = BillingLine.objects.count()

    issued = billing_statements.do_issue_monthly_statements(2026, 1, None, now=at(2, 2), workers=2)

    assert sorted(s.contract_id for s in issued) == sorted(c.pk for c in contracts)
    assert PaymentStatement.objects.count() == WorkStatement.objects.count() == len(contracts)
    # Every line on exactly one statement of its contract, and each statement holds its lines' sum.
    assert not BillingLine.objects.filter(work_statement__isnull=True).exists()
    assert BillingLine.objects.count() == lines_before
    for statement in WorkStatement.objects.prefetch_related("lines"):
        lines = list(statement.lines.all())
        assert {line.contract_id for line in lines} == {statement.contract_id}
        assert statement.period_amount == sum(line.amount for line in lines) == statement.cumulative_amount
        assert statement.line_count == len(lines) == 2
    # Per contractor, kind and year: 1, 2, 3, … with no gap and no repeat.
    sequences = defaultdict(list)
    for model in (WorkStatement, PaymentStatement):
        for statement in model.objects.all():
            sequences[(model.__name__, statement.contractor_id, statement.year)].append(statement.sequence)
            assert statement.number.endswith(f"-{statement.contractor_id:05d}-{statement.sequence:05d}")
    for key, numbers in sequences.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
    for statement in PaymentStatement.objects.all():
        assert (statement.gross_amount - statement.retention_amount - statement.advance_recovery_amount
                - statement.penalty_amount + statement.vat_amount) == statement.net_amount
        assert statement.amount_in_words_fr and statement.amount_in_words_ar
    events = DeploymentEvent.objects.filter(kind=EventKind.STATEMENT_ISSUED)
    assert sorted(event.data["number"] for event in events) == sorted(s.number for s in issued)

    # Run again: everything is on a statement, nothing is issued twice.
    assert billing_statements.do_issue_monthly_statements(2026, 1, None, now=at(2, 2), workers=2) == []
    assert PaymentStatement.objects.count() == len(contracts)


@pytest.mark.django_db
def test_worker_processes_are_refused_inside_a_transaction_they_could_not_see(world):
    accepted_line(world, "GC-01", 1, at(1, 10))
    assert transaction.get_connection().in_atomic_block
    with pytest.raises(RuntimeError):
        billing_statements.do_issue_monthly_statements(2026, 1, None, now=at(2, 2), workers=2)
    assert not PaymentStatement.objects.exists()
