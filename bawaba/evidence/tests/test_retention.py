"""Evidence is kept for the retention: no deletion before it, neither from code nor from the admin."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bawaba.evidence import services
from bawaba.evidence.models import EvidenceBatch, EvidenceRecord, RetentionError

from .helpers import FLOW, record_flow

pytestmark = pytest.mark.django_db


def test_evidence_younger_than_the_retention_cannot_be_deleted():
    record_flow("letter:A", FLOW[:2])
    services.stamp_pending()
    with pytest.raises(RetentionError):
        EvidenceRecord.objects.filter(subject="letter:A").delete()
    with pytest.raises(RetentionError):
        EvidenceRecord.objects.first().delete()
    with pytest.raises(RetentionError):
        EvidenceBatch.objects.first().delete()
    assert EvidenceRecord.objects.count() == 2


def test_evidence_older_than_the_retention_may_go(settings):
    settings.EVIDENCE_RETENTION_DAYS = 3653
    old = timezone.now() - dt.timedelta(days=3660)
    record = services.record_evidence("SubmissionAcceptance", subject="letter:old", actor="user:1", content_hash="",
                                      payload={}, at=old, now=old)
    young = record_flow("letter:young", FLOW[:1])[0]
    assert EvidenceRecord.objects.filter(pk=record.pk).delete()[0] == 1
    with pytest.raises(RetentionError):
        EvidenceRecord.objects.filter(pk=young.pk).delete()


def test_the_admin_shows_evidence_and_changes_nothing(admin_client):
    record_flow("letter:A", FLOW[:2])
    services.stamp_pending()
    record = EvidenceRecord.objects.first()
    assert admin_client.get(reverse("admin:evidence_evidencerecord_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:evidence_evidencerecord_change", args=[record.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.get(reverse("admin:evidence_evidencerecord_add")).status_code == 403
    assert admin_client.get(reverse("admin:evidence_evidencerecord_delete", args=[record.pk])).status_code == 403
    response = admin_client.post(reverse("admin:evidence_evidencerecord_changelist"),
                                 {"action": "delete_selected", "_selected_action": [record.pk]})
    assert response.status_code in (200, 302)
    assert EvidenceRecord.objects.count() == 2
    assert admin_client.get(reverse("admin:evidence_evidencebatch_changelist")).status_code == 200
