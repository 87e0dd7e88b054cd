"""Senders' submissions: letters as PDFs, or a mail merge (template + list), checked, priced, stored encrypted,
attested and sent on their way (docs/hybrid-mail-senders.md).

The rules, the same for the web page and the API:
- Input errors (an unknown product, a row without a name or with an unknown postcode, an address that does not fit
  the window, a template naming a column the list does not have...) refuse the WHOLE submission with every error
  by row and field; nothing is stored. The issue asks "a CSV with bad rows: a clear row error, nothing partly
  stored", and a mail office would rather fix its list and send it once than chase half a mailing.
- A well-formed letter whose PDF cannot be printed correctly (not A4, too many pages, fonts not embedded, scripts,
  attachments, encrypted, damaged, no address in the window or not the recipient's) is refused with its reason:
  kept as a REFUSED letter with its SubmissionRejection evidence, never sent; the batch's other letters go on (the
  batch is then "accepted in part"), so one bad file among 50 does not hold up 49 notices.
- Every accepted letter: content encrypted in the vault, SubmissionAcceptance evidence in the transaction that
  stores it, then dispatch.dispatch(letter) (mailbox or paper).
- A submission with an Idempotency-Key already used by the organisation returns the first batch (the same request)
  or is refused (another request under the same key); the key is claimed by the batch row itself.
- Mail merges are validated whole at once, then made into letters by Huey jobs in chunks of CHUNK rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bawaba.core.tabular import read_table
from bawaba.core.textnorm import normalise
from bawaba.evidence.events import Event
from bawaba.evidence.services import record_many

from . import merge, pdfcheck, pricing, references, vault, window
from .apps import SENDER
from .identity import id_hash, normalise_id
from .models import Batch, BatchKind, BatchState, Letter, LetterState, MailProduct, Path, SenderProfile

MAX_BATCH = 100_000
MAX_PDFS_PER_REQUEST = 50  # several PDFs in one web or API request; bigger mailings are mail merges
MAX_LIST_BYTES = 30 * 1024 * 1024
CHUNK = 500  # rows made into letters by one job
MAX_ROW_ERRORS = 200  # reported; the count says how many more


class SubmissionRefused(Exception):
    """The whole submission is refused: `errors` maps "rows.<n>.<field>" (n: the row number in the file, header
    = 1) or a field name to messages. Nothing was stored."""

    def __init__(self, message: str, errors: dict[str, list[str]]):
        self.message, self.errors = message, errors
        super().__init__(message)


class IdempotencyKeyReused(Exception):
    pass


# --- Who may send what ------------------------------------------------------------------------------------

def profile_for(user) -> SenderProfile:
    """The sending organisation of a sender (403 for anyone else)."""
    if user is None or not user.is_authenticated or not getattr(user, "organisation_id", None):
        raise PermissionDenied(_("You may not send letters."))
    profile = (SenderProfile.objects.select_related("organisation", "operator")
               .filter(organisation_id=user.organisation_id, is_active=True).first())
    if profile is None or not profile.organisation.is_active:
        raise PermissionDenied(_("Your organisation has no active hybrid-mail account."))
    return profile


def ensure_sender(user) -> SenderProfile:
    """A signed-in member of staff with the sender role, of an organisation with an account (web pages). The API
    uses `profile_for` on the token's integration user: a token of a sending organisation may send."""
    if not (user.is_authenticated and user.has_role(SENDER)):
        raise PermissionDenied(_("You may not send letters."))
    return profile_for(user)


def allowed_products(profile: SenderProfile):
    return profile.products.filter(is_active=True, operator_id=profile.operator_id).order_by("registered", "code")


def product_for(profile: SenderProfile, code: str) -> MailProduct:
    product = allowed_products(profile).filter(code=(code or "").strip()).first()
    if product is None:
        raise SubmissionRefused(_("The submission is not valid: see the errors."), {
            "product": [_("Unknown product, or one your organisation may not use.")]})
    return product


def country_of(profile: SenderProfile) -> str:
    return (getattr(profile.operator, "country", "") or "DZ").upper()


# --- Recipients -------------------------------------------------------------------------------------------

@dataclass
class RecipientIn:
    name: str
    country: str = "DZ"
    nin: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    address2: str = ""
    postcode: str = ""
    commune_id: int | None = None
    commune_name: str = ""
    quartier: str = ""
    po_box: str = ""
    landmark: str = ""
    reference: str = ""
    subject: str = ""
    region_id: int | None = None  # Congo: the department (routes the letter when there is no commune)
    extra: dict = field(default_factory=dict)

    def address_lines(self) -> list[str]:
        lines = [self.name, self.address, self.address2]
        if self.country == "DZ":
            lines.append(f"{self.postcode} {self.commune_name}".strip())
        else:
            lines += [self.quartier, f"BP {self.po_box}" if self.po_box else "", self.landmark, self.commune_name]
        return [line for line in (x.strip() for x in lines) if line]

    def for_matching(self) -> window.Recipient:
        names = (self.commune_name,) if self.commune_name else ()
        return window.Recipient(name=self.name, country=self.country, postcode=self.postcode, commune_names=names,
                                quartier=self.quartier, po_box=self.po_box, landmark=self.landmark)

    def as_json(self) -> dict:
        return self.__dict__.copy()


LIMITS = {"department": 60, "name": 200, "address": 120, "address2": 120, "commune": 100, "quartier": 120, "bp": 20,
          "landmark": 200, "reference": 60, "subject": 200, "email": 254, "phone": 30, "nin": 30, "postcode": 10}


class CommuneIndex:
    """Communes by postcode and by normalised name, loaded once per submission (100,000 rows, one query)."""

    def __init__(self, country: str):
        from bawaba.geo.models import Commune

        self.by_code: dict[str, list] = {}
        self.by_name: dict[str, list] = {}
        for commune in Commune.objects.filter(region__country=country).only("id", "name_fr", "name_ar",
                                                                              "postal_code", "region_id"):
            if commune.postal_code:
                self.by_code.setdefault(commune.postal_code, []).append(commune)
            for name in (commune.name_fr, commune.name_ar):
                if name:
                    self.by_name.setdefault(normalise(name), []).append(commune)
        self.regions = RegionIndex(country)


class RegionIndex:
    """The country's first-level divisions (Congo's departments, from ISO 3166-2 via pycountry in bawaba.geo) by
    code, with or without the country prefix ("CG-BZV", "BZV", "CG-12", "12"), and by name in French, Arabic and
    English, normalised (accents, case, Arabic letter variants)."""

    def __init__(self, country: str):
        from bawaba.geo.models import Region

        self.by_key: dict[str, int] = {}
        for region in Region.objects.filter(country=country).only("id", "code", "name_fr", "name_ar", "name_en"):
            code = region.code.upper()
            keys = {code, code.removeprefix(f"{country}-")}
            keys |= {normalise(name) for name in (region.name_fr, region.name_ar, region.name_en) if name}
            for key in keys:
                self.by_key.setdefault(key, region.pk)

    def find(self, text: str) -> int | None:
        text = text.strip()
        return self.by_key.get(text.upper()) or self.by_key.get(normalise(text))


def clean_recipient(data: dict, *, country: str, communes: CommuneIndex) -> tuple[RecipientIn | None,
                                                                                  dict[str, list[str]]]:
    """Check one recipient (a form, an API object or a list row); (recipient, {}) or (None, errors by field)."""
    errors: dict[str, list[str]] = {}

    def text(name):
        value = str(data.get(name) or "").replace("\x00", "").strip()
        if len(value) > LIMITS.get(name, 200):
            errors.setdefault(name, []).append(_("At most %(max)d characters.") % {"max": LIMITS.get(name, 200)})
        return " ".join(value.split())

    recipient = RecipientIn(name=text("name"), country=country, address=text("address"),
                            address2=text("address2"), quartier=text("quartier"), po_box=text("bp"),
                            landmark=text("landmark"), reference=text("reference"), subject=text("subject"))
    if not recipient.name:
        errors.setdefault("name", []).append(_("The recipient's name is required."))
    postcode, commune_name = text("postcode"), text("commune")
    if country == "DZ":
        candidates = communes.by_code.get(postcode, []) if postcode else []
        if not postcode:
            errors.setdefault("postcode", []).append(_("The postcode is required."))
        elif not re.fullmatch(r"\d{5}", postcode) or not candidates:
            errors.setdefault("postcode", []).append(_("Unknown postcode “%(code)s”.") % {"code": postcode[:10]})
        if candidates:
            chosen = candidates[0]
            if commune_name:
                named = [c for c in communes.by_name.get(normalise(commune_name), []) if c in candidates]
                chosen = named[0] if named else chosen
            recipient.postcode, recipient.commune_id = postcode, chosen.pk
            recipient.commune_name = commune_name or chosen.name_fr
    else:
        if not (recipient.quartier or recipient.po_box or recipient.landmark):
            errors.setdefault("quartier", []).append(_("Give the quartier, the BP or a landmark (no postcodes "
                                                       "in this country)."))
        if commune_name:
            named = communes.by_name.get(normalise(commune_name), [])
            recipient.commune_id = named[0].pk if named else None
            recipient.commune_name = commune_name
        department = text("department")
        if department:
            recipient.region_id = communes.regions.find(department)
            if recipient.region_id is None:
                errors.setdefault("department", []).append(
                    _("Unknown department “%(name)s”: give its ISO 3166-2 code (e.g. CG-BZV) or its name.") % {
                        "name": department[:60]})
    nin = normalise_id(text("nin"))
    if nin:
        pattern = r"\d{18}" if country == "DZ" else r"[0-9A-Z]{6,20}"
        if not re.fullmatch(pattern, nin):
            errors.setdefault("nin", []).append(_("This national identity number is not valid."))
        recipient.nin = nin
    phone = text("phone")
    if phone:
        try:
            parsed = phonenumbers.parse(phone, country)
            if not phonenumbers.is_valid_number(parsed):
                raise phonenumbers.NumberParseException(1, "invalid")
            recipient.phone = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            errors.setdefault("phone", []).append(_("This phone number is not valid."))
    email = text("email")
    if email:
        try:
            validate_email(email)
            recipient.email = email
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
    return (None if errors else recipient), errors


# --- Checking a letter ------------------------------------------------------------------------------------

@dataclass
class Checked:
    pdf: bytes
    recipient: RecipientIn
    position: int
    code: str = ""       # refusal code, "" when accepted
    reason: str = ""
    pages: int = 0
    window: str = ""
    window_text: str = ""
    filename: str = ""


def check_letter(pdf: bytes, recipient: RecipientIn, product: MailProduct, *, position: int,
                 filename: str = "") -> Checked:
    report = pdfcheck.check_pdf(pdf, max_pages=product.max_pages)
    result = Checked(pdf=pdf, recipient=recipient, position=position, pages=report.pages, filename=filename)
    if not report.ok:
        problem = report.first()
        result.code, result.reason = problem.code, problem.message
        return result
    reason, found, lines = window.find_address(report.fragments, recipient.for_matching())
    result.window_text = "\n".join(lines)[:1000]
    if reason:
        result.code, result.reason = ("no_address" if not lines else "address_mismatch"), reason
        return result
    result.window = found.code
    return result


# --- Storing letters --------------------------------------------------------------------------------------

def _fingerprint(parts: dict) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def replayed(profile: SenderProfile, key: str, fingerprint: str) -> Batch | None:
    """The batch an earlier request with this Idempotency-Key made, if it was the same request."""
    if not key:
        return None
    earlier = Batch.objects.filter(sender_id=profile.organisation_id, idempotency_key=key).first()
    if earlier is not None and earlier.request_sha256 != fingerprint:
        raise IdempotencyKeyReused()
    return earlier


def _letter_row(batch: Batch, checked: Checked, product: MailProduct, price: pricing.Price | None,
                reference: str, now: dt.datetime, content_path: str) -> Letter:
    r = checked.recipient
    refused = bool(checked.code)
    return Letter(
        reference=reference, batch=batch, sender_id=batch.sender_id, operator_id=batch.operator_id, product=product,
        position=checked.position, sender_reference=r.reference[:60], subject=r.subject[:200],
        recipient_name=r.name, recipient_id_hash=id_hash(r.nin, country=r.country) if r.nin else "",
        recipient_phone=r.phone, recipient_email=r.email,
        recipient_address="\n".join(x for x in (r.address, r.address2) if x), recipient_postcode=r.postcode,
        recipient_quartier=r.quartier, recipient_po_box=r.po_box, recipient_landmark=r.landmark,
        recipient_commune_id=r.commune_id, recipient_region_id=r.region_id, recipient_country=r.country,
        window_text=checked.window_text,
        window=checked.window, content_path=content_path, sha256=hashlib.sha256(checked.pdf).hexdigest(),
        size_bytes=len(checked.pdf), pages=checked.pages,
        sheets=pricing.sheets_for(checked.pages) if checked.pages else 0,
        state=LetterState.REFUSED if refused else LetterState.ACCEPTED,
        refusal_code=checked.code, refusal_reason=checked.reason,
        price=None if refused or price is None else (price.digital if price.digital is not None else price.paper),
        paper_price=None if refused or price is None else price.paper,
        currency=price.currency if price else "DZD", tariff=price.tariff if price and not refused else None,
        created_at=now)


def store_letters(batch: Batch, product: MailProduct, checked_letters: list[Checked], *, actor,
                  now: dt.datetime) -> list[Letter]:
    """Store checked letters of a batch with their evidence, in the caller's transaction; returns the accepted
    ones (to dispatch after the commit). Content is written to the vault first; the caller removes the files if
    its transaction fails (see `_cleanup`)."""
    line = pricing.tariff_line(product, now.date())
    letters, accepted = [], []
    for checked in checked_letters:
        reference = references.letter_reference()
        path = ""
        price = None
        if not checked.code:
            price = pricing.price(product, pages=checked.pages, day=now.date(), line=line)
            path = vault.store(f"letters/{now:%Y/%m}/{reference}.bin", checked.pdf, bound_to=reference)
        letters.append(_letter_row(batch, checked, product, price, reference, now, path))
    Letter.objects.bulk_create(letters, batch_size=500)
    evidence = []
    for letter, checked in zip(letters, checked_letters, strict=True):
        if checked.code:
            evidence.append({"event": Event.SUBMISSION_REJECTION, "subject": letter.evidence_subject, "actor": actor,
                             "actor_role": SENDER, "content_hash": letter.sha256,
                             "payload": {"batch": batch.reference, "position": letter.position,
                                         "reason": checked.code, "detail": checked.reason[:300],
                                         "window_ocr": window.read_by_ocr(checked.window_text)}})
        else:
            evidence.append({"event": Event.SUBMISSION_ACCEPTANCE, "subject": letter.evidence_subject,
                             "actor": actor, "actor_role": SENDER, "content_hash": letter.sha256,
                             "payload": {"batch": batch.reference, "position": letter.position,
                                         "sender": batch.sender.slug if hasattr(batch.sender, "slug") else "",
                                         "product": product.code, "pages": letter.pages, "window": letter.window,
                                         "window_ocr": window.read_by_ocr(checked.window_text),
                                         "price": str(letter.price), "paper_price": str(letter.paper_price or ""),
                                         "currency": letter.currency}})
            accepted.append(letter)
    record_many(evidence, now=now)  # one INSERT for the chunk; each record still chained and sealed alone
    return accepted


def _cleanup(letters: list[Letter]) -> None:
    for letter in letters:
        if letter.content_path:
            vault.remove(letter.content_path)


def send_accepted(letters: list[Letter], *, now: dt.datetime | None = None) -> None:
    """Dispatch accepted letters (dispatch.dispatch_many: one transaction), with the recipients' mailboxes, their
    communes and the senders looked up in one query each, and the print centres resolved once for all."""
    from . import dispatch
    from .models import Mailbox

    if not letters:
        return
    hashes = {letter.recipient_id_hash for letter in letters if letter.recipient_id_hash}
    boxes = {}
    if hashes:
        for box in Mailbox.objects.filter(identity__id_hash__in=hashes, operator_id=letters[0].operator_id,
                                          is_active=True).select_related("identity"):
            boxes[box.identity.id_hash] = box
    from bawaba.geo.models import Commune
    from bawaba.orgs.models import Organisation

    communes = Commune.objects.in_bulk({x.recipient_commune_id for x in letters if x.recipient_commune_id})
    senders_by_id = Organisation.objects.in_bulk({x.sender_id for x in letters})
    for letter in letters:
        if letter.recipient_commune_id:
            letter.recipient_commune = communes[letter.recipient_commune_id]
        letter.sender = senders_by_id[letter.sender_id]
    dispatch.dispatch_many(letters, mailboxes={x.pk: boxes.get(x.recipient_id_hash) for x in letters}, now=now)


def _finish_counts(batch: Batch) -> None:
    accepted = batch.letters.exclude(state=LetterState.REFUSED).count()
    refused = batch.letters.filter(state=LetterState.REFUSED).count()
    state = (BatchState.REFUSED if not accepted else BatchState.PARTLY if refused else BatchState.ACCEPTED)
    Batch.objects.filter(pk=batch.pk).update(letters_accepted=accepted, letters_refused=refused, state=state,
                                             checked_at=timezone.now(), finished_at=timezone.now())
    batch.letters_accepted, batch.letters_refused, batch.state = accepted, refused, state


@dataclass
class PdfLetterIn:
    filename: str
    data: bytes
    recipient: dict


def submit_pdfs(profile: SenderProfile, user, product_code: str, items: list[PdfLetterIn], *,
                idempotency_key: str = "",
                label: str = "", now: dt.datetime | None = None) -> tuple[Batch, bool]:
    """One or several PDFs, one letter each, with the recipient of each. Returns (batch, replayed)."""
    now = now or timezone.now()
    fingerprint = _fingerprint({"kind": "pdf", "product": product_code, "label": label, "letters": [
        {"file": hashlib.sha256(i.data).hexdigest(), "recipient": i.recipient} for i in items]})
    earlier = replayed(profile, idempotency_key, fingerprint)
    if earlier is not None:
        return earlier, True
    product = product_for(profile, product_code)
    if not items:
        raise SubmissionRefused(_("The submission is not valid: see the errors."),
                                {"files": [_("Send at least one PDF.")]})
    if len(items) > MAX_PDFS_PER_REQUEST:
        raise SubmissionRefused(_("The submission is not valid: see the errors."), {"files": [_(
            "At most %(max)d PDFs in one submission: send a mail merge for bigger mailings.") % {
            "max": MAX_PDFS_PER_REQUEST}]})
    country, communes = country_of(profile), CommuneIndex(country_of(profile))
    errors: dict[str, list[str]] = {}
    recipients = []
    for index, item in enumerate(items):
        recipient, problems = clean_recipient(item.recipient, country=country, communes=communes)
        for name, messages in problems.items():
            errors[f"letters.{index}.{name}" if len(items) > 1 else name] = messages
        recipients.append(recipient)
    if errors:
        raise SubmissionRefused(_("Nothing was sent: correct the recipients."), errors)
    try:
        pricing.tariff_line(product, now.date())
    except pricing.NoTariff as exc:
        raise SubmissionRefused(exc.message, {"product": [exc.message]}) from exc
    checked = [check_letter(item.data, recipient, product, position=index + 1, filename=item.filename)
               for index, (item, recipient) in enumerate(zip(items, recipients, strict=True))]
    return _store_batch(profile, product, checked, user=user, kind=BatchKind.PDF, key=idempotency_key,
                        fingerprint=fingerprint, label=label, now=now,
                        source_sha256=hashlib.sha256(items[0].data).hexdigest() if len(items) == 1 else "")


def _store_batch(profile, product, checked, *, user, kind, key, fingerprint, label, now, source_sha256=""):
    stored: list[Letter] = []
    try:
        with transaction.atomic():
            batch = Batch.objects.create(
                reference=references.batch_reference(), sender=profile.organisation, operator=profile.operator,
                product=product, kind=kind, label=label[:120], idempotency_key=key[:100], request_sha256=fingerprint,
                source_sha256=source_sha256, letters_total=len(checked), created_by=user, created_at=now)
            accepted = store_letters(batch, product, checked, actor=user, now=now)
            stored = list(batch.letters.all())
            _finish_counts(batch)
    except IntegrityError:
        _cleanup(stored)
        earlier = replayed(profile, key, fingerprint)  # a concurrent retry with the same key won the race
        if earlier is not None:
            return earlier, True
        raise
    except Exception:
        _cleanup(stored)
        raise
    send_accepted(accepted, now=now)
    return batch, False


# --- Mail merge -------------------------------------------------------------------------------------------

BUILTIN = {"name", "address", "address2", "postcode", "commune", "nin", "phone", "email", "reference",
           "quartier", "bp", "landmark", "subject", "date", "sender", "department"}


def submit_merge(profile: SenderProfile, user, product_code: str, *, subject: str, body: str, table: bytes,
                 window_code: str = "din5008_b",
                 idempotency_key: str = "", label: str = "", now: dt.datetime | None = None) -> tuple[Batch, bool]:
    """Validate a mail merge whole, store it (encrypted) and queue the jobs that make its letters."""
    now = now or timezone.now()
    fingerprint = _fingerprint({"kind": "merge", "product": product_code, "subject": subject, "body": body,
                                "window": window_code, "label": label, "list": hashlib.sha256(table).hexdigest()})
    earlier = replayed(profile, idempotency_key, fingerprint)
    if earlier is not None:
        return earlier, True
    product = product_for(profile, product_code)
    invalid = _("Nothing was stored: correct the errors and send the list again.")
    if window_code not in window.WINDOW_BY_CODE:
        raise SubmissionRefused(invalid, {"window": [_("Unknown envelope window.")]})
    if not body.strip():
        raise SubmissionRefused(invalid, {"body": [_("The letter's text is required.")]})
    if len(body) > merge.MAX_TEMPLATE_CHARS or len(subject) > 200:
        raise SubmissionRefused(invalid, {"body": [_("The template is too long.")]})
    try:
        used = merge.placeholders(subject) | merge.placeholders(body)
    except merge.TemplateError as exc:
        raise SubmissionRefused(invalid, {"body": [str(exc)]}) from exc
    try:
        pricing.tariff_line(product, now.date())
    except pricing.NoTariff as exc:
        raise SubmissionRefused(exc.message, {"product": [exc.message]}) from exc
    try:
        rows = read_table(table, max_bytes=MAX_LIST_BYTES, max_rows=MAX_BATCH + 1)
    except ValidationError as exc:
        raise SubmissionRefused(invalid, {"list": exc.messages}) from exc
    if len(rows) < 2:
        raise SubmissionRefused(invalid, {"list": [_("The list has no rows under its header.")]})
    if len(rows) - 1 > MAX_BATCH:
        raise SubmissionRefused(invalid, {"list": [_("At most %(max)s letters in one batch.") % {
            "max": f"{MAX_BATCH:,}".replace(",", " ")}]})
    columns = merge.canonical_columns(rows[0])
    missing = sorted(used - set(columns) - {"date", "sender"})
    if missing:
        raise SubmissionRefused(invalid, {"body": [_("The template uses columns the list does not have: "
                                                     "%(columns)s.") % {"columns": ", ".join(missing)}]})
    if "name" not in columns:
        raise SubmissionRefused(invalid, {"list": [_("The list needs a “nom” (name) column.")]})
    country, communes = country_of(profile), CommuneIndex(country_of(profile))
    errors: dict[str, list[str]] = {}
    error_rows = 0
    cleaned = []
    for number, row in enumerate(rows[1:], start=2):
        values = {name: (row[index] if index < len(row) else "") for name, index in columns.items()}
        recipient, problems = clean_recipient(values, country=country, communes=communes)
        if recipient is not None:
            problem = merge.address_problem(recipient.address_lines(), window_code)
            if problem:
                problems = {"address": [problem]}
        if problems:
            error_rows += 1
            if len(errors) < MAX_ROW_ERRORS:
                for name, messages in problems.items():
                    errors[f"rows.{number}.{name}"] = messages
            continue
        recipient.extra = {k: str(v)[:500] for k, v in values.items() if k not in BUILTIN and k in used}
        cleaned.append(recipient.as_json())
    if errors:
        message = ngettext("Nothing was stored: %(count)d row of the list has errors.",
                           "Nothing was stored: %(count)d rows of the list have errors.", error_rows) % {
            "count": error_rows}
        raise SubmissionRefused(message, errors)
    chunks = [cleaned[i:i + CHUNK] for i in range(0, len(cleaned), CHUNK)]
    reference = references.batch_reference()
    paths = []
    try:
        for index, chunk in enumerate(chunks):
            blob = json.dumps({"subject": subject, "body": body, "window": window_code, "rows": chunk,
                               "first": index * CHUNK + 1}, ensure_ascii=False).encode()
            paths.append(vault.store(f"merge/{reference}/{index}.bin", blob, bound_to=f"{reference}:{index}"))
        with transaction.atomic():
            batch = Batch.objects.create(
                reference=reference, sender=profile.organisation, operator=profile.operator, product=product,
                kind=BatchKind.MERGE, label=label[:120], idempotency_key=idempotency_key[:100],
                request_sha256=fingerprint, source_sha256=hashlib.sha256(table).hexdigest(),
                source_path=f"merge/{reference}/", window=window_code, letters_total=len(cleaned),
                chunks_total=len(chunks), created_by=user, created_at=now)
            transaction.on_commit(lambda: queue_chunks(batch.pk, len(chunks)))
    except IntegrityError:
        for path in paths:
            vault.remove(path)
        earlier = replayed(profile, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier, True
        raise
    batch.refresh_from_db()
    return batch, False


def queue_chunks(batch_id: int, count: int) -> None:
    from .tasks_send import make_merge_chunk

    for index in range(count):
        make_merge_chunk(batch_id, index)


def make_chunk(batch_id: int, index: int, *, now: dt.datetime | None = None) -> int:
    """Make the letters of one chunk of a mail merge (a Huey job). Safe to run twice: a chunk whose letters
    exist is skipped. Returns the number of letters made."""
    now = now or timezone.now()
    batch = Batch.objects.select_related("product", "sender", "created_by").get(pk=batch_id)
    path = f"{batch.source_path}{index}.bin"
    if not (vault.root() / path).exists():
        return 0  # done already (the file is removed once its letters are stored)
    data = json.loads(vault.load(path, bound_to=f"{batch.reference}:{index}"))
    first = data["first"]
    if batch.letters.filter(position__gte=first, position__lt=first + len(data["rows"])).exists():
        return _resume_chunk(batch, path, first, len(data["rows"]), now=now)
    profile = SenderProfile.objects.get(organisation_id=batch.sender_id)
    return_address = profile.return_address.splitlines()
    place_date = _place_date(now)
    letters = []
    for row in data["rows"]:
        recipient = RecipientIn(**row)
        values = {**recipient.extra, "name": recipient.name, "address": recipient.address,
                  "address2": recipient.address2, "postcode": recipient.postcode, "commune": recipient.commune_name,
                  "reference": recipient.reference, "quartier": recipient.quartier, "bp": recipient.po_box,
                  "landmark": recipient.landmark, "subject": recipient.subject, "phone": recipient.phone,
                  "email": recipient.email, "nin": "", "date": place_date, "sender": profile.organisation.name}
        subject = merge.fill(data["subject"], values) or recipient.subject
        content = merge.LetterContent(address_lines=recipient.address_lines(), subject=subject,
                                      body=merge.fill(data["body"], values), place_date=place_date,
                                      return_address=return_address)
        recipient.subject = subject[:200]
        letters.append((recipient, content))
    glyphs = merge.glyphs_for([content for _recipient, content in letters])
    checked = []
    for offset, (recipient, content) in enumerate(letters):
        pdf, pages = merge.render(content, data["window"], glyphs=glyphs)
        if offset == 0:
            # The full check on the first letter of every chunk: merged letters are drawn by merge.render, so
            # what the check looks for (scripts, attachments, encryption, fonts not embedded, page size) is the
            # same for all of them; a fault of the template or the renderer shows here and refuses the chunk's
            # letters alike.
            sample = check_letter(pdf, recipient, batch.product, position=first + offset)
            checked.append(sample)
            continue
        checked.append(_checked_merged(pdf, pages, recipient, batch.product, first + offset, data["window"],
                                       sample))
    stored: list[Letter] = []
    try:
        with transaction.atomic():
            Batch.objects.select_for_update().filter(pk=batch.pk).first()  # one job per batch writes at a time
            if batch.letters.filter(position__gte=first, position__lt=first + len(checked)).exists():
                raise _AlreadyStored()
            accepted = store_letters(batch, batch.product, checked, actor=batch.created_by or SYSTEM_ACTOR,
                                     now=now)
            stored = accepted
            Batch.objects.filter(pk=batch.pk).update(chunks_done=F("chunks_done") + 1)
    except _AlreadyStored:
        return 0  # another worker stored this chunk meanwhile (a retried job): it dispatches it too
    except Exception:
        _cleanup(stored)
        raise
    # The list's chunk is removed only once its letters are dispatched: a worker that dies between the two
    # transactions leaves it, and the job retried dispatches the letters still "accepted" (_resume_chunk).
    send_accepted(accepted, now=now)
    vault.remove(path)
    batch.refresh_from_db(fields=["chunks_done", "chunks_total"])
    if batch.chunks_done >= batch.chunks_total:
        _finish_counts(batch)
    return len(checked)


class _AlreadyStored(Exception):
    pass


def _resume_chunk(batch: Batch, path: str, first: int, count: int, *, now: dt.datetime) -> int:
    """A chunk whose letters were stored by a worker that died before dispatching them (or before removing the
    list's chunk): dispatch those still "accepted", nothing stored twice. Returns 0 (no letter made)."""
    waiting = list(batch.letters.filter(position__gte=first, position__lt=first + count,
                                        state=LetterState.ACCEPTED).select_related("product").order_by("position"))
    send_accepted(waiting, now=now)
    vault.remove(path)
    batch.refresh_from_db(fields=["chunks_done", "chunks_total"])
    if batch.chunks_done >= batch.chunks_total and batch.finished_at is None:
        _finish_counts(batch)
    return 0


SYSTEM_ACTOR = ("system:hybridmail", "platform")


def _checked_merged(pdf: bytes, pages: int, recipient: RecipientIn, product: MailProduct, position: int,
                    window_code: str, sample: Checked) -> Checked:
    """A merged letter after its chunk's first was fully checked: its page count is checked here, its address was
    measured against the window when the list was validated (merge.address_problem) and drawn there."""
    result = Checked(pdf=pdf, recipient=recipient, position=position, pages=pages, window=window_code,
                     window_text="\n".join(recipient.address_lines()))
    if sample.code in ("no_address", "address_mismatch"):
        sample = Checked(pdf=b"", recipient=recipient, position=0)  # about that row's address only
    if sample.code:
        result.code, result.reason, result.window = sample.code, sample.reason, ""
    elif pages > product.max_pages:
        result.code, result.window = "too_many_pages", ""
        result.reason = ngettext(
            "The letter has %(pages)d pages; this product allows at most %(max)d page.",
            "The letter has %(pages)d pages; this product allows at most %(max)d pages.", product.max_pages) % {
            "pages": pages, "max": product.max_pages}
    return result


def _place_date(now: dt.datetime) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(now).date(), "DATE_FORMAT")


# --- Reading ----------------------------------------------------------------------------------------------

def decode_base64(value: str, field_name: str) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (ValueError, TypeError) as exc:
        raise SubmissionRefused(_("The submission is not valid: see the errors."), {
            field_name: [_("Not valid base64.")]}) from exc


def letter_content(letter: Letter) -> bytes:
    return vault.load(letter.content_path, bound_to=letter.reference)


def max_upload_bytes() -> int:
    return max(pdfcheck.max_pdf_bytes(), getattr(settings, "HYBRIDMAIL_MAX_LIST_BYTES", MAX_LIST_BYTES))


__all__ = ["Path", "SubmissionRefused", "IdempotencyKeyReused", "submit_pdfs", "submit_merge", "make_chunk"]
