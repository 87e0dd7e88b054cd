"""Keys: biometric data encrypted at rest (Fernet, AES-128-CBC + HMAC-SHA256) and certificates sealed with
Ed25519.

- BAWABA_BIOMETRIC_KEYS: comma-separated Fernet keys (`Fernet.generate_key()`); the first encrypts, every key
  decrypts, so a key is rotated by putting a new one first (old data stays readable; `rotate()` re-encrypts).
  Without it (the embedded default) a key is made once in BAWABA_VAR_DIR/biometric_keys, readable by its owner
  only, as config/settings.py does for SECRET_KEY.
- LIFEPROOF_SIGNING_KEY: the path of the Ed25519 private key (PEM, PKCS#8, unencrypted). Without it a key is made
  once in BAWABA_VAR_DIR/lifeproof_signing_key.pem. The public key is published at /lifeproof/verify/key.pem.
"""

from __future__ import annotations

import os
import time
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "public_key", "public_key_pem", "sign", "verify_signature"]


def _create_once(path: Path, make) -> bytes:
    """The file's content, made by `make()` the first time (owner-only, atomic for concurrent processes)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
    for _attempt in range(50):
        data = path.read_bytes().strip()
        if data:
            return data
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it or set the key in the environment")


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    raw = os.environ.get("BAWABA_BIOMETRIC_KEYS", "").strip()
    if raw:
        keys = [key.strip().encode() for key in raw.split(",") if key.strip()]
    else:
        keys = [_create_once(Path(settings.VAR_DIR) / "biometric_keys", Fernet.generate_key)]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return _fernet().decrypt(bytes(token))


def rotate(token: bytes) -> bytes:
    """The same data encrypted with the first key (after a new key was put first)."""
    return _fernet().rotate(bytes(token))


def forget_keys() -> None:
    """Read the keys again (tests that change the environment)."""
    _fernet.cache_clear()
    _signing_key.cache_clear()


@lru_cache(maxsize=1)
def _signing_key() -> Ed25519PrivateKey:
    configured = os.environ.get("LIFEPROOF_SIGNING_KEY", "").strip()
    if configured:
        pem = Path(configured).read_bytes()
    else:
        def make():
            return Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

        pem = _create_once(Path(settings.VAR_DIR) / "lifeproof_signing_key.pem", make)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("LIFEPROOF_SIGNING_KEY is not an Ed25519 private key")
    return key


def sign(payload: bytes) -> bytes:
    return _signing_key().sign(payload)


def public_key() -> Ed25519PublicKey:
    return _signing_key().public_key()


def public_key_pem() -> bytes:
    return public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def verify_signature(payload: bytes, signature: bytes, key: Ed25519PublicKey | None = None) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        (key or public_key()).verify(signature, payload)
    except InvalidSignature:
        return False
    return True
