"""A fault request about a fibre line becomes a maintenance work order, billed like any work, followed by the
citizen's request (bawaba.deployments.maintenance, maintenance_desk)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import BillingLine, MaintenanceOrder, WorkOrderKind, WorkOrderState
from bawaba.deployments.tests.factories import good_report
from bawaba.deployments.work import maintenance as work_maintenance
from bawaba.deployments.work.maintenance_desk import render_panel
from bawaba.notifications.models import OutboundMessage
from bawaba.servicedesk.models import RequestEvent

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def fault(world, make_request):
    """Maintenance prices published, the line S-0001 connected by contractor 1, and a citizen's fault request."""
    work_maintenance.do_publish_maintenance_schedule(world.operator)
    return make_request(subject="Fibre coupée", citizen_email="amel@example.dz",
                        text="Plus de connexion depuis hier soir, ligne S-0001, le voyant LOS est rouge.")


def _open(world, req, **overrides):
    values = {"actor": world.operator_agent, "fault": "no_signal", "items": {"MNT-DIAG": "1", "MNT-SPLICE": "2"},
              "now": NOW} | overrides
    return work_maintenance.do_open_maintenance(req, world.site, **values)


def _told(req):
    return sorted(set(OutboundMessage.objects.filter(reference=req.reference, template__startswith="fibre.")
                      .values_list("template", flat=True)))  # one SMS and one e-mail each


def test_a_fault_request_becomes_a_work_order_for_the_contractor_who_built_the_line(world, fault):
    assert [site.code for site in work_maintenance.lines_named(fault)] == ["S-0001"]
    order = _open(world, fault)
    work_order = order.work_order
    # Contractor 1 built S-0001 (WO-0001); contractor 2 also covers wilaya 16 but did not lay this line.
    assert work_order.contract == world.contract and work_order.kind == WorkOrderKind.MAINTENANCE
    assert work_order.reference == "MNT-S-0001-1" and work_order.site == world.site
    assert {(i.price_item.code, i.planned_quantity) for i in work_order.items.select_related("price_item")} == {
        ("MNT-DIAG", Decimal("1")), ("MNT-SPLICE", Decimal("2"))}
    # A line down: 24 hours from the opening; the due date is the deadline's day in Algiers.
    assert order.intervention_due_at == NOW + dt.timedelta(hours=24)
    assert work_order.due_on == dt.date(2026, 10, 5)
    line = RequestEvent.objects.filter(request=fault, kind="linked").get()
    assert line.data["module"] == "fibre" and line.data["work_order"] == work_order.reference
    assert _told(fault) == ["fibre.maintenance_opened"]
    message = OutboundMessage.objects.filter(reference=fault.reference, template="fibre.maintenance_opened").first()
    assert "05/10/2026 10:00" in message.body  # the deadline in the citizen's time


def test_the_request_follows_the_work_order_and_the_repair_is_billed_on_the_statement(world, fault):
    order = _open(world, fault, now=None)
    work_order = order.work_order
    field_services.do_submit_field_report(world.worker, work_order, **good_report(world, "MNT-DIAG",
                                                                                  work_order=work_order))
    work_order.refresh_from_db()
    assert work_order.state == WorkOrderState.IN_PROGRESS
    field_services.do_submit_field_report(world.worker, work_order,
                                    **good_report(world, "MNT-SPLICE", 2, work_order=work_order))
    work_order.refresh_from_db()
    assert work_order.state == WorkOrderState.COMPLETED
    updates = list(RequestEvent.objects.filter(request=fault, kind="module_update").values_list("data", flat=True))
    assert [u["what"] for u in updates] == ["maintenance_inProgress", "maintenance_completed"]
    assert _told(fault) == ["fibre.maintenance_completed", "fibre.maintenance_inProgress", "fibre.maintenance_opened"]
    # Billed through the same statements: 2 500 + 2 × 900 on the contract's next statement.
    lines = BillingLine.objects.filter(work_order=work_order)
    assert sum(line.amount for line in lines) == Decimal("4300.00")
    today = timezone.localdate()
    period_end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    statement = billing_statements.do_issue_statements(world.contract, period_end, world.billing_admin,
                                            now=timezone.now() + dt.timedelta(days=40))
    assert set(lines.values_list("work_statement", flat=True)) == {statement.work_statement_id}
    assert statement.gross_amount == Decimal("4300.00")


def test_only_the_operators_agents_open_maintenance_and_only_once(world, fault, make_request):
    with pytest.raises(PermissionDenied):
        _open(world, fault, actor=world.worker)  # the contractor's technician
    with pytest.raises(ValidationError) as error:
        _open(world, fault, items={"MNT-DIAG": "0", "GC-01": "3"})  # not a maintenance price
    assert "GC-01" in str(error.value)
    with pytest.raises(ValidationError):
        _open(world, fault, fault="meteor")
    _open(world, fault)
    with pytest.raises(ValidationError):
        _open(world, fault)
    assert MaintenanceOrder.objects.count() == 1


def test_the_desk_panel_offers_the_form_then_shows_the_progress(world, fault, client):
    client.force_login(world.operator_agent)
    page = client.get(f"/desk/r/{fault.reference}/").content.decode()
    assert 'id="maintenance-form"' in page and "MNT-SPLICE" in page
    action = re.search(r'<form method="post" action="([^"]+)" id="maintenance-form"', page).group(1)
    response = client.post(action, {"site": world.site.pk, "fault": "cable_cut", "qty-MNT-DIAG": "1",
                                    "qty-MNT-DROP": "35"})
    assert response.status_code == 302 and response["Location"].endswith(f"/desk/r/{fault.reference}/")
    page = client.get(f"/desk/r/{fault.reference}/").content.decode()
    assert "MNT-S-0001-1" in page and 'data-state="acknowledged"' in page
    assert page.count("MNT-S-0001-1") >= 2  # the panel, and the line in the request's history
    # A line the request does not name cannot be sent, whatever the form says.
    other = client.post(action, {"site": world.site_order.site.pk, "fault": "no_signal", "qty-MNT-DIAG": "1"})
    assert other.status_code == 404


def test_a_request_that_names_no_line_costs_the_panel_no_query(world, make_request, rf):
    req = make_request(text="Ma facture de septembre est trop élevée.")
    http_request = rf.get("/")
    http_request.user = world.operator_agent
    with CaptureQueriesContext(connection) as queries:
        assert render_panel(http_request, req) == ""
    assert len(queries) == 0


def test_a_failure_to_tell_the_citizen_never_blocks_the_contractors_report(world, fault, monkeypatch):
    order = _open(world, fault, now=None)
    work_order = order.work_order

    def broken(*args, **kwargs):
        raise RuntimeError("notification outbox unavailable")

    monkeypatch.setattr(work_maintenance, "_tell", broken)
    result = field_services.do_submit_field_report(world.worker, work_order,
                                             **good_report(world, "MNT-DIAG", work_order=work_order))
    work_order.refresh_from_db()
    assert result.report.pk and work_order.state == WorkOrderState.IN_PROGRESS
    order.refresh_from_db()
    assert order.told_state == WorkOrderState.ACKNOWLEDGED  # to be told again at the next state
