"""The recipient's side of hybrid mail: opening a mailbox, its folders, proxies, and reading letters
(docs/hybrid-mail-mailboxes.md).

Every write is a function here owning its transaction and its trace: MailboxEvent for what happens to the mailbox
(its audit trail), evidence (bawaba.evidence) for what happens to a letter.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.phones import to_e164
from bawaba.evidence.events import Event
from bawaba.evidence.services import record_evidence
from bawaba.orgs.models import Organisation

from . import lifecycle, references, signin, vault
from .identity import id_hash, normalise_id
from .models import (
    Folder,
    IdentityRecord,
    Letter,
    LetterState,
    Mailbox,
    MailboxCode,
    MailboxEvent,
    OpenedVia,
    Proxy,
)

MAX_FOLDERS = 20
MAX_PROXIES = 3
# What a holder sees: every letter that reached their mailbox, whatever happened to it afterwards.
VISIBLE_STATES = [s for s in LetterState.values if s not in (LetterState.ACCEPTED, LetterState.REFUSED)]


class MailboxRefused(ValueError):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _event(mailbox: Mailbox, kind: str, actor: str, now: dt.datetime, **payload) -> None:
    MailboxEvent.objects.create(mailbox=mailbox, kind=kind, actor=actor, payload=payload, at=now)


def operator_for(country: str) -> Organisation | None:
    """The postal operator offering hybrid mail in the country (Algérie Poste in DZ, SOPECO in CG)."""
    return (Organisation.objects.filter(country=country.upper(), is_active=True, mail_products__is_active=True)
            .distinct().order_by("pk").first())


def clean_phone(raw: str, country: str = "DZ") -> str:
    try:
        return to_e164(raw, default_region=country)
    except ValidationError as exc:
        raise MailboxRefused("phone", exc.messages[0]) from exc


def find_identity(nin: str, *, country: str, birth_date: dt.date | None = None) -> IdentityRecord:
    """The register's entry for this number (and date of birth, online). Not found and not matching give the same
    answer: the form must not tell whether a number belongs to somebody."""
    digest = id_hash(nin, country=country)
    record = IdentityRecord.objects.filter(country=country.upper(), id_hash=digest).first() if digest else None
    if record is not None and birth_date is not None and record.birth_date != birth_date:
        record = None
    if record is None:
        raise MailboxRefused("unknown_identity", _(
            "We found no identity with this number and this date of birth in the national register. Check both "
            "on your identity card, or go to a post office with the card."))
    return record


def _no_mailbox_yet(record: IdentityRecord) -> None:
    if Mailbox.objects.filter(identity=record).exists():
        raise MailboxRefused("already_open", _(
            "A mailbox is already open for this identity. Sign in with its phone number; if you changed phone, "
            "go to a post office with your identity card."), status=409)


# --- Opening a mailbox -----------------------------------------------------------------------------------------

def request_opening(*, phone: str, nin: str, birth_date: dt.date, country: str = "DZ", language: str = "fr",
                    now: dt.datetime | None = None) -> MailboxCode:
    """Online, step 1: the identity is checked against the register and a code sent to the phone."""
    country = country.upper()
    operator = operator_for(country)
    if operator is None:
        raise MailboxRefused("no_operator", _("Electronic postal mailboxes are not offered in this country yet."))
    phone = clean_phone(phone, country)
    if not normalise_id(nin):
        raise MailboxRefused("nin", _("Enter your national identity number."))
    record = find_identity(nin, country=country, birth_date=birth_date)
    _no_mailbox_yet(record)
    return signin.issue_code(MailboxCode.Purpose.OPEN, phone, language=language, identity=record,
                             operator_id=operator.pk, now=now)


def confirm_opening(code_id: int, code: str, *, language: str = "fr", email: str = "",
                    now: dt.datetime | None = None) -> Mailbox:
    """Online, step 2: the right code opens the mailbox for the identity and the phone the code was sent for."""
    now = now or timezone.now()
    row = signin.check_code(code_id, code, purpose=MailboxCode.Purpose.OPEN, now=now)
    return _open(row.identity, phone=row.phone, email=email, language=language, via=OpenedVia.SMS, now=now,
                 actor="holder")


def _open(record: IdentityRecord, *, phone: str, email: str, language: str, via: str, now: dt.datetime,
          actor: str, office=None, clerk=None) -> Mailbox:
    operator = operator_for(record.country)
    if operator is None:
        raise MailboxRefused("no_operator", _("Electronic postal mailboxes are not offered in this country yet."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                _no_mailbox_yet(record)
                mailbox = Mailbox.objects.create(
                    number=references.mailbox_number(record.country), operator=operator, identity=record,
                    kind=record.kind, holder_name=record.full_name, phone=phone, email=email.strip(),
                    language=language if language in ("fr", "ar", "en") else "fr", commune=record.commune,
                    opened_via=via, opened_at=now, opened_at_office=office, opened_by=clerk)
                _event(mailbox, "opened", actor, now, via=via, office=office.code if office else "")
                return mailbox
        except IntegrityError:
            if Mailbox.objects.filter(identity=record).exists():  # two confirmations at once: one mailbox
                raise MailboxRefused("already_open", _("A mailbox is already open for this identity."),
                                     status=409) from None
            # else a mailbox number drawn twice (1 in 10^9): draw again
    raise MailboxRefused("busy", _("Please try again."), status=503)


def open_at_counter(record: IdentityRecord, *, phone: str, email: str, language: str, office, clerk,
                    now: dt.datetime) -> Mailbox:
    """At a counter, the clerk's ID check replaces the SMS code (bawaba.hybridmail.assist calls this)."""
    return _open(record, phone=phone, email=email, language=language, via=OpenedVia.COUNTER, now=now,
                 actor=f"clerk:{clerk.pk}", office=office, clerk=clerk)


# --- Letters -------------------------------------------------------------------------------------------------

def letters_of(mailbox_id: int, *, folder_id: int | None = None):
    letters = (Letter.objects.filter(mailbox_id=mailbox_id, state__in=VISIBLE_STATES)
               .select_related("sender", "folder", "product", "counter_deposit").order_by("-deposited_at", "-pk"))
    if folder_id:
        letters = letters.filter(folder_id=folder_id)
    return letters


def letter_in(mailbox_id: int, reference: str) -> Letter | None:
    return (Letter.objects.filter(mailbox_id=mailbox_id, reference=(reference or "").upper(),
                                  state__in=VISIBLE_STATES)
            .select_related("sender", "product", "folder", "counter_deposit").first())


def record_opening(letter: Letter, seat: signin.Seat, *, channel: str = "mailbox", extra: dict | None = None,
                   actor: tuple[str, str] | None = None, now: dt.datetime | None = None) -> bool:
    """The holder (or their proxy) opens the letter. The first opening moves it to OPENED with its
    ContentAccessTracking record (which stops the paper timer); a later opening records the access only.
    Returns True when this was the first opening."""
    now = now or timezone.now()
    payload = {"by": seat.by, "channel": channel, **(extra or {})}
    if actor is None:  # the holder themself; a clerk helping them at a counter passes their own actor
        number = Mailbox.objects.values_list("number", flat=True).get(pk=seat.mailbox_id)
        actor = (f"hybridmail.mailbox:{number}", "holder")
    if seat.proxy_id:
        proxy = Proxy.objects.select_related("identity").get(pk=seat.proxy_id)
        payload["proxy"] = {"id": proxy.pk, "name": proxy.name, "identity_last_digits": proxy.identity.id_last_digits}
        actor = (f"hybridmail.proxy:{proxy.pk}", "proxy")
    with transaction.atomic():
        if letter.state == LetterState.DEPOSITED and lifecycle.move(
                letter, LetterState.OPENED, event=Event.CONTENT_ACCESS_TRACKING, actor=actor, now=now,
                payload={**payload, "first": True}, fields={"paper_due_at": None}):
            return True
        record_evidence(Event.CONTENT_ACCESS_TRACKING, subject=letter.evidence_subject, actor=actor,
                        content_hash=letter.sha256, payload={**payload, "first": False, "state": letter.state},
                        now=now)
    return False


def content_of(letter: Letter) -> bytes:
    """The letter's PDF, decrypted from the vault (bound to its reference)."""
    return vault.load(letter.content_path, bound_to=letter.reference)


def text_of(pdf: bytes, *, max_chars: int = 20000) -> list[str]:
    """The letter's text page by page, for the light inline view on phones that cannot show a PDF."""
    from pypdf import PdfReader

    pages = []
    try:
        for page in PdfReader(io.BytesIO(pdf)).pages:
            pages.append((page.extract_text() or "").strip())
            if sum(map(len, pages)) > max_chars:
                break
    except Exception:  # an unreadable text layer: the PDF itself is still offered  # noqa: BLE001
        return []
    return pages


# --- Folders -------------------------------------------------------------------------------------------------

def create_folder(mailbox: Mailbox, name: str, *, actor: str = "holder", now: dt.datetime | None = None) -> Folder:
    now = now or timezone.now()
    name = " ".join((name or "").split())[:60]
    if not name:
        raise MailboxRefused("folder_name", _("Give the folder a name."))
    with transaction.atomic():
        if mailbox.folders.count() >= MAX_FOLDERS:
            raise MailboxRefused("too_many_folders", _("A mailbox has at most %(n)s folders.") % {"n": MAX_FOLDERS})
        if mailbox.folders.filter(name__iexact=name).exists():
            raise MailboxRefused("folder_exists", _("A folder with this name already exists."), status=409)
        folder = Folder.objects.create(mailbox=mailbox, name=name, created_at=now)
        _event(mailbox, "folder_created", actor, now, folder=folder.pk, name=name)
    return folder


def move_to_folder(mailbox: Mailbox, letter: Letter, folder_id: int | None, *, actor: str = "holder",
                   now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    folder = None
    if folder_id:
        folder = mailbox.folders.filter(pk=folder_id).first()
        if folder is None:
            raise MailboxRefused("no_folder", _("This folder does not exist."), status=404)
    if letter.mailbox_id != mailbox.pk:
        raise MailboxRefused("no_letter", _("This letter is not in your mailbox."), status=404)
    with transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(folder=folder)
        _event(mailbox, "letter_filed", actor, now, letter=letter.reference, folder=folder.pk if folder else None)
    letter.folder = folder


def delete_folder(mailbox: Mailbox, folder_id: int, *, actor: str = "holder", now: dt.datetime | None = None):
    """Its letters go back to the inbox (Letter.folder is SET_NULL); no letter is ever deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        deleted, _rows = mailbox.folders.filter(pk=folder_id).delete()
        if not deleted:
            raise MailboxRefused("no_folder", _("This folder does not exist."), status=404)
        _event(mailbox, "folder_deleted", actor, now, folder=folder_id)


# --- Proxies -------------------------------------------------------------------------------------------------

def name_proxy(mailbox: Mailbox, *, name: str, nin: str, phone: str, relationship: str = "",
               valid_until: dt.date | None = None, now: dt.datetime | None = None) -> Proxy:
    """The holder names a relative. The relative must be in the identity register; a code is sent to the relative's
    phone and the proxy acts only once the holder types it back (the relative is with them, or tells them)."""
    now = now or timezone.now()
    country = mailbox.identity.country
    name = " ".join((name or "").split())[:200]
    if not name:
        raise MailboxRefused("name", _("Write the proxy's name."))
    phone = clean_phone(phone, country)
    if valid_until is not None and valid_until < timezone.localdate(now):
        raise MailboxRefused("valid_until", _("The end date is already past."))
    digest = id_hash(nin, country=country)
    record = IdentityRecord.objects.filter(country=country, id_hash=digest).first() if digest else None
    if record is None:
        raise MailboxRefused("unknown_identity", _(
            "This identity number is not in the national register. Check it on the relative's identity card."))
    if record.pk == mailbox.identity_id:
        raise MailboxRefused("self", _("You cannot name yourself as your own proxy."))
    with transaction.atomic():
        Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()  # one naming at a time per mailbox
        current = Proxy.objects.filter(mailbox=mailbox, revoked_at=None)
        pending = current.filter(identity=record).first()
        if pending is not None and pending.confirmed_at is not None:
            raise MailboxRefused("proxy_exists", _("This person is already your proxy."), status=409)
        if pending is None and current.count() >= MAX_PROXIES:
            raise MailboxRefused("too_many_proxies", _("A mailbox has at most %(n)s proxies.") % {"n": MAX_PROXIES})
        if pending is None:
            pending = Proxy(mailbox=mailbox, identity=record, created_at=now)
        pending.name, pending.phone, pending.relationship = name, phone, (relationship or "").strip()[:60]
        pending.valid_until = valid_until
        pending.save()
        signin.issue_code(MailboxCode.Purpose.PROXY, phone, language=mailbox.language, mailbox=mailbox,
                          operator_id=mailbox.operator_id, template="hybridmail.proxy_code",
                          context={"holder": mailbox.holder_name}, now=now)
        _event(mailbox, "proxy_named", "holder", now, proxy=pending.pk, identity_last_digits=record.id_last_digits,
               valid_until=valid_until.isoformat() if valid_until else None)
    return pending


def confirm_proxy(mailbox: Mailbox, proxy_id: int, code: str, *, now: dt.datetime | None = None) -> Proxy:
    now = now or timezone.now()
    proxy = Proxy.objects.filter(pk=proxy_id, mailbox=mailbox, revoked_at=None).first()
    if proxy is None:
        raise MailboxRefused("no_proxy", _("This proxy does not exist."), status=404)
    row = (MailboxCode.objects.filter(purpose=MailboxCode.Purpose.PROXY, mailbox=mailbox, phone=proxy.phone)
           .order_by("-created_at", "-pk").first())
    if row is None:
        raise MailboxRefused("no_code", _("No code was sent for this proxy: name them again."), status=409)
    try:
        signin.check_code(row.pk, code, purpose=MailboxCode.Purpose.PROXY, now=now)
    except signin.CodeRefused as exc:
        raise MailboxRefused(exc.code, exc.message, exc.status) from exc
    with transaction.atomic():
        Proxy.objects.filter(pk=proxy.pk).update(confirmed_at=now)
        _event(mailbox, "proxy_confirmed", "holder", now, proxy=proxy.pk)
    proxy.confirmed_at = now
    return proxy


def revoke_proxy(mailbox: Mailbox, proxy_id: int, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        if not Proxy.objects.filter(pk=proxy_id, mailbox=mailbox, revoked_at=None).update(revoked_at=now):
            raise MailboxRefused("no_proxy", _("This proxy does not exist."), status=404)
        _event(mailbox, "proxy_revoked", "holder", now, proxy=proxy_id)
