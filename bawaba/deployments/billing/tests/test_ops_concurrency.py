"""The same payment sent twice at the same moment with one Idempotency-Key is recorded once (PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from bawaba.deployments.billing import payments as billing_payments
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.common.api import idempotent
from bawaba.deployments.models import IdempotencyRecord, Payment
from bawaba.deployments.tests.factories import accepted_line

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL (DATABASE_URL) for real concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]


def test_a_payment_retried_at_the_same_moment_is_recorded_once(world):
    yesterday = timezone.now() - dt.timedelta(days=1)
    accepted_line(world, "GC-01", 20, yesterday)
    statement = billing_statements.do_issue_statements(world.contract, timezone.localdate() - dt.timedelta(days=1),
                                            world.billing_admin)
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def send():
        try:
            start.wait(timeout=5)
            outcomes.append(idempotent(
                world.billing_admin, "payment", "bank-run-42", [statement.pk, "100.00", "x"],
                create=lambda: billing_payments.do_record_payment(statement, amount="100", paid_on=timezone.localdate(),
                                                         reference="x", actor=world.billing_admin),
                load=lambda pk: Payment.objects.filter(pk=pk).first()))
        except Exception as error:  # noqa: BLE001 - any error fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(created for _payment, created in outcomes) == [False, True]
    assert Payment.objects.filter(statement=statement).count() == 1
    assert IdempotencyRecord.objects.count() == 1
