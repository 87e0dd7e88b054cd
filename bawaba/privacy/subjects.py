"""A citizen's rights over their data, exercised through an organisation's admin after an identity check:
access (everything held about a phone number or a national ID number in the organisation's scope), rectification
of contact fields, and erasure of what may be erased, each kept record named with the reason it is kept.

Plain functions: `find` reads, `do_*` write inside one transaction and complete the SubjectRequest that is the
audit record of the request. Biometric templates, photos and frames are never exported: only whether they exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from bawaba.core.phones import to_e164

from .models import SubjectRequest
from .retention import ANONYMISED, anonymise_requests


@dataclass(frozen=True)
class Subject:
    """Who a request is about, as the organisation's records can find them."""

    organisation: object
    phone: str = ""  # E.164
    national_id: str = ""  # as written on the card, normalised

    @property
    def id_hash(self) -> str:
        from bawaba.hybridmail.identity import id_hash

        return id_hash(self.national_id, country=self.organisation.country) if self.national_id else ""


def subject_for(organisation, identifier_kind: str, value: str) -> Subject:
    """The Subject for what the admin typed, or ValidationError (a phone read as Algerian or Congolese first,
    after the organisation's country)."""
    value = (value or "").strip()
    if identifier_kind == SubjectRequest.IdentifierKind.PHONE:
        region = "CG" if organisation.country == "CG" else "DZ"
        return Subject(organisation, phone=to_e164(value, region))
    if identifier_kind == SubjectRequest.IdentifierKind.NATIONAL_ID:
        from bawaba.hybridmail.identity import normalise_id

        normalised = normalise_id(value)
        if len(normalised) < 4:
            raise ValidationError(_("Enter the national ID number as written on the card."), code="national_id")
        return Subject(organisation, national_id=normalised)
    raise ValidationError(_("Choose a phone number or a national ID number."), code="identifier_kind")


def identifier_hash(identifier_kind: str, value: str) -> str:
    return salted_hmac("bawaba.privacy.subject", f"{identifier_kind}:{value}").hexdigest()


def do_open_request(*, organisation, kind: str, identifier_kind: str, identifier: str, document_type: str,
                    document_last_digits: str, checked_by, now: dt.datetime | None = None
                    ) -> tuple[SubjectRequest, Subject]:
    """Record a citizen's request and the identity check the admin made (the document shown, the last digits
    of its number, who checked). Nothing is read or changed before this record exists."""
    subject = subject_for(organisation, identifier_kind, identifier)
    digits = "".join(ch for ch in (document_last_digits or "") if ch.isalnum())
    errors = {}
    if not 2 <= len(digits) <= 4:
        errors["document_last_digits"] = _("Write the last two to four characters of the document's number.")
    if document_type not in SubjectRequest.DocumentType.values:
        errors["document_type"] = _("Choose the document the citizen showed.")
    if kind not in SubjectRequest.Kind.values:
        errors["kind"] = _("Choose what the citizen asks for.")
    if errors:
        raise ValidationError(errors)
    value = subject.phone or subject.national_id
    record = SubjectRequest.objects.create(
        organisation=organisation, kind=kind, identifier_kind=identifier_kind,
        identifier_hash=identifier_hash(identifier_kind, value), identifier_last_digits=value[-4:],
        document_type=document_type, document_last_digits=digits, checked_by=checked_by,
        created_at=now or timezone.now())
    return record, subject


# --- Finding what is held


def _requests(subject: Subject):
    from bawaba.servicedesk.models import Request

    if not subject.phone:
        return Request.objects.none()
    return Request.objects.filter(organisation=subject.organisation, citizen_phone=subject.phone)


def _outbox(subject: Subject):
    from bawaba.notifications.models import OutboundMessage

    if not subject.phone:
        return OutboundMessage.objects.none()
    return OutboundMessage.objects.filter(organisation=subject.organisation, recipient=subject.phone)


def _items(subject: Subject):
    from bawaba.postal.models import Item

    if not subject.phone:
        return Item.objects.none()
    return Item.objects.filter(Q(sender_phone=subject.phone) | Q(recipient_phone=subject.phone),
                               organisation=subject.organisation)


def _pensioners(subject: Subject):
    from bawaba.lifeproof.models import Pensioner

    match = Q(phone=subject.phone) if subject.phone else Q(national_id=subject.national_id)
    return Pensioner.objects.filter(match, organisation=subject.organisation)


def _mailboxes(subject: Subject):
    from bawaba.hybridmail.models import Mailbox

    match = Q(phone=subject.phone) if subject.phone else Q(identity__id_hash=subject.id_hash)
    return Mailbox.objects.filter(match, operator=subject.organisation)


def _letters(subject: Subject, mailbox_ids):
    from bawaba.hybridmail.models import Letter

    match = Q(mailbox_id__in=mailbox_ids)
    match |= Q(recipient_phone=subject.phone) if subject.phone else Q(recipient_id_hash=subject.id_hash)
    return Letter.objects.filter(match, operator=subject.organisation)


def _at(value):
    return value.isoformat() if value else None


def find(subject: Subject) -> dict:
    """Everything the organisation holds about the subject, as plain data (the JSON export)."""
    data = {
        "organisation": subject.organisation.slug,
        "generated_at": _at(timezone.now()),
        "service_desk": [],
        "messages_sent": [],
        "postal_items": [],
        "proof_of_life": [],
        "hybrid_mail": {"mailboxes": [], "letters": []},
    }
    for request in _requests(subject).select_related("service").prefetch_related("messages", "attachments"):
        data["service_desk"].append({
            "reference": request.reference, "created_at": _at(request.created_at), "status": request.status,
            "channel": request.channel, "service": request.service.code, "subject": request.subject,
            "text": request.text, "citizen_name": request.citizen_name, "citizen_phone": request.citizen_phone,
            "citizen_email": request.citizen_email, "language": request.language,
            "closed_at": _at(request.closed_at),
            "messages": [{"kind": m.kind, "created_at": _at(m.created_at), "body": m.body}
                         for m in request.messages.all()],
            "attachments": [{"name": a.original_name, "size": a.size, "created_at": _at(a.created_at)}
                            for a in request.attachments.all()],
        })
    for message in _outbox(subject):
        data["messages_sent"].append({
            "about": message.reference, "channel": message.channel, "template": message.template,
            "recipient": message.recipient, "created_at": _at(message.created_at), "state": message.state,
            "body": message.body,
        })
    for item in _items(subject).prefetch_related("events"):
        data["postal_items"].append({
            "number": item.number, "as": "sender" if item.sender_phone == subject.phone else "recipient",
            "status": item.status, "accepted_at": _at(item.accepted_at), "delivered_at": _at(item.delivered_at),
            "sender_name": item.sender_name, "sender_phone": item.sender_phone,
            "sender_address": item.sender_address, "recipient_name": item.recipient_name,
            "recipient_phone": item.recipient_phone, "recipient_street": item.recipient_street,
            "recipient_quartier": item.recipient_quartier, "recipient_po_box": item.recipient_po_box,
            "recipient_postcode": item.recipient_postcode,
            "events": [{"code": e.code, "occurred_at": _at(e.occurred_at), "signatory": e.signatory}
                       for e in item.events.all()],
        })
    from bawaba.lifeproof.models import BiometricReference

    pensioners = _pensioners(subject).prefetch_related("obligations__campaign", "obligations__attempts")
    for pensioner in pensioners:
        # Metadata only: whether a biometric reference exists, never the photo or the template.
        reference = BiometricReference.objects.filter(pensioner=pensioner).values("created_at").first()
        data["proof_of_life"].append({
            "pension_number": pensioner.pension_number, "national_id": pensioner.national_id,
            "first_name": pensioner.first_name, "last_name": pensioner.last_name,
            "first_name_ar": pensioner.first_name_ar, "last_name_ar": pensioner.last_name_ar,
            "birth_date": _at(pensioner.birth_date), "phone": pensioner.phone, "status": pensioner.status,
            "enrolled_at": _at(pensioner.enrolled_at), "left_at": _at(pensioner.left_at),
            "biometric_reference": {"held": reference is not None,
                                    "created_at": _at(reference["created_at"]) if reference else None},
            "proofs": [{"period": o.campaign.period, "status": o.status, "proved_at": _at(o.proved_at),
                        "attempts": [{"created_at": _at(a.created_at), "status": a.status,
                                      "decided_at": _at(a.decided_at),
                                      "frames_held": a.frames_deleted_at is None and a.frame_count > 0}
                                     for a in o.attempts.all()]}
                       for o in pensioner.obligations.all()],
        })
    mailbox_ids = []
    for mailbox in _mailboxes(subject):
        mailbox_ids.append(mailbox.pk)
        data["hybrid_mail"]["mailboxes"].append({
            "number": mailbox.number, "holder_name": mailbox.holder_name, "phone": mailbox.phone,
            "email": mailbox.email, "opened_via": mailbox.opened_via, "opened_at": _at(mailbox.opened_at),
            "is_active": mailbox.is_active, "closed_at": _at(mailbox.closed_at),
        })
    for letter in _letters(subject, mailbox_ids).select_related("sender"):
        data["hybrid_mail"]["letters"].append({
            "reference": letter.reference, "sender": letter.sender.slug, "subject": letter.subject,
            "recipient_name": letter.recipient_name, "recipient_phone": letter.recipient_phone,
            "recipient_address": letter.recipient_address, "state": letter.state,
            "created_at": _at(letter.created_at), "deposited_at": _at(letter.deposited_at),
        })
    return data


def counts(data: dict) -> dict:
    return {"service_desk": len(data["service_desk"]), "messages_sent": len(data["messages_sent"]),
            "postal_items": len(data["postal_items"]), "proof_of_life": len(data["proof_of_life"]),
            "mailboxes": len(data["hybrid_mail"]["mailboxes"]), "letters": len(data["hybrid_mail"]["letters"])}


def do_record_access(record: SubjectRequest, data: dict, *, now: dt.datetime | None = None) -> None:
    """Note on the request that the export was given (how many records of each kind)."""
    SubjectRequest.objects.filter(pk=record.pk).update(
        outcome={**record.outcome, "exported": counts(data)}, completed_at=now or timezone.now())


# --- Rectification

RECTIFIABLE = ("name", "email", "phone")


def do_rectify(record: SubjectRequest, subject: Subject, changes: dict, *, now: dt.datetime | None = None) -> dict:
    """Correct the citizen's contact fields where the organisation's own records keep them for contacting
    them: service-desk requests (name, phone, e-mail) and the proof-of-life pensioner's phone. Postal items and
    letters keep the addresses as they were declared when posted: they are what was carried (kept, with why).
    The audit (the SubjectRequest) names the fields changed and the counts, not the values."""
    now = now or timezone.now()
    changes = {key: (value or "").strip() for key, value in changes.items() if key in RECTIFIABLE and value}
    if not changes:
        raise ValidationError(_("Give at least one corrected value."))
    if "phone" in changes:
        region = "CG" if subject.organisation.country == "CG" else "DZ"
        changes["phone"] = to_e164(changes["phone"], region)
    if "email" in changes:
        from django.core.validators import validate_email

        validate_email(changes["email"])
    desk_fields = {"name": "citizen_name", "email": "citizen_email", "phone": "citizen_phone"}
    with transaction.atomic():
        update = {desk_fields[key]: value for key, value in changes.items()}
        done = {"servicedesk.requests": _requests(subject).exclude(text=ANONYMISED).update(**update, updated_at=now)}
        done["lifeproof.pensioners"] = _pensioners(subject).update(phone=changes["phone"]) if "phone" in changes else 0
        kept = []
        if _items(subject).exists():
            kept.append(_kept("postal.items", _items(subject).count(), "evidence"))
        if _mailboxes(subject).exists():
            kept.append(_kept("hybridmail.mailboxes", _mailboxes(subject).count(), "mailbox_counter"))
        outcome = {"fields": sorted(changes), "rectified": done, "kept": kept}
        SubjectRequest.objects.filter(pk=record.pk).update(outcome=outcome, completed_at=now)
    return outcome


# --- Erasure

REASONS = {
    "open_request": _("The request is still being handled: it is anonymised once closed (erase again then)."),
    "accounting": _("Accounting and postal liability: the item's deposit, payment and delivery must be provable."),
    "evidence": _("Evidence retention: sealed evidence records and what they name are kept unchanged for their "
                  "retention period (EVIDENCE_RETENTION_DAYS)."),
    "legal_obligation": _("Legal obligation of the pension fund to check that the pensioner is alive before "
                          "paying; the record and its biometric data go when the pension ends."),
    "mailbox_counter": _("The mailbox and its registered letters are closed at the post-office counter, in the "
                         "hybrid mail module: the letters' evidence is kept for its retention."),
    "opt_out": _("The citizen's refusal of messages is kept so that none is sent again."),
}


def _kept(kind: str, count: int, reason: str) -> dict:
    return {"records": kind, "count": count, "reason": reason, "explanation": str(REASONS[reason])}


def do_erase(record: SubjectRequest, subject: Subject, *, now: dt.datetime | None = None) -> dict:
    """Remove or anonymise what the organisation may erase about the subject, and list what it keeps and why."""
    from bawaba.notifications.models import OptOut, State
    from bawaba.servicedesk.models import OPEN_STATUSES

    now = now or timezone.now()
    with transaction.atomic():
        requests = _requests(subject).exclude(text=ANONYMISED)
        open_ids = list(requests.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
        done_ids = list(requests.exclude(status__in=OPEN_STATUSES).values_list("pk", flat=True))
        removed = {f"servicedesk.{key}": value for key, value in anonymise_requests(done_ids, now=now).items()}
        removed["notifications.messages"] = (_outbox(subject).exclude(state=State.QUEUED)
                                             .update(body="", subject="", recipient=ANONYMISED))
        kept = []
        if open_ids:
            kept.append(_kept("servicedesk.requests", len(open_ids), "open_request"))
        for kind, queryset, reason in (
            ("postal.items", _items(subject), "accounting"),
            ("lifeproof.pensioners", _pensioners(subject), "legal_obligation"),
            ("hybridmail.mailboxes", _mailboxes(subject), "mailbox_counter"),
        ):
            count = queryset.count()
            if count:
                kept.append(_kept(kind, count, reason))
        letters = _letters(subject, list(_mailboxes(subject).values_list("pk", flat=True))).count()
        if letters:
            kept.append(_kept("hybridmail.letters", letters, "evidence"))
        if subject.phone and OptOut.objects.filter(address=subject.phone).exists():
            kept.append(_kept("notifications.opt_out", 1, "opt_out"))
        outcome = {"removed": removed, "kept": kept}
        SubjectRequest.objects.filter(pk=record.pk).update(outcome=outcome, completed_at=now)
    return outcome
