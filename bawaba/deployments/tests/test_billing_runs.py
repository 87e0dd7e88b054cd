"""A month's statement run over many contracts, and payments recorded by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bawaba.deployments import billing
from bawaba.deployments.models import PaymentStatement
from bawaba.deployments.services import Conflict

from .factories import accepted_line

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12):
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def test_monthly_run_goes_on_past_a_contract_already_covered_by_a_later_statement(world):
    accepted_line(world, "GC-01", 1, at(2026, 2, 10))
    billing.do_issue_statements(world.contract, dt.date(2026, 2, 28), None, now=at(2026, 3, 1))
    accepted_line(world, "GC-01", 1, at(2026, 1, 20))  # late line of January on the covered contract
    other_order = world.other_contract.work_orders.create(reference="WO-X", site=world.site)
    other_order.items.create(price_item=world.item("GC-01").price_item, planned_quantity=5)
    accepted_line(world, "GC-01", 1, at(2026, 1, 20), work_order=other_order)

    issued = billing.do_issue_monthly_statements(2026, 1, world.billing_admin, now=at(2026, 3, 2))

    assert [s.contract for s in issued] == [world.other_contract]
    assert PaymentStatement.objects.filter(contract=world.contract).count() == 1  # the February one only


def test_an_operator_run_issues_nothing_for_another_operators_contracts(world, orgs):
    from bawaba.orgs.services import do_add_staff

    accepted_line(world, "GC-01", 1, at(2026, 1, 20))
    poste_admin = do_add_staff(orgs["algerie-poste"], {"username": "poste.billing", "role": "org_admin",
                                                       "password": "correct horse 42"})
    assert billing.do_issue_monthly_statements(2026, 1, poste_admin, now=at(2026, 2, 2)) == []
    assert not PaymentStatement.objects.exists()


def test_a_payment_needs_a_date_and_an_overpayment_names_formatted_amounts(world):
    accepted_line(world, "GC-01", 10, at(2026, 3, 5))
    statement = billing.do_issue_statements(world.contract, dt.date(2026, 3, 31), None, now=at(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        billing.do_record_payment(statement, amount="10", paid_on=None, actor=world.billing_admin)
    assert "paid_on" in error.value.message_dict
    with pytest.raises(Conflict) as conflict:
        billing.do_record_payment(statement, amount="99999999", paid_on=dt.date(2026, 4, 2),
                                  actor=world.billing_admin)
    assert "99 999 999,00 DZD" in str(conflict.value) and statement.number in str(conflict.value)
    assert not statement.payments.exists()


def test_late_interest_is_the_central_bank_key_rate_plus_one_point_unless_set_outright(settings):
    settings.FIBRE_LATE_INTEREST_RATE = None
    settings.FIBRE_CENTRAL_BANK_KEY_RATE = "0.0325"
    assert billing.late_interest_rate() == Decimal("0.0425")
    settings.FIBRE_LATE_INTEREST_RATE = "0.08"
    assert billing.late_interest_rate() == Decimal("0.08")
