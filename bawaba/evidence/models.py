"""Evidence records, the batches that time-stamp them, and the chains they form.

A record is written `pending` in the caller's transaction (services.record_evidence). The stamper
(services.stamp_pending) then links it to its subject's chain (seq, prev_hash), computes its hash over the
canonical body, seals that hash with the platform's key and puts it in a batch: one Merkle tree whose root
an RFC 3161 authority time-stamps. A sealed record never changes again; none is deleted before the end of
the retention (EVIDENCE_RETENTION_DAYS), neither from the admin nor from code.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .events import Event


class RetentionError(PermissionDenied):
    """Evidence younger than the retention cannot be deleted; a sealed record cannot be changed."""


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.EVIDENCE_RETENTION_DAYS)


class EvidenceQuerySet(models.QuerySet):
    def delete(self):
        cutoff = retention_cutoff()
        if self.filter(models.Q(created_at__gt=cutoff) | models.Q(at__gt=cutoff)).exists():
            raise RetentionError(_("Evidence is kept for %(days)s days and cannot be deleted before.")
                                 % {"days": settings.EVIDENCE_RETENTION_DAYS})
        return super().delete()

    def pending(self):
        return self.filter(batch__isnull=True)


class EvidenceBatch(models.Model):
    """Records sealed together: one Merkle root, one time-stamp token. Leaf 0 is the previous batch's root,
    so the batches form one global chain (services.audit walks it)."""

    prev_root = models.CharField(max_length=64)
    root = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()  # leaves, the previous root included
    created_at = models.DateTimeField()
    token = models.BinaryField(null=True, blank=True)  # RFC 3161 TimeStampToken (DER)
    tsa = models.CharField(max_length=200, blank=True)
    stamped_at = models.DateTimeField(null=True, blank=True)  # when the token was received
    tsa_time = models.DateTimeField(null=True, blank=True)  # genTime in the token
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["stamped_at", "next_attempt_at"], name="evidence_batch_due")]

    def __str__(self):
        return f"batch {self.pk} ({self.root[:12]}…)"

    def delete(self, *args, **kwargs):
        raise RetentionError(_("A time-stamped batch of evidence cannot be deleted."))


class EvidenceRecord(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, choices=Event.choices)
    subject = models.CharField(max_length=120, db_index=True)  # e.g. "hybridmail.letter:HM-0001-2345"
    actor_id = models.CharField(max_length=120)  # e.g. "user:42", "system:print-centre:3"
    actor_role = models.CharField(max_length=60, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)  # SHA-256 of the letter/content, hex
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()  # when the event happened
    created_at = models.DateTimeField()  # when it was recorded
    # Set once by the stamper, never changed afterwards.
    seq = models.PositiveIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    record_hash = models.CharField(max_length=64, blank=True, db_index=True)
    seal_algorithm = models.CharField(max_length=30, blank=True)
    seal_key_id = models.CharField(max_length=64, blank=True)
    seal = models.TextField(blank=True)  # base64 signature over the record hash
    sealed_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(EvidenceBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    leaf_index = models.PositiveIntegerField(null=True, blank=True)
    inclusion_proof = models.JSONField(default=list, blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["subject", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "seq"], name="evidence_subject_seq"),
        ]
        indexes = [models.Index(fields=["batch", "id"], name="evidence_pending")]
        verbose_name = _lazy("evidence record")

    def __str__(self):
        return f"{self.subject} #{self.seq or '…'} {self.event}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding and self.sealed_at:
            raise RetentionError(_("A sealed evidence record cannot be changed."))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.created_at > retention_cutoff() or self.at > retention_cutoff():
            raise RetentionError(_("Evidence is kept for %(days)s days and cannot be deleted before.")
                                 % {"days": settings.EVIDENCE_RETENTION_DAYS})
        return super().delete(*args, **kwargs)

    @property
    def state(self) -> str:
        if self.batch_id is None:
            return "pending"
        return "stamped" if self.batch.stamped_at else "sealed"


class ChainHead(models.Model):
    """The last sealed record of each subject's chain (written only by the stamper)."""

    subject = models.CharField(max_length=120, unique=True)
    length = models.PositiveIntegerField()
    head_hash = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.subject}: {self.length}"


class StamperLease(models.Model):
    """One stamper at a time, across processes and databases: a row whose lease a worker takes for a while."""

    holder = models.CharField(max_length=80, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"stamper lease: {self.holder or 'free'}"
