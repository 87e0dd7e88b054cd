"""Payments of statements: record a payment, what is paid and outstanding, days to pay, late interest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.money import format_money

from ..common.errors import Conflict
from ..common.money import ZERO, currency_quantum, money
from ..common.permissions import _check_billing_rights
from ..work.base import _contract_tz
from ..work.models import Contract, DeploymentEvent, EventKind
from .arithmetic import late_interest_rate
from .models import Payment, PaymentStatement

# --------------------------------------------------------------------------- payments and interest
#
# One debt per regular statement: the statement and the corrections issued against it are paid together.
# Still owed = the statement's net + the nets of its corrections − the payments of the debt. Payments are
# recorded against the original statement (one sent to a correction is refused with the original's number);
# a payment found against a correction (possible for a positive one before corrections were netted) still
# counts for the debt. Only a regular statement can be corrected, and a credit never takes the debt's gross
# or net below zero, nor its net below what has been paid on it.


@dataclass(frozen=True)
class Debt:
    """A regular payment statement, its corrections (in issue order) and the payments of all of them."""

    statement: PaymentStatement
    corrections: tuple[PaymentStatement, ...]
    payments: tuple[Payment, ...]  # by payment date

    @property
    def total(self) -> Decimal:
        return self.statement.net_amount + sum((c.net_amount for c in self.corrections), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid

    def tranches(self) -> list[tuple[dt.date, Decimal]]:
        """(due date, amount) of what is owed: the statement's net from its due date, a positive correction's
        net from the correction's own due date. A credit correction takes its amount off what was owed when it
        was issued, the latest amounts first: money it takes away was never owed, so it never bore interest."""
        tranches = [[self.statement.due_on, max(self.statement.net_amount, ZERO)]]
        for correction in self.corrections:
            if correction.net_amount > 0:
                tranches.append([correction.due_on, correction.net_amount])
                continue
            credit = -correction.net_amount
            for tranche in reversed(tranches):
                taken = min(credit, tranche[1])
                tranche[1] -= taken
                credit -= taken
        return [(due_on, amount) for due_on, amount in tranches if amount > 0]

    def _late(self, tranches, day: dt.date) -> Decimal:
        """What is unpaid at the end of `day` of the amounts due by then (a payment settles the oldest first)."""
        due = sum((amount for due_on, amount in tranches if due_on <= day), ZERO)
        return due - sum((p.amount for p in self.payments if p.paid_on <= day), ZERO)

    def is_overdue(self, on: dt.date) -> bool:
        """Whether, on `on`, part of what was due before that day is still unpaid."""
        due = sum((amount for due_on, amount in self.tranches() if due_on < on), ZERO)
        return due > sum((p.amount for p in self.payments if p.paid_on <= on), ZERO)

    def late_interest(self, on: dt.date) -> Decimal:
        """Simple interest, for each day up to `on`, on what was due before that day and still unpaid."""
        tranches = self.tranches()
        if not tranches:
            return ZERO
        start = min(due_on for due_on, _amount in tranches)
        if on <= start:
            return ZERO
        rate = late_interest_rate()
        points = sorted({start, on} | {due_on for due_on, _amount in tranches if start < due_on < on}
                        | {p.paid_on for p in self.payments if start < p.paid_on < on})
        interest = Decimal("0")
        for day, until in zip(points, points[1:], strict=False):
            balance = self._late(tranches, day)  # constant over the days after `day` up to `until`
            if balance > 0:
                interest += balance * rate * (until - day).days / 365
        return money(interest, currency_quantum(self.statement.currency))  # whole francs in XAF

    def days_to_pay(self) -> int | None:
        """Days from the statement's issue to the payment that settled the debt; None while something is still
        owed, or when nothing ever was (a statement wholly credited)."""
        total = self.total
        if total <= 0:
            return None
        running = ZERO
        for payment in self.payments:
            running += payment.amount
            if running >= total:
                # issued_on: the issue day in the operator's time zone, as printed (not the server's day)
                return (payment.paid_on - self.statement.issued_on).days
        return None


def debt_of(statement: PaymentStatement, payments=None) -> Debt:
    """The debt `statement` is part of: its own, or for a correction the debt of the statement it corrects.

    payments: the statement's own payments when the caller has them already (ignored for a correction).
    Corrections and their payments come from the prefetch cache when there is one
    (`prefetch_related("corrections__payments")`), otherwise from the database.
    """
    while statement.corrects_id:
        statement, payments = statement.corrects, None
    corrections = sorted(statement.corrections.all(), key=lambda c: (c.issued_at, c.pk))
    found = list(statement.payments.all() if payments is None else payments)
    found += [payment for correction in corrections for payment in correction.payments.all()]
    return Debt(statement, tuple(corrections), tuple(sorted(found, key=lambda p: (p.paid_on, p.pk or 0))))


def paid_amount(statement: PaymentStatement) -> Decimal:
    """What has been paid on the debt of the statement (see debt_of)."""
    return debt_of(statement).paid


def outstanding_amount(statement: PaymentStatement) -> Decimal:
    """What is still owed on the debt of the statement: its net + its corrections' nets − payments."""
    return debt_of(statement).outstanding


@transaction.atomic
def do_record_payment(statement: PaymentStatement, *, amount, paid_on: dt.date, reference: str = "",
                      actor, now: dt.datetime | None = None) -> Payment:
    """Record a payment on a regular statement; it counts for the statement and its corrections together.

    `now` is when it is recorded (default: the clock; the demo data replays history with it)."""

    contract = Contract.objects.select_for_update(of=("self",)).select_related("programme").get(
        pk=statement.contract_id)
    _check_billing_rights(actor, contract)
    if statement.corrects_id:
        raise Conflict(_("A correction is paid with the statement it corrects: record this payment on "
                         "%(number)s.") % {"number": statement.corrects.number})
    errors = {}
    try:
        amount = money(amount, currency_quantum(statement.currency))  # the centime; a whole franc in XAF
    except (ArithmeticError, ValueError, TypeError):
        errors["amount"] = [_("The amount must be a number.")]
        amount = ZERO
    if not errors and amount <= 0:
        errors["amount"] = [_("The amount must be above zero.")]
    tz = _contract_tz(contract)
    issued_on = statement.issued_on
    if not isinstance(paid_on, dt.date):
        errors["paid_on"] = [_("Give the date of the payment.")]
    elif paid_on < issued_on:
        errors["paid_on"] = [_("A payment cannot be dated before the statement was issued.")]
    elif paid_on > timezone.localdate(now or timezone.now(), tz):
        errors["paid_on"] = [_("A payment cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    # Read again under the contract's lock: a correction or payment issued meanwhile is counted.
    outstanding = debt_of(PaymentStatement.objects.get(pk=statement.pk)).outstanding
    if outstanding <= 0:
        raise Conflict(_("Nothing is due on %(number)s any more: it is settled, corrections included.")
                       % {"number": statement.number})
    if amount > outstanding:
        raise Conflict(_("%(amount)s is more than the %(outstanding)s still due on %(number)s.")
                       % {"amount": format_money(amount, currency=statement.currency),
                          "outstanding": format_money(outstanding, currency=statement.currency),
                          "number": statement.number})
    payment = Payment.objects.create(statement=statement, amount=amount, paid_on=paid_on,
                                     reference=(reference or "")[:60], recorded_by=actor)
    if now is not None:  # recorded_at is filled by the clock on insert
        Payment.objects.filter(pk=payment.pk).update(recorded_at=now)
        payment.recorded_at = now
    DeploymentEvent.objects.create(kind=EventKind.PAYMENT_RECORDED, actor=actor, organisation=statement.contractor,
                                   data={"number": statement.number, "amount": str(amount),
                                         "paid_on": paid_on.isoformat()}, at=now or timezone.now())
    return payment


def late_interest(statement: PaymentStatement, on: dt.date | None = None, payments=None) -> Decimal:
    """Late-payment interest to `on` (default today) on the statement's debt, corrections included: simple
    interest for each day on what was due before that day and is still unpaid (see Debt.tranches)."""
    return debt_of(statement, payments).late_interest(on or timezone.localdate())


def days_to_pay(statement: PaymentStatement, payments=None) -> int | None:
    """Days from issue to the payment that settled the statement with its corrections; None while not settled."""
    return debt_of(statement, payments).days_to_pay()
