"""References of letters, batches, mailboxes and print runs: short, unambiguous when read aloud or typed on a
phone (Crockford base 32: no I, L, O, U), random so that one cannot guess another sender's letters."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def letter_reference() -> str:
    return f"L-{_random(5)}-{_random(5)}"


def batch_reference() -> str:
    return f"B-{_random(5)}-{_random(4)}"


def run_reference(centre_code: str) -> str:
    return f"R-{centre_code.upper()[:10]}-{_random(6)}"


def mailbox_number(country: str) -> str:
    """A mailbox number: the country, then 10 digits, the last a Luhn check digit so that a mistyped number is
    caught at the counter before any lookup."""
    body = f"{secrets.randbelow(10**9):09d}"
    return f"{country.upper()}{body}{luhn_digit(body)}"


def luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def mailbox_number_is_valid(number: str) -> bool:
    number = (number or "").strip().upper()
    if len(number) != 12 or not number[:2].isalpha() or not number[2:].isdigit():
        return False
    return luhn_digit(number[2:-1]) == number[-1]
