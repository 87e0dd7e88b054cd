"""The stamper under concurrency: several workers at once seal every record exactly once, in one chain per
subject; a worker that died holding the lease does not block the others for longer than the lease."""

import datetime as dt
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from bawaba.evidence import services
from bawaba.evidence.models import EvidenceBatch, EvidenceRecord, StamperLease

from .helpers import FLOW, record_flow


@pytest.mark.django_db(transaction=True)
def test_workers_racing_seal_each_record_once_in_one_chain_per_subject():
    for letter in range(30):
        record_flow(f"letter:{letter}", FLOW)
    errors = []

    def worker():
        try:
            for _ in range(3):
                for _attempt in range(20):
                    try:
                        services.stamp_pending()
                        break
                    except OperationalError as exc:
                        # SQLite's shared in-memory test database refuses a locked table at once instead of
                        # waiting: the worker tries again, as the next sweep would.
                        if "locked" not in str(exc):
                            raise
                        time.sleep(0.05)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert not EvidenceRecord.objects.pending().exists()
    assert EvidenceRecord.objects.count() == 150
    assert not EvidenceBatch.objects.filter(stamped_at__isnull=True).exists()
    assert services.audit() == []


@pytest.mark.django_db
def test_a_lease_left_by_a_dead_worker_expires():
    record_flow("letter:A", FLOW[:2])
    StamperLease.objects.create(pk=1, holder="dead-worker", leased_until=timezone.now() + dt.timedelta(seconds=30))
    assert services.stamp_pending() == 0  # someone else is (supposedly) at work
    StamperLease.objects.filter(pk=1).update(leased_until=timezone.now() - dt.timedelta(seconds=1))
    assert services.stamp_pending() == 2
