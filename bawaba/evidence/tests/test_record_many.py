"""record_many: a chunk's records inserted in one go keep each subject's chain, per-record proofs and tamper
detection, exactly as one record_evidence call per record."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bawaba.evidence import services
from bawaba.evidence.models import EvidenceRecord

from .helpers import FLOW, LETTER, bundle, codes, tampered

pytestmark = pytest.mark.django_db


def items(subjects, events):
    start = timezone.now() - dt.timedelta(seconds=30)
    return [{"event": event, "subject": subject, "actor": ("user:7", "sender"), "content_hash": LETTER,
             "payload": {"step": index}, "at": start + dt.timedelta(seconds=index)}
            for subject in subjects for index, event in enumerate(events)]


def test_many_records_in_one_insert_are_chained_per_subject_and_each_proof_verifies_alone():
    subjects = [f"letter:M{n}" for n in range(40)]
    with CaptureQueriesContext(connection) as queries:
        records = services.record_many(items(subjects, FLOW[:3]))
    assert len(records) == 120
    # one statement on PostgreSQL; SQLite splits it at its 999 parameters
    inserts = sum("INSERT" in q["sql"] for q in queries.captured_queries)
    assert inserts <= (1 if connection.vendor == "postgresql" else 3)
    assert services.stamp_pending() == 120
    for subject in (subjects[0], subjects[-1]):
        chain = list(EvidenceRecord.objects.filter(subject=subject).order_by("seq"))
        assert [(r.seq, r.event) for r in chain] == [(1, FLOW[0]), (2, FLOW[1]), (3, FLOW[2])]
        report = services.verify_bundle(bundle(subject))
        assert report.ok, report.failures
    assert services.audit() == []


def test_records_added_in_bulk_follow_the_ones_already_in_the_chain():
    services.record_evidence(FLOW[0], subject="letter:A", actor=("user:7", "sender"), content_hash=LETTER,
                             payload={})
    services.stamp_pending()
    services.record_many(items(["letter:A"], FLOW[1:3]))
    services.stamp_pending()
    assert list(EvidenceRecord.objects.filter(subject="letter:A").values_list("seq", "event")) == [
        (1, FLOW[0]), (2, FLOW[1]), (3, FLOW[2])]
    assert services.verify_bundle(bundle("letter:A")).ok
    assert services.audit() == []


def test_tampering_with_a_bulk_record_is_detected():
    services.record_many(items(["letter:T1", "letter:T2"], FLOW[:3]))
    services.stamp_pending()
    original = bundle("letter:T1")
    altered = tampered(original, lambda b: b["records"][1]["body"]["payload"].update(step=99))
    report = services.verify_bundle(altered)
    assert not report.ok and codes(report)
    EvidenceRecord.objects.filter(subject="letter:T2", seq=2).update(content_hash="0" * 64)
    assert any("letter:T2 #2" in problem for problem in services.audit())


def test_one_bad_item_writes_none_and_a_rolled_back_transaction_keeps_none():
    good = items(["letter:G"], FLOW[:2])
    with pytest.raises(ValueError):
        services.record_many(good + [{"event": "Delivered", "subject": "letter:G", "actor": "x", "payload": {}}])
    assert not EvidenceRecord.objects.exists()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record_many(good)
        raise RuntimeError("the chunk failed")
    assert not EvidenceRecord.objects.exists()
