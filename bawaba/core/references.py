"""Public references that citizens read aloud over the phone: 8 symbols, no look-alikes, a check symbol.

Alphabet: digits and capitals without 0/O, 1/I/L, U (avoids accidental words) and Z (read as 2)
-> 29 symbols. Shape: `K7M2-9QXR` (7 random symbols + 1 check symbol), about 1.7e10 values. The base
is prime, so the weighted check symbol catches any single wrong symbol and any swap of two
neighbours when an agent types a reference back.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXY"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_BASE = len(ALPHABET)
_RANDOM_LENGTH = 7
# Spoken or typed confusions mapped back to the canonical symbol.
_CONFUSABLES = str.maketrans({"U": "V", "Z": "2"})


def _check_symbol(body: str) -> str:
    # Weights 1..7 are distinct and non-zero modulo the prime 29, as are their neighbours' differences.
    total = sum(_INDEX[ch] * (i + 1) for i, ch in enumerate(body))
    return ALPHABET[total % _BASE]


def new_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_LENGTH))
    full = body + _check_symbol(body)
    return f"{full[:4]}-{full[4:]}"


def normalise_reference(raw: str) -> str | None:
    """Canonical `XXXX-XXXX` form of what a citizen typed, or None if it cannot be a reference."""
    cleaned = re.sub(r"[\s\-_.]", "", (raw or "").upper()).translate(_CONFUSABLES)
    if len(cleaned) != _RANDOM_LENGTH + 1 or any(ch not in _INDEX for ch in cleaned):
        return None
    if _check_symbol(cleaned[:-1]) != cleaned[-1]:
        return None
    return f"{cleaned[:4]}-{cleaned[4:]}"
