"""The messages' words, per template and language. Each template gives the SMS text (one segment where
possible: 160 GSM characters, 70 in Arabic), the e-mail subject and the e-mail's opening sentence.

A module adds its own templates with `register`; the service desk's are below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from bawaba.core.textnorm import guess_language

SUPPORTED = ("fr", "ar", "en")


@dataclass(frozen=True)
class Template:
    sms: Callable[[dict], str]
    subject: Callable[[dict], str]
    lead: Callable[[dict], str]


TEMPLATES: dict[str, Template] = {}


def register(key: str, template: Template) -> None:
    TEMPLATES[key] = template


def message_language(language: str, text: str = "") -> str:
    """fr, ar or en for a request's language. Darija written in Arabic letters (`arq`) reads Arabic;
    Darija in Latin letters (`arq-Latn`) is answered in French, the Latin-script language its writers read.
    Unknown: guessed from the citizen's own text, else the platform's language."""
    language = (language or "").strip()
    lowered = language.lower()
    if lowered.startswith("arq"):
        return "fr" if "latn" in lowered else "ar"
    if lowered[:2] in SUPPORTED:
        return lowered[:2]
    return guess_language(text) or settings.LANGUAGE_CODE


register("servicedesk.reply", Template(
    sms=lambda c: _("Your request %(reference)s has a reply: %(link)s") % c,
    subject=lambda c: _("Your request %(reference)s: a reply") % c,
    lead=lambda c: _("An agent answered your request %(reference)s:") % c,
))
register("servicedesk.waiting", Template(
    sms=lambda c: _("We need information to go on with your request %(reference)s: %(link)s") % c,
    subject=lambda c: _("Your request %(reference)s: information needed") % c,
    lead=lambda c: _("We need information from you to go on with your request %(reference)s:") % c,
))
register("servicedesk.resolved", Template(
    sms=lambda c: _("Your request %(reference)s is resolved. Details: %(link)s") % c,
    subject=lambda c: _("Your request %(reference)s is resolved") % c,
    lead=lambda c: _("Your request %(reference)s is resolved.") % c,
))
register("servicedesk.closed", Template(
    sms=lambda c: _("Your request %(reference)s is closed. Details: %(link)s") % c,
    subject=lambda c: _("Your request %(reference)s is closed") % c,
    lead=lambda c: _("Your request %(reference)s is closed.") % c,
))


def email_body(template: Template, context: dict, stop_link: str) -> str:
    parts = [_("Hello,"), template.lead(context)]
    if context.get("text"):
        parts.append(context["text"])
    parts.append(_("Follow your request: %(link)s") % context)
    parts.append("-- \n" + _("To receive no more messages at this address: %(link)s") % {"link": stop_link})
    return "\n\n".join(parts) + "\n"
