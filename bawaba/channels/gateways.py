"""SMS and USSD gateways (an operator's SMSC or an aggregator) call these webhooks.

SMS: a text starting with a reference is added to that request (if it comes from the same number);
any other text opens a request. USSD follows the common aggregator protocol: each call carries the
session's inputs so far, joined by `*`; the reply starts with `CON` (more to come) or `END`.
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from bawaba.core.phones import to_e164
from bawaba.core.references import normalise_reference
from bawaba.core.textnorm import guess_language
from bawaba.notifications.services import handle_stop_sms
from bawaba.orgs.models import Service
from bawaba.servicedesk.models import Channel, Request, Status
from bawaba.servicedesk.services import TransitionNotAllowed, do_citizen_message, do_create_request

SMS_MAX = 1600  # ten concatenated SMS

# Other apps answer some texts themselves (the post answers an item number with the item's status). A hook
# takes (phone in E.164, text) and returns the reply, or None to leave the text to the desk. Apps register
# them at start-up (bawaba.postal.citizen_channels); they run after STOP and before references.
SMS_HOOKS: list = []
# Extra entries of the USSD main menu, after the desk's two: (label callable, handler(phone, inputs after the
# entry's number) -> a reply starting with CON or END).
USSD_ENTRIES: list = []


def handle_sms(sender: str, text: str) -> str:
    """Returns the SMS to send back to the citizen."""
    phone = to_e164(sender)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The message is empty."))
    stopped = handle_stop_sms(phone, text)  # STOP / ARRET / توقف: no more notifications to this number
    if stopped is not None:
        return stopped
    if len(text) > SMS_MAX:
        raise ValidationError(_("The message is too long."))
    for hook in SMS_HOOKS:
        reply = hook(phone, text)
        if reply is not None:
            return reply
    head, _sep, rest = text.partition(" ")
    reference = normalise_reference(head) or normalise_reference(text[:9])
    if reference:
        request = Request.objects.filter(reference=reference, citizen_phone=phone).first()
        if request is not None:
            body = rest.strip() if normalise_reference(head) else text[9:].strip()
            # Answered in the request's language (the gateway's own Accept-Language says nothing of the citizen).
            with _in_language(request.language or guess_language(body)):
                if not body:
                    return _("Request %(reference)s: %(status)s.") % {
                        "reference": request.reference, "status": Status(request.status).label}
                try:
                    do_citizen_message(request, body)
                except TransitionNotAllowed as exc:
                    return str(exc.message)
                return _("Your message was added to request %(reference)s.") % {"reference": request.reference}
    language = guess_language(text)
    request = do_create_request(channel=Channel.SMS, citizen_phone=phone, subject=text[:80], text=text,
                                language=language)
    with _in_language(language):
        return _("Request received. Your reference: %(reference)s. Keep it to follow your request.") % {
            "reference": request.reference}


def _in_language(language: str):
    """The citizen's language when the text told it, else the request's current one (nothing to switch)."""
    return translation.override(language) if language else contextlib.nullcontext()


# USSD menu: category number -> service code the citizen chooses (the competent service routes it).
USSD_CATEGORIES = [
    ("algerie-telecom/faults", "Algérie Télécom"),
    ("algerie-poste/mail", "Algérie Poste"),
    ("mobilis/network", "Mobilis"),
    ("", None),
]


def _ussd_categories() -> list[tuple[str, str]]:
    available = dict(Service.objects.filter(is_active=True, is_public=True).values_list("code", "name_fr"))
    items = [(code, label) for code, label in USSD_CATEGORIES if code in available]
    return [*items, ("", _("Other / I don't know"))]


def handle_ussd(phone_number: str, text: str) -> str:
    phone = to_e164(phone_number)
    inputs = [part.strip() for part in (text or "").split("*")] if text else []
    if not inputs:
        extra = [f"{n}. {label()}" for n, (label, _handler) in enumerate(USSD_ENTRIES, start=3)]
        return "CON " + "\n".join([_("Citizen service centre"), "1. " + _("New request"),
                                   "2. " + _("Follow a request"), *extra])
    choice = inputs[0]
    if choice.isascii() and choice.isdigit() and 3 <= int(choice) < 3 + len(USSD_ENTRIES):
        _label, handler = USSD_ENTRIES[int(choice) - 3]
        return handler(phone, inputs[1:])
    if choice == "1":
        categories = _ussd_categories()
        if len(inputs) == 1:
            lines = [f"{i}. {label}" for i, (_code, label) in enumerate(categories, start=1)]
            return "CON " + "\n".join([_("Which organisation?"), *lines])
        number = inputs[1]
        # Only the numbers on the menu: int() alone would take "-1" or "0" (Python counts those from the end).
        if not (number.isascii() and number.isdigit() and 1 <= int(number) <= len(categories)):
            return "END " + _("Invalid choice. Please dial again.")
        code, _label = categories[int(number) - 1]
        if len(inputs) == 2:
            return "CON " + _("Describe your problem in a few words:")
        description = "*".join(inputs[2:]).strip()
        if len(description) < 3:
            return "END " + _("The description is too short. Please dial again.")
        request = do_create_request(
            channel=Channel.USSD, citizen_phone=phone, subject=description[:80], text=description,
            category=code,
        )
        return "END " + _("Request received. Your reference: %(reference)s") % {"reference": request.reference}
    if choice == "2":
        if len(inputs) == 1:
            return "CON " + _("Enter your reference:")
        reference = normalise_reference(inputs[1])
        request = Request.objects.filter(reference=reference, citizen_phone=phone).first() if reference else None
        if request is None:
            return "END " + _("No request with this reference for your number.")
        return "END " + _("Request %(reference)s: %(status)s.") % {
            "reference": request.reference, "status": Status(request.status).label}
    return "END " + _("Invalid choice. Please dial again.")
