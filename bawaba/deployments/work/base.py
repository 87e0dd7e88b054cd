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

from django.utils import timezone

from .models import (
    DeploymentEvent,
)


def _event(kind, *, actor=None, organisation=None, work_order=None, at=None, **data):
    DeploymentEvent.objects.create(kind=kind, actor=actor, organisation=organisation, work_order=work_order,
                                   data=data, at=at or timezone.now())


def _tz(organisation):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(organisation.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _contract_tz(contract):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(contract.programme.operator.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()
