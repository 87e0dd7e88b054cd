"""The app's one door to the biometric engine (bawaba.lifeproof.biometrics, plain Python): imported lazily, since
dlib and OpenCV take a second to load, and with the template's storage format."""

from __future__ import annotations

import json

from .biometrics.errors import FaceError  # light: no dlib

__all__ = ["FaceError", "assess", "compute_template", "decide", "new_challenge", "template_from_bytes",
           "template_to_bytes"]


def _engine():
    from . import biometrics

    return biometrics


def compute_template(image: bytes):
    return _engine().compute_template(image)


def new_challenge() -> tuple[str, ...]:
    from .biometrics.challenge import new_challenge as make

    return make()


def template_to_bytes(template) -> bytes:
    """{"model", "quality", "vector" (hex)} as JSON: the bytes encrypted at rest."""
    return json.dumps({"model": template.model, "quality": template.quality, "vector": template.vector.hex()},
                      sort_keys=True).encode()


def template_from_bytes(data: bytes):
    from .biometrics.values import FaceTemplate

    raw = json.loads(data)
    return FaceTemplate(vector=bytes.fromhex(raw["vector"]), model=raw["model"], quality=float(raw["quality"]))


def assess(reference, frames, challenge, window_ms):
    return _engine().assess(reference, frames, challenge, window_ms)


def decide(assessment, extra_reasons=()):
    return _engine().decide(assessment, extra_reasons=extra_reasons)


def frame(image: bytes, at_ms: int):
    from .biometrics.values import Frame

    return Frame(image=image, at_ms=at_ms)


def fingerprints(frames) -> list[str]:
    from .biometrics.fingerprint import frame_fingerprints

    return frame_fingerprints(frames)


def replayed(fingerprints_now, previous) -> int:
    from .biometrics.fingerprint import seen_before

    return seen_before(fingerprints_now, previous)
