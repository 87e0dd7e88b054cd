"""The "certificat de vie": a canonical JSON payload signed with Ed25519, rendered as a PDF (French and Arabic,
with a QR code to the public verification page); the payload and signature are also written in the PDF's
metadata, so the file alone can be checked against our public key (`bawaba lifeproof verify file.pdf`).

Verification never trusts the holder: the signature must be ours, the payload must be the one stored with the
code, the certificate must not be revoked and still be valid on the day it is checked.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bawaba.core.references import new_reference, normalise_reference

from . import audit, crypto
from .models import Certificate

MARKER = "bawaba-lifeproof-v1"
_MARKER_RE = re.compile(rb"bawaba-lifeproof-v1:([A-Za-z0-9_\-]+)\.([A-Za-z0-9_\-]+)")
STATUS_LABELS = {
    "genuine": gettext_lazy("Genuine and valid"),
    "revoked": gettext_lazy("Revoked"),
    "expired": gettext_lazy("Expired"),
    "forged": gettext_lazy("Not genuine: the seal does not match"),
    "unknown": gettext_lazy("Unknown certificate"),
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def verify_url(code: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("lifeproof_verify:page", args=[code])


def issue_certificate(obligation, attempt, *, actor=None, now: dt.datetime) -> Certificate:
    """Inside the caller's transaction."""
    pensioner, campaign = obligation.pensioner, obligation.campaign
    code = new_reference()
    while Certificate.objects.filter(code=code).exists():  # pragma: no cover - 1.7e10 values
        code = new_reference()
    proved_on = timezone.localdate(now)
    valid_until = proved_on + dt.timedelta(days=campaign.validity_days)
    payload = canonical({
        "v": 1, "code": code, "fund": pensioner.organisation.slug, "fund_name": pensioner.organisation.name_fr,
        "fund_name_ar": pensioner.organisation.name_ar, "pension_number": pensioner.pension_number,
        "name": pensioner.name, "name_ar": pensioner.name_ar, "birth_date": pensioner.birth_date.isoformat(),
        "period": campaign.period, "proved_on": proved_on.isoformat(), "valid_until": valid_until.isoformat(),
        "via": attempt.challenge.via if attempt else "", "policy": attempt.policy_version if attempt else "",
    })
    certificate = Certificate(obligation=obligation, attempt=attempt, code=code, issued_at=now,
                              valid_until=valid_until, payload=payload,
                              signature=_b64(crypto.sign(payload.encode())))
    certificate.pdf_sha256 = hashlib.sha256(render_pdf(certificate)).hexdigest()
    certificate.save()
    audit.event("certificate.issued", organisation=pensioner.organisation, pensioner=pensioner, actor=actor, at=now,
                code=code, valid_until=valid_until.isoformat())
    return certificate


def do_revoke(certificate: Certificate, *, actor=None, reason: str, now=None) -> Certificate:
    now = now or timezone.now()
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is None:
            certificate.revoked_at, certificate.revoked_reason = now, " ".join(reason.split())[:200]
            certificate.save(update_fields=["revoked_at", "revoked_reason"])
            pensioner = certificate.obligation.pensioner
            audit.event("certificate.revoked", organisation=pensioner.organisation, pensioner=pensioner,
                        actor=actor, at=now, code=certificate.code, reason=certificate.revoked_reason)
    return certificate


@dataclass(frozen=True)
class Verification:
    status: str  # genuine | revoked | expired | forged | unknown
    payload: dict | None = None
    certificate: Certificate | None = None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def genuine(self) -> bool:
        return self.status == "genuine"


def _status(certificate: Certificate, payload_text: str, signature: str, today: dt.date) -> Verification:
    try:
        good = crypto.verify_signature(payload_text.encode(), _unb64(signature))
    except (ValueError, TypeError):
        good = False
    if not good or payload_text != certificate.payload:
        return Verification("forged", None, certificate)
    payload = json.loads(payload_text)
    if certificate.revoked_at is not None:
        return Verification("revoked", payload, certificate)
    if today > certificate.valid_until:
        return Verification("expired", payload, certificate)
    return Verification("genuine", payload, certificate)


def verify_code(code: str, *, today: dt.date | None = None) -> Verification:
    """What the public page and the command say about a code typed or read from the QR code."""
    today = today or timezone.localdate()
    normal = normalise_reference(code)
    certificate = Certificate.objects.filter(code=normal).first() if normal else None
    if certificate is None:
        return Verification("unknown")
    return _status(certificate, certificate.payload, certificate.signature, today)


def verify_pdf(data: bytes, *, today: dt.date | None = None) -> Verification:
    """Check a certificate file: our signature over the payload it carries, then its record (revoked, expired)."""
    today = today or timezone.localdate()
    found = _MARKER_RE.search(data)
    if not found:
        return Verification("unknown")
    try:
        payload_text = _unb64(found.group(1).decode()).decode()
        payload = json.loads(payload_text)
    except (ValueError, UnicodeDecodeError):
        return Verification("forged")
    try:
        if not crypto.verify_signature(payload_text.encode(), _unb64(found.group(2).decode())):
            return Verification("forged")
    except ValueError:
        return Verification("forged")
    certificate = Certificate.objects.filter(code=payload.get("code", "")).first()
    if certificate is None:
        return Verification("unknown", payload)
    return _status(certificate, payload_text, found.group(2).decode(), today)


# --------------------------------------------------------------------------- PDF


def _arabic(text: str) -> str:
    import arabic_reshaper
    from bidi.algorithm import get_display

    return get_display(arabic_reshaper.reshape(text), base_dir="R")


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from bawaba.deployments.billing.documents import FONT_CANDIDATES  # the shipped DejaVu Sans (with its licence)

    name = "LifeproofDejaVu"
    if name not in pdfmetrics.getRegisteredFontNames():
        for path in FONT_CANDIDATES:
            if path.exists():
                pdfmetrics.registerFont(TTFont(name, str(path)))
                break
        else:  # pragma: no cover
            raise FileNotFoundError("no font with Arabic glyphs")
    return name


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate in French and Arabic (A4). Deterministic (ReportLab's invariant mode): the same
    certificate gives the same bytes, whose SHA-256 is stored when it is issued."""
    import segno
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    payload = json.loads(certificate.payload)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(f"Certificat de vie {certificate.code}")
    pdf.setAuthor(payload["fund_name"])
    pdf.setSubject(f"{MARKER}:{_b64(certificate.payload.encode())}.{certificate.signature}")
    width, height = A4
    font = _font()
    y = height - 70
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(60, y, "Certificat de vie")
    pdf.setFont(font, 20)
    pdf.drawRightString(width - 60, y, _arabic("شهادة الحياة"))
    y -= 28
    pdf.setFont("Helvetica", 11)
    pdf.drawString(60, y, payload["fund_name"])
    if payload.get("fund_name_ar"):
        pdf.setFont(font, 11)
        pdf.drawRightString(width - 60, y, _arabic(payload["fund_name_ar"]))
    y -= 40
    rows = [
        ("Titulaire", "صاحب المعاش", payload["name"], payload.get("name_ar", "")),
        ("Numéro de pension", "رقم المعاش", payload["pension_number"], ""),
        ("Date de naissance", "تاريخ الميلاد", _day(payload["birth_date"]), ""),
        ("Période", "الفترة", payload["period"], ""),
        ("Preuve de vie faite le", "تاريخ إثبات الحياة", _day(payload["proved_on"]), ""),
        ("Valable jusqu'au", "صالحة إلى غاية", _day(payload["valid_until"]), ""),
        ("Code de vérification", "رمز التحقق", certificate.code, ""),
    ]
    for label_fr, label_ar, value, value_ar in rows:
        pdf.setFont("Helvetica", 10)
        pdf.drawString(60, y, label_fr)
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(220, y, value)
        pdf.setFont(font, 10)
        pdf.drawRightString(width - 60, y, _arabic(label_ar))
        if value_ar:
            pdf.drawRightString(width - 160, y, _arabic(value_ar))
        y -= 22
    url = verify_url(certificate.code)
    qr = segno.make(url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=4, border=2)
    png.seek(0)
    pdf.drawImage(ImageReader(png), 60, y - 170, width=150, height=150)
    pdf.setFont("Helvetica", 9)
    text = pdf.beginText(230, y - 40)
    for line in ("Vérifiez ce certificat en scannant le code QR ou sur :", url,
                 "Le certificat est scellé (signature Ed25519) ; la clé publique est publiée sur",
                 settings.PUBLIC_BASE_URL.rstrip("/") + reverse("lifeproof_verify:key")):
        text.textLine(line)
    pdf.drawText(text)
    pdf.setFont(font, 9)
    pdf.drawRightString(width - 60, y - 110, _arabic("تحقق من هذه الشهادة بمسح الرمز أو على الرابط أعلاه"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _day(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def pdf_for(certificate: Certificate, *, user=None) -> bytes:
    data = render_pdf(certificate)
    pensioner = certificate.obligation.pensioner
    audit.event("certificate.downloaded", organisation=pensioner.organisation, pensioner=pensioner, actor=user,
                code=certificate.code)
    return data


__all__ = ["Verification", "canonical", "do_revoke", "issue_certificate", "pdf_for", "render_pdf", "verify_code",
           "verify_pdf", "_"]
