"""A contractor reports from the field without network; an inspector accepts a doubtful item.

Driven in Debian's Chromium against the live server; the database is checked after each step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bawaba.deployments.common import errors as common_errors
from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import BillingLine, Decision, FieldReport, WorkOrderState
from bawaba.deployments.tests.factories import SITE_LAT, SITE_LON, fibre_world, good_report, make_photo
from bawaba.deployments.work import services as work_services

pytestmark = pytest.mark.browser


@pytest.fixture
def fibre(orgs, at_supervisor, at_admin, at_agent):
    from bawaba.accounts.services import do_set_roles

    do_set_roles(at_agent, ["desk.agent", "fibre.viewer"])  # the operator's agent also follows the programme
    return fibre_world(orgs, inspector=at_supervisor, billing_admin=at_admin, operator_agent=at_agent)


def photo_file(n):
    upload = make_photo(taken_at=timezone.now() - dt.timedelta(minutes=20))
    return {"name": f"ont-{n}.jpg", "mimeType": "image/jpeg", "buffer": upload.read()}


def fill_ont_report(page, fibre, serial="HWTC1A2B3C4D"):
    """Fill the ONT installation line as a technician would: quantity, two photos, GPS, serial, power."""
    item = fibre.item("ONT-01")
    page.fill(f"#qty-{item.id}", "1")
    page.set_input_files("#photos", files=[photo_file(1), photo_file(2)])
    expect(page.locator("#photo-list img")).to_have_count(2)
    page.click("#gps-button")
    expect(page.locator("#id_latitude")).to_have_value(re.compile(r"^36\.77"))
    expect(page.locator("#id_gps_accuracy_m")).to_have_value("6.0")
    page.fill("#id_ont_serial", serial)
    page.fill("#id_ont_rx_power_dbm", "-19.5")
    page.fill("#id_link_loss_db", "21")
    page.fill("#id_splice_losses_db", "0.03; 0.05")


@pytest.fixture
def field_context(context):
    """The technician's phone: location allowed and standing at the planned site (±6 m)."""
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": float(SITE_LAT), "longitude": float(SITE_LON), "accuracy": 6})
    return context


def open_report_form(page, live_server, fibre):
    page.goto(f"{live_server.url}/fibre/orders/{fibre.work_order.pk}/report/")
    expect(page.locator("#field-report")).to_be_visible()
    # The service worker controls the page once it is active: the form must then open without network.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def test_report_made_offline_is_kept_then_stored_exactly_once_when_back_online(
        live_server, field_context, page, fibre, sign_in, no_outside_requests):
    sign_in(fibre.worker)
    only_local = no_outside_requests(page)
    open_report_form(page, live_server, fibre)
    page.reload()  # now controlled by the service worker, which keeps a copy of the form

    field_context.set_offline(True)
    expect(page.locator("#netstate")).to_be_visible()
    fill_ont_report(page, fibre)
    page.click("#submit-report")

    # Queued on the phone, not on the server.
    expect(page.locator("#outbox-status")).to_have_text(re.compile(r"\b1\b"))
    expect(page.locator("#outbox-list .outbox-item")).to_have_count(1)
    expect(page.locator("#outbox-list .outbox-item .outbox-state")).to_have_text("Waiting to be sent")
    expect(page.locator(f"#qty-{fibre.item('ONT-01').id}")).to_have_value("")  # form cleared for the next one
    assert FieldReport.objects.count() == 0

    # Still there after the page is opened again without network (service worker + IndexedDB).
    page.reload()
    expect(page.locator("#field-report")).to_be_visible()
    expect(page.locator("#outbox-list .outbox-item")).to_have_count(1)
    page.wait_for_timeout(1000)
    assert FieldReport.objects.count() == 0

    # Back online: the `online` event sends it; it leaves the queue only once the server confirmed it.
    field_context.set_offline(False)
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=20_000)
    expect(page.locator("#outbox-sent .outbox-item")).to_have_count(1)
    expect(page.locator("#outbox-sent .outbox-item")).to_contain_text("1 accepted")
    expect(page.locator(f"#qty-{fibre.item('ONT-01').id}")).to_be_disabled()  # nothing left to report

    report = FieldReport.objects.get()
    assert report.work_order == fibre.work_order and report.reported_by == fibre.worker
    assert report.photos.count() == 2 and report.ont_serial == "HWTC1A2B3C4D"
    assert report.gps_accuracy_m == Decimal("6.0")
    assert [Decimal(v) for v in report.splice_losses_db] == [Decimal("0.03"), Decimal("0.05")]
    item = report.items.get()
    assert item.decision == Decision.ACCEPTED
    assert BillingLine.objects.filter(reported_item=item).count() == 1

    # Nothing is sent again later (retry timer, reload, online event).
    page.reload()
    page.evaluate("window.FibreOutbox.flush()")
    page.wait_for_timeout(1500)
    assert FieldReport.objects.count() == 1
    only_local()


def test_a_report_whose_answer_was_lost_is_resent_and_still_stored_once(
        live_server, new_context, fibre, sign_in):
    # Service workers blocked here so that Playwright sees (and can cut) the page's own requests.
    context = new_context(service_workers="block")
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": float(SITE_LAT), "longitude": float(SITE_LON), "accuracy": 6})
    sign_in(fibre.worker, context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    api = f"**/fibre/api/v1/workOrder/{fibre.work_order.reference}/report"
    calls = []

    def lose_the_answer(route):
        calls.append(route.request.headers.get("idempotency-key"))
        if len(calls) == 1:
            route.fetch()  # the server receives and stores the report...
            route.abort("connectionreset")  # ...but the phone never gets the answer
        else:
            route.continue_()

    page.route(api, lose_the_answer)
    page.goto(f"{live_server.url}/fibre/orders/{fibre.work_order.pk}/report/")
    fill_ont_report(page, fibre, serial="ZTEG00C0FFEE")
    page.click("#submit-report")

    expect(page.locator("#outbox-list .outbox-item")).to_have_count(1)
    expect(page.locator("#outbox-list .outbox-error")).to_contain_text("No network")
    assert FieldReport.objects.count() == 1  # stored by the first, unanswered, request

    page.click("#outbox-send")
    expect(page.locator("#outbox-status")).to_be_hidden()
    expect(page.locator("#outbox-sent .outbox-item")).to_have_count(1)
    assert len(calls) == 2 and calls[0] == calls[1]  # the same UUID both times
    assert FieldReport.objects.count() == 1
    assert str(FieldReport.objects.get().client_uuid) == calls[0]


def test_a_report_the_server_refuses_stays_on_the_phone_with_the_reason(
        live_server, field_context, page, fibre, sign_in):
    sign_in(fibre.worker)
    page.goto(f"{live_server.url}/fibre/orders/{fibre.work_order.pk}/report/")
    field_context.set_offline(True)
    fill_ont_report(page, fibre)
    page.click("#submit-report")
    expect(page.locator("#outbox-list .outbox-item")).to_have_count(1)
    # Meanwhile the operator cancels the work order: the report can no longer be accepted.
    work_services.do_transition_work_order(fibre.work_order, WorkOrderState.CANCELLED, fibre.inspector)
    field_context.set_offline(False)

    failed = page.locator("#outbox-list .outbox-item.failed")
    expect(failed).to_have_count(1)
    expect(failed.locator(".outbox-state")).to_have_text("Not accepted")
    expect(failed.locator(".outbox-error")).to_contain_text("no more reports are accepted")
    assert FieldReport.objects.count() == 0
    # Not retried: it stays refused, and the technician can remove it after reading the reason.
    page.evaluate("window.FibreOutbox.flush()")
    page.wait_for_timeout(1000)
    assert FieldReport.objects.count() == 0
    # Removing deletes the technician's data: it asks first, and "Cancel" keeps the report.
    page.once("dialog", lambda dialog: dialog.dismiss())
    failed.locator(".outbox-remove").click()
    expect(failed).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    failed.locator(".outbox-remove").click()
    expect(page.locator("#outbox-list .outbox-item")).to_have_count(0)


def queue_civil_works_offline(page, field_context, live_server, fibre, quantity, files):
    """Civil works (GC-01, 20 m planned) reported without network: quantity, two photos, GPS."""
    page.goto(f"{live_server.url}/fibre/orders/{fibre.work_order.pk}/report/")
    field_context.set_offline(True)
    page.fill(f"#qty-{fibre.item('GC-01').id}", quantity)
    page.set_input_files("#photos", files=files)
    expect(page.locator("#photo-list img")).to_have_count(len(files))
    page.click("#gps-button")
    expect(page.locator("#id_latitude")).to_have_value(re.compile(r"^36\.77"))
    page.click("#submit-report")
    expect(page.locator("#outbox-list .outbox-item.queued")).to_have_count(1)
    return page.locator("#outbox-list .outbox-item").get_attribute("data-uuid")


def test_a_report_clashing_with_a_request_in_flight_stays_queued_and_is_stored_once(
        live_server, field_context, page, fibre, sign_in, monkeypatch):
    # The real clash (two reports storing the same new photo at the same instant) cannot be timed from a
    # browser: the service refuses the first two attempts the way it does then, and the API answers it as
    # it always does (409 with Retry-After).
    real_submit = field_services.do_submit_field_report
    calls = []

    def clash_twice(user, work_order, **values):
        calls.append((time.monotonic(), str(values["client_uuid"])))
        if len(calls) <= 2:
            raise common_errors.Conflict("Another report was being stored with the same photos at the same moment; "
                                    "send this report again.", retryable=True)
        return real_submit(user, work_order, **values)

    monkeypatch.setattr(field_services, "do_submit_field_report", clash_twice)
    answers = []
    page.on("response", lambda r: answers.append((r.status, r.headers.get("retry-after")))
            if r.request.method == "POST" and r.url.endswith("/report") else None)
    sign_in(fibre.worker)
    open_report_form(page, live_server, fibre)
    fill_ont_report(page, fibre, serial="ALCL0000BEEF")
    page.click("#submit-report")

    # Kept in the queue, with the server's reason, and never shown as refused.
    waiting = page.locator("#outbox-list .outbox-item")
    expect(waiting.locator(".outbox-error")).to_contain_text("same photos")
    expect(waiting.locator(".outbox-state")).to_have_text(re.compile("Waiting to be sent|Sending"))
    expect(page.locator("#outbox-list .outbox-item.failed")).to_have_count(0)
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=20_000)
    expect(page.locator("#outbox-sent .outbox-item")).to_have_count(1)

    assert [status for status, _ in answers] == [409, 409, 201]
    assert answers[0][1] == "2"
    assert len(calls) == 3 and len({uuid for _, uuid in calls}) == 1
    # The server's delay is respected, then doubled: 2 s, then 4 s.
    assert calls[1][0] - calls[0][0] >= 1.9 and calls[2][0] - calls[1][0] >= 3.9
    assert FieldReport.objects.count() == 1
    assert str(FieldReport.objects.get().client_uuid) == calls[0][1]
    page.evaluate("window.FibreOutbox.flush()")
    page.wait_for_timeout(1000)
    assert FieldReport.objects.count() == 1 and len(calls) == 3


def test_a_refused_report_is_edited_on_the_phone_and_sent_once_with_its_photos(
        live_server, field_context, page, fibre, sign_in):
    sign_in(fibre.worker)
    files = [photo_file(1), photo_file(2)]
    refused_uuid = queue_civil_works_offline(page, field_context, live_server, fibre, "15", files)
    # Meanwhile a colleague's report of 10 m is stored: only 10 m are left, the phone's 15 m are refused.
    other = field_services.do_submit_field_report(fibre.worker, fibre.work_order, **good_report(fibre, "GC-01", 10))
    assert work_services.remaining_quantity(fibre.item("GC-01")) == 10
    field_context.set_offline(False)

    failed = page.locator("#outbox-list .outbox-item.failed")
    expect(failed).to_have_count(1)
    expect(failed.locator(".outbox-error")).to_contain_text("only 10 remain")
    expect(failed.locator(".outbox-again")).to_be_visible()
    failed.locator(".outbox-edit").click()

    # The form again, filled with what the phone kept: quantity, position, the same two photos.
    note = page.locator("#edit-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("only 10 remain")
    qty = page.locator(f"#qty-{fibre.item('GC-01').id}")
    expect(qty).to_have_value("15")
    expect(page.locator("#photo-list img")).to_have_count(2)
    expect(page.locator("#id_latitude")).to_have_value(re.compile(r"^36\.77"))
    page.click("#submit-report")
    expect(page.locator("#form-errors")).to_contain_text("more than the 10 left")  # the page knows it now
    qty.fill("10")
    page.click("#submit-report")

    expect(page.locator("#outbox-status")).to_be_hidden(timeout=20_000)
    expect(page.locator("#outbox-list .outbox-item")).to_have_count(0)
    expect(page.locator("#outbox-sent .outbox-item")).to_have_count(1)
    expect(note).to_be_hidden()

    assert FieldReport.objects.count() == 2
    report = FieldReport.objects.exclude(pk=other.report.pk).get()
    assert str(report.client_uuid) != refused_uuid  # a new identifier for the corrected report
    assert [(item.work_item, item.quantity) for item in report.items.all()] == [(fibre.item("GC-01"), 10)]
    assert sorted(photo.sha256 for photo in report.photos.all()) == sorted(
        hashlib.sha256(f["buffer"]).hexdigest() for f in files)
    assert report.latitude is not None
    page.evaluate("window.FibreOutbox.flush()")
    page.wait_for_timeout(1000)
    assert FieldReport.objects.count() == 2


def test_a_refused_report_is_sent_again_as_is_once_the_server_allows_it(
        live_server, field_context, page, fibre, sign_in):
    sign_in(fibre.worker)
    uuid = queue_civil_works_offline(page, field_context, live_server, fibre, "15", [photo_file(1), photo_file(2)])
    # A report of 10 m made 70 m from the site waits for an inspector: only 10 m are left meanwhile.
    doubtful = field_services.do_submit_field_report(fibre.worker, fibre.work_order, **good_report(
        fibre, "GC-01", 10, latitude=str(fibre.site.latitude + Decimal("0.00063")))).report.items.get()
    assert doubtful.decision == Decision.DOUBTFUL
    field_context.set_offline(False)
    failed = page.locator("#outbox-list .outbox-item.failed")
    expect(failed.locator(".outbox-error")).to_contain_text("only 10 remain")

    # The inspector rejects those 10 m: 20 m are left again, and the phone's report can go as it is.
    field_services.do_reject_item(doubtful, fibre.inspector, "Photos of another street.")
    failed.locator(".outbox-again").click()
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=20_000)
    expect(page.locator("#outbox-list .outbox-item")).to_have_count(0)
    assert FieldReport.objects.filter(client_uuid=uuid).count() == 1
    assert FieldReport.objects.get(client_uuid=uuid).items.get().quantity == 15


def test_inspector_accepts_a_doubtful_item_which_appears_on_the_running_statement(
        live_server, page, new_context, fibre, sign_in, sign_in_with_form, no_outside_requests):
    # A report 70 m from the planned site: beyond the 50 m tolerance, so it waits for an inspector.
    values = good_report(fibre, "ONT-01", latitude=str(fibre.site.latitude + Decimal("0.00063")),
                         photos=[make_photo(taken_at=timezone.now() - dt.timedelta(minutes=30)) for _ in range(2)])
    report = field_services.do_submit_field_report(fibre.worker, fibre.work_order, **values).report
    item = report.items.get()
    assert item.decision == Decision.DOUBTFUL

    only_local = no_outside_requests(page)
    sign_in_with_form(page, "at.supervisor", next_url="/fibre/")
    expect(page).to_have_url(re.compile(r"/fibre/inspections/$"))
    card = page.locator(f"#inspection-{item.pk}")
    expect(card).to_contain_text("ONT-01")
    expect(card).to_contain_text("70 m")
    expect(card.locator(".photo-grid img")).to_have_count(2)
    expect(card.locator("svg circle.point.reported")).to_have_count(1)
    # photos really load (served through the permission-checked view); waited for, not read at once
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=card.locator(".photo-grid img").first.element_handle())

    card.locator("textarea[name$='-note']").fill("ONT visible on both photos; GPS drift in the stairwell.")
    card.locator("button[name=accept]").click()
    expect(page.locator(".messages")).to_contain_text("accepted")
    expect(page.locator(f"#inspection-{item.pk}")).to_have_count(0)
    item.refresh_from_db()
    assert item.decision == Decision.ACCEPTED and item.decided_by == fibre.inspector
    only_local()

    # The contractor, on their own phone, sees it priced on the running statement.
    phone = new_context()
    sign_in(fibre.worker, phone)
    contractor_page = phone.new_page()
    contractor_page.goto(f"{live_server.url}/fibre/statements/")
    line = contractor_page.locator('#running tr.line[data-item="ONT-01"]')
    expect(line).to_have_count(1)
    expect(line).to_contain_text("WO-0001")
    expect(line).to_contain_text("3\u00a0000,00\u00a0DA")  # Algerian grouping and currency, in English too
    expect(contractor_page.locator(f"#unbilled-{fibre.contract.reference}")).to_have_text("3\u00a0000,00\u00a0DA")


def test_operator_dashboard_draws_the_sites_with_local_leaflet_only(
        live_server, page, fibre, sign_in, no_outside_requests):
    field_services.do_submit_field_report(fibre.worker, fibre.work_order, **good_report(fibre, "SRV-01"))
    only_local = no_outside_requests(page)
    sign_in(fibre.operator_agent)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/fibre/dashboard/")
    expect(page.locator("#site-map")).to_have_attribute("data-sites", "2")
    expect(page.locator("#site-map path.leaflet-interactive, #site-map canvas")).not_to_have_count(0)
    expect(page.locator("#chart-homes svg")).to_be_visible()
    expect(page.locator("#wilaya-16")).to_contain_text("16")
    only_local()
