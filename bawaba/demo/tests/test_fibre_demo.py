"""The fibre part of `bawaba demo load`: months of history played through the fibre services up to a fixed now."""

import datetime as dt
import io
from collections import Counter
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db import transaction

from bawaba.accounts.models import User
from bawaba.demo.fibre import PROGRAMME_CODE, load_fibre_demo
from bawaba.deployments.billing import payments as billing_payments
from bawaba.deployments.field import progress as field_progress
from bawaba.deployments.field import selectors as field_selectors
from bawaba.deployments.models import (
    Decision,
    FieldReport,
    IssuedFile,
    Payment,
    PaymentStatement,
    Programme,
    ReportedItem,
    WorkOrder,
    WorkOrderState,
)

ALGIERS = ZoneInfo("Africa/Algiers")
# A fixed moment (a Wednesday morning in Algiers): nothing here depends on the day the tests run.
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=ALGIERS)
TODAY = NOW.date()


def test_demo_load_plays_six_months_of_fibre_history_up_to_a_fixed_now(db):
    """One load (as `scripts/dev` does, with a small service centre beside it), then what users see."""
    out = io.StringIO()
    call_command("demo", "load", "--requests", "4", "--agents", "4", "--fibre-orders", "12",
                 "--now", NOW.isoformat(), stdout=out)
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    started_six_months_before_now(programme, out.getvalue())
    nothing_happens_after_now()
    work_orders_are_completed_month_after_month_and_recent_ones_are_under_way(programme)
    reports_were_accepted_rejected_and_sent_to_the_inspector(programme)
    monthly_statements_over_several_months_some_paid_and_one_overdue(programme)
    progress_is_there_to_see_per_wilaya(programme)
    a_statement_was_corrected_before_it_was_paid(programme)
    a_line_down_was_repaired_by_maintenance_and_the_citizen_followed_it(programme)
    bonuses_were_awarded_and_explained(programme)
    an_administration_sites_programme_runs_in_congo_brazzaville()
    fibre_users_have_their_module_roles()
    loading_again_leaves_the_fibre_programme_as_it_is()


def started_six_months_before_now(programme, output):
    assert programme.starts_on == dt.date(2026, 5, 1)
    assert programme.operator.slug == "algerie-telecom"
    assert set(programme.contracts.values_list("contractor__slug", flat=True)) == {"fibre-co-1", "fibre-co-2"}
    assert "Fibre loaded in" in output and "overdue" in output
    # Work orders arrived month after month, each import dated when it happened.
    months = {timezone_month(wo.created_at) for wo in WorkOrder.objects.filter(contract__programme=programme)}
    assert months == {(2026, month) for month in range(5, 12)}


def timezone_month(moment):
    local = moment.astimezone(ALGIERS)
    return local.year, local.month


def nothing_happens_after_now():
    assert not FieldReport.objects.filter(received_at__gt=NOW).exists()
    assert not ReportedItem.objects.filter(decided_at__gt=NOW).exists()
    assert not WorkOrder.objects.filter(created_at__gt=NOW).exists()
    assert not PaymentStatement.objects.filter(issued_at__gt=NOW).exists()
    assert not Payment.objects.filter(paid_on__gt=TODAY).exists()


def work_orders_are_completed_month_after_month_and_recent_ones_are_under_way(programme):
    orders = WorkOrder.objects.filter(contract__programme=programme)
    states = Counter(orders.values_list("state", flat=True))
    assert states[WorkOrderState.COMPLETED] >= 10
    assert states[WorkOrderState.IN_PROGRESS] + states[WorkOrderState.ACKNOWLEDGED] >= 2
    completed_months = {timezone_month(wo.completed_at) for wo in orders.filter(state=WorkOrderState.COMPLETED)}
    assert len(completed_months) >= 4


def reports_were_accepted_rejected_and_sent_to_the_inspector(programme):
    items = ReportedItem.objects.filter(report__work_order__contract__programme=programme)
    decisions = Counter(items.values_list("decision", flat=True))
    assert decisions[Decision.ACCEPTED] > decisions[Decision.REJECTED] > 0
    # Some doubtful items still wait in the inspector's queue at `now` ...
    assert decisions[Decision.DOUBTFUL] >= 1
    inspector = User.objects.get(username="at.inspector")
    assert field_selectors.pending_inspections(inspector).exists()
    # ... and the inspector decided others both ways: rejected by the rules (receive power) and by the inspector.
    assert items.filter(decided_by=inspector, decision=Decision.ACCEPTED).exists()
    assert items.filter(decided_by=inspector, decision=Decision.REJECTED).exists()
    assert items.filter(decided_by=None, decision=Decision.REJECTED, reasons__icontains="rx_power").exists()
    # The technicians of each contractor reported their own work.
    for number in (1, 2):
        technician = User.objects.get(username=f"fibre.tech{number}")
        reports = FieldReport.objects.filter(reported_by=technician)
        assert reports.exists()
        assert set(reports.values_list("work_order__contract__contractor__slug", flat=True)) == {f"fibre-co-{number}"}


def monthly_statements_over_several_months_some_paid_and_one_overdue(programme):
    statements = list(PaymentStatement.objects.filter(contract__programme=programme, corrects=None))
    periods = {(s.contract.contractor.slug, s.work_statement.period_end) for s in statements}
    assert len({end for _slug, end in periods}) >= 4
    assert {slug for slug, _end in periods} == {"fibre-co-1", "fibre-co-2"}
    # Issued early in the month after the period, by the billing manager.
    assert all(s.issued_on > s.work_statement.period_end for s in statements)
    debts = [billing_payments.debt_of(s) for s in statements]
    assert sum(debt.outstanding <= 0 for debt in debts) >= 2
    overdue = [s for s, debt in zip(statements, debts, strict=True) if debt.is_overdue(TODAY)]
    assert len(overdue) >= 1
    assert overdue[0].contract.contractor.slug == "fibre-co-2"
    # Payments were recorded when they happened, some after the due date (late interest to show).
    assert Payment.objects.filter(statement__contract__programme=programme).count() >= 2


def progress_is_there_to_see_per_wilaya(programme):
    rows = {row.region.code: row for row in field_progress.programme_progress(programme)}
    assert set(rows) == {"16", "09", "35", "15", "31", "13", "27"}  # many wilayas, in the east and the west
    assert all(row.work_orders > 0 for row in rows.values())
    assert sum(row.completed > 0 and row.accepted_amount > 0 for row in rows.values()) >= 5
    assert sum(row.homes_passed for row in rows.values()) > 0
    assert sum(row.homes_connected for row in rows.values()) > 0


def bonuses_were_awarded_and_explained(programme):
    from bawaba.deployments.models import StatementIncentive

    awards = StatementIncentive.objects.filter(statement__contract__programme=programme)
    assert awards.exists()
    assert all(award.explanation for award in awards)


def a_line_down_was_repaired_by_maintenance_and_the_citizen_followed_it(programme):
    from bawaba.deployments.models import MaintenanceOrder
    from bawaba.servicedesk.models import RequestEvent

    order = MaintenanceOrder.objects.select_related("work_order__contract__contractor", "request").get(
        work_order__contract__programme=programme)
    assert order.work_order.contract.contractor.slug == "fibre-co-1"
    assert order.work_order.state == WorkOrderState.COMPLETED and order.opened_at <= NOW
    assert order.work_order.completed_at <= order.intervention_due_at + dt.timedelta(days=3)
    lines = RequestEvent.objects.filter(request=order.request, data__module="fibre").values_list("data", flat=True)
    assert [line["what"] for line in lines] == ["maintenance_opened", "maintenance_inProgress",
                                                "maintenance_completed"]


def a_statement_was_corrected_before_it_was_paid(programme):
    correction = PaymentStatement.objects.get(contract__programme=programme, corrects__isnull=False)
    assert correction.kind == "correction" and correction.net_amount < 0
    assert "CAB-01" in correction.correction_reason
    assert correction.issued_at <= NOW and correction.issued_on > correction.corrects.issued_on
    debt = billing_payments.debt_of(correction.corrects)
    assert debt.total == correction.corrects.net_amount + correction.net_amount
    assert debt.outstanding == 0  # paid, less the credit


def an_administration_sites_programme_runs_in_congo_brazzaville():
    from bawaba.demo.fibre import CG_PROGRAMME_CODE

    congo = Programme.objects.get(code=CG_PROGRAMME_CODE)
    assert (congo.country, congo.kind, congo.operator.slug) == ("CG", "sites", "congo-telecom")
    contract = congo.contracts.get()
    assert contract.price_schedule_version.schedule.currency == "XAF"
    assert set(contract.wilayas.values_list("code", flat=True)) == {"CG-BZV", "CG-16"}
    orders = WorkOrder.objects.filter(contract__programme=congo)
    assert orders.count() >= 6 and orders.filter(state=WorkOrderState.COMPLETED).exists()
    assert set(orders.values_list("site__kind", flat=True)) <= {"hospital", "civil_registry", "school", "town_hall",
                                                               "court"}
    items = ReportedItem.objects.filter(report__work_order__contract__programme=congo)
    assert items.filter(decision=Decision.ACCEPTED).exists()
    # Sites on the Congolese bank (Brazzaville faces Kinshasa) and work reported Monday to Friday.
    from bawaba.geo.locate import country_at

    assert {country_at(float(o.site.latitude), float(o.site.longitude)) for o in orders} <= {"CG", None}
    assert all(r.received_at.astimezone(ALGIERS).weekday() < 5
               for r in FieldReport.objects.filter(work_order__contract__programme=congo))
    # Billed in CFA francs: whole francs, "francs CFA" in words, XAF in the e-invoice.
    statements = PaymentStatement.objects.filter(contract__programme=congo)
    assert statements.exists()
    for statement in statements:
        assert statement.currency == "XAF" and statement.net_amount == statement.net_amount.to_integral_value()
        assert statement.amount_in_words_fr.endswith("francs CFA")
    ubl = IssuedFile.objects.get(statement=statements.first(), kind="ubl").content
    assert b"<cbc:DocumentCurrencyCode>XAF</cbc:DocumentCurrencyCode>" in bytes(ubl)


def fibre_users_have_their_module_roles():
    expected = {
        "at.inspector": ({"fibre.inspector"}, "algerie-telecom"), "at.billing": ({"fibre.billing"}, "algerie-telecom"),
        "fibre.contractor1": ({"fibre.contractor_manager"}, "fibre-co-1"),
        "fibre.tech1": ({"fibre.technician"}, "fibre-co-1"),
        "fibre.contractor2": ({"fibre.contractor_manager"}, "fibre-co-2"),
        "fibre.tech2": ({"fibre.technician"}, "fibre-co-2"),
        "ct.inspector": ({"fibre.inspector"}, "congo-telecom"),
        "fibre.tech3": ({"fibre.technician"}, "fibre-co-3"),
    }
    for username, (roles, organisation) in expected.items():
        user = User.objects.get(username=username)
        assert (set(user.role_codes), user.organisation.slug) == (roles, organisation)
        assert not user.is_staff  # no Django admin for field staff, inspectors or billing clerks
        assert user.check_password("bawaba-demo")


def loading_again_leaves_the_fibre_programme_as_it_is():
    reports = FieldReport.objects.count()
    out = io.StringIO()
    call_command("demo", "load", "--if-empty", "--now", NOW.isoformat(), stdout=out)
    assert "fibre demo data not loaded" in out.getvalue()
    assert FieldReport.objects.count() == reports


def _snapshot(seed: int) -> dict:
    """Load the fibre demo alone, read what users would see, and roll it back."""
    with transaction.atomic():
        load_fibre_demo(now=NOW, seed=seed, orders=6)
        programme = Programme.objects.get(code=PROGRAMME_CODE)
        snapshot = {
            "orders": sorted(WorkOrder.objects.filter(contract__programme=programme).values_list(
                "reference", "site__code", "site__name", "state", "steps_done", "due_on", "completed_at")),
            "reports": sorted(FieldReport.objects.values_list(
                "client_uuid", "work_order__reference", "received_at", "ont_serial", "ont_rx_power_dbm")),
            "items": sorted(ReportedItem.objects.values_list(
                "report__client_uuid", "work_item__price_item__code", "quantity", "decision", "decided_at")),
            "statements": sorted(PaymentStatement.objects.values_list(
                "contract__contractor__slug", "issued_on", "net_amount", "penalty_amount", "due_on")),
            "payments": sorted(Payment.objects.values_list("statement__issued_on", "amount", "paid_on")),
        }
        transaction.set_rollback(True)
    return snapshot


def test_same_seed_and_now_give_the_same_fibre_history(db):
    first = _snapshot(seed=7)
    assert first["statements"] and first["payments"]
    assert _snapshot(seed=7) == first
    assert _snapshot(seed=8)["reports"] != first["reports"]
