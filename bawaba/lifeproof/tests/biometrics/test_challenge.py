"""The server's random challenge and the order check (pure logic, property-tested)."""

import itertools
import random
import secrets

from hypothesis import given
from hypothesis import strategies as st

from bawaba.lifeproof.biometrics import CHALLENGE_STEPS, new_challenge
from bawaba.lifeproof.biometrics.assessment import _check_challenge

PERMUTATIONS = list(itertools.permutations(CHALLENGE_STEPS))


@given(st.randoms(use_true_random=False))
def test_a_challenge_is_always_a_permutation_of_the_three_steps(rng):
    challenge = new_challenge(rng)
    assert isinstance(challenge, tuple)
    assert sorted(challenge) == sorted(CHALLENGE_STEPS)


@given(st.integers(min_value=0, max_value=2**32))
def test_the_same_seed_gives_the_same_challenge(seed):
    assert new_challenge(random.Random(seed)) == new_challenge(random.Random(seed))


def test_every_order_comes_up_and_none_dominates():
    rng = random.Random(20261206)
    counts = dict.fromkeys(PERMUTATIONS, 0)
    for _ in range(6000):
        counts[new_challenge(rng)] += 1
    assert all(800 < count < 1200 for count in counts.values()), counts


def test_the_default_source_is_secrets_and_accepts_a_system_random():
    seen = {new_challenge() for _ in range(200)}
    assert len(seen) >= 5  # six orders; missing two in 200 draws has probability ~1e-15
    assert sorted(new_challenge(secrets.SystemRandom())) == sorted(CHALLENGE_STEPS)


def timeline(order, start=500, gap=700):
    return [(step, start + i * gap) for i, step in enumerate(order)]


@given(st.sampled_from(PERMUTATIONS), st.sampled_from(PERMUTATIONS))
def test_steps_pass_only_in_the_order_the_server_asked(done, asked):
    passed, reasons, _ = _check_challenge(timeline(done), asked, window_ms=10_000)
    assert passed == (done == asked)
    assert reasons == ([] if done == asked else ["challenge_wrong_order"])


@given(st.sampled_from(PERMUTATIONS), st.integers(min_value=0, max_value=2))
def test_a_missing_step_is_incomplete(asked, missing):
    done = [step for i, step in enumerate(asked) if i != missing]
    passed, reasons, _ = _check_challenge(timeline(done), asked, window_ms=10_000)
    assert not passed and reasons == ["challenge_incomplete"]


@given(st.sampled_from(PERMUTATIONS), st.integers(min_value=0, max_value=5_000))
def test_a_step_after_the_window_is_too_late(asked, window_ms):
    steps = timeline(asked)
    passed, reasons, _ = _check_challenge(steps, asked, window_ms=window_ms)
    in_time = steps[-1][1] <= window_ms
    assert passed == in_time
    assert reasons == ([] if in_time else ["challenge_too_late"])


def test_extra_turns_pass_the_order_but_are_flagged():
    asked = ("turn_left", "blink", "turn_right")
    done = [("turn_right", 300), ("turn_left", 900), ("blink", 1500), ("turn_right", 2200)]
    passed, reasons, matched = _check_challenge(done, asked, window_ms=10_000)
    assert passed and reasons == ["challenge_extra_moves"]
    assert matched == done[1:]
    # Extra natural blinks are not flagged.
    done = [("blink", 100), ("turn_left", 900), ("blink", 1500), ("turn_right", 2200)]
    assert _check_challenge(done, asked, window_ms=10_000)[:2] == (True, [])
