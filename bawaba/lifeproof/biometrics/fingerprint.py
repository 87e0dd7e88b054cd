"""Perceptual fingerprints of frames, to recognise frames already submitted (a replayed session).

A DCT hash (pHash) of the whole frame: grey 64 x 64, the 16 x 16 lowest frequencies compared with their median,
256 bits written as 64 hex digits. Re-encoding or rescaling a frame flips 0-4 bits; a slightly shifted,
re-lit copy 2-18; another person 100+. Limit: a new attempt of the same person in the same place and pose also
comes close (2-12 bits on our generated sequences), so a match is a reason for REVIEW, not a proof of replay —
the random challenge order is what defeats a replay (see docs/biometrics.md).
"""

import cv2
import numpy as np
from PIL import Image

from .images import open_image

HASH_BITS = 256
# Hamming distance (of 256 bits) under which two frames count as the same picture.
SAME_FRAME_MAX_DISTANCE = 8


def _phash(image: Image.Image) -> str:
    grey = np.asarray(image.convert("L").resize((64, 64), Image.Resampling.LANCZOS), dtype=np.float32)
    low = cv2.dct(grey)[:16, :16].flatten()
    bits = low > np.median(low[1:])
    return np.packbits(bits).tobytes().hex()


def frame_fingerprint(image_bytes: bytes) -> str:
    """Fingerprint of one image; "" for bytes that are not an image."""
    try:
        with open_image(image_bytes) as image:
            return _phash(image)
    except Exception:  # noqa: BLE001 - not an image: no fingerprint, assess() reports it
        return ""


def frame_fingerprints(frames) -> list[str]:
    """Fingerprints of frames (``Frame`` objects or raw bytes), in order; "" for a frame that is not an image."""
    return [frame_fingerprint(getattr(frame, "image", frame)) for frame in frames]


def fingerprint_distance(a: str, b: str) -> int:
    """Hamming distance between two fingerprints (HASH_BITS when either is empty or malformed)."""
    if not a or not b or len(a) != len(b):
        return HASH_BITS
    return int.from_bytes(bytes.fromhex(a), "big").__xor__(int.from_bytes(bytes.fromhex(b), "big")).bit_count()


def seen_before(fingerprints, previous, max_distance: int = SAME_FRAME_MAX_DISTANCE) -> int:
    """How many of ``fingerprints`` are near one of ``previous`` (fingerprints stored from earlier attempts).

    The app passes the fingerprints of this pensioner's earlier attempts and adds ``replayed_frames`` to the
    decision (``decide(..., extra_reasons=["replayed_frames"])``) when this is more than zero.
    """
    previous = [p for p in previous if p]
    return sum(1 for f in fingerprints if f and any(fingerprint_distance(f, p) <= max_distance for p in previous))
