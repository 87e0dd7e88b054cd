"""National identity numbers are never stored in clear: they are kept as a keyed hash (HMAC-SHA256), so a copy
of the database does not reveal them, yet the same number always finds the same identity and mailbox.
The key is HYBRIDMAIL_ID_KEY, or one made once in BAWABA_VAR_DIR/hybridmail_id_key (embedded default)."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from bawaba.lifeproof.crypto import _create_once


@lru_cache(maxsize=1)
def _key() -> bytes:
    configured = os.environ.get("HYBRIDMAIL_ID_KEY", "").strip()
    if configured:
        return configured.encode()
    return _create_once(Path(settings.VAR_DIR) / "hybridmail_id_key", lambda: secrets.token_hex(32).encode())


def normalise_id(value: str) -> str:
    """The identifier as written on the card, without spaces, dots or dashes, in capitals."""
    return re.sub(r"[\s.\-/]", "", value or "").upper()


def id_hash(value: str, *, country: str = "DZ") -> str:
    normalised = normalise_id(value)
    if not normalised:
        return ""
    return hmac.new(_key(), f"{country.upper()}:{normalised}".encode(), hashlib.sha256).hexdigest()


def last_digits(value: str) -> str:
    return normalise_id(value)[-4:]
