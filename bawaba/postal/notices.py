"""The recipient's SMS when an item reaches the delivery office (EMG) or waits at a pick-up point (EDH):
a one-time pick-up code (only its hash is kept, bawaba.postal.pickup) and a signed link where they ask for
a new delivery or for the post to keep the item. Sent through bawaba.notifications (outbox, retries,
opt-out); one message per event (the notification's idempotency key names the event).
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from bawaba.notifications import texts
from bawaba.notifications.links import public_url
from bawaba.notifications.models import Channel, OutboundMessage
from bawaba.notifications.services import notify
from bawaba.postal import events as codes
from bawaba.postal import pickup
from bawaba.postal.models import DeliveryInstruction, Item, ItemStatus, RecipientChoice
from bawaba.postal.tracking import events_recorded

TOPIC = "postal.item"
NOTIFIED = {codes.AT_DELIVERY_OFFICE: "postal.arrived", codes.HELD_FOR_PICKUP: "postal.held"}
CHOICE_PATH = "/post/r/{code}/"
_LINK_SALT = "bawaba.postal.recipient-link"
SIGNATURE_LENGTH = 8
# Until the item is delivered or returned the recipient may still change their mind.
OPEN_STATUSES = (ItemStatus.AT_DELIVERY_OFFICE, ItemStatus.OUT_FOR_DELIVERY, ItemStatus.DELIVERY_FAILED,
                 ItemStatus.HELD, ItemStatus.IN_TRANSIT, ItemStatus.CUSTOMS, ItemStatus.ACCEPTED)

texts.register("postal.arrived", texts.Template(
    sms=lambda c: _("Item %(reference)s is at the post office. Pick-up code %(code)s. Delivery or hold: "
                    "%(link)s") % c,
    subject=lambda c: _("Your item %(reference)s is at the post office") % c,
    lead=lambda c: _("Your item %(reference)s is at the post office. Pick-up code: %(code)s.") % c,
))
texts.register("postal.held", texts.Template(
    sms=lambda c: _("Item %(reference)s awaits you at %(office)s. Pick-up code %(code)s. Options: %(link)s") % c,
    subject=lambda c: _("Your item %(reference)s awaits you") % c,
    lead=lambda c: _("Your item %(reference)s awaits you at %(office)s. Pick-up code: %(code)s.") % c,
))


def _signature(item: Item) -> str:
    digest = salted_hmac(_LINK_SALT, f"{item.pk}:{item.number}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:SIGNATURE_LENGTH].lower()


def choice_code(item: Item) -> str:
    return item.number + _signature(item)


def choice_link(item: Item) -> str:
    return public_url(CHOICE_PATH.format(code=choice_code(item)))


def item_from_code(code: str) -> Item | None:
    """The item a signed link names (None when the signature is wrong: answered 404)."""
    code = (code or "").strip()
    number, signature = code[:-SIGNATURE_LENGTH].upper(), code[-SIGNATURE_LENGTH:]
    if len(number) != 13:
        return None
    for item in Item.objects.filter(number=number).order_by("-created_at")[:3]:
        if hmac.compare_digest(_signature(item), signature):
            return item
    return None


def notice_language(item: Item) -> str:
    """The recipient's language is not asked at the counter: the platform's (French by default)."""
    return settings.LANGUAGE_CODE[:2]


def send_notice(item: Item, template: str, event_key: str, *, office_name: str = "",
                now: dt.datetime | None = None) -> list:
    """A new pick-up code and its SMS, in one transaction (a code nobody received is never in force)."""
    if not item.recipient_phone:
        return []
    key = f"{TOPIC}:{item.number}:{event_key}:{template}:{Channel.SMS}"[:160]
    if OutboundMessage.objects.filter(idempotency_key=key).exists():
        return []  # already told: a new code would not reach the recipient
    with transaction.atomic():
        code = pickup.issue_code(item, now=now)
        return notify(topic=TOPIC, reference=item.number, event=event_key, template=template,
                      language=notice_language(item), organisation_id=item.organisation_id,
                      phone=item.recipient_phone,
                      context={"code": code, "link": choice_link(item), "office": office_name}, now=now)


@receiver(events_recorded, sender=Item, dispatch_uid="postal.notices")
def on_events_recorded(sender, items, events, **kwargs):
    by_item = {item.pk: item for item in items}
    latest: dict[int, object] = {}
    for event in events:
        if event.code in NOTIFIED and not event.flagged:
            current = latest.get(event.item_id)
            if current is None or (event.occurred_at, event.pk) > (current.occurred_at, current.pk):
                latest[event.item_id] = event
    for item_id, event in latest.items():
        item = by_item.get(item_id)
        # Only when the event is still where the item is (a late scan of an old arrival tells nobody).
        if item is None or item.last_event_code != event.code:
            continue
        template = NOTIFIED[event.code]
        if _already_told(item, template):
            continue  # a repeated scan of the same step: the code sent earlier is still in force
        office = event.office.name if event.office_id else event.office_code
        send_notice(item, template, f"event:{event.pk}", office_name=office)


def _already_told(item: Item, template: str) -> bool:
    now = timezone.now()
    if not item.pickup_code_hash or item.pickup_code_expires_at is None or item.pickup_code_expires_at <= now:
        return False
    return OutboundMessage.objects.filter(topic=TOPIC, reference=item.number, template=template,
                                          created_at__gte=item.pickup_code_expires_at - pickup.CODE_VALID).exists()


def do_resend_code(user, item: Item, *, now: dt.datetime | None = None) -> list:
    """A clerk sends the recipient a new code (lost SMS, expired code, too many wrong attempts)."""
    now = now or timezone.now()
    template = "postal.held" if item.status == ItemStatus.HELD else "postal.arrived"
    office = pickup.clerk_office(user)
    return send_notice(item, template, f"resend:{now.timestamp():.0f}", office_name=office.name if office else "",
                       now=now)


class ChoiceRefused(ValueError):
    pass


def do_record_choice(item: Item, choice: str, *, now: dt.datetime | None = None) -> DeliveryInstruction:
    """The recipient asks for a new delivery or for the post to keep the item (the round leaves it out)."""
    now = now or timezone.now()
    if choice not in RecipientChoice.values:
        raise ChoiceRefused(_("Choose one of the options."))
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.status not in OPEN_STATUSES:
            raise ChoiceRefused(_("This item can no longer be redirected: %(status)s.")
                                % {"status": ItemStatus(item.status).label})
        DeliveryInstruction.objects.filter(item=item, handled_at__isnull=True).update(handled_at=now)
        return DeliveryInstruction.objects.create(item=item, choice=choice, requested_at=now)


def current_choice(item: Item) -> DeliveryInstruction | None:
    return DeliveryInstruction.objects.filter(item=item, handled_at__isnull=True).first()
