"""The module's settings, read from the environment (defaults fit the embedded default).

| variable | default | meaning |
|---|---|---|
| BAWABA_BIOMETRIC_KEYS | a key file under BAWABA_VAR_DIR | comma-separated Fernet keys; the first one encrypts |
| LIFEPROOF_SIGNING_KEY | a PEM file under BAWABA_VAR_DIR | path of the Ed25519 private key that seals certificates |
| LIFEPROOF_CHALLENGE_SECONDS | 90 | how long a challenge may be answered after it is issued |
| LIFEPROOF_WINDOW_MS | 15000 | the capture must fit in this many milliseconds |
| LIFEPROOF_ATTEMPTS_PER_DAY | 3 | attempts per pensioner per day (any path) |
| LIFEPROOF_FRAME_RETENTION_DAYS | 30 | captured frames are deleted this long after the decision |
| LIFEPROOF_MAX_FRAMES | 20 | frames in one attempt at most |
| LIFEPROOF_FRAME_MAX_BYTES | 400000 | one frame at most |
| LIFEPROOF_DECIDE_INLINE | true | the page's request decides at once; the worker decides the rest |
"""

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, None) or os.environ.get(name, default))


def challenge_seconds() -> int:
    return _int("LIFEPROOF_CHALLENGE_SECONDS", 90)


def window_ms() -> int:
    return _int("LIFEPROOF_WINDOW_MS", 15000)


def attempts_per_day() -> int:
    return _int("LIFEPROOF_ATTEMPTS_PER_DAY", 3)


def frame_retention_days() -> int:
    return _int("LIFEPROOF_FRAME_RETENTION_DAYS", 30)


def max_frames() -> int:
    return _int("LIFEPROOF_MAX_FRAMES", 20)


def frame_max_bytes() -> int:
    return _int("LIFEPROOF_FRAME_MAX_BYTES", 400_000)


def decide_inline() -> bool:
    value = getattr(settings, "LIFEPROOF_DECIDE_INLINE", None)
    if value is None:
        value = os.environ.get("LIFEPROOF_DECIDE_INLINE", "true").strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
