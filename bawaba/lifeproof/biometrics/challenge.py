"""The liveness challenge chosen by the server: the three steps in a random order."""

import secrets

CHALLENGE_STEPS = ("blink", "turn_left", "turn_right")


def new_challenge(rng=None) -> tuple[str, ...]:
    """The three steps in a random order (a fresh permutation from ``secrets`` unless ``rng`` is given).

    ``rng`` is anything with ``randbelow(n)`` (``secrets``, a ``secrets.SystemRandom``) or ``randrange(n)``
    (``random.Random`` in tests). The server stores the challenge with the attempt; it is single-use.
    "turn_left" means the pensioner turns to THEIR left (seen by the camera: the nose moves to the image's right).
    """
    pick = _picker(rng)
    steps = list(CHALLENGE_STEPS)
    # Fisher-Yates with an unbiased source.
    for i in range(len(steps) - 1, 0, -1):
        j = pick(i + 1)
        steps[i], steps[j] = steps[j], steps[i]
    return tuple(steps)


def _picker(rng):
    if rng is None:
        return secrets.randbelow
    if hasattr(rng, "randbelow"):
        return rng.randbelow
    return rng.randrange
