"""Incentives: the bonuses a contract grants for quality (first-time-right work) and speed (early completion),
computed on each statement from the same figures as the scorecards, and explained on it.

Definitions (the scorecards' own, restricted to one statement's period):
- **first-time-right share**: of the work items accepted on this statement (its billing lines), those that
  were never rejected before (no rejected report of the same work item). A rule with threshold 0.95 and rate
  0.02 grants 2 % of the statement's gross when at least 95 % of its items were right the first time.
- **early completion**: work orders completed in the period (the day the contractor finished, in the
  operator's time zone) at least `days_early` days before their due date; the rule's amount for each.

The bonus is computed when the statement is issued (billing calls `awards_for` before it computes the
statement's amounts, in the issuing transaction) and stored with its figures (StatementIncentive.basis), so
what the statement says never changes afterwards. It is paid: a price supplement for the work, it is part of
the statement's VAT base and net payable (PaymentStatement.bonus_amount), printed on the PDF with its
explanation and stated in the UBL and the CII as a document-level charge (einvoice.e_document).
Pure functions first (testable without a database), then the reads and the writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from ..common.money import currency_quantum
from ..field.models import BillingLine, Decision, ReportedItem
from ..work.models import DeploymentEvent, EventKind, WorkOrder, WorkOrderState
from .models import IncentiveKind, IncentiveRule, StatementIncentive, explain

ZERO = Decimal("0")
CENT = Decimal("0.01")


def money(value, quantum: Decimal = CENT) -> Decimal:
    """Rounded half up to the minor unit of the contract's currency (the centime by default)."""
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Award:
    rule: IncentiveRule
    amount: Decimal
    basis: dict


# --------------------------------------------------------------------------- arithmetic (pure)


def first_time_right_award(rule: IncentiveRule, *, gross: Decimal, items: int, right_first_time: int,
                           quantum: Decimal = CENT) -> Award | None:
    """The bonus for first-time-right work on a statement, or None when the share is under the threshold."""
    if items <= 0 or gross <= 0 or rule.rate is None:
        return None
    share = (Decimal(right_first_time) / Decimal(items)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    threshold = rule.threshold if rule.threshold is not None else Decimal("1")
    if share < threshold:
        return None
    return Award(rule, money(gross * rule.rate, quantum), {
        "items": items, "right_first_time": right_first_time, "share": str(share), "threshold": str(threshold),
        "rate": str(rule.rate), "gross": str(money(gross, quantum))})


def early_completion_award(rule: IncentiveRule, orders: list[tuple[str, dt.date, dt.date]],
                           quantum: Decimal = CENT) -> Award | None:
    """The bonus for work orders finished early: orders = [(reference, due_on, finished_on)]."""
    if rule.amount is None or rule.amount <= 0:
        return None
    early = sorted(reference for reference, due_on, finished_on in orders
                   if due_on is not None and (due_on - finished_on).days >= rule.days_early)
    if not early:
        return None
    return Award(rule, money(rule.amount * len(early), quantum), {
        "orders": early, "count": len(early), "days_early": rule.days_early,
        "amount_each": str(money(rule.amount, quantum))})


# --------------------------------------------------------------------------- reads


def _first_time_right_figures(line_ids) -> tuple[int, int]:
    """(work items accepted on the statement's billing lines, of which never rejected)."""

    item_ids = set(BillingLine.objects.filter(pk__in=list(line_ids))
                   .values_list("reported_item__work_item_id", flat=True))
    if not item_ids:
        return 0, 0
    rejected = set(ReportedItem.objects.filter(work_item_id__in=item_ids, decision=Decision.REJECTED)
                   .values_list("work_item_id", flat=True))
    return len(item_ids), len(item_ids - rejected)


def _orders_finished_in(contract, start: dt.date, end: dt.date, tz) -> list[tuple[str, dt.date, dt.date]]:

    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    rows = (WorkOrder.objects.filter(contract=contract, state=WorkOrderState.COMPLETED,
                                     completed_at__gte=since, completed_at__lt=until)
            .values_list("reference", "due_on", "completed_at"))
    return [(reference, due_on, timezone.localtime(done, tz).date()) for reference, due_on, done in rows]


def rules_by_contract(contract_ids) -> dict[int, list[IncentiveRule]]:
    """The active rules of the contracts, in one query; contracts without rules cost nothing more."""
    rules: dict[int, list[IncentiveRule]] = {}
    for rule in IncentiveRule.objects.filter(contract_id__in=set(contract_ids), is_active=True):
        rules.setdefault(rule.contract_id, []).append(rule)
    return rules


def awards_for(contract, rules, *, period_start: dt.date, period_end: dt.date, gross: Decimal, line_ids,
               tz) -> list[Award]:
    """What each rule grants on a regular payment statement, from its period, gross and billing lines.

    Billing calls this before writing anything (the bonus is part of the statement's amounts, so it must be
    known when they are computed); the lines are those the statement is about to bill.
    """
    quantum = currency_quantum(contract.currency)
    awards = []
    for rule in rules:
        if rule.starts_on and period_end < rule.starts_on:
            continue
        if rule.kind == IncentiveKind.FIRST_TIME_RIGHT:
            items, right = _first_time_right_figures(line_ids)
            award = first_time_right_award(rule, gross=gross, items=items, right_first_time=right, quantum=quantum)
        else:
            award = early_completion_award(rule, _orders_finished_in(contract, period_start, period_end, tz), quantum)
        if award is not None:
            awards.append(award)
    return awards


def bonus_total(awards) -> Decimal:
    return sum((a.amount for a in awards), ZERO)


# --------------------------------------------------------------------------- writes


def store(awarded) -> list[StatementIncentive]:
    """Store the bonuses of statements just written: awarded = [(payment statement, [Award])]."""
    rows = [StatementIncentive(statement=statement, rule=found.rule, kind=found.rule.kind, amount=found.amount,
                               basis=found.basis)
            for statement, awards in awarded for found in awards]
    return StatementIncentive.objects.bulk_create(rows) if rows else []


def incentives_of(statement) -> list[dict]:
    """The bonuses of a statement with their explanation, for its page and the API."""
    return [{"kind": i.kind, "label": str(IncentiveKind(i.kind).label), "amount": i.amount,
             "explanation": explain(i)} for i in statement.incentives.all()]


# --------------------------------------------------------------------------- the contract's rules


def do_set_incentive_rules(contract, rules: list[dict], *, actor=None) -> list[IncentiveRule]:
    """Replace the incentive rules of a contract (as the contract or its amendment states them), with an audit
    record. Bonuses already awarded keep the rule they were computed with: a rule in use is kept, not deleted.

    rules: [{"kind": "first_time_right", "threshold": "0.95", "rate": "0.02"},
            {"kind": "early_completion", "amount": "1500", "days_early": 5}]
    """
    from django.core.exceptions import ValidationError
    from django.db import transaction


    built = []
    for spec in rules:
        rule = IncentiveRule(contract=contract, kind=spec.get("kind", ""),
                             threshold=_decimal(spec.get("threshold")), rate=_decimal(spec.get("rate")),
                             amount=_decimal(spec.get("amount")), days_early=int(spec.get("days_early") or 0),
                             starts_on=spec.get("starts_on"))
        rule.full_clean(exclude=["contract"])
        if rule.kind == IncentiveKind.FIRST_TIME_RIGHT and (rule.rate is None or rule.threshold is None):
            raise ValidationError(_("A first-time-right bonus needs a threshold and a rate."))
        if rule.kind == IncentiveKind.EARLY_COMPLETION and rule.amount is None:
            raise ValidationError(_("An early-completion bonus needs an amount per work order."))
        built.append(rule)
    with transaction.atomic():
        old = IncentiveRule.objects.filter(contract=contract, is_active=True)
        old.filter(awards__isnull=True).delete()
        old.update(is_active=False)  # what is left was used: kept for the bonuses it explains, applied no more
        IncentiveRule.objects.bulk_create(built)
        DeploymentEvent.objects.create(
            kind=EventKind.CONTRACT, actor=actor, organisation=contract.contractor, at=timezone.now(),
            data={"reference": contract.reference, "incentive_rules": [
                {"kind": r.kind, "threshold": str(r.threshold or ""), "rate": str(r.rate or ""),
                 "amount": str(r.amount or ""), "days_early": r.days_early} for r in built]})
    return built


def _decimal(value):
    return None if value in (None, "") else Decimal(str(value))
