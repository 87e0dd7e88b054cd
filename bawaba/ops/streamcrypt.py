"""Encrypted backup archives: AES-256-GCM over fixed-size chunks (the "STREAM" construction of Hoang, Reyhanitabar,
Rogaway and Vizár, as used by age and Tink's streaming AEAD), so that an archive of any size is encrypted and
checked without holding it in memory, and a truncated, reordered or altered archive is refused.

File: b"BWB1" + salt (16 bytes), then chunks of up to CHUNK bytes of plain text, each sealed as
AES-GCM(key, nonce = salt[:7] + counter (4 bytes, big-endian) + last flag (1 byte)). The key is the one given
(32 bytes) derived per archive with HKDF-SHA256 over the salt, so that no two archives share nonces.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"BWB1"
CHUNK = 1 << 20  # 1 MiB of plain text per chunk
TAG = 16


class DecryptionError(Exception):
    pass


def parse_key(text: str) -> bytes:
    """A backup key as given in BACKUP_ENCRYPTION_KEY: 32 bytes in URL-safe base64 (`bawaba backup --new-key`)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError) as exc:
        raise ValueError("the backup key must be 32 bytes in URL-safe base64") from exc
    if len(key) != 32:
        raise ValueError("the backup key must be 32 bytes in URL-safe base64")
    return key


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _derive(key: bytes, salt: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"bawaba-backup").derive(key))


def _nonce(salt: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise ValueError("archive too large for one key stream")
    return salt[:7] + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written to it reaches `sink` encrypted. close() seals the last chunk."""

    def __init__(self, sink, key: bytes):
        self.sink, self.salt = sink, os.urandom(16)
        self.aead = _derive(key, self.salt)
        self.buffer = bytearray()
        self.counter = 0
        self.closed = False
        sink.write(MAGIC + self.salt)

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep at least one byte back: the last chunk is sealed as last
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        self.sink.write(self.aead.encrypt(_nonce(self.salt, self.counter, last), plain, None))
        self.counter += 1

    def flush(self) -> None:
        self.sink.flush()

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()
            self.closed = True
            self.sink.flush()


def decrypt_stream(source, sink, key: bytes) -> None:
    """Decrypt an archive from `source` into `sink`; raises DecryptionError if it is not whole and unaltered."""
    head = source.read(len(MAGIC) + 16)
    if head[:4] != MAGIC or len(head) != 20:
        raise DecryptionError("not an encrypted Bawaba backup")
    salt = head[4:]
    aead = _derive(key, salt)
    counter = 0
    sealed = source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG)
        last = not following
        try:
            sink.write(aead.decrypt(_nonce(salt, counter, last), sealed, None))
        except InvalidTag as exc:
            raise DecryptionError("wrong key, or the archive was altered or cut short") from exc
        if last:
            return
        counter += 1
        sealed = following
