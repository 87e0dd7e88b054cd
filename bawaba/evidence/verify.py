"""Offline verification of a proof (the JSON bundle, or the PDF that embeds it).

Needs nothing but the file and the keys this platform trusts (its seal keys, the time-stamping roots):
no database. Every check is listed with its outcome, so the report says exactly what failed: a record whose
content no longer gives its hash (altered), a seal that does not verify, a gap or a swap in the chain
(removed, reordered), an inclusion proof that does not lead to its batch's root, a time stamp whose
signature, authority or imprint is wrong (swapped token), or a proof cut short (the sealed head statement).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import canonical, sealing, tsa
from .proof import BUNDLE_FORMAT, MAX_BUNDLE_BYTES, MAX_RECORDS, bundle_from_pdf, head_statement
from .services import body_hash

CLOCK_TOLERANCE = dt.timedelta(seconds=2)


@dataclass
class Check:
    code: str  # format, hash, seal, chain, inclusion, timestamp, head
    ok: bool
    message: str
    record: int | None = None


@dataclass
class RecordSummary:
    seq: int | None
    event: str
    at: str
    time_stamped: str | None
    ok: bool


@dataclass
class VerificationReport:
    subject: str = ""
    checks: list[Check] = field(default_factory=list)
    records: list[RecordSummary] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    @property
    def ok(self) -> bool:
        return bool(self.records) and not self.failures

    def fail(self, code: str, message: str, record: int | None = None) -> None:
        self.checks.append(Check(code, False, message, record))

    def passed(self, code: str, message: str, record: int | None = None) -> None:
        self.checks.append(Check(code, True, message, record))

    def as_dict(self) -> dict:
        return {"ok": self.ok, "subject": self.subject, "notices": self.notices,
                "failures": [{"code": c.code, "record": c.record, "message": c.message} for c in self.failures],
                "records": [vars(summary) for summary in self.records]}


def load_bundle(data) -> dict:
    if isinstance(data, dict):
        return data
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_BUNDLE_BYTES:
        raise ValueError(_("The file is too large for a proof."))
    if data[:5] == b"%PDF-":
        data = bundle_from_pdf(data)
    try:
        bundle = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(_("The file is neither a proof PDF nor an evidence bundle (JSON).")) from exc
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise ValueError(_("The file is not an evidence bundle of this platform (format %(format)s expected).")
                         % {"format": BUNDLE_FORMAT})
    if not isinstance(bundle.get("records"), list) or len(bundle["records"]) > MAX_RECORDS:
        raise ValueError(_("The evidence bundle holds no list of records, or too many."))
    return bundle


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def verify_bundle(data, *, trusted_keys: dict | None = None, tsa_roots: list | None = None,
                  trust_bundle: bool = False) -> VerificationReport:
    """Verify a proof. By default only this platform's seal keys and time-stamping roots are trusted;
    trust_bundle=True also trusts those the bundle carries (for a third party who checked their
    fingerprints another way)."""
    report = VerificationReport()
    try:
        bundle = load_bundle(data)
    except ValueError as exc:
        report.fail("format", str(exc))
        return report
    try:
        _verify(bundle, report, trusted_keys, tsa_roots, trust_bundle)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        report.fail("format", _("The evidence bundle is malformed (%(error)s).") % {"error": exc})
    return report


def _verify(bundle, report, trusted_keys, tsa_roots, trust_bundle) -> None:  # noqa: C901 - one check after another
    report.subject = subject = str(bundle["subject"])
    trusted = dict(sealing.trusted_seal_keys() if trusted_keys is None else trusted_keys)
    roots = list(tsa.trust_roots() if tsa_roots is None else tsa_roots)
    if trust_bundle:
        from cryptography import x509

        for key_id, key in bundle.get("seal_keys", {}).items():
            if key.get("public_key"):
                public = sealing.load_public_key(key["public_key"])
                if sealing.key_id_of(public) == key_id:
                    trusted.setdefault(key_id, public)
        for pem in bundle.get("tsa_roots", []):
            roots.append(x509.load_pem_x509_certificate(pem.encode()))
    if bundle.get("notice"):
        report.notices.append(str(bundle["notice"]))
    if bundle.get("pending_records"):
        report.notices.append(_("%(count)s record(s) were not sealed yet when this proof was made.")
                              % {"count": bundle["pending_records"]})
    seal_keys = sorted({str(item["seal"]["key_id"]) for item in bundle["records"] if isinstance(item, dict)
                        and isinstance(item.get("seal"), dict)})
    if seal_keys:
        report.notices.append(_("Sealed with key(s) %(keys)s (SHA-256 of the public key): compare with the "
                                "fingerprint the platform publishes.") % {"keys": ", ".join(seal_keys)})
    batches = bundle["batches"]
    tokens: dict[str, tsa.TokenInfo | str] = {}
    unqualified: set[str] = set()
    prev_hash = canonical.ZERO_HASH
    records = bundle["records"]
    for position, item in enumerate(records, start=1):
        body, record_hash = item["body"], str(item["hash"])
        seq = body.get("seq")
        number = seq if isinstance(seq, int) else position
        ok_before = len(report.failures)
        # 1. the content gives the hash
        if body_hash(body) != record_hash:
            report.fail("hash", _("Record #%(n)s was altered: its content no longer gives its hash.") % {"n": number},
                        number)
        # 2. the seal
        seal = item["seal"]
        key = trusted.get(seal["key_id"])
        if key is None:
            report.fail("seal", _("Record #%(n)s is sealed with a key this platform does not trust (%(key)s).")
                        % {"n": number, "key": str(seal["key_id"])[:16]}, number)
        elif not sealing.verify_seal(key, record_hash, seal["signature"]):
            report.fail("seal", _("Record #%(n)s: the seal does not verify.") % {"n": number}, number)
        # 3. the chain
        if body.get("subject") != subject:
            report.fail("chain", _("Record #%(n)s belongs to another subject.") % {"n": number}, number)
        if seq != position:
            report.fail("chain", _("Record #%(n)s is in position %(position)s: a record was removed, added or moved.")
                        % {"n": number, "position": position}, number)
        if body.get("prev") != prev_hash:
            report.fail("chain", _("Record #%(n)s does not follow the record before it (chain broken).")
                        % {"n": number}, number)
        prev_hash = record_hash
        # 4. the inclusion proof leads to the batch's root
        inclusion = item["inclusion"]
        batch = batches[str(inclusion["batch"])]
        try:
            reached = canonical.root_from_proof(record_hash, inclusion["path"])
        except ValueError:
            reached = None
        if reached != batch["root"]:
            report.fail("inclusion", _("Record #%(n)s: its inclusion proof does not lead to its batch's Merkle root.")
                        % {"n": number}, number)
        # 5. the time stamp over the root
        stamped_at = None
        if not batch.get("token"):
            report.fail("timestamp", _("Record #%(n)s is not time-stamped yet.") % {"n": number}, number)
        else:
            key_batch = f"{inclusion['batch']}:{batch['root']}:{batch['token'][:64]}"
            if key_batch not in tokens:
                try:
                    token = base64.b64decode(batch["token"], validate=True)
                    tokens[key_batch] = tsa.verify_token(token, bytes.fromhex(batch["root"]), roots)
                except (tsa.TokenError, binascii.Error, ValueError) as exc:
                    tokens[key_batch] = str(exc)
            info = tokens[key_batch]
            if isinstance(info, str):
                report.fail("timestamp", _("Record #%(n)s: time stamp refused: %(reason)s.")
                            % {"n": number, "reason": info}, number)
            else:
                stamped_at = info.gen_time
                if not info.qualified_label and info.tsa_subject not in unqualified:
                    unqualified.add(info.tsa_subject)
                    report.notices.append(_("Time stamps by %(tsa)s: not qualified.") % {"tsa": info.tsa_subject})
                if _parse_time(body["at"]) > info.gen_time + CLOCK_TOLERANCE:
                    report.fail("timestamp", _("Record #%(n)s claims a time after its time stamp.") % {"n": number},
                                number)
        ok = len(report.failures) == ok_before
        if ok:
            report.passed("record", _("Record #%(n)s verified.") % {"n": number}, number)
        report.records.append(RecordSummary(seq=seq if isinstance(seq, int) else None, event=str(body.get("event")),
                                            at=str(body.get("at")), ok=ok,
                                            time_stamped=stamped_at.strftime("%Y-%m-%dT%H:%M:%SZ") if stamped_at
                                            else None))
    # 6. the sealed head: the proof is not cut short
    head = bundle["head"]
    statement = head_statement(subject, head["length"], head["hash"], head["generated_at"])
    head_key = trusted.get(head["key_id"])
    if head_key is None or not sealing.verify_statement(head_key, statement, head["signature"]):
        report.fail("head", _("The proof's sealed summary does not verify."))
    elif head.get("subject") != subject or head["length"] != len(records) or head["hash"] != prev_hash:
        report.fail("head", _("The proof holds %(count)s record(s) but its sealed summary says %(length)s: "
                              "records were removed or added.") % {"count": len(records), "length": head["length"]})
    else:
        report.passed("head", _("The chain is complete (%(length)s records).") % {"length": head["length"]})
    if not records:
        report.fail("format", _("The proof holds no sealed record."))
