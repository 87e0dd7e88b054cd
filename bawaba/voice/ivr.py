"""What the caller hears: prompts in the caller's language, built from the number's configuration.
Pure functions of the number, its options and the language (no database writes)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import translation
from django.utils.translation import gettext as _

from bawaba.core.business_time import BusinessCalendar

from .provider import GetDigits, Say

MAX_RETRIES = 2
_DIGITS = re.compile(r"[0-9*#]")


def clean_digits(raw: str | None) -> str:
    """Keys only (0-9, *, #), at most 8: a gateway may send spaces, letters or a whole line."""
    return "".join(_DIGITS.findall(raw or ""))[:8]


def is_open(calendar: BusinessCalendar, now: dt.datetime) -> bool:
    local = now.astimezone(calendar.tz)
    return any(opens <= local < closes for opens, closes in calendar.intervals_on(local.date()))


def say(number, language: str, text: str) -> Say:
    voice = number.voice_ar if language == "ar" else number.voice_fr
    return Say(text=text, voice=voice)


def language_menu(number) -> GetDigits:
    # Each half in its own language, whatever the caller's: they have not chosen yet.
    with translation.override("fr"):
        french = _("For French, press 1.")
    with translation.override("ar"):
        arabic = _("For Arabic, press 2.")
    return GetDigits(prompt=say(number, "fr", f"{french} {arabic}"), num_digits=1, timeout=10)


def greeting(number, language: str) -> Say | None:
    text = number.greeting_ar if language == "ar" else number.greeting_fr
    return say(number, language, text) if text else None


def service_menu(number, options, language: str) -> GetDigits:
    with translation.override(language):
        parts = [_("For %(label)s, press %(digit)s.") % {"label": option.label(language), "digit": option.digit}
                 for option in options]
    return GetDigits(prompt=say(number, language, " ".join(parts)), num_digits=1, timeout=10)


def invalid_choice(number, language: str) -> Say:
    with translation.override(language or "fr"):
        return say(number, language, _("That key is not in the menu."))


def closed_message(number, language: str) -> Say:
    text = number.closed_ar if language == "ar" else number.closed_fr
    if not text:
        with translation.override(language):
            text = _("We are closed. Please call again during our opening hours.")
    return say(number, language, text)


def voicemail_prompt(number, language: str) -> Say:
    with translation.override(language):
        return say(number, language, _("Leave a message after the beep, then press the hash key."))


def voicemail_thanks(number, language: str) -> Say:
    with translation.override(language):
        return say(number, language, _("Thank you, your message has been recorded. Goodbye."))


def callback_offer(number, language: str, wait_minutes: int) -> GetDigits:
    with translation.override(language):
        text = _("The wait is about %(minutes)d minutes. To be called back without losing your place, press 1. "
                 "To wait, press 2.") % {"minutes": wait_minutes}
    return GetDigits(prompt=say(number, language, text), num_digits=1, timeout=10)


def callback_confirmed(number, language: str) -> Say:
    with translation.override(language):
        return say(number, language, _("We will call you back on this number. Goodbye."))


def please_wait(number, language: str) -> Say:
    with translation.override(language):
        return say(number, language, _("Please hold, an agent will answer you."))


def caller_gone(language: str = "fr") -> Say:
    with translation.override(language):
        return Say(_("The caller has hung up."))
