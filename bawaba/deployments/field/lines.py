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

(split from billing.py)"""

from __future__ import annotations

from ..common.money import money
from .models import BillingLine

# --------------------------------------------------------------------------- running statement


def billing_line_for(reported_item, *, work_item, work_order, at) -> BillingLine:
    """The (unsaved) priced line of an accepted item: quantity × unit price excl. tax, rounded to the centime."""
    price_item = work_item.price_item
    return BillingLine(
        contract_id=work_order.contract_id,
        reported_item=reported_item,
        work_order=work_order,
        region_id=work_order.site.region_id,
        price_item=price_item,
        quantity=reported_item.quantity,
        unit_price=price_item.unit_price,
        amount=money(reported_item.quantity * price_item.unit_price),
        accepted_at=at,
    )


def post_billing_line(reported_item, *, work_item, work_order, at) -> BillingLine:
    """Price an accepted item onto the running statement. Called inside the accepting transaction."""
    line = billing_line_for(reported_item, work_item=work_item, work_order=work_order, at=at)
    line.save()
    return line
