"""Letters' content encrypted at rest (AES-256-GCM), in files under MEDIA_ROOT/hybridmail.

- HYBRIDMAIL_KEYS: comma-separated keys, each 32 bytes in URL-safe base64 (`vault.new_key()`); the first
  encrypts, every key decrypts (rotation: put a new key first). Without it (the embedded default) a key is made
  once in BAWABA_VAR_DIR/hybridmail_keys, readable by its owner only, as the proof-of-life keys are.
- A file is: b"BWM1" + key id (8 bytes: the start of the key's SHA-256) + nonce (12) + ciphertext and tag. The
  letter's reference is bound as associated data, so a file copied under another letter does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from bawaba.lifeproof.crypto import _create_once

MAGIC = b"BWM1"


class VaultError(Exception):
    pass


def new_key() -> bytes:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256))


@lru_cache(maxsize=1)
def _keys() -> list[tuple[bytes, AESGCM]]:
    raw = os.environ.get("HYBRIDMAIL_KEYS", "").strip()
    encoded = [k.strip().encode() for k in raw.split(",") if k.strip()] if raw else [
        _create_once(Path(settings.VAR_DIR) / "hybridmail_keys", new_key)]
    keys = []
    for item in encoded:
        key = base64.urlsafe_b64decode(item)
        if len(key) != 32:
            raise VaultError("HYBRIDMAIL_KEYS: each key must be 32 bytes in URL-safe base64")
        keys.append((hashlib.sha256(key).digest()[:8], AESGCM(key)))
    return keys


def forget_keys() -> None:
    _keys.cache_clear()


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "hybridmail"


def encrypt(data: bytes, *, bound_to: str) -> bytes:
    key_id, aead = _keys()[0]
    nonce = os.urandom(12)
    return MAGIC + key_id + nonce + aead.encrypt(nonce, data, bound_to.encode())


def decrypt(blob: bytes, *, bound_to: str) -> bytes:
    if blob[:4] != MAGIC or len(blob) < 4 + 8 + 12 + 16:
        raise VaultError("not a hybrid-mail vault file")
    key_id, nonce, body = blob[4:12], blob[12:24], blob[24:]
    for candidate_id, aead in _keys():
        if candidate_id == key_id:
            try:
                return aead.decrypt(nonce, body, bound_to.encode())
            except Exception as exc:  # cryptography's InvalidTag: altered, or bound to another letter
                raise VaultError("the stored content was altered or belongs to another letter") from exc
    raise VaultError("no key can open this file (was HYBRIDMAIL_KEYS rotated without the old key?)")


def store(relative: str, data: bytes, *, bound_to: str) -> str:
    """Write `data` encrypted at root()/relative (atomically) and return `relative`."""
    path = root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(encrypt(data, bound_to=bound_to))
    os.replace(temporary, path)
    return relative


def load(relative: str, *, bound_to: str) -> bytes:
    return decrypt((root() / relative).read_bytes(), bound_to=bound_to)


def remove(relative: str) -> None:
    (root() / relative).unlink(missing_ok=True)
