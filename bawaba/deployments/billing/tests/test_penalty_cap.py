"""Late penalties capped over the contract, as the contract states it: what one statement cannot charge is carried
to the next ones, never lost (the audit's case: 30,000.00 due, 3,635.05 charged, 26,364.95 dropped)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from bawaba.deployments.billing import arithmetic as billing_arithmetic
from bawaba.deployments.billing import documents as billing_documents
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.models import Contract, WorkOrder
from bawaba.deployments.tests.factories import accepted_line

from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


def at(month, day):
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def issue(world, month, last_day):
    return billing_statements.do_issue_statements(world.contract, dt.date(2026, month, last_day), world.billing_admin,
                                       now=at(month + 1, 2))


@pytest.fixture
def audit_march(world):
    """March: 36,350.50 of work and one order finished 30 days late at 1,000.00 a day (cap 10 %)."""
    accepted_line(world, "GC-01", 25, at(3, 5))            # 30 000.00
    accepted_line(world, "DRP-01", "0.001", at(3, 6))      # 4.50
    accepted_line(world, "ACT-01", "3.173", at(3, 7))      # 6 346.00
    WorkOrder.objects.filter(pk=world.site_order.pk).update(due_on=dt.date(2026, 3, 1), state="completed",
                                                            completed_at=at(3, 31), completion_recorded_at=at(3, 31))
    return issue(world, 3, 31)


def test_the_audit_case_charges_the_statement_cap_and_carries_the_rest(world, audit_march):
    march = audit_march
    assert march.gross_amount == D("36350.50")
    assert march.penalty_due_amount == D("30000.00")
    assert march.penalty_amount == D("3635.05")            # 10 % of this statement's gross
    assert march.penalty_carried_amount == D("26364.95")   # carried, not lost
    assert march.penalty_carried_in_amount == 0 and march.penalty_waived_amount == 0
    assert march.net_amount == march.gross_amount - march.retention_amount - march.advance_recovery_amount \
        - march.penalty_amount + march.vat_amount

    accepted_line(world, "GC-01", 250, at(4, 10))          # April: 300 000.00
    april = issue(world, 4, 30)
    assert april.penalty_due_amount == 0
    assert april.penalty_carried_in_amount == D("26364.95")
    assert april.penalty_amount == D("26364.95")           # billed later, within the cap
    assert april.penalty_carried_amount == 0
    assert april.penalty_charged_to_date_amount == D("30000.00")
    assert april.penalty_contract_cap_amount == D("33635.05")  # 10 % of the 336 350.50 billed so far
    assert april.taxable_amount == april.gross_amount - D("26364.95")


def test_a_small_month_charges_what_it_can_and_carries_on(world, audit_march):
    accepted_line(world, "GC-01", 100, at(4, 10))          # 120 000.00: at most 12 000.00 this time
    april = issue(world, 4, 30)
    assert (april.penalty_amount, april.penalty_carried_amount) == (D("12000.00"), D("14364.95"))
    accepted_line(world, "GC-01", 200, at(5, 10))
    may = issue(world, 5, 31)
    assert (may.penalty_carried_in_amount, may.penalty_amount, may.penalty_carried_amount) == (
        D("14364.95"), D("14364.95"), 0)
    assert D("3635.05") + D("12000.00") + D("14364.95") == D("30000.00")


def test_the_cap_over_a_stated_contract_amount_is_never_exceeded(world):
    Contract.objects.filter(pk=world.contract.pk).update(contract_amount=D("200000.00"))  # cap 20 000.00
    world.contract.refresh_from_db()
    accepted_line(world, "GC-01", 25, at(3, 5))
    accepted_line(world, "DRP-01", "0.001", at(3, 6))
    accepted_line(world, "ACT-01", "3.173", at(3, 7))
    WorkOrder.objects.filter(pk=world.site_order.pk).update(due_on=dt.date(2026, 3, 1), state="completed",
                                                            completed_at=at(3, 31), completion_recorded_at=at(3, 31))
    march = issue(world, 3, 31)
    assert march.penalty_contract_cap_amount == D("20000.00")
    assert (march.penalty_amount, march.penalty_carried_amount, march.penalty_waived_amount) == (
        D("3635.05"), D("16364.95"), D("10000.00"))
    accepted_line(world, "GC-01", 250, at(4, 10))
    april = issue(world, 4, 30)
    assert (april.penalty_amount, april.penalty_carried_amount, april.penalty_charged_to_date_amount) == (
        D("16364.95"), 0, D("20000.00"))
    # a later delay finds the cap used up: nothing more is charged, and it says so
    WorkOrder.objects.filter(pk=world.work_order.pk).update(due_on=dt.date(2026, 5, 1), state="completed",
                                                            completed_at=at(5, 6), completion_recorded_at=at(5, 6))
    accepted_line(world, "GC-01", 10, at(5, 10))
    may = issue(world, 5, 31)
    assert (may.penalty_due_amount, may.penalty_amount, may.penalty_waived_amount) == (D("5000.00"), 0, D("5000.00"))


def test_the_position_is_plain_arithmetic():
    position = billing_arithmetic.penalty_position(due=D("30000"), carried_in=D("0"), gross=D("36350.50"),
                                                   cap_rate=D("0.10"),
                                        contract_amount=None, cumulative_gross=D("36350.50"), charged_before=D("0"))
    assert (position.charge, position.owed - position.charge, position.waived) == (
        D("3635.05"), D("26364.95"), D("0"))


def test_the_statement_prints_due_cap_and_carried(world, audit_march, as_user):
    with translation.override("fr"):
        text = pdf_text(billing_documents.payment_statement_pdf(audit_march))
    for label, amount in [("Pénalités de retard dues pour cette période", "30 000,00 DA"),
                          ("Plafond sur tout le marché", "3 635,05 DA"),
                          ("Imputées sur ce décompte", "3 635,05 DA"),
                          ("Reportées sur les décomptes suivants", "26 364,95 DA")]:
        assert label in text and amount in text, label
    page = as_user(world.billing_admin).get(f"/fibre/statements/{audit_march.pk}/").content.decode()
    block = page[page.index('id="penalty-cap"'):]
    block = block[:block.index("</table>")]
    assert "26" in block and "364,95" in block and "30" in block


def test_the_api_gives_the_penalty_position(world, audit_march, as_user):
    body = as_user(world.billing_admin).get(f"/fibre/api/v1/statement/{audit_march.number}").json()
    assert body["penaltyDueAmount"] in ("30000.00", 30000.0, "30000")
    assert D(str(body["penaltyCarriedAmount"])) == D("26364.95")
    assert D(str(body["penaltyAmount"])) == D("3635.05")
    assert connection.vendor in ("sqlite", "postgresql")


def test_statements_issued_before_the_carry_get_it_back_from_the_migration(world, audit_march):
    """The data migration replays the old statements: what they dropped is carried into the next statement."""
    import importlib

    from django.db.migrations.executor import MigrationExecutor

    with connection.cursor() as cursor:  # as a statement issued before the carry existed was stored
        cursor.execute("UPDATE deployments_paymentstatement SET penalty_due_amount = 0, penalty_carried_amount = 0, "
                       "penalty_contract_cap_amount = NULL WHERE id = %s", [audit_march.pk])
    migration = importlib.import_module("bawaba.deployments.migrations.0009_backfill_penalty_carry")
    state = MigrationExecutor(connection).loader.project_state(("deployments", "0009_backfill_penalty_carry"))
    migration.backfill(state.apps, None)
    audit_march.refresh_from_db()
    assert (audit_march.penalty_due_amount, audit_march.penalty_carried_amount) == (D("30000.00"), D("26364.95"))
    accepted_line(world, "GC-01", 250, at(4, 10))
    assert issue(world, 4, 30).penalty_amount == D("26364.95")
