"""`bawaba evidence verify <file>` (offline), `proof <subject>`, `stamp` (run the stamper now), `audit`."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bawaba.evidence import services, tsa
from bawaba.evidence.sealing import load_public_key, trusted_seal_keys


class Command(BaseCommand):
    help = "Evidence: verify a proof offline, write a subject's proof, run the stamper, audit the whole log."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify a proof PDF or JSON bundle offline")
        verify.add_argument("file")
        verify.add_argument("--json", action="store_true", help="print the report as JSON")
        verify.add_argument("--trust-key", action="append", default=[],
                            help="a seal public key or certificate (PEM) to trust besides this platform's")
        verify.add_argument("--trust-tsa", action="append", default=[], help="a time-stamping root (PEM) to trust")
        verify.add_argument("--trust-bundle", action="store_true",
                            help="trust the keys and roots the bundle carries (check their fingerprints yourself)")
        proof = sub.add_parser("proof", help="write the proof of a subject")
        proof.add_argument("subject")
        proof.add_argument("-o", "--output", required=True)
        proof.add_argument("--format", choices=["pdf", "json"], default="pdf")
        proof.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES])
        sub.add_parser("stamp", help="seal and time-stamp the pending records now")
        sub.add_parser("audit", help="walk every batch, record and chain stored")

    def handle(self, *args, action, **options):
        return getattr(self, f"do_{action}")(**options)

    def do_verify(self, file, trust_key, trust_tsa, trust_bundle, **options):
        path = Path(file)
        if path.stat().st_size > settings.EVIDENCE_UPLOAD_MAX_BYTES * 4:
            raise CommandError(f"{file}: too large for a proof")
        keys = dict(trusted_seal_keys())
        for key_path in trust_key:
            key = load_public_key(Path(key_path).read_text())
            from bawaba.evidence.sealing import key_id_of

            keys[key_id_of(key)] = key
        roots = list(tsa.trust_roots())
        for root_path in trust_tsa:
            from cryptography import x509

            roots.extend(x509.load_pem_x509_certificates(Path(root_path).read_bytes()))
        report = services.verify_bundle(path.read_bytes(), trusted_keys=keys, tsa_roots=roots,
                                        trust_bundle=trust_bundle)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(f"subject: {report.subject or '?'}")
            for notice in report.notices:
                self.stdout.write(f"note: {notice}")
            for summary in report.records:
                mark = "ok  " if summary.ok else "FAIL"
                self.stdout.write(f"{mark} #{summary.seq} {summary.event} at {summary.at} "
                                  f"stamped {summary.time_stamped or '-'}")
            for failure in report.failures:
                self.stdout.write(f"FAILED [{failure.code}] {failure.message}")
            self.stdout.write("VALID" if report.ok else "INVALID")
        if not report.ok:
            sys.exit(2)

    def do_proof(self, subject, output, format, language, **options):  # noqa: A002
        data = services.proof_for(subject, format=format, language=language)
        Path(output).write_bytes(data)
        self.stdout.write(f"{output}: {len(data)} bytes")

    def do_stamp(self, **options):
        self.stdout.write(f"sealed {services.stamp_pending()} record(s)")

    def do_audit(self, **options):
        problems = services.audit()
        for problem in problems:
            self.stdout.write(f"PROBLEM {problem}")
        self.stdout.write("log sound" if not problems else f"{len(problems)} problem(s)")
        if problems:
            sys.exit(2)
