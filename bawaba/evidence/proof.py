"""The proof of one subject: a JSON bundle that verifies offline, and a PDF that lists the chain for people
and carries the bundle as an embedded file (evidence.json, PDF file attachment).

The bundle holds each sealed record's body (exactly what was hashed), its hash and seal, its Merkle inclusion
proof, its batch's RFC 3161 token, the public seal keys with their certificates, and a sealed statement of
the chain's length and last hash at the time the proof was made (so that a proof cut short is detected).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import canonical, sealing, tsa
from .events import Event
from .services import chain_of, iso, record_body

BUNDLE_FORMAT = "bawaba-evidence-bundle/1"
ATTACHMENT_NAME = "evidence.json"
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 5000  # a letter has a dozen records; more is not a proof of this platform
FONT_CANDIDATES = [
    Path(__file__).resolve().parent.parent / "deployments" / "data" / "fonts" / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
]
ARABIC_FONT = "BawabaEvidenceDejaVuSans"


def head_statement(subject: str, length: int, last_hash: str, generated_at: str) -> bytes:
    return canonical.canonical_json({"format": "bawaba-evidence-head/1", "subject": subject, "length": length,
                                     "hash": last_hash, "generated_at": generated_at})


def build_bundle(subject: str, *, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    records, pending, batches, keys = [], 0, {}, {}
    current = sealing.sealer()
    keys[current.key_id] = {"algorithm": current.algorithm, "public_key": current.public_key_pem(),
                            "certificate": current.certificate_pem()}
    local = False
    for record in chain_of(subject):
        if record.batch_id is None:
            pending += 1
            continue
        batch = record.batch
        records.append({
            "body": record_body(record), "hash": record.record_hash,
            "seal": {"algorithm": record.seal_algorithm, "key_id": record.seal_key_id, "signature": record.seal},
            "inclusion": {"batch": str(batch.pk), "leaf_index": record.leaf_index, "path": record.inclusion_proof},
        })
        if str(batch.pk) not in batches:
            token = bytes(batch.token) if batch.token else None
            batches[str(batch.pk)] = {"root": batch.root, "prev_root": batch.prev_root,
                                      "token": base64.b64encode(token).decode() if token else None,
                                      "tsa": batch.tsa, "tsa_time": iso(batch.tsa_time) if batch.tsa_time else None}
            local = local or batch.tsa == "local"
        if record.seal_key_id not in keys:
            keys[record.seal_key_id] = {"algorithm": record.seal_algorithm, "public_key": None, "certificate": None}
    generated_at = iso(now)
    last_hash = records[-1]["hash"] if records else canonical.ZERO_HASH
    statement = head_statement(subject, len(records), last_hash, generated_at)
    algorithm, key_id, signature = sealing.seal_statement(statement)
    roots = [root.public_bytes(serialization.Encoding.PEM).decode() for root in tsa.trust_roots()]
    return {
        "format": BUNDLE_FORMAT, "subject": subject, "issuer": settings.EVIDENCE_ISSUER_NAME,
        "generated_at": generated_at, "pending_records": pending,
        "qualified": False,
        "notice": ("Time stamps by a local authority, NOT QUALIFIED" if local
                   else "Seal by the platform's own key (not a qualified seal)"),
        "records": records, "batches": batches, "seal_keys": keys, "tsa_roots": roots,
        "head": {"subject": subject, "length": len(records), "hash": last_hash, "generated_at": generated_at,
                 "algorithm": algorithm, "key_id": key_id, "signature": signature},
    }


def bundle_bytes(bundle: dict) -> bytes:
    return json.dumps(bundle, ensure_ascii=False, indent=1, sort_keys=True).encode()


# --- PDF --------------------------------------------------------------------------------------------------

def _arabic_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if ARABIC_FONT not in pdfmetrics.getRegisteredFontNames():
        for path in FONT_CANDIDATES:
            if path.exists():
                pdfmetrics.registerFont(TTFont(ARABIC_FONT, str(path)))
                break
        else:
            return "Helvetica"
    return ARABIC_FONT


def visual_arabic(text: str) -> str:
    """Arabic shaped (arabic-reshaper) and put in visual order (python-bidi), as deployments/documents.py."""
    import arabic_reshaper
    from bidi.algorithm import get_display

    return get_display(arabic_reshaper.reshape(text), base_dir="R")


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


class _Page:
    def __init__(self, canvas, arabic_font):
        from reportlab.lib.pagesizes import A4

        self.canvas, self.arabic = canvas, arabic_font
        self.width, self.height = A4
        self.margin = 40
        self.y = self.height - self.margin

    def need(self, height: float) -> None:
        if self.y - height < self.margin:
            self.canvas.showPage()
            self.y = self.height - self.margin

    def line(self, text: str, *, size: float = 9, font: str = "Helvetica", gap: float = 3) -> None:
        self.need(size + gap)
        if _is_arabic(text):
            self.canvas.setFont(self.arabic, size)
            self.canvas.drawRightString(self.width - self.margin, self.y, visual_arabic(text))
        else:
            self.canvas.setFont(font if font != "Helvetica" or text.isascii() else self.arabic, size)
            self.canvas.drawString(self.margin, self.y, text)
        self.y -= size + gap

    def trilingual(self, fr: str, en: str, ar: str, *, size: float = 9) -> None:
        self.need(size + 3)
        self.canvas.setFont(self.arabic, size)
        self.canvas.drawString(self.margin, self.y, f"{fr} · {en}")
        self.canvas.drawRightString(self.width - self.margin, self.y, visual_arabic(ar))
        self.y -= size + 3


def proof_pdf(bundle: dict, *, language: str | None = None) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen.canvas import Canvas

    language = language or translation.get_language() or settings.LANGUAGE_CODE
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=1)
    canvas.setTitle(f"Evidence {bundle['subject']}")
    canvas.setAuthor(bundle["issuer"])
    page = _Page(canvas, _arabic_font())
    page.trilingual("Preuve électronique", "Electronic evidence", "إثبات إلكتروني", size=14)
    page.trilingual("Non qualifiée", "NOT QUALIFIED", "غير مؤهل", size=9)
    page.y -= 4
    with translation.override(language):
        label = {
            "subject": _("Subject"),
            "issued_by": _("Issued by"),
            "generated_at_utc": _("Generated at (UTC)"),
            "records": _("Records"),
            "last_hash": _("Last hash"),
            "time_of_the_event_utc": _("Time of the event (UTC)"),
            "by": _("By"),
            "content_sha_256": _("Content SHA-256"),
            "record_hash": _("Record hash"),
            "previous_hash": _("Previous hash"),
            "time_stamped_utc": _("Time-stamped (UTC)"),
            "merkle_root": _("Merkle root"),
        }
        page.line(f"{label['subject']}: {bundle['subject']}", size=10)
        page.line(f"{label['issued_by']}: {bundle['issuer']}    {label['generated_at_utc']}: {bundle['generated_at']}")
        page.line(bundle["notice"], size=8)
        head = bundle["head"]
        page.line(f"{label['records']}: {head['length']}    {label['last_hash']}: {head['hash']}", size=8,
                  font="Courier")
        if bundle["pending_records"]:
            page.line(_("%(count)s more record(s) not sealed yet: ask again in a minute.")
                      % {"count": bundle["pending_records"]}, size=8)
        page.y -= 6
        for item in bundle["records"]:
            body = item["body"]
            batch = bundle["batches"][item["inclusion"]["batch"]]
            page.need(60)
            event_label = Event(body["event"]).label if body["event"] in Event.values else body["event"]
            page.line(f"#{body['seq']}  {body['event']}", size=10, font="Helvetica-Bold", gap=2)
            page.line(str(event_label), size=9)
            page.line(f"{label['time_of_the_event_utc']}: {body['at']}", size=8)
            actor = body["actor"]["id"] + (f" ({body['actor']['role']})" if body["actor"]["role"] else "")
            page.line(f"{label['by']}: {actor}", size=8)
            page.line(f"{label['content_sha_256']}: {body['content_sha256'] or '-'}", size=7, font="Courier")
            page.line(f"{label['record_hash']}: {item['hash']}", size=7, font="Courier")
            page.line(f"{label['previous_hash']}: {body['prev']}", size=7, font="Courier")
            stamp = batch["tsa_time"] or _("not time-stamped yet")
            page.line(f"{label['time_stamped_utc']}: {stamp}  [{batch['tsa'] or '-'}]  "
                      f"{label['merkle_root']}: {batch['root'][:16]}…", size=7)
            page.y -= 5
        page.y -= 6
        page.line(_("This PDF carries the machine-verifiable evidence as the embedded file %(name)s. "
                    "Check it offline with `bawaba evidence verify <file>` or on the public page /evidence/verify/.")
                  % {"name": ATTACHMENT_NAME}, size=7)
    canvas.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    writer.add_attachment(ATTACHMENT_NAME, bundle_bytes(bundle))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bundle_from_pdf(data: bytes) -> bytes:
    """The evidence.json embedded in a proof PDF; ValueError when there is none or the PDF is unreadable."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        attachments = PdfReader(io.BytesIO(data), strict=False).attachments
        files = attachments.get(ATTACHMENT_NAME)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise ValueError(_("The PDF could not be read.")) from exc
    if not files:
        raise ValueError(_("This PDF holds no evidence (no embedded %(name)s).") % {"name": ATTACHMENT_NAME})
    if len(files[0]) > MAX_BUNDLE_BYTES:  # pypdf stops inflating at 75 MB; a real bundle is far smaller
        raise ValueError(_("The evidence embedded in this PDF is too large."))
    return files[0]
