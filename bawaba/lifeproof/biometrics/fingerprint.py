"""Perceptual fingerprints of frames, to recognise frames already submitted (a replayed session).

A difference hash (dHash) of the whole frame at 17 x 16 grey pixels: 256 bits, written as 64 hex digits.
Re-encoding, slight scaling or brightness changes flip few bits; another moment of a live capture flips many.
"""

import numpy as np
from PIL import Image

from .images import open_image

HASH_BITS = 256
# Hamming distance (of 256 bits) under which two frames count as the same picture.
SAME_FRAME_MAX_DISTANCE = 20


def _dhash(image: Image.Image) -> str:
    grey = image.convert("L").resize((17, 16), Image.Resampling.LANCZOS)
    pixels = np.asarray(grey, dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).flatten()
    return np.packbits(bits).tobytes().hex()


def frame_fingerprint(image_bytes: bytes) -> str:
    """Fingerprint of one image; "" for bytes that are not an image."""
    try:
        with open_image(image_bytes) as image:
            return _dhash(image)
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
