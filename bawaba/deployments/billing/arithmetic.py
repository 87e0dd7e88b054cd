"""Billing arithmetic, pure: breakdown of a statement (retention, advance recovery, VAT), periods, late
penalties under the contract's cap, the legal late-interest rate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..common.errors import Conflict
from ..common.money import CENT, ZERO, currency_quantum, money
from ..work.models import Contract

# Algeria's public-procurement rule (décret présidentiel n° 15-247 du 16 septembre 2015, JORADP n° 50, article on
# late payment orders): "intérêts moratoires calculés au taux d'intérêt directeur de la Banque d'Algérie augmenté
# d'un (1) point". The key rate changes by decision of the central bank, so it is a setting to keep current;
# 3 % is the rate in force since 2020 as far as we know: check it, and check whether a contract's own
# terms or a later text apply, before relying on the figure.
CENTRAL_BANK_KEY_RATE = "0.03"
LEGAL_MARGIN = Decimal("0.01")


def late_interest_rate() -> Decimal:
    """Annual rate of late-payment interest: FIBRE_LATE_INTEREST_RATE when a deployment sets one outright,
    otherwise the Bank of Algeria's key rate (FIBRE_CENTRAL_BANK_KEY_RATE) plus the regulation's one point."""
    explicit = getattr(settings, "FIBRE_LATE_INTEREST_RATE", None)
    if explicit not in (None, ""):
        return Decimal(str(explicit))
    return Decimal(str(getattr(settings, "FIBRE_CENTRAL_BANK_KEY_RATE", CENTRAL_BANK_KEY_RATE))) + LEGAL_MARGIN


# --------------------------------------------------------------------------- arithmetic (pure)


@dataclass(frozen=True)
class Breakdown:
    gross: Decimal
    retention: Decimal
    advance_recovery: Decimal
    penalties: Decimal
    taxable: Decimal
    vat: Decimal
    net: Decimal
    bonus: Decimal = ZERO  # incentive bonuses (incentives.py): a price supplement, in the VAT base

    def balances(self) -> bool:
        return (self.gross + self.bonus - self.retention - self.advance_recovery - self.penalties + self.vat
                == self.net)


def compute_breakdown(gross, *, retention_rate, advance_recovery_rate=ZERO, advance_remaining=ZERO,
                      penalties=ZERO, penalty_cap_rate=None, vat_rate=Decimal("0.19"),
                      cap_deductions=True, bonus=ZERO, quantum: Decimal = CENT) -> Breakdown:
    """gross − retention − advance recovery − penalties + bonus + VAT = net. The bonus (incentives) is a price
    supplement for the work: taxed like it, but neither retained nor a base of the caps (those are on the
    work's gross, as the contract states them). Every amount is rounded to `quantum`, the minor unit of the
    contract's currency (the centime; a whole franc for XAF)."""
    gross = money(gross, quantum)
    bonus = money(bonus, quantum)
    retention = money(gross * Decimal(retention_rate), quantum)
    advance = max(ZERO, min(money(gross * Decimal(advance_recovery_rate), quantum), money(advance_remaining, quantum)))
    penalty = money(penalties, quantum)
    if penalty_cap_rate is not None and gross >= 0:
        penalty = min(penalty, money(gross * Decimal(penalty_cap_rate), quantum))
    if gross >= 0 and cap_deductions:  # a correction is bounded against its whole debt instead (_check_correction)
        # Each deduction rounds to the centime on its own, so on a few centimes they could add up to more
        # than the gross: what is deducted never exceeds what is left of it.
        advance = min(advance, gross - retention)
        penalty = min(penalty, gross - retention - advance)
    taxable = gross + bonus - penalty
    vat = money(taxable * Decimal(vat_rate), quantum)
    net = gross + bonus - retention - advance - penalty + vat
    return Breakdown(gross, retention, advance, penalty, taxable, vat, net, bonus)


# --------------------------------------------------------------------------- statements (pure)


def _end_of_day(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def _start_of_day(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def check_period(period_end: dt.date, *, today: dt.date, previous_end: dt.date | None) -> None:
    """Conflict unless the period has ended (in the operator's time zone) and is after the last statement's."""

    if period_end >= today:
        raise Conflict(_("A statement cannot cover days that have not ended yet."))
    if previous_end is not None and period_end <= previous_end:
        raise Conflict(_("A work statement already covers the period up to %(date)s.")
                       % {"date": date_format(previous_end, "SHORT_DATE_FORMAT")})


@dataclass(frozen=True)
class WorkPeriod:
    """What a contract's next work statement holds: the unbilled lines accepted up to the period's end."""

    period_start: dt.date
    period_end: dt.date
    line_ids: tuple[int, ...]
    period_amount: Decimal
    previous_cumulative: Decimal

    @property
    def cumulative(self) -> Decimal:
        return self.previous_cumulative + self.period_amount


def work_period(lines, *, period_end: dt.date, starts_on: dt.date, previous_end: dt.date | None,
                previous_cumulative: Decimal | None, tz) -> WorkPeriod | None:
    """The next work statement of a contract from its unbilled lines [(pk, amount, accepted_at)] accepted
    before the end of period_end; None when there are none (no empty statement).

    Cumulative: the period starts the day after the previous statement's end (or at the contract's start, or
    the first line's day if earlier) and its amount is added to the previous cumulative amount.
    """
    if not lines:
        return None
    if previous_end is not None:
        start = previous_end + dt.timedelta(days=1)
    else:
        start = min(starts_on, timezone.localtime(min(at for _pk, _amount, at in lines), tz).date())
    return WorkPeriod(period_start=start, period_end=period_end, line_ids=tuple(pk for pk, _a, _t in lines),
                      period_amount=sum((amount for _pk, amount, _at in lines), ZERO),
                      previous_cumulative=previous_cumulative if previous_cumulative is not None else ZERO)


def late_penalties(penalty_per_day: Decimal, completed, tz, quantum: Decimal = CENT) -> tuple[Decimal, list[dict]]:
    """Penalty per work order completed in the period after its due date: penalty_per_day × days late.

    completed: (reference, due_on, completed_at) of the work orders completed in the period, in the order the
    detail is printed. Days late count from the due date to the completion day in the operator's time zone.
    """
    if penalty_per_day <= 0:
        return ZERO, []
    total = ZERO
    detail = []
    for reference, due_on, completed_at in completed:
        days = (timezone.localtime(completed_at, tz).date() - due_on).days
        if days > 0:
            amount = money(penalty_per_day * days, quantum)
            total += amount
            detail.append({"work_order": reference, "days": days, "amount": str(amount)})
    return total, detail


@dataclass(frozen=True)
class PenaltyPosition:
    """Late penalties of one statement under the contract's cap (see penalty_position)."""

    due: Decimal             # penalties of the work orders completed in this period
    carried_in: Decimal      # due on earlier statements, not charged yet
    contract_cap: Decimal    # cap rate × contract amount (or × the gross billed so far, this statement included)
    charged_before: Decimal  # charged by the contract's earlier statements and corrections
    statement_limit: Decimal  # most this statement may charge: min(cap rate × its gross, what the cap leaves)
    waived: Decimal          # beyond the contract's cap: never charged

    @property
    def owed(self) -> Decimal:
        return self.due + self.carried_in - self.waived

    @property
    def charge(self) -> Decimal:
        return min(self.owed, self.statement_limit)


def penalty_position(*, due, carried_in, gross, cap_rate, contract_amount, cumulative_gross,
                     charged_before, quantum: Decimal = CENT) -> PenaltyPosition:
    """The cap over the contract, as the contract states it, and what one statement may charge of it.

    The contract caps its late penalties at cap_rate × its amount (the "montant du marché"); a contract that
    states no amount is capped at cap_rate × what has been billed so far. One statement deducts at most
    cap_rate × its own gross, so a month of little work is not swallowed by penalties; what it cannot deduct is
    carried to the next statements, never lost. What lies beyond the cap over the contract is never charged
    (waived), and only with a stated amount, since a cap on the amount billed grows with the work.
    """
    cap_rate = Decimal(cap_rate)
    base = contract_amount if contract_amount is not None else cumulative_gross
    contract_cap = money(Decimal(base) * cap_rate, quantum)
    room = max(ZERO, contract_cap - charged_before)
    owed = money(due, quantum) + money(carried_in, quantum)
    waived = max(ZERO, owed - room) if contract_amount is not None else ZERO
    limit = max(ZERO, min(money(max(ZERO, gross) * cap_rate, quantum), room))
    return PenaltyPosition(money(due, quantum), money(carried_in, quantum), contract_cap,
                           money(charged_before, quantum), limit, waived)


def statement_breakdown(contract: Contract, period_amount: Decimal, *, recovered: Decimal,
                        penalties: Decimal, bonus: Decimal = ZERO) -> Breakdown:
    """A regular payment statement's arithmetic under the contract's terms; recovered = the advance already
    recovered by the contract's earlier payment statements."""
    return compute_breakdown(
        period_amount, retention_rate=contract.retention_rate,
        advance_recovery_rate=contract.advance_recovery_rate,
        advance_remaining=max(ZERO, contract.advance_amount - recovered), penalties=penalties,
        penalty_cap_rate=contract.penalty_cap_rate, vat_rate=contract.vat_rate, bonus=bonus,
        quantum=currency_quantum(contract.currency))
