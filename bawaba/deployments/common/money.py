"""Money helpers shared by the fibre app: rounding to the centime, plain decimal text."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# --------------------------------------------------------------------------- input parsing


def plain(number: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 20.000 → "20", 0.50 → "0.5"."""
    return format(number.normalize(), "f")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
