"""New-letter notices queued in bulk (notifications.notify_many, a chunk's deposits): the same messages as one
notify() per letter, an opted-out number stopped, the same event queued once."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from bawaba.hybridmail import dispatch  # noqa: F401 - registers the hybridmail.new_letter template
from bawaba.notifications.models import OptOut, OutboundMessage
from bawaba.notifications.services import notify, notify_many

pytestmark = pytest.mark.django_db

FIELDS = ("channel", "recipient", "language", "subject", "body", "state", "template", "topic", "reference")


def _request(reference, phone, email="", language="fr"):
    return {"topic": "hybridmail.letter", "reference": reference, "event": "deposited",
            "template": "hybridmail.new_letter", "language": language, "organisation_id": None, "phone": phone,
            "email": email, "context": {"sender": "Ministère des Finances", "link": f"https://b.example/{reference}"}}


def test_notify_many_queues_what_notify_queues_one_by_one(settings):
    settings.NOTIFICATION_SEND_AT_ONCE = False
    now = timezone.now()
    OptOut.objects.create(channel="sms", address="+213661000003", source="sms", created_at=now)
    requests = [_request("L-A1", "+213661000001", "a@example.dz"), _request("L-A2", "+213661000002", language="ar"),
                _request("L-A3", "+213661000003"), _request("L-A4", "")]
    with pytest.raises(RuntimeError), transaction.atomic():  # one by one, then rolled back
        one_by_one = [notify(**r, now=now) for r in requests]
        raise RuntimeError("roll back")
    assert not OutboundMessage.objects.exists()
    bulk = notify_many(requests, now=now)
    assert [len(m) for m in bulk] == [len(m) for m in one_by_one] == [2, 1, 1, 0]
    for single, many in zip(one_by_one, bulk, strict=True):
        assert sorted([getattr(m, f) for f in FIELDS] for m in single) == sorted(
            [getattr(m, f) for f in FIELDS] for m in many)
        assert {m.idempotency_key for m in single} == {m.idempotency_key for m in many}
    assert bulk[2][0].state == "stopped" and bulk[0][0].state == "queued"
    # The same events again (a chunk retried): nothing more stored, the same rows answered.
    again = notify_many(requests, now=now + dt.timedelta(minutes=1))
    assert [[m.pk for m in ms] for ms in again] == [[m.pk for m in ms] for ms in bulk]
    assert OutboundMessage.objects.count() == 4
