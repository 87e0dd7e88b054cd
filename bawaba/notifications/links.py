"""Links in messages: a short signed link to the citizen's request page, and the opt-out link of an e-mail.

The short link is `<PUBLIC_BASE_URL>/s/<reference without dash><6 signature characters>`: about 35
characters, short enough for one Arabic SMS (70 characters). The signature (HMAC of the reference with
SECRET_KEY) makes the link unguessable from the reference alone, which citizens read aloud."""

from __future__ import annotations

import base64
import hmac

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from bawaba.core.references import normalise_reference

SIGNATURE_LENGTH = 6
# Fixed paths rather than reverse(): a link in an SMS sent today must still open next year, and a module
# may queue a message while another URL configuration serves the request (an API mounted on its own).
# config/urls.py and urls.py route them; a test checks that they resolve to these views.
SHORT_LINK_PATH = "/s/{code}"
STOP_PATH = "/notifications/stop/{token}/"
_LINK_SALT = "bawaba.notifications.short-link"
_STOP_SALT = "bawaba.notifications.stop"


def _signature(reference: str) -> str:
    digest = salted_hmac(_LINK_SALT, reference, algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:SIGNATURE_LENGTH].lower()


def public_url(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def short_code(reference: str) -> str:
    return reference.replace("-", "") + _signature(reference)


def short_link(reference: str) -> str:
    return public_url(SHORT_LINK_PATH.format(code=short_code(reference)))


def reference_from_code(code: str) -> str | None:
    """The request's reference if the code is one we signed, else None."""
    code = code or ""
    reference = normalise_reference(code[:-SIGNATURE_LENGTH]) if len(code) > SIGNATURE_LENGTH else None
    if reference is None or reference.replace("-", "") != code[:-SIGNATURE_LENGTH]:
        return None
    if not hmac.compare_digest(_signature(reference), code[-SIGNATURE_LENGTH:]):
        return None
    return reference


def stop_token(channel: str, address: str) -> str:
    """The same token for the same address every time (no date in it: an old e-mail's link still works)."""
    return signing.Signer(salt=_STOP_SALT).sign_object({"c": channel, "a": address}, compress=True)


def stop_path(channel: str, address: str) -> str:
    return STOP_PATH.format(token=stop_token(channel, address))


def stop_link(channel: str, address: str) -> str:
    return public_url(stop_path(channel, address))


def read_stop_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.Signer(salt=_STOP_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or not isinstance(data.get("a"), str):
        return None
    return data["c"], data["a"]
