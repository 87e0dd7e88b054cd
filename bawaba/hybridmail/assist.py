"""Post offices as community access points (docs/hybrid-mail-mailboxes.md, "Access points").

A counter clerk (postal.clerk, posted at an office: bawaba.postal.PostalStaff) first checks a citizen's identity
document; then, for that citizen, can open a mailbox, show or print their letters, deposit a letter they send,
and file a request with any organisation of the shared service centre. Every act is an AssistedAct and evidence
(actor: the clerk, role "clerk", with the office), in the transaction of the act.

The identity document's number is not kept in clear either: its type, last four characters and keyed hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bawaba.evidence.events import Event
from bawaba.evidence.services import record_evidence
from bawaba.postal.pickup import clerk_office

from . import dispatch, mailboxes, references, signin, vault, window
from .identity import id_hash, last_digits, normalise_id
from .models import (
    AssistedAct,
    Batch,
    BatchKind,
    BatchState,
    CounterDeposit,
    IdentityRecord,
    Letter,
    LetterState,
    Mailbox,
    MailProduct,
    MailTariffLine,
)

ID_DOCUMENTS = {
    "cni": gettext_lazy("National identity card"),
    "passport": gettext_lazy("Passport"),
    "licence": gettext_lazy("Driving licence"),
    "residence": gettext_lazy("Residence card"),
}
CHECK_VALID = dt.timedelta(minutes=20)  # a check covers one visit at the counter
MAX_PDF_BYTES = 10 * 1024 * 1024
ROLE = "clerk"


class AssistRefused(ValueError):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class Check:
    """A citizen whose identity document the clerk checked, at this office, at this time."""

    identity_id: int
    office_id: int
    document: str          # type key of ID_DOCUMENTS
    document_last: str
    document_hash: str
    at: float              # epoch seconds

    @property
    def label(self) -> str:
        return f"{self.document} …{self.document_last}"[:60]

    def evidence(self, office, clerk) -> dict:
        return {"channel": "counter", "office": office.code, "clerk": clerk.pk,
                "id_document": {"type": self.document, "last": self.document_last, "hash": self.document_hash}}

    def as_session(self) -> dict:
        return self.__dict__.copy()


def office_of(user):
    office = clerk_office(user)
    if office is None:
        raise AssistRefused("not_clerk", _("You are not posted at a counter."), status=403)
    return office


def check_identity(user, *, country: str, nin: str, document: str, document_number: str,
                   now: dt.datetime | None = None) -> tuple[IdentityRecord, Check]:
    """The clerk saw the citizen's document: find them in the register by their national identity number."""
    now = now or timezone.now()
    office = office_of(user)
    if document not in ID_DOCUMENTS:
        raise AssistRefused("document", _("Choose the kind of identity document checked."))
    number = normalise_id(document_number)
    if not number:
        raise AssistRefused("document_number", _("Write the number of the identity document checked."))
    digest = id_hash(nin, country=country)
    record = IdentityRecord.objects.filter(country=country.upper(), id_hash=digest).first() if digest else None
    if record is None:
        raise AssistRefused("unknown_identity", _(
            "This national identity number is not in the register. Check it on the document."), status=404)
    check = Check(identity_id=record.pk, office_id=office.pk, document=document,
                  document_last=last_digits(number), document_hash=id_hash(f"{document}:{number}", country=country),
                  at=now.timestamp())
    return record, check


def still_valid(check: Check | None, user, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if check is None:
        return False
    office = clerk_office(user)
    return office is not None and office.pk == check.office_id and now.timestamp() - check.at < \
        CHECK_VALID.total_seconds()


def _act(kind: str, *, user, office, record: IdentityRecord, check: Check, now: dt.datetime, letter=None,
         request_reference: str = "") -> AssistedAct:
    return AssistedAct.objects.create(kind=kind, office=office, clerk=user, identity=record, id_document=check.label,
                                      letter=letter, request_reference=request_reference, at=now)


def _actor(user) -> tuple[str, str]:
    return (f"accounts.user:{user.pk}", ROLE)


def _subject(act: AssistedAct) -> str:
    return f"hybridmail.assist:{act.pk}"


# --- The citizen's letters ------------------------------------------------------------------------------------

def citizen_letters(record: IdentityRecord, operator_id: int):
    """Letters addressed to the citizen at this operator: those in their mailbox and those on their way on paper."""
    return (Letter.objects.filter(recipient_id_hash=record.id_hash, operator_id=operator_id,
                                  recipient_country=record.country, state__in=mailboxes.VISIBLE_STATES)
            .select_related("sender", "mailbox").order_by("-created_at", "-pk"))


def show_letters(user, record: IdentityRecord, check: Check, *, now: dt.datetime | None = None):
    """The clerk shows the citizen the list of their letters (senders, subjects, dates): one act and its evidence
    naming the letters shown. Returns the letters."""
    now = now or timezone.now()
    office = office_of(user)
    letters = list(citizen_letters(record, office.organisation_id)[:100])
    with transaction.atomic():
        act = _act(AssistedAct.Kind.SHOW, user=user, office=office, record=record, check=check, now=now)
        record_evidence(Event.NOTIFICATION_ACCESS_TRACKING, subject=_subject(act), actor=_actor(user),
                        content_hash="", now=now,
                        payload={**check.evidence(office, user), "act": "show_list",
                                 "letters": [letter.reference for letter in letters]})
    return letters


def open_letter(user, record: IdentityRecord, check: Check, reference: str, *, printed: bool = False,
                now: dt.datetime | None = None) -> tuple[Letter, bytes]:
    """Show (or print) one letter of the citizen's mailbox at the counter. The citizen opening it with the clerk's
    help is an opening by the holder (ContentAccessTracking naming the clerk and office; the first one moves the
    letter to OPENED); a printed copy handed over is also ContentHandover on the counter channel."""
    now = now or timezone.now()
    office = office_of(user)
    letter = citizen_letters(record, office.organisation_id).filter(reference=(reference or "").upper()).first()
    if letter is None:
        raise AssistRefused("no_letter", _("This citizen has no such letter."), status=404)
    if letter.mailbox_id is None or letter.state not in (LetterState.DEPOSITED, LetterState.OPENED):
        raise AssistRefused("on_paper", _("This letter is on its way on paper: the postman delivers it."),
                            status=409)
    pdf = mailboxes.content_of(letter)
    extra = check.evidence(office, user)
    with transaction.atomic():
        act = _act(AssistedAct.Kind.PRINT if printed else AssistedAct.Kind.SHOW, user=user, office=office,
                   record=record, check=check, now=now, letter=letter)
        extra["act"] = act.pk
        mailboxes.record_opening(letter, signin.Seat(letter.mailbox_id), channel="counter", extra=extra, now=now,
                                 actor=_actor(user))
        if printed:
            record_evidence(Event.CONTENT_HANDOVER, subject=letter.evidence_subject, actor=_actor(user),
                            content_hash=letter.sha256, now=now, payload={**extra, "printed_copy": True})
    return letter, pdf


# --- Opening a mailbox at the counter ------------------------------------------------------------------------

def open_mailbox(user, record: IdentityRecord, check: Check, *, phone: str, email: str = "", language: str = "fr",
                 now: dt.datetime | None = None) -> Mailbox:
    now = now or timezone.now()
    office = office_of(user)
    phone = mailboxes.clean_phone(phone, record.country)
    with transaction.atomic():
        mailbox = mailboxes.open_at_counter(record, phone=phone, email=email, language=language, office=office,
                                            clerk=user, now=now)
        act = _act(AssistedAct.Kind.OPEN_MAILBOX, user=user, office=office, record=record, check=check, now=now)
        record_evidence(Event.RECEIVED_FROM_NON_ERDS, subject=_subject(act), actor=_actor(user), content_hash="",
                        now=now, payload={**check.evidence(office, user), "act": "open_mailbox",
                                          "mailbox": mailbox.number})
    return mailbox


# --- A letter the citizen sends --------------------------------------------------------------------------------

STATUS_OF_PROBLEM = {"too_large": 413, "not_pdf": 415}


def check_letter(pdf: bytes, product: MailProduct, *, country: str, name: str, commune=None):
    """A counter letter passes the senders' checks (bawaba.hybridmail.senders.check_letter: the PDF — size, A4,
    pages, fonts embedded, no scripts or attachments — then the address in the envelope window, read from its
    text or by OCR of a scanned page, must name the recipient and show their postcode or commune). Returns the
    senders' Checked (pages, window, window text); AssistRefused with the translated reason otherwise."""
    from . import senders

    if not pdf:
        raise AssistRefused("pdf_empty", _("Choose the letter's PDF file."))
    recipient = senders.RecipientIn(name=name, country=country)
    if commune is not None:
        recipient.postcode, recipient.commune_id = commune.postal_code or "", commune.pk
        recipient.commune_name = commune.name_fr or commune.name_ar or ""
    checked = senders.check_letter(pdf, recipient, product, position=1)
    if checked.code:
        raise AssistRefused(checked.code, checked.reason, status=STATUS_OF_PROBLEM.get(checked.code, 400))
    return checked


def deposit_products(office):
    return MailProduct.objects.filter(operator_id=office.organisation_id, is_active=True).order_by("pk")


def deposit_letter(user, record: IdentityRecord, check: Check, *, product_id: int, pdf: bytes, subject: str,
                   recipient_name: str, recipient_nin: str = "", recipient_phone: str = "",
                   recipient_address: str = "", recipient_commune=None, now: dt.datetime | None = None) -> Letter:
    """The citizen sends a letter from the counter: the post deposits it on their behalf (the letter's sending
    organisation is the operator; CounterDeposit names the citizen), then it goes the usual way (dispatch)."""
    now = now or timezone.now()
    office = office_of(user)
    product = deposit_products(office).filter(pk=product_id).first()
    if product is None:
        raise AssistRefused("product", _("Choose a product."))
    recipient_name = " ".join((recipient_name or "").split())[:200]
    if not recipient_name:
        raise AssistRefused("recipient", _("Write the recipient's name."))
    country = record.country
    recipient_hash = id_hash(recipient_nin, country=country) if normalise_id(recipient_nin) else ""
    phone = mailboxes.clean_phone(recipient_phone, country) if (recipient_phone or "").strip() else ""
    has_mailbox = bool(recipient_hash) and Mailbox.objects.filter(
        identity__id_hash=recipient_hash, identity__country=country, operator_id=office.organisation_id,
        is_active=True).exists()
    printed = product.path == "paper" or not has_mailbox  # then it needs an address to be delivered to
    if printed and (recipient_commune is None or not (recipient_address or "").strip()):
        raise AssistRefused("address", _("Give the recipient's identity number, or their address and commune "
                                         "so that the letter can be printed and delivered."))
    if not printed and recipient_commune is None:
        # A letter to a mailbox holder may come without an address: the window must then show the commune the
        # identity register knows for them (and their name), as any sender's letter.
        registered = IdentityRecord.objects.filter(country=country, id_hash=recipient_hash).select_related(
            "commune").first()
        window_commune = registered.commune if registered else None
    else:
        window_commune = recipient_commune
    checked = check_letter(pdf, product, country=country, name=recipient_name, commune=window_commune)
    pages = checked.pages
    sha = hashlib.sha256(pdf).hexdigest()
    reference = references.letter_reference()
    path = vault.store(f"letters/{reference}.bin", pdf, bound_to=reference)
    try:
        with transaction.atomic():
            batch = Batch.objects.create(reference=references.batch_reference(), sender_id=office.organisation_id,
                                         operator_id=office.organisation_id, product=product, kind=BatchKind.PDF,
                                         state=BatchState.ACCEPTED, label=_("Counter %(office)s") % {
                                             "office": office.code}, source_sha256=sha, letters_total=1,
                                         letters_accepted=1, created_by=user, created_at=now, checked_at=now)
            letter = Letter.objects.create(
                reference=reference, batch=batch, sender_id=office.organisation_id,
                operator_id=office.organisation_id, product=product, subject=(subject or "").strip()[:200],
                recipient_name=recipient_name, recipient_id_hash=recipient_hash, recipient_phone=phone,
                recipient_address=(recipient_address or "").strip(), recipient_commune=recipient_commune,
                recipient_postcode=getattr(recipient_commune, "postal_code", "") or "", recipient_country=country,
                content_path=path, sha256=sha, size_bytes=len(pdf), pages=pages, sheets=(pages + 1) // 2,
                window=checked.window, window_text=checked.window_text, created_at=now)
            CounterDeposit.objects.create(letter=letter, identity=record, sender_name=record.full_name,
                                          office=office, clerk=user, at=now)
            act = _act(AssistedAct.Kind.DEPOSIT, user=user, office=office, record=record, check=check, now=now,
                       letter=letter)
            record_evidence(Event.SUBMISSION_ACCEPTANCE, subject=letter.evidence_subject, actor=_actor(user),
                            content_hash=sha, now=now,
                            payload={**check.evidence(office, user), "act": act.pk, "state": LetterState.ACCEPTED,
                                     "window": checked.window,
                                     "window_ocr": window.read_by_ocr(checked.window_text),
                                     "sender": {"kind": "citizen", "identity_last_digits": record.id_last_digits}})
            dispatch.dispatch(letter, now=now)
            _price(letter, now)
    except Exception:
        vault.remove(path)  # nothing half-stored: no orphan content when the row is not there
        raise
    return letter


def _price(letter: Letter, now: dt.datetime) -> None:
    line = (MailTariffLine.objects.filter(product=letter.product, tariff__operator_id=letter.operator_id,
                                          tariff__valid_from__lte=timezone.localdate(now))
            .select_related("tariff").order_by("-tariff__valid_from").first())
    if line is None:
        return
    if letter.state == LetterState.DEPOSITED:
        price = line.digital_price
    else:
        price = line.paper_price + line.extra_sheet_price * max(0, letter.sheets - 1)
    Letter.objects.filter(pk=letter.pk).update(price=price, currency=line.tariff.currency, tariff=line.tariff)
    letter.price, letter.currency, letter.tariff = Decimal(price), line.tariff.currency, line.tariff


# --- A request to the shared service centre --------------------------------------------------------------------

def request_services():
    from bawaba.orgs.models import Service

    return (Service.objects.filter(is_active=True, is_public=True, organisation__is_active=True, is_orientation=False)
            .select_related("organisation").order_by("organisation__slug", "code"))


def file_request(user, record: IdentityRecord, check: Check, *, service_id: int | None, phone: str, subject: str,
                 text: str, language: str = "fr", now: dt.datetime | None = None):
    """File a request for the citizen with any organisation of the shared service centre (channel "counter"),
    through the service desk's own service function, which validates and routes it."""
    from bawaba.servicedesk.services import do_create_request

    now = now or timezone.now()
    office = office_of(user)
    service = request_services().filter(pk=service_id).first() if service_id else None
    if service_id and service is None:
        raise AssistRefused("service", _("Choose a service from the list."))
    with transaction.atomic():
        try:
            request = do_create_request(channel="counter", citizen_phone=phone, citizen_name=record.full_name,
                                        subject=subject, text=text, service=service, language=language,
                                        created_by=user, commune=record.commune, now=now)
        except ValidationError as exc:
            raise AssistRefused("request", " ".join(exc.messages)) from exc
        act = _act(AssistedAct.Kind.REQUEST, user=user, office=office, record=record, check=check, now=now,
                   request_reference=request.reference)
        record_evidence(Event.RECEIVED_FROM_NON_ERDS, subject=_subject(act), actor=_actor(user), content_hash="",
                        now=now, payload={**check.evidence(office, user), "act": "request",
                                          "request": request.reference, "organisation": request.organisation.slug})
    return request
