"""What the public may know of an item: its timeline in plain words and the next step. Never a name, an
address or a phone number — only the event wording, its time and the post's own place names.

The timeline itself comes from ``bawaba.postal.tracking.public_timeline`` (one indexed query, measured in
bench/postal_tracking.py); this module adds what a citizen should do next and where a held item waits.
"""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext_lazy as _

from bawaba.postal import events as codes
from bawaba.postal import s10, tracking
from bawaba.postal.models import Item, ItemStatus

NEXT_STEP = {
    ItemStatus.ANNOUNCED: _("The sender announced the item; it has not been handed to the post yet."),
    ItemStatus.ACCEPTED: _("Your item will go to a sorting centre, then to the delivery office."),
    ItemStatus.IN_TRANSIT: _("Your item is on its way to the delivery office."),
    ItemStatus.CUSTOMS: _("Customs must release your item before it can go on; they may contact you."),
    ItemStatus.AT_DELIVERY_OFFICE: _("A postman will bring it to you soon. You will get an SMS with a pick-up "
                                     "code if you gave your phone number."),
    ItemStatus.OUT_FOR_DELIVERY: _("A postman is bringing it today: someone must be there to sign for it."),
    ItemStatus.DELIVERY_FAILED: _("We will try again or keep it at a post office; follow the SMS you "
                                  "received."),
    ItemStatus.HELD: _("Collect it at the post office with an identity document and the pick-up code "
                       "received by SMS."),
    ItemStatus.DELIVERED: _("Nothing more to do."),
    ItemStatus.RETURNED: _("The item is going back to its sender."),
}


class NotFound(LookupError):
    """No item with this number (valid S10 identifier, but unknown to every post here)."""


@dataclasses.dataclass(frozen=True)
class PublicTracking:
    number: str
    status: str
    status_label: str
    next_step: str
    events: list[tracking.PublicEvent]
    held_at: str  # where to collect it, when held

    @property
    def spaced(self) -> str:
        n = self.number
        return f"{n[:2]} {n[2:5]} {n[5:8]} {n[8:11]} {n[11:]}"

    @property
    def latest(self) -> tracking.PublicEvent | None:
        return self.events[-1] if self.events else None


def find_item(number: str) -> Item:
    """The latest item with this number. Raises S10Error (the reason) or NotFound."""
    canonical = str(s10.parse(number))
    item = (Item.objects.filter(number=canonical).only("pk", "number", "status")
            .order_by("-created_at", "-id").first())
    if item is None:
        raise NotFound(canonical)
    return item


def public_timeline(number: str) -> PublicTracking:
    """Raises S10Error (invalid number, with the reason) or NotFound."""
    canonical = str(s10.parse(number))
    timeline = tracking.public_timeline(canonical)
    if timeline is None:
        raise NotFound(canonical)
    held_at = ""
    if timeline.status == ItemStatus.HELD:
        held = [e for e in timeline.events if e.code == codes.HELD_FOR_PICKUP]
        held_at = held[-1].place if held else ""
    status = ItemStatus(timeline.status)
    return PublicTracking(number=timeline.number, status=status.value, status_label=timeline.status_label,
                          next_step=str(NEXT_STEP.get(status, "")), events=timeline.events, held_at=held_at)


def sms_status(number: str) -> str:
    """One short text for an SMS or a USSD screen (S10Error/NotFound as public_timeline)."""
    tracking = public_timeline(number)
    latest = tracking.latest
    if latest is None:
        return f"{tracking.number}: {tracking.status_label}. {tracking.next_step}"
    from django.utils import timezone

    when = timezone.localtime(latest.occurred_at).strftime("%d/%m/%Y %H:%M")
    text = f"{tracking.number}: {latest.text} ({when}"
    text += f", {latest.place})" if latest.place else ")"
    if tracking.held_at:
        text += f" {tracking.held_at}."
    return f"{text} {tracking.next_step}"
