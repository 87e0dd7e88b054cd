"""A real RFC 3161 authority on loopback (openssl ts -reply): tokens obtained, checked and trusted only
through the configured roots; while it is down, nothing is lost and everything is stamped once it is back."""

import datetime as dt

import pytest
from django.utils import timezone

from bawaba.evidence import services, tsa
from bawaba.evidence.models import EvidenceBatch, EvidenceRecord

from .helpers import FLOW, bundle, codes
from .helpers import record_flow as record_flow_now


def record_flow(authority, subject, events=FLOW):
    """Events dated on the authority's clock (see the loopback_tsa fixture)."""
    return record_flow_now(subject, events, start=timezone.now() - authority.skew - dt.timedelta(seconds=30))

pytestmark = pytest.mark.django_db


def test_batches_are_time_stamped_by_the_configured_authority(loopback_tsa):
    before = loopback_tsa.requests
    record_flow(loopback_tsa, "letter:A")
    record_flow(loopback_tsa, "letter:B", FLOW[:2])
    assert services.stamp_pending() == 7
    batch = EvidenceBatch.objects.get()
    assert batch.tsa == loopback_tsa.url and batch.stamped_at and batch.tsa_time
    assert loopback_tsa.requests == before + 1  # seven records, one token
    report = services.verify_bundle(bundle("letter:A"))
    assert report.ok, report.failures
    assert not any("NOT QUALIFIED" in notice for notice in report.notices)


def test_a_token_of_an_authority_not_trusted_here_is_refused(loopback_tsa, settings):
    record_flow(loopback_tsa, "letter:A", FLOW[:2])
    services.stamp_pending()
    proof = bundle("letter:A")
    settings.EVIDENCE_TSA_TRUST_ROOTS = []  # the platform no longer trusts the test CA
    tsa.clear_caches()
    report = services.verify_bundle(proof)
    assert codes(report) == {"timestamp"}
    assert "not trusted" in report.failures[0].message
    # ...unless the verifier chooses to trust the roots the bundle carries (having checked them elsewhere)
    assert services.verify_bundle(proof, trust_bundle=True).ok


def test_authority_down_records_stay_pending_then_are_stamped_when_it_is_back(loopback_tsa):
    loopback_tsa.stop()
    record_flow(loopback_tsa, "letter:A", FLOW[:2])
    services.stamp_pending()
    batch = EvidenceBatch.objects.get()
    assert batch.stamped_at is None and batch.attempts == 1
    assert "unreachable" in batch.last_error
    record_flow(loopback_tsa, "letter:A", FLOW[2:])
    services.stamp_pending(now=timezone.now() + dt.timedelta(minutes=10))  # the authority is still down
    assert EvidenceRecord.objects.pending().count() == 3  # kept, waiting: not sealed into more batches
    assert EvidenceBatch.objects.get().attempts == 2
    report = services.verify_bundle(bundle("letter:A"))
    assert codes(report) == {"timestamp"} and "not time-stamped yet" in report.failures[0].message

    loopback_tsa.start()
    services.stamp_pending(now=timezone.now() + dt.timedelta(minutes=20))

    assert not EvidenceRecord.objects.pending().exists()
    assert EvidenceRecord.objects.count() == 5
    assert not EvidenceBatch.objects.filter(stamped_at__isnull=True).exists()
    assert services.verify_bundle(bundle("letter:A")).ok
    assert services.audit() == []


def test_answers_that_are_not_for_our_request_are_refused(loopback_tsa):
    authority = tsa.HttpTimestamper(loopback_tsa.url, timeout=5)
    with pytest.raises(tsa.TimestampError):
        tsa.token_from_response(b"<html>busy</html>", b"\x00" * 32, 1)
    token = authority.stamp(b"\x11" * 32)
    with pytest.raises(tsa.TokenError, match="another value"):
        tsa.verify_token(token, b"\x22" * 32, tsa.trust_roots())
