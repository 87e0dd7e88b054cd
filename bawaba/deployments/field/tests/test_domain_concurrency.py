"""Reports sent at the same moment on two work orders with the same ONT serial or photo (PostgreSQL).

SQLite needs no test of its own: its IMMEDIATE transactions serialise every writer, which the sequential
test in test_reports.py (test_a_serial_and_a_photo_sent_later_on_another_order_are_caught_one_after_the_other)
covers on both databases.

Each report is held, once its reuse checks are done, until the other report has done its own (or for at
most HOLD seconds): without serialisation both would check before either stores anything, and both pass.
"""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from bawaba.deployments.common import rules as common_rules
from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import BillingLine, Decision, Photo, ReportedItem
from bawaba.deployments.tests.factories import FTTH_ITEMS, good_report, make_photo, make_site
from bawaba.deployments.work import setup as work_setup

HOLD = 3  # seconds

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL (DATABASE_URL) for real concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def two_orders(world):
    site = make_site(world.programme, "S-0003", lat=Decimal("36.7760"), lon=Decimal("3.0600"))
    other = work_setup.do_create_work_order(world.contract, site, reference="WO-0003", items=FTTH_ITEMS)
    return world.work_order, other


@pytest.fixture
def hold_after_checks(monkeypatch):
    """The rules run right after the reuse checks: meet the other report there before deciding."""
    meeting = threading.Barrier(2)
    evaluate = common_rules.evaluate

    def evaluate_once_both_checked(evidence, params=None):
        with contextlib.suppress(threading.BrokenBarrierError):  # the other one waits for this one's commit
            meeting.wait(timeout=HOLD)
        return evaluate(evidence, params)

    monkeypatch.setattr(common_rules, "evaluate", evaluate_once_both_checked)


def send_at_once(world, reports):
    start = threading.Barrier(len(reports))
    outcomes, errors = [], []

    def send(work_order, values):
        try:
            start.wait()
            outcomes.append(field_services.do_submit_field_report(world.worker, work_order, **values))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=report) for report in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return outcomes


def ont_item_decisions():
    items = ReportedItem.objects.filter(work_item__price_item__code="ONT-01")
    return sorted((item.decision, tuple(r["code"] for r in item.reasons)) for item in items)


def test_one_ont_serial_sent_at_once_on_two_orders_is_accepted_once(world, two_orders, hold_after_checks):
    send_at_once(world, [(order, good_report(world, "ONT-01", work_order=order, ont_serial="ZTEG00C0FFEE"))
                         for order in two_orders])
    assert ont_item_decisions() == [(Decision.ACCEPTED, ()), (Decision.REJECTED, ("ont_serial_reused",))]
    assert BillingLine.objects.count() == 1


def test_one_new_photo_sent_at_once_on_two_orders_is_stored_once_and_accepted_once(world, two_orders,
                                                                                   hold_after_checks):
    photo_bytes = make_photo(seed=909090).read()
    send_at_once(world, [(order, good_report(world, "ONT-01", work_order=order, photos=[
        SimpleUploadedFile(f"{order.reference}.jpg", photo_bytes), make_photo()])) for order in two_orders])
    assert ont_item_decisions() == [(Decision.ACCEPTED, ()), (Decision.REJECTED, ("photo_reused",))]
    same = Photo.objects.filter(sha256=Photo.objects.get(reused_from__isnull=False).sha256)
    assert same.count() == 2 and same.filter(reused_from=None).count() == 1
    assert len({photo.image.name for photo in same}) == 1  # one file for the bytes


def test_a_photo_stored_at_the_same_moment_becomes_a_reuse_even_without_the_lock(world, two_orders,
                                                                                hold_after_checks, monkeypatch):
    # The last line of defence: the unique original per hash makes the second insert fail once the first
    # commits; the second report is then stored again, its photo as a reuse: never a 500.
    monkeypatch.setattr(field_services, "_serialise_evidence", lambda serial, shas: None, raising=False)
    photo_bytes = make_photo(seed=919191).read()
    outcomes = send_at_once(world, [(order, good_report(world, "ONT-01", work_order=order, photos=[
        SimpleUploadedFile(f"{order.reference}.jpg", photo_bytes), make_photo()])) for order in two_orders])
    assert all(outcome.created for outcome in outcomes)
    assert ont_item_decisions() == [(Decision.ACCEPTED, ()), (Decision.REJECTED, ("photo_reused",))]
    assert Photo.objects.filter(reused_from=None, sha256=Photo.objects.get(reused_from__isnull=False).sha256) \
        .count() == 1
