"""Contractor billing: running statement, work statements, payment statements, payments, interest.

Money is Decimal throughout and rounded to the centime with ROUND_HALF_UP at these points only:
1. a billing line: amount = quantity × unit price excl. tax;
2. a payment statement: retention = gross × retention rate; advance recovery = gross × recovery rate
   (capped at the advance not yet recovered); penalty cap = gross × cap rate on one statement, cap rate ×
   contract amount over the contract (penalty_position: the rest is carried); VAT = (gross − penalties) × VAT
   rate; late interest = Σ balance × annual rate × days / 365.
Everything else is exact addition/subtraction, so gross − retention − advance − penalties + VAT == net always.

Numbering: one counter row per contractor, document kind and year, locked and incremented by an upsert
inside the issuing transaction (a monthly batch reserves all its numbers in one), so numbers are consecutive
and a rolled-back issue gives its numbers back.

Issuing: plain functions (check_period, work_period, late_penalties, statement_breakdown, amount_in_words)
compute every figure of a statement from rows read beforehand; _issue_locked reads those rows for a whole
batch of contracts in a few set queries and writes the batch's documents and audit events in bulk.

(split from billing.py, services.py)"""

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
