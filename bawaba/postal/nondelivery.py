"""Why a delivery failed (reason) and what happens to the item next (action), recorded on EMH events.

These are the PLATFORM'S OWN codes, not an official UPU code list: the UPU's code lists for EMSEVT's
non-delivery reason and measure are published to designated operators only, and none was available to us
(searched: UPU standards catalogue, EMSEVT implementation guides, public code repositories; 2026-12). The
codes are three capital letters like EMSEVT's, short enough for a scanner's keypad; a foreign post's own
codes arrive through the EMSEVT import (source "partner") and are kept as sent. Mapping them to the UPU's list
is one table here once an operator provides it. See docs/postal-api.md.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REASONS: dict[str, object] = {
    "ABS": _("Addressee absent"),
    "REF": _("Refused by the addressee"),
    "ADR": _("Incorrect or incomplete address"),
    "UNK": _("Addressee unknown at the address"),
    "MOV": _("Addressee has moved"),
    "DEC": _("Addressee deceased"),
    "CLO": _("Premises closed"),
    "ACC": _("Address not accessible"),
    "PAY": _("Charges or duties not paid"),
    "DAM": _("Item damaged"),
    "FMJ": _("Force majeure (weather, strike, unrest)"),
    "OTH": _("Other reason"),
}

ACTIONS: dict[str, object] = {
    "RDL": _("New delivery attempt"),
    "HLD": _("Held at the delivery office for pick-up"),
    "RTS": _("Return to sender"),
    "FWD": _("Forwarded to a new address"),
    "CTC": _("Addressee to be contacted"),
}

# What the citizen reads after "We could not deliver your item." (public tracking, SMS).
PUBLIC_REASONS: dict[str, object] = {
    "ABS": _("Nobody was there to receive it."),
    "REF": _("It was refused."),
    "ADR": _("The address is incomplete or incorrect."),
    "UNK": _("The addressee is not known at this address."),
    "MOV": _("The addressee has moved."),
    "CLO": _("The premises were closed."),
    "ACC": _("The address could not be reached."),
    "PAY": _("Charges are to be paid."),
}


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))
