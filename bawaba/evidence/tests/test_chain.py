"""The chain: every record sealed, linked and time-stamped; every kind of tampering found, with its reason."""

import base64
import subprocess

import pytest
from django.db import connection, transaction

from bawaba.evidence import canonical, services
from bawaba.evidence.models import EvidenceBatch, EvidenceRecord
from bawaba.evidence.sealing import KeySealer, file_sealer

from .helpers import FLOW, LETTER, bundle, codes, record_flow, tampered

pytestmark = pytest.mark.django_db


def test_records_are_chained_per_subject_sealed_and_share_one_time_stamp():
    record_flow("letter:A")
    record_flow("letter:B", FLOW[:2])
    assert EvidenceRecord.objects.pending().count() == 7

    assert services.stamp_pending() == 7

    batch = EvidenceBatch.objects.get()
    assert batch.stamped_at and batch.token and batch.tsa == "local" and batch.size == 8
    chain = list(EvidenceRecord.objects.filter(subject="letter:A").order_by("seq"))
    assert [r.seq for r in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == canonical.ZERO_HASH
    assert all(later.prev_hash == earlier.record_hash for earlier, later in zip(chain, chain[1:], strict=False))
    report = services.verify_bundle(services.proof_for("letter:A"))
    assert report.ok, report.failures
    assert [r.event for r in report.records] == FLOW
    assert any("NOT QUALIFIED" in notice for notice in report.notices)
    assert services.audit() == []


def test_next_batch_links_to_the_previous_one_and_the_chain_goes_on():
    record_flow("letter:A", FLOW[:2])
    services.stamp_pending()
    record_flow("letter:A", FLOW[2:])
    services.stamp_pending()
    first, second = EvidenceBatch.objects.order_by("id")
    assert second.prev_root == first.root
    assert list(EvidenceRecord.objects.filter(subject="letter:A").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert services.verify_bundle(bundle("letter:A")).ok
    assert services.audit() == []


def test_evidence_is_written_in_the_callers_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        record_flow("letter:A")
        raise RuntimeError("the letter was not stored after all")
    assert not EvidenceRecord.objects.exists()


@pytest.mark.parametrize("kwargs", [
    {"event": "Delivered"},  # not an ETSI EN 319 522 event
    {"content_hash": "abc"},
    {"payload": {"amount": 12.5}},  # floats do not serialise the same everywhere
    {"payload": ["not", "an", "object"]},
    {"subject": ""},
])
def test_bad_evidence_is_refused_and_nothing_stored(kwargs):
    arguments = {"event": "SubmissionAcceptance", "subject": "letter:A", "actor": "user:1", "content_hash": LETTER,
                 "payload": {}} | kwargs
    event = arguments.pop("event")
    with pytest.raises(ValueError):
        services.record_evidence(event, **arguments)
    assert not EvidenceRecord.objects.exists()


@pytest.fixture
def proof():
    record_flow("letter:A")
    services.stamp_pending()
    return bundle("letter:A")


def test_altered_payload_is_detected(proof):
    report = services.verify_bundle(tampered(proof, lambda b: b["records"][2]["body"]["payload"].update(step=9)))
    assert not report.ok
    assert codes(report) == {"hash"}
    assert [f.record for f in report.failures] == [3]
    assert "altered" in report.failures[0].message


def test_altered_time_is_detected_even_with_a_recomputed_hash(proof):
    def change(b):
        record = b["records"][1]
        record["body"]["at"] = "2020-01-01T00:00:00.000000Z"
        record["hash"] = services.body_hash(record["body"])

    report = services.verify_bundle(tampered(proof, change))
    assert {"seal", "inclusion", "chain"} <= codes(report)


def test_removed_record_is_detected(proof):
    report = services.verify_bundle(tampered(proof, lambda b: b["records"].pop(1)))
    assert {"chain", "head"} <= codes(report)
    assert any(f.record == 3 and f.code == "chain" for f in report.failures)


def test_last_record_removed_is_detected_by_the_sealed_head(proof):
    report = services.verify_bundle(tampered(proof, lambda b: b["records"].pop()))
    assert codes(report) == {"head"}


def test_reordered_records_are_detected(proof):
    def swap(b):
        b["records"][1], b["records"][2] = b["records"][2], b["records"][1]

    report = services.verify_bundle(tampered(proof, swap))
    assert codes(report) == {"chain"}
    assert {f.record for f in report.failures} == {2, 3, 4}  # 4 no longer follows the record before it


def test_swapped_time_stamp_token_is_detected(proof):
    record_flow("letter:B", FLOW[:1])
    services.stamp_pending()
    other = EvidenceBatch.objects.order_by("id").last()

    def swap(b):
        for batch in b["batches"].values():
            batch["token"] = base64.b64encode(bytes(other.token)).decode()

    report = services.verify_bundle(tampered(proof, swap))
    assert codes(report) == {"timestamp"}
    assert "Merkle root" in report.failures[0].message


def test_corrupted_token_and_inclusion_proof_are_detected(proof):
    def corrupt(b):
        batch = next(iter(b["batches"].values()))
        token = bytearray(base64.b64decode(batch["token"]))
        token[-5] ^= 0xFF  # in the signature
        batch["token"] = base64.b64encode(bytes(token)).decode()
        b["records"][0]["inclusion"]["path"][0][1] = "00" * 32

    report = services.verify_bundle(tampered(proof, corrupt))
    assert {"timestamp", "inclusion"} == codes(report)


def test_seal_of_another_key_is_refused(proof):
    from bawaba.evidence.sealing import SEAL_CONTEXT, keys

    forger = KeySealer(keys.load_private_key(keys.new_ed25519_pem()), file_sealer().certificate)

    def forge(b):
        record = b["records"][0]
        record["seal"] = {"algorithm": "ed25519", "key_id": forger.key_id, "signature": base64.b64encode(
            forger.sign(SEAL_CONTEXT + bytes.fromhex(record["hash"]))).decode()}

    report = services.verify_bundle(tampered(proof, forge))
    assert codes(report) == {"seal"}
    assert "does not trust" in report.failures[0].message


def test_tampering_in_the_database_is_found_by_the_proof_and_the_audit(proof):
    record = EvidenceRecord.objects.get(subject="letter:A", seq=2)
    EvidenceRecord.objects.filter(pk=record.pk).update(payload={"step": 1, "note": "changed"})
    assert codes(services.verify_bundle(bundle("letter:A"))) == {"hash"}
    assert any("altered" in problem for problem in services.audit())


def test_a_record_removed_from_the_database_is_found_by_the_audit(proof):
    record = EvidenceRecord.objects.get(subject="letter:A", seq=3)
    with connection.cursor() as cursor:  # behind the model's back, as an intruder would
        cursor.execute("DELETE FROM evidence_evidencerecord WHERE id = %s", [record.pk])
    problems = services.audit()
    assert any("records missing" in p for p in problems)
    assert any("letter:A #4: chain broken" in p for p in problems)
    assert codes(services.verify_bundle(bundle("letter:A"))) >= {"chain"}


def test_a_sealed_record_cannot_be_changed_through_the_model(proof):
    record = EvidenceRecord.objects.get(subject="letter:A", seq=1)
    record.payload = {"step": 42}
    with pytest.raises(services_retention_error()):
        record.save()


def services_retention_error():
    from bawaba.evidence.models import RetentionError

    return RetentionError


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 17])
def test_each_inclusion_proof_verifies_alone(size):
    items = [canonical.sha256_hex(str(i).encode()) for i in range(size)]
    root, proofs = canonical.merkle_tree(items)
    for item, path in zip(items, proofs, strict=True):
        assert canonical.root_from_proof(item, path) == root
    if size > 1:
        assert canonical.root_from_proof(items[0], proofs[1]) != root


def test_records_of_one_window_share_one_token_and_each_verifies(settings):
    for index in range(40):
        record_flow(f"letter:{index}", FLOW[:1])
    services.stamp_pending()
    assert EvidenceBatch.objects.count() == 1
    for index in (0, 17, 39):
        assert services.verify_bundle(bundle(f"letter:{index}")).ok


def test_the_local_authoritys_tokens_verify_with_openssl(proof, settings):
    batch = EvidenceBatch.objects.get()
    token_path = settings.EVIDENCE_LOCAL_TSA_DIR / "token.der"
    token_path.write_bytes(bytes(batch.token))
    ca = str(settings.EVIDENCE_LOCAL_TSA_DIR / "ca.crt")
    at = str(int(batch.tsa_time.timestamp()))  # OpenSSL's own clock is not moved by BAWABA_TEST_CLOCK
    result = subprocess.run(["openssl", "ts", "-verify", "-digest", batch.root, "-in", str(token_path), "-token_in",
                             "-CAfile", ca, "-attime", at], capture_output=True, text=True)
    assert "Verification: OK" in result.stdout, result.stderr
    subject = subprocess.run(["openssl", "x509", "-in", str(settings.EVIDENCE_LOCAL_TSA_DIR / "tsa.crt"), "-noout",
                              "-subject"], capture_output=True, text=True).stdout
    assert "NOT QUALIFIED" in subject


def test_ecdsa_seal_key_from_the_environment(settings):
    from bawaba.evidence.sealing import keys

    settings.EVIDENCE_SEAL_KEY = keys.new_p256_pem().decode()
    record_flow("letter:A", FLOW[:2])
    services.stamp_pending()
    assert EvidenceRecord.objects.first().seal_algorithm == "ecdsa-p256-sha256"
    assert services.verify_bundle(bundle("letter:A")).ok


def test_stamper_lease_lets_one_stamper_work_at_a_time():
    assert services._claim("worker-1")
    assert not services._claim("worker-2")
    services._release("worker-1")
    assert services._claim("worker-2")
    services._release("worker-2")


def test_a_task_seals_and_stamps_right_after_the_commit(settings, django_capture_on_commit_callbacks):
    """Evidence does not wait for the minute's sweep: the task queued after the commit runs the stamper."""
    from huey.contrib.djhuey import HUEY

    settings.EVIDENCE_STAMP_AT_ONCE = True
    was_immediate = HUEY.immediate
    HUEY.immediate = True  # the task runs in this process, as a consumer would run it
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            record_flow("letter:A", FLOW[:2])
    finally:
        HUEY.immediate = was_immediate
    assert not EvidenceRecord.objects.pending().exists()
    assert EvidenceBatch.objects.get().stamped_at is not None
