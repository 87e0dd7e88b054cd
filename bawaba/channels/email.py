"""Requests by e-mail. The mail server pipes each message to `bawaba channels email` (as RT's
mail gateway does): a new message becomes a request; a reply whose subject carries a reference and
comes from the address on that request is added to it as the citizen's message."""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from bawaba.core.references import normalise_reference
from bawaba.servicedesk.models import Channel, Request
from bawaba.servicedesk.services import do_citizen_message, do_create_request

REFERENCE_IN_SUBJECT = re.compile(r"\b([2-9A-Y]{4}[-\s]?[2-9A-Y]{4})\b", re.IGNORECASE)
MAX_MESSAGE_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    request: Request
    created: bool


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    # Drop the quoted history of replies: the citizen's new words come first.
    lines = []
    for line in text.splitlines():
        if line.startswith(">") or re.match(r"^(Le |On ).+(a écrit|wrote)\s*:$", line.strip()):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def _attachments(message: EmailMessage) -> list[SimpleUploadedFile]:
    files = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        files.append(SimpleUploadedFile(part.get_filename() or "attachment", payload,
                                        content_type=part.get_content_type()))
    return files


def _phone_in(text: str) -> str:
    for region in ("DZ", "CG"):
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return ""


def ingest_email(raw: bytes) -> Outcome:
    """Store one e-mail whole, or raise ValidationError (the mail server then bounces it)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ValidationError(_("The message is too large."))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = parseaddr(str(message.get("From", "")))
    if not address:
        raise ValidationError(_("The message has no sender address."))
    subject = str(message.get("Subject", "")).strip()
    body = _body_text(message)
    files = _attachments(message)

    match = REFERENCE_IN_SUBJECT.search(subject)
    reference = normalise_reference(match.group(1)) if match else None
    if reference:
        existing = Request.objects.filter(reference=reference, citizen_email__iexact=address).first()
        if existing is not None and existing.status != "closed":
            do_citizen_message(existing, body or subject, attachments=files)
            return Outcome(existing, created=False)

    request = do_create_request(
        channel=Channel.EMAIL,
        citizen_email=address,
        citizen_name=name,
        citizen_phone=_phone_in(body),
        subject=(subject or body[:80] or _("(no subject)"))[:200],
        text=body or subject,
        attachments=files,
    )
    return Outcome(request, created=True)
