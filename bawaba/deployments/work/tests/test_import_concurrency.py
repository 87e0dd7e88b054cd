"""Two imports of the same file at the same moment (PostgreSQL): one stores, the other lists row errors."""

import contextlib
import threading

import pytest
from django.db import connection, connections

from bawaba.deployments.models import WorkOrder
from bawaba.deployments.work import importing as work_importing

from .test_import import GOOD, HEADER, upload

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL (DATABASE_URL) for real concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]


def test_same_file_imported_twice_at_once_stores_once_and_reports_the_clash(world, monkeypatch):
    meeting = threading.Barrier(2)
    store = work_importing._store_import

    def store_once_both_checked(*args, **kwargs):  # both imports have checked before either writes
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait(timeout=3)
        return store(*args, **kwargs)

    monkeypatch.setattr(work_importing, "_store_import", store_once_both_checked)
    results, errors = [], []

    def run():
        try:
            results.append(work_importing.import_work_orders(upload(HEADER + GOOD), contract=world.contract,
                                                        actor=world.inspector))
        except Exception as error:  # noqa: BLE001 - the test reports any error as a failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(result.ok for result in results) == [False, True]
    refused = next(result for result in results if not result.ok)
    assert {error.column for error in refused.errors} == {"work_order"}
    assert WorkOrder.objects.filter(reference__in=["WO-A100", "WO-A101", "WO-H1"]).count() == 3
