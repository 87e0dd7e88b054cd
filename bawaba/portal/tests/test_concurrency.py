"""Two presses of "Submit" arriving at the same moment still create one request (PostgreSQL)."""

import threading
import uuid

import pytest
from django.db import connection, connections

from bawaba.portal.services import do_submit_web_request
from bawaba.servicedesk.models import Request


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_of_one_form_create_one_request(web_rule):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) for real concurrent transactions")
    token = uuid.uuid4()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def press():
        try:
            barrier.wait()
            request, created = do_submit_web_request(
                token=token, citizen_phone="0550123456", subject="Colis", text="Mon colis n'est pas arrivé."
            )
            results.append((request.pk, created))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Request.objects.count() == 1
    assert {pk for pk, _created in results} == {Request.objects.get().pk}
    assert sorted(created for _pk, created in results) == [False, False, False, True]
