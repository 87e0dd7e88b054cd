"""Versioned decision policy: thresholds and which reasons refuse or send to review.

A policy is never edited once attempts were decided with it: add a new version to POLICIES and point
POLICY_VERSION at it, so that every stored decision can be explained by the thresholds it was taken with.
"""

from dataclasses import dataclass, field

from .values import Assessment, Decision


@dataclass(frozen=True)
class Policy:
    version: str
    # 1:1 match, Euclidean distance between 128-d dlib embeddings (dlib's own operating point is 0.6).
    match_accept_max: float
    match_review_max: float
    # Same person in every frame: largest distance between two embedded frames of the capture.
    identity_max: float
    # Image quality: a frame is poor when its face is blurred, too dark/bright or too small
    # (the per-frame flags are measured by assess(); the policy says how many poor frames are tolerated).
    max_poor_fraction: float
    # Fewest usable frames (exactly one face) for a decision other than "refused".
    min_usable_frames: int
    refuse: frozenset = field(default_factory=frozenset)
    review: frozenset = field(default_factory=frozenset)


POLICIES: dict[str, Policy] = {
    "2026.12-1": Policy(
        version="2026.12-1",
        match_accept_max=0.50,
        match_review_max=0.60,
        identity_max=0.60,
        max_poor_fraction=0.5,
        min_usable_frames=4,
        refuse=frozenset(
            {
                "no_frames",
                "not_an_image",
                "timestamps_invalid",
                "no_face_at_all",
                "too_few_usable_frames",
                "challenge_incomplete",
                "challenge_wrong_order",
                "challenge_too_late",
                "static_frames",
                "identity_changed",
                "no_match",
                "reference_model_mismatch",
                "too_many_frames",
            }
        ),
        review=frozenset(
            {
                "no_face",
                "several_faces",
                "weak_match",
                "low_quality",
                "challenge_extra_moves",
                "duplicate_frames",
                "replayed_frames",
            }
        ),
    ),
}

POLICY_VERSION = "2026.12-1"

# Order in which reasons are listed in a decision (most serious first); unknown codes go last.
_SEVERITY = [
    "no_frames",
    "too_many_frames",
    "not_an_image",
    "timestamps_invalid",
    "replayed_frames",
    "static_frames",
    "no_face_at_all",
    "too_few_usable_frames",
    "no_match",
    "identity_changed",
    "challenge_wrong_order",
    "challenge_incomplete",
    "challenge_too_late",
    "reference_model_mismatch",
    "several_faces",
    "no_face",
    "weak_match",
    "low_quality",
    "challenge_extra_moves",
    "duplicate_frames",
]


def decide(assessment: Assessment, policy: Policy | str | None = None, extra_reasons=()) -> Decision:
    """accepted / review / refused from an assessment, with every reason, under a versioned policy.

    ``extra_reasons`` are codes the app found itself (e.g. ``replayed_frames`` when ``seen_before`` matched
    frames of an earlier attempt); they go through the same policy.
    """
    if policy is None:
        policy = POLICIES[POLICY_VERSION]
    elif isinstance(policy, str):
        policy = POLICIES[policy]
    reasons = set(assessment.reasons) | set(extra_reasons)
    usable = int(assessment.scores.get("usable_frames", 0))
    if assessment.face_counts and usable < policy.min_usable_frames and "no_face_at_all" not in reasons:
        reasons.add("too_few_usable_frames")
    distance = assessment.match_distance
    if distance is not None:
        if distance > policy.match_review_max:
            reasons.add("no_match")
        elif distance > policy.match_accept_max:
            reasons.add("weak_match")
    elif usable:
        reasons.add("no_match")  # faces but none could be compared: never accept
    if assessment.identity_spread is not None and assessment.identity_spread > policy.identity_max:
        reasons.add("identity_changed")
    poor = assessment.scores.get("poor_frames", 0)
    if usable and poor / usable > policy.max_poor_fraction:
        reasons.add("low_quality")
    ordered = sorted(reasons, key=lambda code: (_SEVERITY.index(code) if code in _SEVERITY else 99, code))
    if reasons & policy.refuse or not assessment.challenge_passed:
        outcome = "refused"
        if not assessment.challenge_passed and not reasons & policy.refuse:
            ordered.insert(0, "challenge_incomplete")
    elif reasons & policy.review or reasons - policy.refuse - policy.review:
        outcome = "review"  # an unknown code is never silently accepted
    else:
        outcome = "accepted"
    return Decision(outcome=outcome, reasons=ordered, policy_version=policy.version)
