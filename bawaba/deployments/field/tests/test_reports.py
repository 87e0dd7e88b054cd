"""Field reports: validation, idempotency, evidence, automatic acceptance and the inspector's queue."""

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from bawaba.deployments.billing import arithmetic as billing_arithmetic
from bawaba.deployments.billing import selectors as billing_selectors
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.common import errors as common_errors
from bawaba.deployments.common import rules as common_rules
from bawaba.deployments.field import selectors as field_selectors
from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import (
    BillingLine,
    Decision,
    FieldReport,
    Photo,
    ReportedItem,
    WorkItemState,
    WorkOrder,
    WorkOrderState,
)
from bawaba.deployments.tests.factories import FTTH_ITEMS, good_report, make_photo
from bawaba.deployments.work import services as work_services
from bawaba.deployments.work import setup as work_setup

pytestmark = pytest.mark.django_db


def submit(world, user=None, work_order=None, **kwargs):
    return field_services.do_submit_field_report(user or world.worker, work_order or world.work_order, **kwargs)


def test_accepted_item_is_priced_on_the_running_statement_at_once(world):
    before = billing_selectors.running_statement(world.contract)
    assert before.unbilled_amount == 0

    result = submit(world, **good_report(world, "ONT-01"))

    item = result.report.items.get()
    assert result.created and item.decision == Decision.ACCEPTED and item.decided_by is None
    statement = billing_selectors.running_statement(world.contract)
    assert statement.unbilled_amount == Decimal("3000.00")
    line = statement.lines.get()
    assert line.reported_item == item and line.quantity == 1 and line.region.code == "16"
    world.work_order.refresh_from_db()
    assert world.work_order.state == WorkOrderState.IN_PROGRESS


def test_resending_the_same_uuid_returns_the_same_report(world):
    values = good_report(world, "ONT-01")
    first = submit(world, **values)
    again = submit(world, **{**values, "photos": [make_photo()]})  # the queue re-sends after a lost reply
    assert again.report.pk == first.report.pk and again.created is False
    assert FieldReport.objects.count() == 1 and BillingLine.objects.count() == 1


def test_a_uuid_cannot_be_reused_for_another_work_order(world):
    values = good_report(world, "SRV-01")
    submit(world, **values)
    with pytest.raises(common_errors.Conflict):
        submit(world, work_order=world.site_order,
               **{**values, "items": [{"work_item": world.item("SITE-SRV", world.site_order).id, "quantity": 1}]})


def test_reporting_on_another_contractors_order_is_forbidden(world):
    with pytest.raises(PermissionDenied):
        submit(world, user=world.other_worker, **good_report(world, "ONT-01"))
    with pytest.raises(PermissionDenied):  # operator staff do not report either
        submit(world, user=world.inspector, **good_report(world, "ONT-01"))
    assert FieldReport.objects.count() == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ont_rx_power_dbm", "+40", "ONT receive power of 40 dBm is impossible (expected between -60 and 10 dBm)"),
    ("link_loss_db", "-3", "Link loss of -3 dB is impossible"),
    ("latitude", "123", "Latitude of 123 ° is impossible"),
    ("ont_rx_power_dbm", "abc", "ONT receive power must be a number"),
    ("ont_serial", "12345", "is not a GPON ONT serial number"),
    ("device_reported_at", "2099-01-01T00:00:00+01:00", "is in the future"),
    ("splice_losses_db", ["0.02", "9"], "Splice loss of 9 dB is impossible"),
])
def test_impossible_values_are_refused_with_a_clear_message_and_nothing_stored(world, field, value, message):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit(world, **good_report(world, "ONT-01", **{field: value}))
    assert any(message in text for texts in caught.value.message_dict.values() for text in texts), \
        caught.value.message_dict
    assert FieldReport.objects.count() == 0 and Photo.objects.count() == 0


def test_quantities_above_what_remains_are_refused(world):
    item = world.item("GC-01")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit(world, **good_report(world, "GC-01", quantity=21))
    assert "21 reported but only 20 remain to do" in caught.value.message_dict["items"][0]
    submit(world, **good_report(world, "GC-01", quantity=15))
    with pytest.raises(ValidationError):
        submit(world, **good_report(world, "GC-01", quantity=6))
    item.refresh_from_db()
    assert item.accepted_quantity == 15 and item.state == WorkItemState.PARTIAL


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image at all" * 10, content_type="image/jpeg"),
    SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"),
])
def test_photos_of_the_wrong_type_are_refused(world, upload):
    with pytest.raises(ValidationError) as caught:
        submit(world, **good_report(world, "ONT-01", photos=[upload]))
    assert "photos" in caught.value.message_dict
    assert FieldReport.objects.count() == 0


def test_photos_over_the_size_limit_are_refused(world, settings):
    settings.FIBRE_PHOTO_MAX_BYTES = 200
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit(world, **good_report(world, "ONT-01", photos=[make_photo(size=(400, 300))]))
    assert "too large" in caught.value.message_dict["photos"][0]


def test_exif_time_and_position_are_read_from_photos(world):
    taken = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    photo = make_photo(taken_at=taken, lat=36.7754, lon=3.0598)
    submit(world, **good_report(world, "SRV-01", photos=[photo]))
    stored = Photo.objects.get()
    assert stored.exif_taken_at == taken
    assert abs(stored.exif_latitude - Decimal("36.7754")) < Decimal("0.0001")
    assert abs(stored.exif_longitude - Decimal("3.0598")) < Decimal("0.0001")
    assert len(stored.sha256) == 64 and default_storage.exists(stored.image.name)


def test_a_photo_already_used_elsewhere_gets_the_item_rejected(world):
    photo_bytes = make_photo(seed=424242).read()
    submit(world, **good_report(world, "SRV-01", photos=[SimpleUploadedFile("a.jpg", photo_bytes)]))
    result = submit(world, work_order=world.site_order,
                    **good_report(world, "SITE-SRV", work_order=world.site_order,
                                  photos=[SimpleUploadedFile("b.jpg", photo_bytes)]))
    item = result.report.items.get()
    assert item.decision == Decision.REJECTED
    assert [r["code"] for r in item.reasons] == ["photo_reused"]
    reused = result.report.photos.get()
    assert reused.reused_from is not None and reused.reused_from.report != result.report
    assert item in field_selectors.rejected_items(world.worker)


def test_an_ont_serial_installed_elsewhere_is_rejected(world):
    from bawaba.deployments.tests.factories import make_site

    other_site = make_site(world.programme, "S-0009", lat=Decimal("36.7760"), lon=Decimal("3.0600"))
    other_order = work_setup.do_create_work_order(world.contract, other_site, reference="WO-0009", items=FTTH_ITEMS)
    submit(world, **good_report(world, "ONT-01", ont_serial="ZTEG00C0FFEE"))
    result = submit(world, work_order=other_order,
                    **good_report(world, "ONT-01", work_order=other_order, ont_serial="zteg-00c0ffee"))
    item = result.report.items.get()
    assert item.decision == Decision.REJECTED
    assert item.reasons[0] == {"code": "ont_serial_reused", "params": {"serial": "ZTEG00C0FFEE"}}


def test_rejected_item_goes_back_to_the_contractor_with_its_reason(world):
    result = submit(world, **good_report(world, "ONT-01", ont_rx_power_dbm="-29.1"))
    item = result.report.items.get()
    assert item.decision == Decision.REJECTED and BillingLine.objects.count() == 0
    with translation.override("en"):
        assert item.reason_texts() == ["ONT receive power -29.1 dBm is outside -27 to -8 dBm (GPON class B+)."]
    assert list(field_selectors.rejected_items(world.worker)) == [item]
    assert list(field_selectors.rejected_items(world.other_worker)) == []
    # Redone correctly: accepted, and no longer listed as to redo.
    submit(world, **good_report(world, "ONT-01"))
    assert list(field_selectors.rejected_items(world.worker)) == []


def far_report(world, code="ONT-01", **overrides):
    # 70 m north of the site: beyond the 50 m tolerance, within twice of it.
    return good_report(world, code, latitude=str(world.site.latitude + Decimal("0.00063")), **overrides)


def test_doubtful_item_waits_for_an_inspector_then_is_billed_when_accepted(world):
    result = submit(world, **far_report(world))
    item = result.report.items.get()
    assert item.decision == Decision.DOUBTFUL and BillingLine.objects.count() == 0
    assert list(field_selectors.pending_inspections(world.inspector)) == [item]
    assert list(field_selectors.pending_inspections(world.operator_agent)) == []  # agents are not inspectors
    assert list(field_selectors.pending_inspections(world.worker)) == []

    field_services.do_accept_item(item, world.inspector, note="Checked with the subscriber by phone.")

    item.refresh_from_db()
    assert item.decision == Decision.ACCEPTED and item.decided_by == world.inspector
    assert billing_selectors.running_statement(world.contract).unbilled_amount == Decimal("3000.00")
    assert list(field_selectors.pending_inspections(world.inspector)) == []
    with pytest.raises(common_errors.Conflict):
        field_services.do_accept_item(item, world.inspector)


def test_inspector_rejection_needs_a_reason_and_reaches_the_contractor(world):
    item = submit(world, **far_report(world)).report.items.get()
    with pytest.raises(ValidationError):
        field_services.do_reject_item(item, world.inspector, reason="  ")
    field_services.do_reject_item(item, world.inspector, reason="Photo shows another building.")
    item.refresh_from_db()
    assert item.decision == Decision.REJECTED
    with translation.override("en"):
        assert item.reason_texts()[0] == "Rejected by the inspector: Photo shows another building."
    assert list(field_selectors.rejected_items(world.worker)) == [item]


def test_only_the_operators_supervisors_inspect(world):
    item = submit(world, **far_report(world)).report.items.get()
    for user in (world.operator_agent, world.worker, world.other_worker):
        with pytest.raises(PermissionDenied):
            field_services.do_accept_item(item, user)
    assert ReportedItem.objects.get(pk=item.pk).decision == Decision.DOUBTFUL


def test_a_failure_midway_stores_nothing_not_even_the_photo_files(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("bawaba.deployments.field.lines.billing_line_for", broken)
    values = good_report(world, "ONT-01")
    with pytest.raises(RuntimeError):
        submit(world, **values)
    assert FieldReport.objects.count() == 0 and Photo.objects.count() == 0
    assert not default_storage.exists("fibre/photos") or not any(
        files for _dirs, files in [default_storage.listdir(f"fibre/photos/{d}") for d in
                                   default_storage.listdir("fibre/photos")[0]])


def test_work_order_completes_when_every_item_is_accepted(world):
    order = world.site_order
    for code, quantity in [("SITE-SRV", 1), ("SITE-CNX", 1), ("SITE-WIFI", 3)]:
        submit(world, work_order=order, **good_report(world, code, quantity, work_order=order))
        order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and order.steps_done == 3 and order.completed_at
    with pytest.raises(common_errors.Conflict):
        submit(world, work_order=order, **good_report(world, "SITE-WIFI", 1, work_order=order))


def test_steps_advance_in_order(world):
    submit(world, **good_report(world, "SRV-01"))
    world.work_order.refresh_from_db()
    assert world.work_order.steps_done == 1 and world.work_order.current_step == "civil_works"
    submit(world, **good_report(world, "CAB-01", 120))  # cable pulling before civil works are done
    world.work_order.refresh_from_db()
    assert world.work_order.steps_done == 1


def test_operator_may_hold_then_cancel_a_work_order_but_not_the_contractor(world):
    with pytest.raises(PermissionDenied):
        work_services.do_transition_work_order(world.work_order, "held", world.worker)
    work_services.do_transition_work_order(world.work_order, "held", world.inspector, reason="Access refused")
    with pytest.raises(common_errors.Conflict):
        work_services.do_transition_work_order(world.work_order, "completed", world.inspector)
    with pytest.raises(common_errors.Conflict):
        submit(world, **good_report(world, "SRV-01"))
    assert FieldReport.objects.count() == 0


def test_an_invalid_uuid_is_a_validation_error(world):
    with pytest.raises(ValidationError):
        submit(world, **good_report(world, "SRV-01", client_uuid="not-a-uuid"))
    assert uuid.UUID(good_report(world, "SRV-01")["client_uuid"])


# --------------------------------------------------------------------------- reuse of ONT serials and photos


def third_order(world, reference="WO-0003"):
    from bawaba.deployments.tests.factories import make_site

    site = make_site(world.programme, f"S-{reference}", lat=Decimal("36.7760"), lon=Decimal("3.0600"))
    return work_setup.do_create_work_order(world.contract, site, reference=reference, items=FTTH_ITEMS)


def ont_report(world, work_order, serial, **overrides):
    return good_report(world, "ONT-01", work_order=work_order, ont_serial=serial, **overrides)


def decisions(report):
    return {item.work_item.price_item.code: item.decision for item in report.items.select_related(
        "work_item__price_item")}


def test_a_serial_accepted_next_to_a_rejected_item_cannot_be_installed_again_elsewhere(world):
    # WO-0001: the ONT is accepted while the splicing of the same report is rejected (0.3 dB splice).
    first = good_report(world, "ONT-01", ont_serial="ZTEG00C0FFEE", splice_losses_db=["0.3"])
    first["items"].append({"work_item": world.item("EPI-01").id, "quantity": "1"})
    report = submit(world, **first).report
    assert decisions(report) == {"ONT-01": Decision.ACCEPTED, "EPI-01": Decision.REJECTED}

    other = third_order(world)
    item = submit(world, work_order=other, **ont_report(world, other, "ZTEG00C0FFEE")).report.items.get()
    assert item.decision == Decision.REJECTED
    assert item.reasons == [{"code": "ont_serial_reused", "params": {"serial": "ZTEG00C0FFEE"}}]
    assert BillingLine.objects.filter(work_order=other).count() == 0


def test_a_serial_rejected_everywhere_else_may_be_installed_on_another_order(world):
    rejected = submit(world, **good_report(world, "ONT-01", ont_serial="ZTEG00C0FFEE", ont_rx_power_dbm="-29"))
    assert rejected.report.items.get().decision == Decision.REJECTED
    other = third_order(world)
    assert submit(world, work_order=other, **ont_report(world, other, "ZTEG00C0FFEE")).report.items.get() \
        .decision == Decision.ACCEPTED


def test_a_serial_waiting_for_an_inspector_elsewhere_is_held_until_the_inspector_rejects_it(world):
    doubtful = submit(world, **far_report(world, ont_serial="ZTEG00C0FFEE")).report.items.get()
    assert doubtful.decision == Decision.DOUBTFUL
    other = third_order(world)
    held = submit(world, work_order=other, **ont_report(world, other, "ZTEG00C0FFEE")).report.items.get()
    assert [r["code"] for r in held.reasons] == ["ont_serial_reused"]

    field_services.do_reject_item(doubtful, world.inspector, reason="No ONT on the photo.")
    again = submit(world, work_order=other, **ont_report(world, other, "ZTEG00C0FFEE")).report.items.get()
    assert again.decision == Decision.ACCEPTED


def test_a_serial_only_mentioned_with_other_work_is_not_an_installed_ont(world):
    # A survey report carrying the serial installs nothing: the ONT may be installed on another order.
    submit(world, **good_report(world, "SRV-01", ont_serial="ZTEG00C0FFEE"))
    other = third_order(world)
    assert submit(world, work_order=other, **ont_report(world, other, "ZTEG00C0FFEE")).report.items.get() \
        .decision == Decision.ACCEPTED


def test_the_same_order_may_report_its_own_ont_again_after_a_rejection(world):
    submit(world, **good_report(world, "ONT-01", ont_serial="ZTEG00C0FFEE", ont_rx_power_dbm="-29"))
    redone = submit(world, **good_report(world, "ONT-01", ont_serial="ZTEG00C0FFEE")).report.items.get()
    assert redone.decision == Decision.ACCEPTED


def test_a_photo_sent_only_with_rejected_work_may_be_sent_again_for_the_redone_work(world):
    photo_bytes = make_photo(seed=515151).read()
    first = submit(world, **good_report(world, "ONT-01", ont_rx_power_dbm="-29",
                                        photos=[SimpleUploadedFile("a.jpg", photo_bytes), make_photo()]))
    assert first.report.items.get().decision == Decision.REJECTED
    again = submit(world, **good_report(world, "ONT-01",
                                        photos=[SimpleUploadedFile("b.jpg", photo_bytes), make_photo()]))
    assert again.report.items.get().decision == Decision.ACCEPTED
    # Still one file for the bytes: the second row points at the first.
    resent = again.report.photos.get(sha256=first.report.photos.first().sha256)
    assert resent.reused_from is not None and resent.image.name == resent.reused_from.image.name


def test_a_photo_backing_accepted_work_next_to_a_rejected_item_cannot_prove_other_work(world):
    photo_bytes = make_photo(seed=616161).read()
    first = good_report(world, "ONT-01", splice_losses_db=["0.3"],
                        photos=[SimpleUploadedFile("a.jpg", photo_bytes), make_photo()])
    first["items"].append({"work_item": world.item("EPI-01").id, "quantity": "1"})
    assert decisions(submit(world, **first).report) == {"ONT-01": Decision.ACCEPTED, "EPI-01": Decision.REJECTED}
    result = submit(world, work_order=world.site_order,
                    **good_report(world, "SITE-SRV", work_order=world.site_order,
                                  photos=[SimpleUploadedFile("b.jpg", photo_bytes)]))
    assert [r["code"] for r in result.report.items.get().reasons] == ["photo_reused"]


def test_the_same_photo_twice_in_one_report_counts_as_reused(world):
    photo_bytes = make_photo(seed=717171).read()
    result = submit(world, **good_report(world, "ONT-01", photos=[SimpleUploadedFile("a.jpg", photo_bytes),
                                                                  SimpleUploadedFile("b.jpg", photo_bytes)]))
    assert [r["code"] for r in result.report.items.get().reasons] == ["photo_reused"]


def test_a_serial_and_a_photo_sent_later_on_another_order_are_caught_one_after_the_other(world):
    # The sequential half of the concurrency guarantee (test_domain_concurrency.py runs them at once):
    # whatever the database, the second report sees the first one's serial and photo.
    photo_bytes = make_photo(seed=818181).read()
    other = third_order(world)
    reports = [
        submit(world, work_order=order, **ont_report(world, order, "ZTEG00C0FFEE", photos=[
            SimpleUploadedFile("a.jpg", photo_bytes), make_photo()])).report
        for order in (world.work_order, other)
    ]
    assert [r.items.get().decision for r in reports] == [Decision.ACCEPTED, Decision.REJECTED]
    assert {r["code"] for r in reports[1].items.get().reasons} == {"ont_serial_reused", "photo_reused"}
    originals = Photo.objects.filter(reused_from=None, report__in=reports)
    assert originals.filter(sha256=reports[0].photos.first().sha256).count() == 1
    assert BillingLine.objects.count() == 1


# --------------------------------------------------------------------------- device clock ahead of the server


def test_a_report_from_a_phone_whose_clock_is_ahead_is_kept_for_the_inspector(world):
    now = timezone.now()
    ahead = dt.timedelta(hours=3, seconds=30)
    values = good_report(world, "ONT-01", device_started_at=(now + ahead - dt.timedelta(hours=1)).isoformat(),
                         device_reported_at=(now + ahead).isoformat(),
                         photos=[make_photo(taken_at=now + ahead - dt.timedelta(minutes=20)) for _ in range(2)])

    result = submit(world, **values)

    report = result.report
    assert result.created
    assert report.device_reported_at == dt.datetime.fromisoformat(values["device_reported_at"])  # as sent
    assert 3 * 3600 < report.device_clock_ahead_s <= 3 * 3600 + 30
    item = report.items.get()
    assert item.decision == Decision.DOUBTFUL and BillingLine.objects.count() == 0
    assert item.reasons == [{"code": "device_clock_ahead", "params": {"minutes": 180, "limit": 10}}]
    assert list(field_selectors.pending_inspections(world.inspector)) == [item]
    event = world.work_order.events.get(kind="report_received")
    assert event.data["device_clock_ahead_s"] == report.device_clock_ahead_s
    # Re-sending from the offline queue stays a replay; the inspector decides and the work is billed.
    assert submit(world, **values).created is False
    field_services.do_accept_item(item, world.inspector, note="Phone clock on the wrong time zone.")
    assert billing_selectors.running_statement(world.contract).unbilled_amount == Decimal("3000.00")


def test_a_clock_a_few_minutes_ahead_is_recorded_but_accepted(world):
    values = good_report(world, "ONT-01", device_reported_at=(timezone.now() + dt.timedelta(minutes=5)).isoformat())
    report = submit(world, **values).report
    assert report.items.get().decision == Decision.ACCEPTED
    assert 4 * 60 < report.device_clock_ahead_s <= 5 * 60


def test_device_times_behind_the_server_are_normal_for_a_queued_report(world):
    earlier = timezone.now() - dt.timedelta(days=2)
    values = good_report(world, "ONT-01", device_started_at=(earlier - dt.timedelta(hours=1)).isoformat(),
                         device_reported_at=earlier.isoformat(),
                         photos=[make_photo(taken_at=earlier - dt.timedelta(minutes=10)) for _ in range(2)])
    report = submit(world, **values).report
    assert report.device_clock_ahead_s is None and report.items.get().decision == Decision.ACCEPTED


# --------------------------------------------------------------------------- completion time (review finding 6)


def run_clock_at(monkeypatch, moment):
    """Every timezone.now() returns `moment` from here on (the service, the factories, auto_now fields)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def far_from(order):
    # 70 m north of the order's site: doubtful.
    return str(order.site.latitude + Decimal("0.00063"))


def test_an_order_inspected_after_its_due_date_is_completed_when_its_last_report_arrived(world, monkeypatch):
    order = world.site_order
    for code, quantity in [("SITE-SRV", 1), ("SITE-CNX", 1)]:
        submit(world, work_order=order, **good_report(world, code, quantity, work_order=order))
    last = submit(world, work_order=order,
                  **good_report(world, "SITE-WIFI", 3, work_order=order, latitude=far_from(order))).report
    item = last.items.get()
    assert item.decision == Decision.DOUBTFUL
    tz = zoneinfo.ZoneInfo(world.operator.timezone)
    due_on = timezone.localdate(last.received_at, tz) - dt.timedelta(days=1)  # the work was one day late
    WorkOrder.objects.filter(pk=order.pk).update(due_on=due_on)
    order.refresh_from_db()
    assert order.state == WorkOrderState.IN_PROGRESS and order.completed_at is None

    decided = last.received_at + dt.timedelta(days=3)  # the inspector looks at it three days later
    run_clock_at(monkeypatch, decided)
    field_services.do_accept_item(item, world.inspector)

    order.refresh_from_db()
    item.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and order.completed_at == last.received_at
    assert item.decided_at == decided  # the decision keeps its own time
    event = order.events.get(kind="wo_state", data__to="completed")
    assert event.at == decided and event.data["completed_at"] == last.received_at.isoformat()
    assert order.is_late
    # The penalty counts the day the contractor was late, none of the inspector's three days.
    penalty = billing_arithmetic.late_penalties(world.contract.penalty_per_day, [(order.reference, due_on,
                                                                                  order.completed_at)],
                                     tz)
    assert penalty == (Decimal("1000.00"), [{"work_order": "WO-0002", "days": 1, "amount": "1000.00"}])
    statement = billing_statements.do_issue_statements(world.contract, timezone.localdate(decided, tz),
                                                       world.billing_admin,
                                            now=decided + dt.timedelta(days=1))
    assert statement.penalty_detail == [{"work_order": "WO-0002", "days": 1, "amount": "1000.00"}]
    assert statement.penalty_amount == Decimal("1000.00")


def test_completion_counts_the_latest_accepted_report_even_if_an_earlier_one_waited_for_the_inspector(
        world, monkeypatch):
    order = world.site_order
    start = timezone.now()
    doubtful = submit(world, work_order=order,
                      **good_report(world, "SITE-WIFI", 3, work_order=order, latitude=far_from(order))).report
    run_clock_at(monkeypatch, start + dt.timedelta(hours=5))
    submit(world, work_order=order, **good_report(world, "SITE-SRV", 1, work_order=order))
    run_clock_at(monkeypatch, start + dt.timedelta(hours=6))
    latest = submit(world, work_order=order, **good_report(world, "SITE-CNX", 1, work_order=order)).report
    order.refresh_from_db()
    assert order.state == WorkOrderState.IN_PROGRESS

    run_clock_at(monkeypatch, start + dt.timedelta(days=2))
    field_services.do_accept_item(doubtful.items.get(), world.inspector)

    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and order.completed_at == latest.received_at


def test_an_order_completed_by_automatic_acceptance_is_completed_when_its_last_report_arrived(world):
    order = world.site_order
    reports = [submit(world, work_order=order, **good_report(world, code, quantity, work_order=order)).report
               for code, quantity in [("SITE-SRV", 1), ("SITE-CNX", 1), ("SITE-WIFI", 3)]]
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and order.completed_at == reports[-1].received_at
    event = order.events.get(kind="wo_state", data__to="completed")
    assert event.at == order.completed_at and "completed_at" not in event.data


def site_order_with_a_doubtful_last_item(world, monkeypatch, *, due_on, reported_at):
    """The site order, due on `due_on`, fully reported at `reported_at`; its last item (Wi-Fi, reported far from
    the site) waits in the inspector's queue. Returns the order and that last report."""
    order = world.site_order
    WorkOrder.objects.filter(pk=order.pk).update(due_on=due_on)
    run_clock_at(monkeypatch, reported_at)
    for code, quantity in [("SITE-SRV", 1), ("SITE-CNX", 1)]:
        submit(world, work_order=order, **good_report(world, code, quantity, work_order=order))
    last = submit(world, work_order=order,
                  **good_report(world, "SITE-WIFI", 3, work_order=order, latitude=far_from(order))).report
    return order, last


def test_an_order_finished_in_an_issued_period_and_inspected_after_is_penalised_on_the_next_statement(
        world, monkeypatch):
    tz = zoneinfo.ZoneInfo(world.operator.timezone)
    order, last = site_order_with_a_doubtful_last_item(world, monkeypatch, due_on=dt.date(2026, 3, 25),
                                                       reported_at=dt.datetime(2026, 3, 30, 10, tzinfo=tz))
    march = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                        now=dt.datetime(2026, 4, 1, 9, tzinfo=tz))
    run_clock_at(monkeypatch, dt.datetime(2026, 4, 3, 10, tzinfo=tz))
    field_services.do_accept_item(last.items.get(), world.inspector)
    april = billing_statements.do_issue_statements(world.contract, dt.date(2026, 4, 30), world.billing_admin,
                                        now=dt.datetime(2026, 5, 1, 9, tzinfo=tz))
    assert march.penalty_detail == []  # not completed yet when March was issued
    assert april.penalty_detail == [{"work_order": "WO-0002", "days": 5, "amount": "5000.00"}]  # 25 → 30 March


# --------------------------------------------------------------------------- measurement precision (finding 8)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ont_rx_power_dbm", "-27.004",
     "ONT receive power of -27.004 dBm is more precise than what is recorded: give at most 2 decimals."),
    ("ont_rx_power_dbm", "-7.995",
     "ONT receive power of -7.995 dBm is more precise than what is recorded: give at most 2 decimals."),
    ("link_loss_db", "28.004",
     "Link loss of 28.004 dB is more precise than what is recorded: give at most 2 decimals."),
    ("splice_losses_db", ["0.03", "0.1004"],
     "Splice loss of 0.1004 dB is more precise than what is recorded: give at most 3 decimals."),
    ("ont_rx_power_dbm", "-27,004", "give at most 2 decimals"),
    ("splice_losses_db", ["1e-4"], "Splice loss of 0.0001 dB is more precise"),
])
def test_a_measurement_more_precise_than_recorded_is_refused_not_rounded_into_the_window(world, field, value,
                                                                                         message):
    # Rounded to the recorded decimals first, each of these would have passed an inclusive window.
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit(world, **good_report(world, "ACT-01", **{field: value}))
    assert any(message in text for text in caught.value.message_dict[field]), caught.value.message_dict
    assert FieldReport.objects.count() == 0 and ReportedItem.objects.count() == 0


def measured(world, *, rx, loss, splices):
    """A report of ACT-01 (rx power and link loss) and EPI-01 (splices) with the given measurements."""
    return good_report(world, "ACT-01", ont_rx_power_dbm=rx, link_loss_db=loss, splice_losses_db=splices,
                       items=[{"work_item": world.item("ACT-01").id, "quantity": "1"},
                              {"work_item": world.item("EPI-01").id, "quantity": "1"}])


@pytest.mark.parametrize(("rx", "loss", "splices"), [
    ("-27.00", "28.00", ["0.100"]),
    ("-8.00", "13.00", ["0.1", "0.10", "0.100", "0.1000"]),
    ("-27", "28", ["0"]),
    ("-27.0", "2.8e1", ["1e-1"]),
    ("-8.000", "13.0", ["0.0"]),
])
def test_measurements_on_the_window_edges_are_accepted_in_the_usual_device_formats(world, rx, loss, splices):
    report = submit(world, **measured(world, rx=rx, loss=loss, splices=splices)).report
    assert {item.decision for item in report.items.all()} == {Decision.ACCEPTED}, \
        [item.reasons for item in report.items.all()]
    report.refresh_from_db()
    assert report.ont_rx_power_dbm == Decimal(rx) and report.link_loss_db == Decimal(loss)
    assert [Decimal(value) for value in report.splice_losses_db] == [Decimal(value) for value in splices]


def test_measurements_just_outside_the_windows_are_rejected_by_the_rules(world):
    report = submit(world, **measured(world, rx="-27.01", loss="28.01", splices=["0.101"])).report
    reasons = {r["code"] for item in report.items.all() for r in item.reasons}
    assert {item.decision for item in report.items.all()} == {Decision.REJECTED}
    assert reasons == {"rx_power_out_of_window", "link_loss_out_of_budget", "splice_loss_too_high"}


def test_a_negative_zero_is_stored_as_zero_and_judged_as_zero(world):
    report = submit(world, **measured(world, rx="-0", loss="-0.00", splices=["-0", "0.05"])).report
    report.refresh_from_db()
    assert str(report.ont_rx_power_dbm) == "0.00" and str(report.link_loss_db) == "0.00"
    assert report.splice_losses_db == ["0.000", "0.050"]
    act = report.items.get(work_item=world.item("ACT-01"))
    assert act.decision == Decision.REJECTED  # 0 dBm is far above the -8 dBm window; 0 dB below the 13 dB budget
    assert {r["code"] for r in act.reasons} == {"rx_power_out_of_window", "link_loss_out_of_budget"}
    assert report.items.get(work_item=world.item("EPI-01")).decision == Decision.ACCEPTED


# --------------------------------------------------------------------------- GPS accuracy (finding 9)


@pytest.mark.parametrize("accuracy", [None, "", "  "])
def test_a_position_sent_without_its_accuracy_waits_for_an_inspector(world, accuracy):
    # The planned site's coordinates are published by the API: copied into a report, they match exactly.
    result = submit(world, **good_report(world, "ONT-01", gps_accuracy_m=accuracy))
    item = result.report.items.get()
    assert result.report.gps_accuracy_m is None
    assert item.decision == item.auto_decision == Decision.DOUBTFUL and BillingLine.objects.count() == 0
    assert item.reasons == [{"code": "gps_accuracy_missing", "params": {}}]
    assert list(field_selectors.pending_inspections(world.inspector)) == [item]
    with translation.override("en"):
        assert item.reason_texts() == ["The GPS position was sent without its accuracy (typed rather than "
                                       "measured?), so it cannot prove where the work was done."]
    event = world.work_order.events.get(kind="report_received")
    assert event.data["rules_engine"] == common_rules.ENGINE_REVISION == 3
    field_services.do_accept_item(item, world.inspector, note="Technician's phone had location off; checked photos.")
    assert billing_selectors.running_statement(world.contract).unbilled_amount == Decimal("3000.00")


def test_a_rule_set_published_without_the_accuracy_requirement_accepts_such_a_position(world):
    from bawaba.deployments.models import PriceItem, RuleSet

    lenient = RuleSet.objects.create(code="lenient", version=1, params={"gps_accuracy_required": 0})
    PriceItem.objects.filter(pk=world.item("ONT-01").price_item_id).update(rule_set=lenient)  # not used yet
    item = submit(world, **good_report(world, "ONT-01", gps_accuracy_m=None)).report.items.get()
    assert item.decision == Decision.ACCEPTED and item.rule_set == lenient


def test_an_order_resumed_after_its_last_item_was_accepted_while_held_completes_at_the_contractors_finish(
        world, monkeypatch):
    tz = zoneinfo.ZoneInfo(world.operator.timezone)
    order, last = site_order_with_a_doubtful_last_item(world, monkeypatch, due_on=dt.date(2026, 3, 25),
                                                       reported_at=dt.datetime(2026, 3, 24, 10, tzinfo=tz))
    run_clock_at(monkeypatch, dt.datetime(2026, 3, 26, 10, tzinfo=tz))
    work_services.do_transition_work_order(order, WorkOrderState.HELD, world.inspector, "permis")
    field_services.do_accept_item(last.items.get(), world.inspector)
    order.refresh_from_db()
    assert order.state == WorkOrderState.HELD  # held: not completed behind the operator's back
    run_clock_at(monkeypatch, dt.datetime(2026, 4, 10, 10, tzinfo=tz))
    work_services.do_transition_work_order(order, WorkOrderState.IN_PROGRESS, world.inspector, "reprise")
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and order.completed_at == last.received_at  # on time
    assert order.completion_recorded_at == dt.datetime(2026, 4, 10, 10, tzinfo=tz)


def test_an_order_completed_by_hand_counts_its_delay_to_the_last_accepted_report(world, monkeypatch):
    tz = zoneinfo.ZoneInfo(world.operator.timezone)
    order = world.site_order
    WorkOrder.objects.filter(pk=order.pk).update(due_on=dt.date(2026, 3, 20))
    run_clock_at(monkeypatch, dt.datetime(2026, 3, 24, 10, tzinfo=tz))
    submit(world, work_order=order, **good_report(world, "SITE-SRV", 1, work_order=order))
    finished = submit(world, work_order=order, **good_report(world, "SITE-CNX", 1, work_order=order)).report
    run_clock_at(monkeypatch, dt.datetime(2026, 4, 10, 10, tzinfo=tz))  # scope reduced: closed without the Wi-Fi
    work_services.do_transition_work_order(order, WorkOrderState.COMPLETED, world.inspector, "sans wifi")
    order.refresh_from_db()
    assert order.completed_at == finished.received_at  # 4 days late, not 21


def test_a_penalty_of_a_period_without_a_statement_is_charged_on_the_next_statement_once(world, monkeypatch):
    tz = zoneinfo.ZoneInfo(world.operator.timezone)
    order = world.site_order
    WorkOrder.objects.filter(pk=order.pk).update(due_on=dt.date(2026, 3, 20))
    run_clock_at(monkeypatch, dt.datetime(2026, 3, 24, 10, tzinfo=tz))
    submit(world, work_order=order, **good_report(world, "SITE-SRV", 1, work_order=order))
    submit(world, work_order=order, **good_report(world, "SITE-CNX", 1, work_order=order))
    march = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                        now=dt.datetime(2026, 4, 1, 9, tzinfo=tz))
    assert march.penalty_detail == []  # not completed in March
    run_clock_at(monkeypatch, dt.datetime(2026, 4, 10, 10, tzinfo=tz))  # closed by hand, no work in April
    work_services.do_transition_work_order(order, WorkOrderState.COMPLETED, world.inspector, "sans wifi")
    assert billing_statements.do_issue_statements(world.contract, dt.date(2026, 4, 30), world.billing_admin,
                                       now=dt.datetime(2026, 5, 1, 9, tzinfo=tz)) is None
    run_clock_at(monkeypatch, dt.datetime(2026, 5, 5, 10, tzinfo=tz))
    submit(world, **good_report(world, "GC-01", 5))  # May: other work on the contract
    may = billing_statements.do_issue_statements(world.contract, dt.date(2026, 5, 31), world.billing_admin,
                                      now=dt.datetime(2026, 6, 1, 9, tzinfo=tz))
    assert [row["work_order"] for row in may.penalty_detail] == ["WO-0002"]
    assert may.penalty_detail[0]["days"] == 4  # 20 → 24 March, when the contractor finished
    run_clock_at(monkeypatch, dt.datetime(2026, 6, 5, 10, tzinfo=tz))
    submit(world, **good_report(world, "GC-01", 5))
    june = billing_statements.do_issue_statements(world.contract, dt.date(2026, 6, 30), world.billing_admin,
                                       now=dt.datetime(2026, 7, 1, 9, tzinfo=tz))
    assert june.penalty_detail == []  # charged once
