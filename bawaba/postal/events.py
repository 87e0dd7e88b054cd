"""Tracking event codes after the UPU's EMSEVT messages (events on postal items, v3 code list).

Each code says where an item is in its life: ``stage`` orders the codes along the normal path so that an
event that cannot follow the previous ones (a delivery before any arrival, a posting after a delivery) is
flagged for review; ``status`` is what the item is after the event. ``public`` is the plain-words text a
citizen reads on the tracking page.
"""

from __future__ import annotations

import dataclasses

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@dataclasses.dataclass(frozen=True)
class EventCode:
    code: str
    label: str  # EMSEVT's meaning, for staff
    public: str  # what a citizen reads
    stage: int  # position along the normal path (0 = posting, 90 = delivered)
    status: str  # bawaba.postal.models.ItemStatus value after this event
    final: bool = False  # nothing normally follows (delivered)


_CODES = [
    EventCode("EMA", _("Posting / collection"), _("Your item was handed to the post."), 0, "accepted"),
    EventCode("EDD", _("Item into sorting centre"), _("Your item arrived at a sorting centre."), 10, "in_transit"),
    EventCode("EDE", _("Item out of sorting centre"), _("Your item left the sorting centre."), 11, "in_transit"),
    EventCode("EMB", _("Arrival at outward office of exchange"),
              _("Your item is being prepared to leave the country."), 20, "in_transit"),
    EventCode("EXA", _("Item presented to export customs"), _("Your item is with export customs."), 21, "customs"),
    EventCode("EXB", _("Item held by export customs"), _("Export customs are holding your item."), 22, "customs"),
    EventCode("EXC", _("Item returned from export customs"), _("Export customs released your item."), 23,
              "in_transit"),
    EventCode("EXD", _("Item held at outward office of exchange"),
              _("Your item is waiting to leave the country."), 24, "in_transit"),
    EventCode("EMC", _("Departure from outward office of exchange"), _("Your item left the country."), 25,
              "in_transit"),
    EventCode("EMJ", _("Arrival at transit office of exchange"), _("Your item is passing through another country."),
              30, "in_transit"),
    EventCode("EMK", _("Departure from transit office of exchange"),
              _("Your item left the country it was passing through."), 31, "in_transit"),
    EventCode("EMD", _("Arrival at inward office of exchange"), _("Your item arrived in the destination country."),
              40, "in_transit"),
    EventCode("EDA", _("Held at inward office of exchange"), _("Your item is waiting at the office of exchange."),
              41, "in_transit"),
    EventCode("EDB", _("Item presented to import customs"), _("Your item is with customs."), 42, "customs"),
    EventCode("EME", _("Held by import customs"), _("Customs are holding your item."), 43, "customs"),
    EventCode("EDC", _("Item returned from customs"), _("Customs released your item."), 44, "in_transit"),
    EventCode("EMF", _("Departure from inward office of exchange"),
              _("Your item is on its way to the delivery office."), 45, "in_transit"),
    EventCode("EMG", _("Arrival at delivery office"), _("Your item arrived at the delivery office."), 60,
              "at_delivery_office"),
    EventCode("EDG", _("Item out for delivery"), _("Your item is out for delivery today."), 70, "out_for_delivery"),
    EventCode("EMH", _("Attempted / unsuccessful delivery"), _("We could not deliver your item."), 75,
              "delivery_failed"),
    EventCode("EDH", _("Item arrival at collection point for pick-up"),
              _("Your item is waiting for you at a pick-up point."), 80, "held"),
    EventCode("EMI", _("Final delivery"), _("Your item was delivered."), 90, "delivered", final=True),
]

CODES: dict[str, EventCode] = {c.code: c for c in _CODES}
# Lazy, so that staff pages show the label in their language (an f-string would freeze it at import).
EVENT_CHOICES = [(c.code, format_lazy("{} — {}", c.code, c.label)) for c in _CODES]

POSTING = "EMA"
INTO_SORTING = "EDD"
OUT_OF_SORTING = "EDE"
AT_DELIVERY_OFFICE = "EMG"
OUT_FOR_DELIVERY = "EDG"
UNSUCCESSFUL = "EMH"
HELD_FOR_PICKUP = "EDH"
DELIVERED = "EMI"

# Events that take place inside one country's domestic network and may repeat (several sorting centres,
# several delivery attempts): they never make a later event "impossible" by their order alone.
REPEATABLE = frozenset({"EDD", "EDE", "EDG", "EMH", "EDH", "EMG", "EDA", "EDB", "EME", "EDC"})


def get(code: str) -> EventCode | None:
    return CODES.get((code or "").upper())
