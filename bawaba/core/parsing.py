"""Reading numbers typed or sent by users."""

from __future__ import annotations

# Ids and page numbers beyond this are refused: the databases' integers stop at 2**63 - 1, and an OFFSET
# that large is an error, not an empty page.
MAX_ID = 2**62


def positive_int(value, *, maximum: int = MAX_ID) -> int | None:
    """The integer written in ASCII digits in value, if it is between 1 and maximum; None otherwise.

    str.isdigit() alone is not enough: it accepts digits such as "²" or "٣" that int() refuses or reads as
    another number, and a 30-digit number overflows the database."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None
