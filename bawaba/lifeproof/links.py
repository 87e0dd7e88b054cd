"""The pensioner's link in SMS: PUBLIC_BASE_URL/v/<obligation code><8 signature characters>. The signature is an
HMAC of the code with SECRET_KEY, so a code read aloud (or guessed) does not open the page."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.urls import reverse

SIGNATURE_LENGTH = 8
CODE_LENGTH = 10


def signature(code: str) -> str:
    key = hashlib.sha256(b"lifeproof.link:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_LENGTH]


def token_for(code: str) -> str:
    return code + signature(code)


def code_from_token(token: str) -> str | None:
    """The obligation code of a token whose signature is right; None otherwise."""
    if not re.fullmatch(rf"[0-9A-Za-z]{{{CODE_LENGTH}}}[0-9a-f]{{{SIGNATURE_LENGTH}}}", token or ""):
        return None
    code, sig = token[:CODE_LENGTH], token[CODE_LENGTH:]
    return code if hmac.compare_digest(sig, signature(code)) else None


def public_link(code: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return base + reverse("lifeproof_public:open", args=[token_for(code)])
