"""One-time pick-up codes: issued when an item reaches the delivery office or is held (sent by SMS by
bawaba.postal.notices), checked by the clerk of the office that holds the item, then the item is handed over
(EMI with the signatory). Only the code's hash and expiry are kept on the item; a code works once; wrong
codes are counted and, after MAX_WRONG_ATTEMPTS, the item waits for a new code.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from bawaba.postal import events as codes
from bawaba.postal import s10
from bawaba.postal.models import (
    DeliveryInstruction,
    EventSource,
    Item,
    ItemStatus,
    Office,
    PickupAttempt,
    RecipientChoice,
    TrackingEvent,
)
from bawaba.postal.permissions import CLERK, is_postal_staff, posting
from bawaba.postal.tracking import EventInput, EventsRefused, record_events

CODE_DIGITS = 6
CODE_VALID = dt.timedelta(days=15)
MAX_WRONG_ATTEMPTS = 5
PICKUP_STATUSES = (ItemStatus.HELD, ItemStatus.AT_DELIVERY_OFFICE, ItemStatus.DELIVERY_FAILED)
_SALT = "bawaba.postal.pickup-code"


class PickupRefused(ValueError):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def code_hash(item: Item, code: str) -> str:
    return salted_hmac(_SALT, f"{item.pk}:{code.strip()}", algorithm="sha256").hexdigest()


def issue_code(item: Item, *, now: dt.datetime | None = None) -> str:
    """A new code for the item (the previous one stops working); returns it to be sent, stores its hash."""
    now = now or timezone.now()
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    item.pickup_code_hash = code_hash(item, code)
    item.pickup_code_expires_at = now + CODE_VALID
    Item.objects.filter(pk=item.pk).update(pickup_code_hash=item.pickup_code_hash,
                                           pickup_code_expires_at=item.pickup_code_expires_at)
    return code


def clerk_office(user) -> Office | None:
    if not is_postal_staff(user, CLERK):
        return None
    staff = posting(user)
    if staff is None or staff.office_id is None or staff.office.organisation_id != user.organisation_id:
        return None
    return staff.office


def waiting_at(office: Office) -> QuerySet[Item]:
    """Items a recipient may collect at this office: held here (last EDH here), or waiting at it as their
    delivery office (arrived, failed attempt, or kept at the recipient's request)."""
    last_held = TrackingEvent.objects.filter(item=OuterRef("pk"), code=codes.HELD_FOR_PICKUP,
                                             flagged=False).order_by("-occurred_at", "-id")
    latest = DeliveryInstruction.objects.filter(item=OuterRef("pk"), handled_at__isnull=True).order_by(
        "-requested_at", "-id")
    items = Item.objects.filter(organisation_id=office.organisation_id, status__in=PICKUP_STATUSES).annotate(
        held_office=Subquery(last_held.values("office_id")[:1]),
        instruction=Subquery(latest.values("choice")[:1]))
    return items.filter(Q(status=ItemStatus.HELD, held_office=office.pk)
                        | Q(delivery_office=office, status=ItemStatus.HELD, held_office__isnull=True)
                        | Q(delivery_office=office, instruction=RecipientChoice.HOLD))


def wrong_attempts(item: Item) -> int:
    if item.pickup_code_expires_at is None:
        return 0
    issued = item.pickup_code_expires_at - CODE_VALID
    return PickupAttempt.objects.filter(item=item, succeeded=False, at__gte=issued).count()


def do_hand_over(user, number: str, code: str, signatory: str, *, now: dt.datetime | None = None) -> Item:
    """Check the recipient's code at the counter and record the delivery (EMI) with who signed."""
    now = now or timezone.now()
    office = clerk_office(user)
    if office is None:
        raise PickupRefused("not_clerk", _("You are not posted at a counter."), status=403)
    try:
        canonical = str(s10.parse(number))
    except s10.S10Error as exc:
        raise PickupRefused(exc.code, str(exc)) from exc
    signatory = (signatory or "").strip()[:150]
    if not signatory:
        raise PickupRefused("no_signatory", _("Write the name of the person collecting the item."))
    item = waiting_at(office).filter(number=canonical).order_by("-created_at").first()
    if item is None:
        raise PickupRefused("not_here", _("No item %(number)s is waiting at this office.") % {"number": canonical},
                            status=404)
    wrong = None
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if not item.pickup_code_hash or item.pickup_code_expires_at is None:
            raise PickupRefused("no_code", _("No pick-up code is in force for this item: send a new one."),
                                status=409)
        if item.pickup_code_expires_at <= now:
            raise PickupRefused("expired", _("The pick-up code has expired: send a new one."), status=409)
        if wrong_attempts(item) >= MAX_WRONG_ATTEMPTS:
            raise PickupRefused("locked", _("Too many wrong codes for this item: send a new code."), status=429)
        if not hmac.compare_digest(item.pickup_code_hash, code_hash(item, code or "")):
            PickupAttempt.objects.create(item=item, office=office, user=user, at=now, succeeded=False)
            left = MAX_WRONG_ATTEMPTS - wrong_attempts(item)
            wrong = PickupRefused("wrong_code", _("Wrong pick-up code (%(left)d attempts left).") % {"left": left})
        else:
            PickupAttempt.objects.create(item=item, office=office, user=user, at=now, succeeded=True)
            # TO RECONCILE: tracking.validate accepts a delivery code only at the item's delivery office; the
            # counter holding the item is named in the details until it also accepts the office holding it.
            row_office = office if office.pk == item.delivery_office_id else item.delivery_office
            event = EventInput(number=item.number, code=codes.DELIVERED, occurred_at=now, signatory=signatory,
                               details={"pickup": True, "counter": office.code},
                               external_id=f"pickup-{item.pk}-{item.pickup_code_hash[:16]}")
            try:
                record_events(item.organisation, [event], source=EventSource.COUNTER, user=user,
                              office=row_office or office, now=now)
            except EventsRefused as exc:
                raise PickupRefused("refused", "; ".join(e.message for e in exc.errors)) from exc
            Item.objects.filter(pk=item.pk).update(pickup_code_hash="", pickup_code_expires_at=None)
            DeliveryInstruction.objects.filter(item=item, handled_at__isnull=True).update(handled_at=now)
    if wrong is not None:
        raise wrong  # the wrong attempt is stored (committed) before the refusal
    item.refresh_from_db()
    return item


RECEIVABLE = (ItemStatus.DELIVERY_FAILED, ItemStatus.AT_DELIVERY_OFFICE, ItemStatus.OUT_FOR_DELIVERY)


def do_receive_for_pickup(user, number: str, *, now: dt.datetime | None = None) -> Item:
    """The counter takes in an item to keep for its recipient (after a failed delivery, or at their request):
    EDH at this office; the recipient then gets the SMS with a new pick-up code (bawaba.postal.notices)."""
    now = now or timezone.now()
    office = clerk_office(user)
    if office is None:
        raise PickupRefused("not_clerk", _("You are not posted at a counter."), status=403)
    try:
        canonical = str(s10.parse(number))
    except s10.S10Error as exc:
        raise PickupRefused(exc.code, str(exc)) from exc
    item = (Item.objects.filter(organisation_id=office.organisation_id, number=canonical)
            .order_by("-created_at").first())
    if item is None:
        raise PickupRefused("unknown_item", _("No item %(number)s is known to this post.") % {"number": canonical},
                            status=404)
    if item.status not in RECEIVABLE:
        raise PickupRefused("not_receivable", _("Item %(number)s cannot be kept for pick-up: %(status)s.")
                            % {"number": canonical, "status": ItemStatus(item.status).label}, status=409)
    event = EventInput(number=canonical, code=codes.HELD_FOR_PICKUP, occurred_at=now,
                       external_id=f"held-{item.pk}-{int(now.timestamp())}")
    try:
        record_events(item.organisation, [event], source=EventSource.COUNTER, user=user, office=office, now=now)
    except EventsRefused as exc:
        raise PickupRefused("refused", "; ".join(e.message for e in exc.errors)) from exc
    item.refresh_from_db()
    return item
