"""Tracking by SMS and USSD through the citizen channels (bawaba.channels.gateways' extension points).

- SMS: a text that is an S10 number (spaces allowed, optionally after a word such as SUIVI, TRACK or تتبع)
  gets the item's latest step and the next one; a number S10 refuses gets the reason. Any other text goes on
  to the desk as before (a request reference, STOP, a new request).
- USSD: the main menu gains "Track a postal item": the citizen types the number and reads the status.
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext as _

from bawaba.channels import gateways
from bawaba.core.textnorm import guess_language
from bawaba.postal import s10
from bawaba.postal.public import NotFound, sms_status

KEYWORDS = {"SUIVI": "fr", "TRACK": "en", "TRACKING": "en", "تتبع": "ar", "تتبّع": "ar"}
# Something shaped like an S10 number: two letters, nine digits (spaces or hyphens between), two letters.
_SHAPE = re.compile(r"^[A-Za-z]{2}[\s\-]*(?:\d[\s\-]*){9}[A-Za-z]{2}$")


def _split(text: str) -> tuple[str, str] | None:
    """(language, number text) when the message is a tracking request, else None."""
    text = text.strip()
    head, _sep, rest = text.partition(" ")
    language = ""
    if head.upper() in KEYWORDS and rest.strip():
        language, text = KEYWORDS[head.upper()], rest.strip()
    if not _SHAPE.match(text):
        return None
    return language, text


def status_reply(number: str) -> str:
    try:
        return sms_status(number)
    except s10.S10Error as exc:
        return _("%(number)s is not a valid item number: %(reason)s") % {
            "number": s10.normalise(number), "reason": str(exc)}
    except NotFound:
        return _("No item %(number)s is known to the post yet. Check the number on your receipt.") % {
            "number": s10.normalise(number)}


def sms_hook(phone: str, text: str) -> str | None:
    found = _split(text)
    if found is None:
        return None
    language, number = found
    with translation.override(language or guess_language(text) or translation.get_language() or "fr"):
        return status_reply(number)


def ussd_label() -> str:
    return _("Track a postal item")


def ussd_handler(phone: str, inputs: list[str]) -> str:
    if not inputs or not inputs[0]:
        return "CON " + _("Enter the item number (e.g. RR 473 124 829 DZ):")
    return "END " + status_reply(inputs[0])


def connect() -> None:
    if sms_hook not in gateways.SMS_HOOKS:
        gateways.SMS_HOOKS.append(sms_hook)
    if not any(handler is ussd_handler for _label, handler in gateways.USSD_ENTRIES):
        gateways.USSD_ENTRIES.append((ussd_label, ussd_handler))


connect()
