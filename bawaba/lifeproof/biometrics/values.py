"""Value objects of the biometric engine (plain Python, JSON-friendly, no Django)."""

from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np

EMBEDDING_DIM = 128


@dataclass(frozen=True)
class FaceTemplate:
    """A face template: the 128-d dlib ResNet embedding as little-endian float32 bytes (512 bytes).

    ``model`` names the embedding model (templates of different models must not be compared);
    ``quality`` is in [0, 1] (sharpness, light and face size of the reference photo).
    Store ``vector`` encrypted; rebuild with ``FaceTemplate(vector=..., model=..., quality=...)``.
    """

    vector: bytes
    model: str
    quality: float

    def as_array(self) -> np.ndarray:
        array = np.frombuffer(self.vector, dtype="<f4")
        if array.shape != (EMBEDDING_DIM,):
            raise ValueError(f"a face template has {EMBEDDING_DIM} float32 values, not {array.size}")
        return array.astype(np.float64)


@dataclass(frozen=True)
class Frame:
    """One captured frame: JPEG/PNG/WebP bytes as the camera sees them (NOT mirrored), and the time in
    milliseconds since the capture started (client clock; the server also bounds the whole capture)."""

    image: bytes
    at_ms: int


@dataclass(frozen=True)
class Assessment:
    """What the engine measured on one attempt. Facts, not a decision (see ``decide``).

    - ``scores``: JSON-serialisable dict of measurements (per-frame yaw, eye state, blur, brightness, face
      size, identity spread, match distance, engine version...). Store it with the attempt.
    - ``reasons``: stable codes of what went wrong (empty when nothing did); see ``REASONS``.
    - ``steps_seen``: the challenge steps recognised, in time order, as (step, at_ms).
    - ``face_counts``: faces found in each frame (0, 1, 2...), -1 for a frame that is not an image.
    - ``match_distance``: Euclidean distance between the reference template and the capture (median over the
      embedded frames); None when no frame could be embedded.
    - ``identity_spread``: largest distance between the embedded frames of the capture (same person in every
      frame); None when fewer than two frames were embedded.
    - ``challenge_passed``: the server's steps were seen, in its order, inside the window.
    """

    scores: dict
    reasons: list[str]
    steps_seen: list[tuple[str, int]]
    face_counts: list[int]
    match_distance: float | None
    identity_spread: float | None = None
    challenge: tuple[str, ...] = ()
    challenge_passed: bool = False
    fingerprints: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-serialisable form (tuples become lists) to store with the attempt."""
        data = asdict(self)
        data["steps_seen"] = [list(step) for step in self.steps_seen]
        data["challenge"] = list(self.challenge)
        return data


Outcome = Literal["accepted", "review", "refused"]


@dataclass(frozen=True)
class Decision:
    """The outcome of a versioned policy applied to an assessment. Store ``policy_version`` with it."""

    outcome: Outcome
    reasons: list[str]
    policy_version: str
