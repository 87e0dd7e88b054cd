"""A postman's round: taking out the day's items (EDG) and recording each delivery from the phone.

The phone keeps every record in a queue until the server confirms it and sends each one with the queue
entry's id (``client_id``): it becomes the event's ``external_id``, so a record sent twice (an answer lost
on a flaky network) is stored once. ``occurred_at`` is the phone's time of the delivery; the server's time
is the event's ``recorded_at``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bawaba.core.uploads import IMAGE_TYPES, check_upload
from bawaba.postal import events as codes
from bawaba.postal import nondelivery, s10
from bawaba.postal.models import (
    DeliveryInstruction,
    DeliveryProof,
    EventSource,
    Item,
    ItemStatus,
    Office,
    OfficeKind,
    RecipientChoice,
    Round,
    RoundItem,
    RoundOutcome,
    TrackingEvent,
)
from bawaba.postal.permissions import POSTMAN, is_postal_staff, posting
from bawaba.postal.tracking import EventInput, EventsRefused, record_events

# Why an item could not be delivered and what happens next: the EMH codes of bawaba.postal.nondelivery.
NON_DELIVERY_REASONS = nondelivery.REASONS
NON_DELIVERY_ACTIONS = nondelivery.ACTIONS
DEFAULT_ACTION = {"ABS": "HLD", "ACC": "RDL", "CLO": "RDL", "PAY": "HLD", "REF": "RTS", "DEC": "RTS", "MOV": "RTS",
                  "UNK": "RTS", "ADR": "HLD", "DAM": "HLD", "FMJ": "RDL", "OTH": "HLD"}

ROUND_STATUSES = (ItemStatus.AT_DELIVERY_OFFICE, ItemStatus.DELIVERY_FAILED)
PROOF_MAX_BYTES = 5 * 1024 * 1024
SIGNATURE_MAX_BYTES = 512 * 1024
_CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{7,63}$")


class RoundRefused(ValueError):
    """The request cannot be carried out; ``errors`` maps a field ("" for the whole) to messages."""

    def __init__(self, errors: dict[str, list[str]], status: int = 400):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors
        self.status = status


class NotYours(LookupError):
    """The item is unknown to this postman (another office, another post): answered like a missing one."""


def postman_office(user) -> Office | None:
    """The delivery office a postman works from, or None (not a postman, no posting)."""
    if not is_postal_staff(user, POSTMAN):
        return None
    staff = posting(user)
    if staff is None or staff.office_id is None:
        return None
    office = staff.office
    if office.organisation_id != user.organisation_id or office.kind not in (
            OfficeKind.DELIVERY_OFFICE, OfficeKind.POST_OFFICE):
        return None
    return office


def latest_instruction(items: QuerySet[Item]) -> QuerySet[Item]:
    latest = DeliveryInstruction.objects.filter(item=OuterRef("pk"), handled_at__isnull=True).order_by(
        "-requested_at", "-id")
    return items.annotate(instruction=Subquery(latest.values("choice")[:1]))


def candidates(office: Office) -> QuerySet[Item]:
    """Items the office can take out today: arrived; or not delivered at an earlier attempt whose action was
    to deliver again, or whose recipient asked for a new delivery — never those the recipient asked to keep
    at the post office (nor those going back to the sender or kept for pick-up)."""
    last_action = TrackingEvent.objects.filter(item=OuterRef("pk"), code=codes.UNSUCCESSFUL, flagged=False).order_by(
        "-occurred_at", "-id").values("action_code")[:1]
    items = latest_instruction(Item.objects.filter(delivery_office=office, status__in=ROUND_STATUSES)).annotate(
        last_action=Subquery(last_action))
    wanted = (Q(status=ItemStatus.AT_DELIVERY_OFFICE) | Q(last_action="RDL")
              | Q(instruction=RecipientChoice.REDELIVER))
    return items.filter(wanted).filter(Q(instruction__isnull=True) | ~Q(instruction=RecipientChoice.HOLD)).order_by(
        "recipient_postcode", "recipient_street", "number")


def held_on_request(office: Office) -> QuerySet[Item]:
    """Items whose recipient asked the post to keep them: not taken out, kept for the counter."""
    items = latest_instruction(Item.objects.filter(delivery_office=office, status__in=ROUND_STATUSES))
    return items.filter(instruction=RecipientChoice.HOLD).order_by("number")


def round_of(user, day: dt.date) -> Round | None:
    office = postman_office(user)
    if office is None:
        return None
    return Round.objects.filter(office=office, postman=user, day=day).first()


def round_entries(round_: Round) -> list[RoundItem]:
    entries = round_.entries.select_related("item", "item__recipient_commune").order_by("position", "id")
    pending = {e.item_id for e in entries}
    choices = dict(latest_instruction(Item.objects.filter(pk__in=pending)).values_list("pk", "instruction"))
    result = list(entries)
    for entry in result:
        entry.instruction = choices.get(entry.item_id)
    return result


def do_take_out_round(user, *, numbers: list[str] | None = None, now: dt.datetime | None = None,
                      device: str = "") -> Round:
    """Start (or extend) today's round with the office's waiting items, recording EDG for each."""
    now = now or timezone.now()
    office = postman_office(user)
    if office is None:
        raise RoundRefused({"": [_("You are not posted at a delivery office.")]}, status=403)
    available = list(candidates(office))
    if numbers is not None:
        wanted = set(numbers)
        available = [item for item in available if item.number in wanted]
    if not available:
        raise RoundRefused({"": [_("No item is waiting to be taken out.")]})
    day = timezone.localdate(now)
    with transaction.atomic():
        round_, _created = Round.objects.get_or_create(
            office=office, postman=user, day=day,
            defaults={"organisation_id": office.organisation_id, "taken_out_at": now})
        start = round_.entries.count()
        inputs = [EventInput(number=item.number, code=codes.OUT_FOR_DELIVERY, occurred_at=now,
                             external_id=f"round-{round_.pk}-{item.pk}-{start}") for item in available]
        record_events(office.organisation, inputs, source=EventSource.POSTMAN, user=user, office=office,
                      device=device[:60], now=now)
        RoundItem.objects.bulk_create(
            [RoundItem(round=round_, item=item, position=start + i) for i, item in enumerate(available)],
            ignore_conflicts=True)
        RoundItem.objects.filter(round=round_, item__in=available).update(outcome=RoundOutcome.PENDING,
                                                                          outcome_at=None)
        DeliveryInstruction.objects.filter(item__in=available, handled_at__isnull=True,
                                           choice=RecipientChoice.REDELIVER).update(handled_at=now)
    return round_


@dataclasses.dataclass
class DeliveryRecord:
    client_id: str
    number: str
    outcome: str  # "delivered" | "failed"
    occurred_at: dt.datetime
    signatory: str = ""
    reason_code: str = ""
    action_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: Decimal | None = None
    device: str = ""
    remarks: str = ""


def _decimal(value, field, errors, low, high):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if not number.is_finite() or not low <= number <= high:
        errors.setdefault(field, []).append(_("The GPS position is out of range."))
        return None
    return number.quantize(Decimal("0.000001"))


def parse_record(data) -> DeliveryRecord:
    """The phone's fields, checked; RoundRefused names every faulty one."""
    errors: dict[str, list[str]] = {}
    client_id = (data.get("client_id") or "").strip()
    if not _CLIENT_ID.match(client_id):
        errors.setdefault("client_id", []).append(_("The record has no valid id: reload the page."))
    number = (data.get("number") or "").strip()
    try:
        number = str(s10.parse(number))
    except s10.S10Error as exc:
        errors.setdefault("number", []).append(str(exc))
    outcome = data.get("outcome") or ""
    if outcome not in (RoundOutcome.DELIVERED, RoundOutcome.FAILED):
        errors.setdefault("outcome", []).append(_("Choose delivered or not delivered."))
    occurred_at = parse_datetime((data.get("occurred_at") or "").strip()) if data.get("occurred_at") else None
    if occurred_at is None or timezone.is_naive(occurred_at):
        errors.setdefault("occurred_at", []).append(_("The phone's time of the delivery is missing."))
    signatory = (data.get("signatory") or "").strip()[:150]
    reason = (data.get("reason_code") or "").strip().upper()
    action = (data.get("action_code") or "").strip().upper()
    if outcome == RoundOutcome.DELIVERED and not signatory:
        errors.setdefault("signatory", []).append(_("Write the name of the person who received the item."))
    if outcome == RoundOutcome.FAILED:
        if reason not in NON_DELIVERY_REASONS:
            errors.setdefault("reason_code", []).append(_("Choose why the item could not be delivered."))
        action = action or DEFAULT_ACTION.get(reason, "")
        if action not in NON_DELIVERY_ACTIONS:
            errors.setdefault("action_code", []).append(_("Choose what happens to the item next."))
    latitude = _decimal(data.get("latitude"), "latitude", errors, -90, 90)
    longitude = _decimal(data.get("longitude"), "longitude", errors, -180, 180)
    accuracy = _decimal(data.get("accuracy"), "accuracy", errors, 0, 100000)
    if errors:
        raise RoundRefused(errors)
    return DeliveryRecord(
        client_id=client_id, number=number, outcome=outcome, occurred_at=occurred_at, signatory=signatory,
        reason_code=reason if outcome == RoundOutcome.FAILED else "",
        action_code=action if outcome == RoundOutcome.FAILED else "",
        latitude=latitude, longitude=longitude, accuracy_m=accuracy,
        device=(data.get("device") or "").strip()[:60], remarks=(data.get("remarks") or "").strip()[:500],
    )


def _check_files(record: DeliveryRecord, signature, photo):
    errors: dict[str, list[str]] = {}
    checked = {}
    if record.outcome == RoundOutcome.DELIVERED:
        if signature is None:
            errors["signature"] = [_("The recipient must sign on the screen.")]
        else:
            try:
                checked[DeliveryProof.SIGNATURE] = check_upload(signature, {"image/png": "png"},
                                                                max_bytes=SIGNATURE_MAX_BYTES)
            except ValidationError as exc:
                errors["signature"] = exc.messages
    if photo is not None:
        try:
            checked[DeliveryProof.PHOTO] = check_upload(photo, IMAGE_TYPES, max_bytes=PROOF_MAX_BYTES)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if errors:
        raise RoundRefused(errors)
    return checked


@dataclasses.dataclass
class RecordOutcome:
    item: Item
    created: bool  # False: the same record was already stored (a replay)


def do_record_delivery(user, record: DeliveryRecord, *, signature=None, photo=None,
                       now: dt.datetime | None = None) -> RecordOutcome:
    """Record a delivery (EMI with the signatory, signature and photo) or an unsuccessful attempt (EMH with
    reason and action) from the postman's phone. Whole or nothing; the same client_id again stores nothing."""
    now = now or timezone.now()
    office = postman_office(user)
    if office is None:
        raise RoundRefused({"": [_("You are not posted at a delivery office.")]}, status=403)
    item = Item.objects.filter(organisation_id=office.organisation_id, number=record.number,
                               delivery_office=office).order_by("-created_at", "-id").first()
    if item is None:
        raise NotYours(record.number)
    files = _check_files(record, signature, photo)
    details = {"client_id": record.client_id}
    for kind, upload in files.items():
        details[f"{kind}_sha256"] = upload.sha256
    if record.accuracy_m is not None:
        details["gps_accuracy_m"] = f"{record.accuracy_m:.1f}"
    if record.remarks:
        details["remarks"] = record.remarks
    code = codes.DELIVERED if record.outcome == RoundOutcome.DELIVERED else codes.UNSUCCESSFUL
    event = EventInput(
        number=item.number, code=code, occurred_at=record.occurred_at, device=record.device,
        latitude=record.latitude, longitude=record.longitude, reason_code=record.reason_code,
        action_code=record.action_code, signatory=record.signatory, details=details,
        external_id=record.client_id,
    )
    try:
        with transaction.atomic():
            result = record_events(office.organisation, [event], source=EventSource.POSTMAN, user=user,
                                   office=office, now=now)
            known = set(DeliveryProof.objects.filter(client_id=record.client_id).values_list("kind", flat=True))
            for kind, upload in files.items():
                if kind in known:
                    continue
                proof = DeliveryProof(item=item, client_id=record.client_id, kind=kind, sha256=upload.sha256,
                                      content_type=upload.content_type, extension=upload.extension,
                                      size=upload.size, created_at=now)
                proof.file.save(f"{upload.sha256}.{upload.extension}", upload.file, save=False)
                proof.save()
            if result.created:
                RoundItem.objects.filter(item=item, round__office=office, round__postman=user).update(
                    outcome=record.outcome, outcome_at=record.occurred_at)
    except EventsRefused as exc:
        raise RoundRefused({"": [e.message for e in exc.errors]}) from exc
    item.refresh_from_db()
    return RecordOutcome(item=item, created=bool(result.created))
