"""The versioned decision policy, property-tested on synthetic assessments (no images needed)."""

from hypothesis import given
from hypothesis import strategies as st

from bawaba.lifeproof.biometrics import POLICIES, POLICY_VERSION, REASONS, Assessment, decide

POLICY = POLICIES[POLICY_VERSION]
RANK = {"accepted": 0, "review": 1, "refused": 2}


def attempt(reasons=(), distance=0.3, spread=0.3, passed=True, usable=10, poor=0):
    return Assessment(
        scores={"usable_frames": usable, "poor_frames": poor},
        reasons=list(reasons),
        steps_seen=[],
        face_counts=[1] * usable,
        match_distance=distance,
        identity_spread=spread,
        challenge=("blink", "turn_left", "turn_right"),
        challenge_passed=passed,
    )


reason_sets = st.sets(st.sampled_from(sorted(REASONS)))
distances = st.floats(min_value=0.0, max_value=1.5)


@given(reason_sets, reason_sets, distances)
def test_more_reasons_never_give_a_better_outcome(some, more, distance):
    before = decide(attempt(some, distance))
    after = decide(attempt(some | more, distance))
    assert RANK[after.outcome] >= RANK[before.outcome]
    assert set(before.reasons) <= set(after.reasons)


@given(reason_sets, distances, st.booleans())
def test_accepted_only_when_clean_passed_and_close(reasons, distance, passed):
    decision = decide(attempt(reasons, distance, passed=passed))
    clean = not reasons and passed and distance <= POLICY.match_accept_max
    assert (decision.outcome == "accepted") == clean
    assert decision.policy_version == POLICY_VERSION
    assert (decision.reasons == []) == (decision.outcome == "accepted")


@given(distances)
def test_match_distance_bands(distance):
    outcome = decide(attempt(distance=distance)).outcome
    if distance <= POLICY.match_accept_max:
        assert outcome == "accepted"
    elif distance <= POLICY.match_review_max:
        assert outcome == "review"
    else:
        assert outcome == "refused"


def test_every_code_the_policy_names_is_explained_and_every_code_is_ranked():
    assert POLICY.refuse | POLICY.review <= set(REASONS)
    assert set(REASONS) <= POLICY.refuse | POLICY.review
    assert not POLICY.refuse & POLICY.review


def test_identity_quality_and_usable_frames():
    assert decide(attempt(spread=POLICY.identity_max + 0.01)).reasons == ["identity_changed"]
    assert decide(attempt(usable=10, poor=6)).reasons == ["low_quality"]
    assert decide(attempt(usable=POLICY.min_usable_frames - 1)).outcome == "refused"
    assert decide(attempt(distance=None)).reasons == ["no_match"]
