"""Requests by e-mail. The mail server pipes each message to `bawaba channels email` (as RT's
mail gateway does): a new message becomes a request; a reply whose subject carries a reference and
comes from the address on that request is added to it as the citizen's message.

Only a problem with the sender (no usable address, a message over the size limit) refuses a message:
the mail server bounces it. Everything else degrades so that ordinary mail always becomes a request:
a phone number we cannot use is left out, attachments that fail the upload check are left out and
listed in the stored text, a long text continues in further messages of the same request, and an
unknown charset is read as UTF-8. The citizen gets an acknowledgement by e-mail that gives the
reference and says what was not kept.
"""

from __future__ import annotations

import email
import email.policy
import html
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from html.parser import HTMLParser

import phonenumbers
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from bawaba.core.phones import to_e164
from bawaba.core.references import normalise_reference
from bawaba.core.textnorm import guess_language
from bawaba.core.uploads import check_upload
from bawaba.servicedesk.models import Channel, Request, Status
from bawaba.servicedesk.services import (
    MAX_ATTACHMENTS,
    TEXT_MAX,
    TransitionNotAllowed,
    do_add_note,
    do_citizen_message,
    do_create_request,
)

log = logging.getLogger(__name__)

REFERENCE_IN_SUBJECT = re.compile(r"\b([2-9A-Y]{4}[-\s]?[2-9A-Y]{4})\b", re.IGNORECASE)
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
ADDRESS_MAX = 254  # the length of an EmailField
# A long text continues in further citizen messages of the request, up to this many (about 100,000 characters).
MAX_CONTINUATIONS = 20
PHONE_SEARCH_MAX = 10_000
NOTICE_MAX = 4000  # the internal note that lists the attachments left out
# Senders that must never get an automatic reply (RFC 3834): it could start a mail loop.
MESSAGE_ID = re.compile(r"^<[^<>\s]{1,250}>$")
NO_REPLY_LOCAL_PARTS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"}


@dataclass(frozen=True)
class Outcome:
    request: Request
    created: bool
    refused: tuple[str, ...] = ()  # why each attachment left out was refused
    truncated: bool = False  # the text did not fit, even in continuation messages


# -- Reading the message ---------------------------------------------------------------------------------------


def _decode(part: EmailMessage) -> str:
    """The part's text in its declared charset; a wrong or unknown charset falls back to UTF-8."""
    payload = part.get_payload(decode=True) or b""
    declared = part.get_content_charset() or "utf-8"
    for charset in (declared, "utf-8"):
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeError):
            continue
    try:
        return payload.decode(declared, "replace")
    except (LookupError, UnicodeError):
        return payload.decode("utf-8", "replace")


class _HTMLText(HTMLParser):
    """Readable text from an HTML mail: paragraphs and line breaks kept, scripts and styles left out,
    and quoted mail (`<blockquote>`) marked with `> ` as plain-text mail does."""

    SKIP = {"script", "style", "head", "title", "template", "noscript"}
    PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "blockquote", "hr", "dl"}
    LINES = {"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "address"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.skipping = self.quoting = self.pre = 0

    def _break(self, *, blank: bool = False, always: bool = False):
        text = "".join(self.line)
        text = text.rstrip() if self.pre else text.strip()
        if text or always:
            self.lines.append("> " * self.quoting + text if text else "")
        if blank and self.lines and self.lines[-1]:
            self.lines.append("")
        self.line = []

    def _block(self, tag: str) -> bool:
        if tag in self.PARAGRAPHS:
            self._break(blank=True)
        elif tag in self.LINES:
            self._break()
        elif tag == "br":
            self._break(always=True)
        else:
            return False
        return True

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif self._block(tag):
            if tag == "blockquote":
                self.quoting += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "li":
                self.line.append("- ")

    def handle_startendtag(self, tag, attrs):
        self._block(tag)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ("td", "th"):
            self.line.append(" ")
        elif tag != "br" and self._block(tag):
            if tag == "blockquote":
                self.quoting = max(0, self.quoting - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if self.skipping:
            return
        if not self.pre:
            self.line.append(re.sub(r"[ \t\r\n\f]+", " ", data))  # HTML white space: not the no-break space
            return
        for i, piece in enumerate(data.split("\n")):
            if i:
                self._break(always=True)
            self.line.append(piece)

    def text(self) -> str:
        self._break()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):
        # The standard parser gives up on some broken markup (`<![ ...`): strip the tags instead.
        return html.unescape(re.sub(r"<[^>]*>", " ", markup)).strip()
    return parser.text()


def _body_text(message: EmailMessage) -> str:
    text = ""
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is None:
            continue
        text = _decode(part)
        if part.get_content_type() == "text/html":
            text = html_to_text(text)
        if text.strip():
            break
    # Drop the quoted history of replies: the citizen's new words come first.
    lines = []
    for line in text.splitlines():
        if line.startswith(">") or re.match(r"^(Le |On ).+(a écrit|wrote)\s*:$", line.strip()):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def _attachments(message: EmailMessage) -> list[SimpleUploadedFile]:
    files = []
    parts = list(message.iter_attachments())
    if not message.is_multipart() and message.get_content_maintype() not in ("text", "multipart"):
        parts = [message]  # the whole message is one file (a scanner's "send as PDF", for instance)
    for part in parts:
        name = part.get_filename() or ""
        if part.get_content_type() == "message/rfc822":
            # A forwarded message: its bytes, so that it is refused for its type rather than as "empty".
            try:
                payload = part.get_content().as_bytes()
            except (LookupError, UnicodeError, ValueError, TypeError):
                payload = b""
            name = name or "message.eml"
        else:
            payload = part.get_payload(decode=True) or b""
        files.append(SimpleUploadedFile(name or "attachment", payload, content_type=part.get_content_type()))
    return files


def _sorted_attachments(files: list[SimpleUploadedFile]) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The files that pass the upload check, up to the limit per message, and why each other one was refused."""
    kept, refused = [], []
    for upload in files:
        try:
            check_upload(upload)
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
            continue
        if len(kept) >= MAX_ATTACHMENTS:
            refused.append(_("The file “%(name)s” was not kept: at most %(max)d files per message.")
                           % {"name": upload.name, "max": MAX_ATTACHMENTS})
            continue
        kept.append(upload)
    return kept, refused


def _phone_in(text: str) -> str:
    """The first phone number in the text that a request can take (Algerian or Congolese), or ""."""
    if len(text) > PHONE_SEARCH_MAX:  # the matcher is slow on long texts; a number is near the top or the end
        text = text[: PHONE_SEARCH_MAX // 2] + "\n" + text[-PHONE_SEARCH_MAX // 2:]
    for region in ("DZ", "CG"):
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            try:
                return to_e164(number, allow_foreign=False)
            except ValidationError:
                continue  # a foreign number, in a signature for instance: look further, or go without
    return ""


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "").strip()
    except (LookupError, UnicodeError, ValueError, TypeError, IndexError):
        return ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    name, address = parseaddr(_header(message, "From"))
    address = address.strip()
    try:
        if len(address) > ADDRESS_MAX:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        raise ValidationError(_("The message has no sender address.")) from None
    return name.strip(), address


# -- Fitting the text into the request ---------------------------------------------------------------------------


def _cut(text: str, limit: int) -> tuple[str, str]:
    """Split before `limit` characters, at a line end or a space near the limit if there is one."""
    if len(text) <= limit:
        return text, ""
    window = text[:limit]
    at = max(window.rfind("\n", limit - 300), window.rfind(" ", limit - 100))
    at = at if at > 0 else limit
    return text[:at].rstrip(), text[at:].lstrip()


def _notice(refused: list[str]) -> str:
    """The internal note that lists, for the agents, the attachments left out and why."""
    notice = "\n".join([_("These attachments were not kept:"), *(f"- {reason}" for reason in refused)])
    return notice if len(notice) <= NOTICE_MAX else notice[: NOTICE_MAX - 1] + "…"


def _pieces(body: str) -> tuple[str, list[str], int]:
    """The first text, the continuation texts, and how many characters were still left over after the
    last continuation."""
    more = "\n" + _("(continued in the next message)")
    # Each text keeps room for the marker that says it continues, and the last one for the marker
    # that says the end was left out.
    reserve = max(len(more), len(_too_long(len(body))) + 3)
    first, rest = _cut(body, TEXT_MAX - reserve)
    continuations = []
    while rest and len(continuations) < MAX_CONTINUATIONS:
        piece, rest = _cut(rest, TEXT_MAX - reserve)
        continuations.append(piece)
    pieces = [first, *continuations]
    pieces = [piece + more for piece in pieces[:-1]] + pieces[-1:]
    if rest:
        pieces[-1] += "\n[" + _too_long(len(rest)) + "]"
    return pieces[0], pieces[1:], len(rest)


def _too_long(count: int) -> str:
    return _("The message was too long: its last %(count)d characters were not kept.") % {"count": count}


# -- Acknowledging -----------------------------------------------------------------------------------------------


def _may_auto_reply(message: EmailMessage, address: str) -> bool:
    """No acknowledgement to automatic mail (out-of-office, bounces, lists): it could start a loop."""
    if _header(message, "Auto-Submitted").lower() not in ("", "no"):
        return False
    if _header(message, "Precedence").lower() in ("bulk", "junk", "list"):
        return False
    if _header(message, "List-Id") or _header(message, "X-Autoreply"):
        return False
    suppress = _header(message, "X-Auto-Response-Suppress").lower()
    if "all" in suppress or "autoreply" in suppress:
        return False
    local_part = address.rsplit("@", 1)[0].lower()
    own = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    return local_part not in NO_REPLY_LOCAL_PARTS and address.lower() != own


def _send_acknowledgement(request: Request, *, created: bool, subject: str, in_reply_to: str,
                          refused: list[str], dropped_characters: int) -> None:
    with translation.override(request.language or settings.LANGUAGE_CODE):
        if created:
            lines = [_("Request received. Your reference: %(reference)s. Keep it to follow your request.")
                     % {"reference": request.reference}]
        else:
            lines = [_("Your message was added to request %(reference)s.") % {"reference": request.reference}]
        lines.append(_("To add information, reply to this e-mail and keep the reference in the subject."))
        if refused:
            lines += ["", _("These attachments were not kept:"), *(f"- {reason}" for reason in refused)]
        if dropped_characters:
            lines += ["", _too_long(dropped_characters)]
        topic = " ".join((subject or _("(no subject)")).split())[:200]
        if request.reference not in topic.upper():
            topic = f"[{request.reference}] {topic}"
        topic = topic if topic.lower().startswith("re:") else f"Re: {topic}"
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "bawaba"
    headers = {"Auto-Submitted": "auto-replied", "Message-ID": make_msgid(domain=domain)}
    if MESSAGE_ID.match(in_reply_to):
        headers |= {"In-Reply-To": in_reply_to, "References": in_reply_to}
    acknowledgement = mail.EmailMessage(topic, "\n".join(lines), None, [request.citizen_email], headers=headers)
    try:
        acknowledgement.send()
    except (OSError, ValueError):
        # The request is stored; an outage of the mail server must not undo it or bounce the citizen's mail.
        log.exception("could not acknowledge request %s by e-mail", request.reference)


# -- Storing -----------------------------------------------------------------------------------------------------


def ingest_email(raw: bytes) -> Outcome:
    """Store one e-mail as a new request or a message of an open one. Raises ValidationError (the mail
    server then bounces the message) only for a sender problem: a message too large, no usable address."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ValidationError(_("The message is too large."))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = _sender(message)
    subject = " ".join(_header(message, "Subject").split())
    body = _body_text(message)
    files, refused = _sorted_attachments(_attachments(message))

    # The first candidate that is a real reference: "Re: INTERNET [K7M2-9QXR]" has two candidates.
    candidates = (normalise_reference(match.group(1)) for match in REFERENCE_IN_SUBJECT.finditer(subject))
    reference = next((candidate for candidate in candidates if candidate), None)
    with transaction.atomic():
        request = None
        if reference:
            existing = Request.objects.filter(reference=reference, citizen_email__iexact=address).first()
            if existing is not None and existing.status != Status.CLOSED:
                first, continuations, dropped = _pieces(body or subject)
                try:
                    do_citizen_message(existing, first, attachments=files)
                except TransitionNotAllowed:
                    pass  # closed meanwhile: the message opens a new request below
                else:
                    request, created = existing, False
        if request is None:
            subject = subject or (body.splitlines() or [""])[0][:80].strip() or _("(no subject)")
            first, continuations, dropped = _pieces(body or subject)
            request = do_create_request(
                channel=Channel.EMAIL,
                # The acknowledgement and the agents' replies go out in the language the citizen wrote in.
                language=guess_language(f"{subject}\n{body}", declared=_header(message, "Content-Language")),
                citizen_email=address,
                citizen_name=name,
                citizen_phone=_phone_in(body),
                subject=subject[:200],
                text=first,
                attachments=files,
            )
            created = True
        for piece in continuations:
            do_citizen_message(request, piece)
        if refused:
            do_add_note(request, _notice(refused), actor=None)
        if _may_auto_reply(message, address):
            transaction.on_commit(lambda: _send_acknowledgement(
                request, created=created, subject=subject, in_reply_to=_header(message, "Message-ID"),
                refused=refused, dropped_characters=dropped,
            ), robust=True)
    return Outcome(request, created=created, refused=tuple(refused), truncated=bool(dropped))
