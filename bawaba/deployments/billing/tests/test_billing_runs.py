"""A month's statement run over many contracts, and payments recorded by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bawaba.deployments.billing import arithmetic as billing_arithmetic
from bawaba.deployments.billing import payments as billing_payments
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.billing import words as billing_words
from bawaba.deployments.common.errors import Conflict
from bawaba.deployments.models import PaymentStatement
from bawaba.deployments.tests.factories import accepted_line

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12):
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def test_monthly_run_goes_on_past_a_contract_already_covered_by_a_later_statement(world):
    accepted_line(world, "GC-01", 1, at(2026, 2, 10))
    billing_statements.do_issue_statements(world.contract, dt.date(2026, 2, 28), None, now=at(2026, 3, 1))
    accepted_line(world, "GC-01", 1, at(2026, 1, 20))  # late line of January on the covered contract
    other_order = world.other_contract.work_orders.create(reference="WO-X", site=world.site)
    other_order.items.create(price_item=world.item("GC-01").price_item, planned_quantity=5)
    accepted_line(world, "GC-01", 1, at(2026, 1, 20), work_order=other_order)

    issued = billing_statements.do_issue_monthly_statements(2026, 1, world.billing_admin, now=at(2026, 3, 2))

    assert [s.contract for s in issued] == [world.other_contract]
    assert PaymentStatement.objects.filter(contract=world.contract).count() == 1  # the February one only


def test_an_operator_run_issues_nothing_for_another_operators_contracts(world, orgs):
    from bawaba.orgs.services import do_add_staff

    accepted_line(world, "GC-01", 1, at(2026, 1, 20))
    poste_admin = do_add_staff(orgs["algerie-poste"], {"username": "poste.billing", "role": "org_admin",
                                                       "password": "correct horse 42"})
    assert billing_statements.do_issue_monthly_statements(2026, 1, poste_admin, now=at(2026, 2, 2)) == []
    assert not PaymentStatement.objects.exists()


def test_a_payment_needs_a_date_and_an_overpayment_names_formatted_amounts(world):
    accepted_line(world, "GC-01", 10, at(2026, 3, 5))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None, now=at(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        billing_payments.do_record_payment(statement, amount="10", paid_on=None, actor=world.billing_admin)
    assert "paid_on" in error.value.message_dict
    with pytest.raises(Conflict) as conflict:
        billing_payments.do_record_payment(statement, amount="99999999", paid_on=dt.date(2026, 4, 2),
                                  actor=world.billing_admin)
    assert "99\xa0999\xa0999,00\xa0DA" in str(conflict.value) and statement.number in str(conflict.value)
    assert not statement.payments.exists()


def test_late_interest_is_the_central_bank_key_rate_plus_one_point_unless_set_outright(settings):
    settings.FIBRE_LATE_INTEREST_RATE = None
    settings.FIBRE_CENTRAL_BANK_KEY_RATE = "0.0325"
    assert billing_arithmetic.late_interest_rate() == Decimal("0.0425")
    settings.FIBRE_LATE_INTEREST_RATE = "0.08"
    assert billing_arithmetic.late_interest_rate() == Decimal("0.08")


# --------------------------------------------------------------------------- a batch of contracts at once


def contract_with_line(world, contractor, reference, quantity, when, *, code="GC-01", **terms):
    from bawaba.deployments.work import setup as work_setup

    contract = work_setup.do_create_contract(world.programme, contractor, world.version, reference=reference,
                                           wilayas=["16"], starts_on=dt.date(2026, 1, 1), **terms)
    order = contract.work_orders.create(reference=f"WO-{reference}", site=world.site)
    order.items.create(price_item=world.item(code).price_item, planned_quantity=500)
    accepted_line(world, code, quantity, when, work_order=order)
    return contract, order


def documents_of(statements):
    """What an issued statement says, without its database ids."""
    fields = ("number", "sequence", "year", "gross_amount", "retention_amount", "advance_recovery_amount",
              "penalty_amount", "taxable_amount", "vat_amount", "net_amount", "amount_in_words_fr",
              "amount_in_words_ar", "due_on", "penalty_detail")
    work_fields = ("number", "sequence", "period_start", "period_end", "previous_cumulative_amount",
                   "period_amount", "cumulative_amount", "line_count")
    return sorted(
        (*(getattr(s, f) for f in fields if f != "penalty_detail"), tuple(tuple(sorted(d.items()))
                                                                      for d in s.penalty_detail),
         *(getattr(s.work_statement, f) for f in work_fields),
         tuple(sorted(s.work_statement.lines.values_list("pk", flat=True))))
        for s in statements)


def test_a_batch_issues_the_same_documents_as_contract_by_contract(world):
    from django.db import transaction

    from bawaba.deployments.models import WorkOrder

    # Contract 1: a December statement already (cumulative, advance partly recovered) and a late work order.
    accepted_line(world, "GC-01", 300, at(2025, 12, 10))
    billing_statements.do_issue_statements(world.contract, dt.date(2025, 12, 31), None, now=at(2026, 1, 2))
    accepted_line(world, "GC-01", 40, at(2026, 1, 12))
    accepted_line(world, "CAB-01", "80.5", at(2026, 1, 31, 23))  # 23:00 UTC is already February 1st in Algiers
    WorkOrder.objects.filter(pk=world.work_order.pk).update(due_on=dt.date(2026, 1, 3), completed_at=at(2026, 1, 9),
                                                                     completion_recorded_at=at(2026, 1, 9))
    # Another contract of the same contractor, and one of another contractor: first statements.
    second, second_order = contract_with_line(world, world.contractor, "CT-2026-003", 7, at(2026, 1, 15),
                                              advance_amount="500", advance_recovery_rate="0.20",
                                              penalty_per_day="300")
    WorkOrder.objects.filter(pk=second_order.pk).update(due_on=dt.date(2026, 1, 10), completed_at=at(2026, 1, 14),
                                                                completion_recorded_at=at(2026, 1, 14))
    other_order = world.other_contract.work_orders.create(reference="WO-X", site=world.site)
    other_order.items.create(price_item=world.item("GC-01").price_item, planned_quantity=5)
    accepted_line(world, "GC-01", 2, at(2026, 1, 20), work_order=other_order)
    contracts = [world.contract, second, world.other_contract]

    with transaction.atomic():
        one_by_one = [billing_statements.do_issue_statements(c, dt.date(2026, 1, 31), None, now=at(2026, 2, 2))
                      for c in contracts]
        expected = documents_of(one_by_one)
        transaction.set_rollback(True)
    batch = billing_statements.do_issue_monthly_statements(2026, 1, None, now=at(2026, 2, 2))

    assert documents_of(batch) == expected
    assert [s.contract for s in batch] == sorted(contracts, key=lambda c: c.pk)
    first = next(s for s in batch if s.contract == world.contract)
    assert first.work_statement.previous.period_end == dt.date(2025, 12, 31)
    assert first.work_statement.line_count == 1  # the line of February 1st (Algiers) waits for February
    assert first.penalty_detail == [{"work_order": "WO-0001", "days": 6, "amount": "6000.00"}]
    assert next(s for s in batch if s.contract == second).number == f"DEC-2026-{world.contractor.pk:05d}-00003"


def test_a_batch_numbers_every_contract_of_a_contractor_after_the_last_number_without_gaps(world):
    accepted_line(world, "GC-01", 1, at(2026, 1, 5))
    billing_statements.do_issue_statements(world.contract, dt.date(2026, 1, 10), None, now=at(2026, 2, 1))  # number 1
    for number in range(3):
        contract_with_line(world, world.contractor, f"CT-N{number}", number + 1, at(2026, 1, 20))
    contract_with_line(world, world.other_contractor, "CT-N9", 1, at(2026, 1, 20))

    issued = billing_statements.do_issue_monthly_statements(2026, 1, None, now=at(2026, 2, 2))

    mine = f"2026-{world.contractor.pk:05d}"
    assert [s.work_statement.number for s in issued[:3]] == [f"SIT-{mine}-{n:05d}" for n in (2, 3, 4)]
    assert [s.number for s in issued[:3]] == [f"DEC-{mine}-{n:05d}" for n in (2, 3, 4)]
    assert issued[3].number == f"DEC-2026-{world.other_contractor.pk:05d}-00001"


def test_a_failure_in_a_batch_leaves_nothing_behind_and_gives_its_numbers_back(world, monkeypatch):
    from bawaba.deployments.models import BillingLine, DeploymentEvent, DocumentCounter, WorkStatement

    accepted_line(world, "GC-01", 1, at(2026, 1, 5))
    contract_with_line(world, world.other_contractor, "CT-F1", 2, at(2026, 1, 6))
    words = billing_words.amount_in_words
    calls = []

    def fails_on_the_second_contract(amount, lang, *currency):
        calls.append(lang)
        if len(calls) > 2:
            raise RuntimeError("printer on fire")
        return words(amount, lang, *currency)

    with monkeypatch.context() as patch:
        patch.setattr(billing_statements, "amount_in_words", fails_on_the_second_contract)
        with pytest.raises(RuntimeError):
            billing_statements.do_issue_monthly_statements(2026, 1, None, now=at(2026, 2, 2))
    assert not PaymentStatement.objects.exists() and not WorkStatement.objects.exists()
    assert not BillingLine.objects.filter(work_statement__isnull=False).exists()
    assert not DocumentCounter.objects.exists()
    assert not DeploymentEvent.objects.filter(kind="statement_issued").exists()

    issued = billing_statements.do_issue_monthly_statements(2026, 1, None, now=at(2026, 2, 2))
    assert [s.sequence for s in issued] == [1, 1] and [s.work_statement.sequence for s in issued] == [1, 1]


def test_a_monthly_run_needs_the_same_number_of_queries_for_two_contracts_as_for_ten(world, orgs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bawaba.deployments.tests.factories import make_contractor

    def run_with(count, month):
        for number in range(count):
            contractor, _user = make_contractor(f"q-{month}-{number}", f"q{month}.{number}")
            contract_with_line(world, contractor, f"CT-Q{month}-{number}", 1, at(2026, month, 10),
                               penalty_per_day="100")
        with CaptureQueriesContext(connection) as queries:
            issued = billing_statements.do_issue_monthly_statements(2026, month, None, now=at(2026, 6, 2))
        assert len(issued) == count
        return len(queries)

    assert run_with(2, 1) == run_with(10, 2)
