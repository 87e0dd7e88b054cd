"""The evidence service other modules call (docs/evidence.md).

- `record_evidence(event, subject=..., actor=..., content_hash=..., payload=...)` writes a pending record in
  the caller's transaction: the change and its evidence are stored together or not at all.
- `stamp_pending()` (a Huey task queued after each commit, and a sweep every minute) links pending records
  to their subject's chain, seals them, and has their Merkle root time-stamped: within a second at 200
  events/s (bench/evidence.py). While the authority is unreachable the records stay pending, kept in the
  database, and are sealed and stamped as soon as it answers again.
- `proof_for(subject)` gives the proof PDF (or its JSON bundle); `verify_bundle(data)` checks one offline.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import canonical, sealing, tsa
from .events import Event, event_uri
from .models import ChainHead, EvidenceBatch, EvidenceRecord, StamperLease

log = logging.getLogger(__name__)

LEASE_SECONDS = 60
MAX_PAYLOAD_BYTES = 16 * 1024
MAX_BATCH_RECORDS = 5000
FORMAT = "bawaba-evidence-record/1"


# --- Writing ----------------------------------------------------------------------------------------------

def _actor(actor, role: str) -> tuple[str, str]:
    if isinstance(actor, tuple | list) and len(actor) == 2:
        return str(actor[0]), str(actor[1] or role)
    if isinstance(actor, str):
        return actor, role
    if getattr(actor, "pk", None) is not None:
        return f"{actor._meta.label_lower}:{actor.pk}", role
    raise ValueError("actor must be a string, an (id, role) pair or a saved object")


def _subject(subject) -> str:
    if isinstance(subject, str):
        return subject
    if getattr(subject, "pk", None) is not None:
        return f"{subject._meta.label_lower}:{subject.pk}"
    raise ValueError("subject must be a string or a saved object")


def record_evidence(event: str, *, subject, actor, content_hash: str, payload: dict | None,
                    at: dt.datetime | None = None, actor_role: str = "",
                    now: dt.datetime | None = None) -> EvidenceRecord:
    """Record that `event` happened to `subject` (a letter's reference...), done by `actor`, about the content
    whose SHA-256 is `content_hash` (hex; "" when there is no content). Call it inside the transaction of
    the change it attests; the record is sealed and time-stamped within a second after the commit."""
    now = now or timezone.now()
    record = _checked_record(event, subject=subject, actor=actor, content_hash=content_hash, payload=payload,
                             at=at, actor_role=actor_role, now=now)
    with transaction.atomic():
        record.save(force_insert=True)
    if settings.EVIDENCE_STAMP_AT_ONCE:
        transaction.on_commit(_stamp_soon)
    return record


def _checked_record(event: str, *, subject, actor, content_hash: str, payload: dict | None,
                    at: dt.datetime | None, actor_role: str, now: dt.datetime) -> EvidenceRecord:
    """An unsaved pending record, checked as record_evidence checks it."""
    if event not in Event.values:
        raise ValueError(f"unknown evidence event: {event!r} (ETSI EN 319 522 names, bawaba.evidence.events)")
    subject = _subject(subject)
    actor_id, actor_role = _actor(actor, actor_role)
    if not subject or len(subject) > 120 or not actor_id or len(actor_id) > 120 or len(actor_role) > 60:
        raise ValueError("subject and actor must be 1 to 120 characters (role at most 60)")
    content_hash = (content_hash or "").lower()
    if content_hash and (len(content_hash) != 64 or any(c not in "0123456789abcdef" for c in content_hash)):
        raise ValueError("content_hash must be a SHA-256 in hexadecimal (64 characters)")
    payload = payload or {}
    if not isinstance(payload, dict):
        raise ValueError("payload must be a JSON object")
    if len(canonical.canonical_json(payload)) > MAX_PAYLOAD_BYTES:
        raise ValueError("evidence payload too large")
    at = at or now
    if timezone.is_naive(at):
        raise ValueError("the event time must be timezone-aware")
    return EvidenceRecord(event=event, subject=subject, actor_id=actor_id, actor_role=actor_role,
                          content_hash=content_hash, payload=payload, at=at, created_at=now)


def record_many(items: list[dict], *, now: dt.datetime | None = None) -> list[EvidenceRecord]:
    """Record many events at once (a mail-merge chunk's 500 acceptances): one INSERT instead of one per record.
    Each item holds record_evidence's keyword arguments (`event`, `subject`, `actor`, `content_hash`, `payload`,
    optionally `at` and `actor_role`). Every item is checked before anything is written; a bad one raises
    ValueError and writes none. The records are pending like record_evidence's, in the caller's transaction,
    in the order given: the stamper links each to its subject's chain (records of the same subject in this
    order, after those already recorded), seals it and gives it its own inclusion proof — the same chain and
    proofs as one record_evidence call per item."""
    now = now or timezone.now()
    records = [_checked_record(item["event"], subject=item["subject"], actor=item["actor"],
                               content_hash=item.get("content_hash", ""), payload=item.get("payload"),
                               at=item.get("at"), actor_role=item.get("actor_role", ""), now=now)
               for item in items]
    if not records:
        return []
    with transaction.atomic():
        EvidenceRecord.objects.bulk_create(records, batch_size=1000)
    if settings.EVIDENCE_STAMP_AT_ONCE:
        transaction.on_commit(_stamp_soon)
    return records


_last_queued = 0.0
_queue_lock = threading.Lock()


def _stamp_soon(force: bool = False) -> None:
    """Queue the stamper after a commit, at most once per batch window in this process: at 200 events/s that
    is 4 tasks a second, not 200. A commit that queues nothing is covered by the stamper started by the one
    that did, which lingers longer than the window (stamp_pending)."""
    global _last_queued
    from .tasks import stamp_evidence

    now = time.time()
    with _queue_lock:
        if not force and now - _last_queued < settings.EVIDENCE_BATCH_WINDOW_MS / 1000:
            return
        _last_queued = now
    try:
        stamp_evidence(queued_at=now)
    except Exception:  # the queue is down: the sweep stamps them within a minute  # noqa: BLE001
        log.warning("could not queue the evidence stamper; the sweep will run it", exc_info=True)
        with _queue_lock:
            _last_queued = 0.0


# --- The body that is hashed ------------------------------------------------------------------------------

def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_body(record: EvidenceRecord) -> dict:
    """Everything a record attests, as hashed and sealed (canonical JSON of this dict)."""
    return {
        "format": FORMAT, "id": str(record.uuid), "subject": record.subject, "seq": record.seq,
        "prev": record.prev_hash, "event": record.event, "event_uri": event_uri(record.event), "at": iso(record.at),
        "actor": {"id": record.actor_id, "role": record.actor_role}, "content_sha256": record.content_hash,
        "payload": record.payload,
    }


def body_hash(body: dict) -> str:
    return canonical.sha256_hex(canonical.canonical_json(body))


# --- The stamper ------------------------------------------------------------------------------------------

def _holder() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claim(holder: str) -> bool:
    now = timezone.now()
    lease = StamperLease.objects.filter(pk=1).values_list("holder", "leased_until").first()
    if lease is not None and lease[1] is not None and lease[1] > now and lease[0] != holder:
        return False  # read first: a busy stamper costs the others no write
    with transaction.atomic():
        if lease is None:
            StamperLease.objects.bulk_create([StamperLease(pk=1)], ignore_conflicts=True)
        taken = (StamperLease.objects.filter(pk=1)
                 .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now) | Q(holder=holder))
                 .update(holder=holder, leased_until=now + dt.timedelta(seconds=LEASE_SECONDS)))
    return taken == 1


def _release(holder: str) -> None:
    StamperLease.objects.filter(pk=1, holder=holder).update(leased_until=None, holder="")


def _unstamped_batches():
    return EvidenceBatch.objects.filter(stamped_at__isnull=True).order_by("id")


def seal_pending(*, now: dt.datetime | None = None, limit: int = MAX_BATCH_RECORDS) -> EvidenceBatch | None:
    """Link, hash and seal up to `limit` pending records into a new batch (one transaction). Only the
    stamper holding the lease calls this."""
    now = now or timezone.now()
    with transaction.atomic():
        records = list(EvidenceRecord.objects.pending().order_by("id")[:limit])
        if not records:
            return None
        subjects = {record.subject for record in records}
        heads = {head.subject: head for head in ChainHead.objects.filter(subject__in=subjects)}
        new_heads = {}
        for record in records:
            head = heads.get(record.subject) or new_heads.get(record.subject)
            if head is None:
                head = new_heads[record.subject] = ChainHead(subject=record.subject, length=0,
                                                             head_hash=canonical.ZERO_HASH)
            record.seq = head.length + 1
            record.prev_hash = head.head_hash
            record.record_hash = body_hash(record_body(record))
            record.seal_algorithm, record.seal_key_id, record.seal = sealing.seal(record.record_hash)
            record.sealed_at = now
            head.length, head.head_hash = record.seq, record.record_hash
        last = EvidenceBatch.objects.order_by("-id").values_list("root", flat=True).first()
        prev_root = last or canonical.ZERO_HASH
        root, proofs = canonical.merkle_tree([prev_root] + [record.record_hash for record in records])
        batch = EvidenceBatch.objects.create(prev_root=prev_root, root=root, size=len(records) + 1, created_at=now,
                                             next_attempt_at=now)
        for index, record in enumerate(records, start=1):
            record.batch, record.leaf_index, record.inclusion_proof = batch, index, proofs[index]
        _update_many(EvidenceRecord, records, ["seq", "prev_hash", "record_hash", "seal_algorithm", "seal_key_id",
                                               "seal", "sealed_at", "batch", "leaf_index", "inclusion_proof"])
        ChainHead.objects.bulk_create(new_heads.values())
        _update_many(ChainHead, list(heads.values()), ["length", "head_hash"])
    return batch


def _update_many(model, objects, names: list[str]) -> None:
    """One UPDATE statement run for many rows (executemany): Django's bulk_update builds a CASE per field and
    row, which took 0.4 s for 100 records, most of a batch's time at 200 events/s."""
    if not objects:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] + [obj.pk]
            for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def retry_delay(attempts: int) -> dt.timedelta:
    seconds = settings.EVIDENCE_TSA_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, 300))


def stamp_batch(batch: EvidenceBatch, *, now: dt.datetime | None = None) -> bool:
    """Ask the authority for the batch's token (outside any transaction), check it, store it."""
    now = now or timezone.now()
    authority = tsa.timestamper()
    try:
        token = authority.stamp(bytes.fromhex(batch.root))
        info = tsa.verify_token(token, bytes.fromhex(batch.root), tsa.trust_roots())
    except (tsa.TimestampError, tsa.TokenError) as exc:
        batch.attempts += 1
        batch.last_error = str(exc)[:500]
        batch.next_attempt_at = now + retry_delay(batch.attempts)
        batch.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        log.warning("evidence batch %s not time-stamped (attempt %d): %s", batch.pk, batch.attempts, exc)
        return False
    batch.token, batch.tsa, batch.tsa_time = token, authority.label[:200], info.gen_time
    batch.stamped_at, batch.last_error, batch.next_attempt_at = timezone.now(), "", None
    batch.attempts += 1
    batch.save(update_fields=["token", "tsa", "tsa_time", "stamped_at", "last_error", "next_attempt_at", "attempts"])
    return True


def stamp_once(*, now: dt.datetime | None = None) -> tuple[int, bool]:
    """One pass: stamp the waiting batches first (oldest first, stopping at the first failure); only when
    none is left, seal the pending records into a new batch and stamp it. (sealed, authority answered)."""
    now = now or timezone.now()
    for batch in _unstamped_batches():
        if batch.next_attempt_at and batch.next_attempt_at > now:
            return 0, False  # the authority failed a moment ago: wait for the retry time
        if not stamp_batch(batch, now=now):
            return 0, False
    batch = seal_pending(now=now)
    if batch is None:
        return 0, True
    return batch.size - 1, stamp_batch(batch, now=now)


def work_left(now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if _unstamped_batches().filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).exists():
        return True
    return not _unstamped_batches().exists() and EvidenceRecord.objects.pending().exists()


def stamp_pending(*, now: dt.datetime | None = None, linger: float = 0.0, max_seconds: float = 50.0,
                  stop_lingering=None) -> int:
    """Run the stamper while there is work (one at a time across processes); returns the records sealed.
    Passes are at least EVIDENCE_BATCH_WINDOW_MS apart, so records arriving meanwhile share one token. With
    `linger`, the stamper keeps looking (every window) until it has been idle that long: the task queued
    after a commit lingers longer than the window during which a process queues no other task
    (_stamp_soon), so a record whose commit queued nothing is still seen. `stop_lingering` (a function, asked
    each time the stamper is idle): when it answers true, the stamper stops lingering at once (the task's
    way of not holding a queue worker idle while other jobs wait; it then asks for one more look later)."""
    window = settings.EVIDENCE_BATCH_WINDOW_MS / 1000
    deadline = time.monotonic() + max_seconds
    holder, total = _holder(), 0
    while True:
        if not _claim(holder):
            return total
        try:
            last_work = time.monotonic()
            while True:
                started = time.monotonic()
                sealed, answered = stamp_once(now=now)
                total += sealed
                if sealed:
                    last_work = time.monotonic()
                if not answered or time.monotonic() > deadline:
                    break
                if not work_left(now) and (time.monotonic() - last_work >= linger
                                           or (stop_lingering is not None and stop_lingering())):
                    break
                _claim(holder)  # renew the lease
                time.sleep(max(0.0, window - (time.monotonic() - started)))
        finally:
            if time.monotonic() > deadline and work_left(now):
                _stamp_soon(force=True)  # a successor takes over as soon as the lease is free
            _release(holder)
        # A record committed while we held the lease, after our last look, whose task found the lease taken:
        # look again now that the lease is free, so no record waits for the next sweep.
        if not work_left(now) or time.monotonic() > deadline:
            return total


# --- Proofs and verification ------------------------------------------------------------------------------

def chain_of(subject: str) -> list[EvidenceRecord]:
    return list(EvidenceRecord.objects.filter(subject=subject).select_related("batch").order_by("seq", "id"))


def bundle_for(subject, *, now: dt.datetime | None = None) -> dict:
    from .proof import build_bundle

    return build_bundle(_subject(subject), now=now)


def proof_for(subject, *, format: str = "pdf", language: str | None = None,  # noqa: A002
              now: dt.datetime | None = None) -> bytes:
    """The proof of `subject`: a PDF listing its chain with the JSON bundle embedded (format="pdf"), or the
    bundle alone (format="json"). Both verify offline with `bawaba evidence verify` or /evidence/verify/."""
    from .proof import bundle_bytes, proof_pdf

    bundle = bundle_for(subject, now=now)
    if format == "json":
        return bundle_bytes(bundle)
    return proof_pdf(bundle, language=language)


def verify_bundle(data, **options):
    from .verify import verify_bundle as verify

    return verify(data, **options)


def audit() -> list[str]:
    """Problems found by walking everything stored (empty when the whole log is sound): the global chain of
    batches, every batch's root recomputed from its records (a deleted record changes it), every record's
    hash and seal, and every subject's chain."""
    problems: list[str] = []
    trusted = sealing.trusted_seal_keys()
    prev_root = canonical.ZERO_HASH
    for batch in EvidenceBatch.objects.order_by("id").iterator():
        if batch.prev_root != prev_root:
            problems.append(f"batch {batch.pk}: does not follow the previous batch")
        records = list(EvidenceRecord.objects.filter(batch=batch).order_by("leaf_index"))
        if [record.leaf_index for record in records] != list(range(1, batch.size)):
            problems.append(f"batch {batch.pk}: records missing or added ({len(records)} of {batch.size - 1})")
        root, _proofs = canonical.merkle_tree([batch.prev_root] + [record.record_hash for record in records])
        if root != batch.root:
            problems.append(f"batch {batch.pk}: its records do not give its Merkle root")
        for record in records:
            if body_hash(record_body(record)) != record.record_hash:
                problems.append(f"{record.subject} #{record.seq}: altered (its content no longer gives its hash)")
            key = trusted.get(record.seal_key_id)
            if key is None or not sealing.verify_seal(key, record.record_hash, record.seal):
                problems.append(f"{record.subject} #{record.seq}: seal invalid")
        prev_root = batch.root
    expected: dict[str, tuple[int, str]] = {}
    for subject, seq, prev, record_hash in (EvidenceRecord.objects.exclude(seq__isnull=True)
                                            .order_by("subject", "seq").values_list("subject", "seq", "prev_hash",
                                                                                    "record_hash").iterator()):
        length, head = expected.get(subject, (0, canonical.ZERO_HASH))
        if seq != length + 1 or prev != head:
            problems.append(f"{subject} #{seq}: chain broken (a record before it was removed or altered)")
        expected[subject] = (seq, record_hash)
    for head in ChainHead.objects.all().iterator():
        if expected.get(head.subject) != (head.length, head.head_hash):
            problems.append(f"{head.subject}: the chain's last records were removed")
    return problems
