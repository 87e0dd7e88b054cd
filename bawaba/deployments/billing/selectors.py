"""Reads of billing: running statements, statements and their debts, payments, days to pay."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ..common import money as common_money
from ..common.money import ZERO
from ..common.permissions import (
    can_view_contract,
    can_view_statements,
)
from ..field.models import BillingLine
from ..work.models import (
    Contract,
)
from ..work.selectors import contracts_of
from . import payments as billing_payments
from .models import Payment, PaymentStatement, WorkStatement

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


# --------------------------------------------------------------------------- statements


@dataclass
class RunningStatement:
    contract: Contract
    lines: object  # QuerySet[BillingLine] not yet on an issued statement
    unbilled_amount: Decimal
    unbilled_count: int
    billed_amount: Decimal
    cumulative_amount: Decimal
    last_statement: WorkStatement | None


def running_statement(contract: Contract) -> RunningStatement:
    """Accepted work priced so far: what the next work statement will contain, plus what was billed before."""
    lines = (BillingLine.objects.filter(contract=contract, work_statement__isnull=True)
             .select_related("price_item", "work_order", "region").order_by("-accepted_at", "-id"))
    totals = lines.aggregate(total=Sum("amount"), count=Count("id"))
    last = WorkStatement.objects.filter(contract=contract).order_by("-period_end").first()
    billed = last.cumulative_amount if last else ZERO
    unbilled = totals["total"] or ZERO
    return RunningStatement(contract, lines, unbilled, totals["count"], billed, billed + unbilled, last)


def running_statements(contractor) -> list[RunningStatement]:
    return [running_statement(c) for c in Contract.objects.filter(contractor=contractor).select_related(
        "programme", "price_schedule_version__schedule").order_by("reference")]  # the schedule: its currency


def statement_contracts_of(user):
    """The contracts whose statements and payments the user may read (none for a technician or an inspector)."""
    return contracts_of(user) if can_view_statements(user) else Contract.objects.none()


def _sum_of(queryset, field: str):
    """SUM(field) over the rows of queryset (one value, 0 when there are none), as a correlated subquery."""
    total = queryset.order_by().values(total=Func(F(field), function="SUM", output_field=MONEY_FIELD))
    return _centimes(Coalesce(Subquery(total, output_field=MONEY_FIELD), ZERO, output_field=MONEY_FIELD))


def _centimes(expression):
    """Money computed in SQL, rounded to the centime: SQLite adds decimals as binary floats (137.78 − 0 can come
    back as 137.780000000001), PostgreSQL's numeric is exact and unchanged by it."""
    return Round(expression, 2, output_field=MONEY_FIELD)


def with_debt(statements):
    """Annotate payment statements with the figures of the debt each is part of (billing_payments.Debt: a regular
    statement and its corrections): `debt_id` (the regular statement), `debt_net` (its net + its corrections'),
    `debt_paid` (payments recorded against any of them) and `debt_outstanding` (`debt_net` − `debt_paid`).
    Correlated subqueries: no join multiplies the rows, and no query per statement."""
    members = PaymentStatement.objects.filter(Q(pk=OuterRef("debt_id")) | Q(corrects_id=OuterRef("debt_id")))
    paid = Payment.objects.filter(statement_id__in=PaymentStatement.objects.filter(
        Q(pk=OuterRef(OuterRef("debt_id"))) | Q(corrects_id=OuterRef(OuterRef("debt_id")))).values("pk"))
    return (statements.annotate(debt_id=Coalesce("corrects_id", "pk", output_field=BigIntegerField()))
            .annotate(debt_net=_sum_of(members, "net_amount"), debt_paid=_sum_of(paid, "amount"))
            .annotate(debt_outstanding=_centimes(ExpressionWrapper(F("debt_net") - F("debt_paid"),
                                                                   output_field=MONEY_FIELD))))


def statements_of(user):
    """Payment statements (décomptes), newest first, with the payments recorded against each annotated
    (`paid`) and the figures of the debt each is part of (`debt_net`, `debt_paid`, `debt_outstanding`: see
    with_debt; a correction shows its original's). Corrections and their payments are prefetched, so that
    billing_payments.debt_of (days to pay, interest) needs no query per regular statement."""
    paid = Payment.objects.filter(statement_id=OuterRef("pk"))
    return (with_debt(PaymentStatement.objects.filter(contract__in=statement_contracts_of(user)))
            .select_related("contract", "contractor", "work_statement")
            .prefetch_related("corrections__payments")
            .annotate(paid=_sum_of(paid, "amount"))
            .order_by("-issued_at", "-sequence"))


def work_statements_of(user):
    return (WorkStatement.objects.filter(contract__in=statement_contracts_of(user))
            .select_related("contract", "contractor").order_by("-issued_at", "-sequence"))


def payments_of(user):
    return (Payment.objects.filter(statement__contract__in=statement_contracts_of(user))
            .select_related("statement", "statement__contractor").order_by("-paid_on", "-id"))


def statement_for(user, pk) -> PaymentStatement:
    try:
        statement = PaymentStatement.objects.select_related(
            "contract", "contract__programme", "contract__programme__operator", "contractor", "work_statement",
            "corrects").get(pk=pk)
    except (PaymentStatement.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such statement.")) from exc
    if not (can_view_statements(user) and can_view_contract(user, statement.contract)):  # not revealed
        raise Http404(_("No such statement."))
    return statement


def statement_status(statement: PaymentStatement, on: dt.date | None = None) -> dict:
    """Paid, outstanding, days to pay and late interest of the debt a payment statement is part of: the
    statement with its corrections (for a correction, its original's). `original` is that regular statement,
    `total` its net plus its corrections' nets."""
    return _status(billing_payments.debt_of(statement), on)


def statement_statuses(statements, on: dt.date | None = None) -> list[PaymentStatement]:
    """The statements (a page of a list), each with its statement_status attached as `status`, in a few queries
    whatever the number of statements."""
    statements = list(statements)
    prefetch_related_objects(statements, "payments", "corrections__payments", "corrects__payments",
                             "corrects__corrections__payments")
    for statement in statements:
        statement.status = _status(billing_payments.debt_of(statement), on)
    return statements


def _status(debt: billing_payments.Debt, on: dt.date | None) -> dict:
    on = on or timezone.localdate()
    return {
        "original": debt.statement,
        "payments": debt.payments,
        "total": debt.total,
        "paid": debt.paid,
        "outstanding": debt.outstanding,
        "days_to_pay": debt.days_to_pay(),
        "is_overdue": debt.is_overdue(on),
        "late_interest": debt.late_interest(on),
    }


def days_to_pay(programme=None, *, by: str = "contractor", contractor=None) -> list[dict]:
    """Mean days from issue to full payment and late interest to date, per contractor or per wilaya.

    One row per debt: a regular statement with its corrections, counted when their net is above zero
    (billing_payments.Debt). Per wilaya, each debt counts with the weight of its statement's amount in that wilaya.
    """
    statements = PaymentStatement.objects.filter(corrects__isnull=True)  # one debt per regular statement
    if programme is not None:
        statements = statements.filter(contract__programme=programme)
    if contractor is not None:
        statements = statements.filter(contractor=contractor)
    statements = list(with_debt(statements).filter(debt_net__gt=0).select_related("contractor")
                      .prefetch_related("payments", "corrections__payments"))
    today = timezone.localdate()
    rows: dict = defaultdict(lambda: {"weight": Decimal(0), "weighted_days": Decimal(0), "paid_statements": 0,
                                      "open_statements": 0, "late_interest": ZERO, "outstanding": ZERO})
    if by == "wilaya":
        shares = defaultdict(dict)
        for ws_id, region_id, amount in (BillingLine.objects.filter(
                work_statement__payment_statement__in=[s.pk for s in statements])
                .values_list("work_statement__payment_statement", "region").annotate(total=Sum("amount"))):
            shares[ws_id][region_id] = amount
        from bawaba.geo.models import Region

        regions = Region.objects.in_bulk([r for s in shares.values() for r in s])
    for statement in statements:
        debt = billing_payments.debt_of(statement)  # from the prefetched rows
        days = debt.days_to_pay()
        interest = debt.late_interest(today)
        outstanding = statement.debt_outstanding
        if by == "wilaya":
            split = shares.get(statement.pk) or {}
            total = sum(split.values(), Decimal(0)) or Decimal(1)
            keys = [(regions[r], amount / total) for r, amount in split.items()]
        else:
            keys = [(statement.contractor, Decimal(1))]
        for key, share in keys:
            row = rows[key]
            if days is None:
                row["open_statements"] += 1
            else:
                row["paid_statements"] += 1
                row["weight"] += share
                row["weighted_days"] += share * days
            row["late_interest"] += common_money.money(interest * share)
            row["outstanding"] += common_money.money(outstanding * share)
    result = []
    for key, row in rows.items():
        mean = (row["weighted_days"] / row["weight"]).quantize(Decimal("0.1")) if row["weight"] else None
        result.append({"key": key, "name": key.name, "mean_days_to_pay": mean,
                       "paid_statements": row["paid_statements"], "open_statements": row["open_statements"],
                       "outstanding": row["outstanding"], "late_interest": row["late_interest"]})
    result.sort(key=lambda r: (r["mean_days_to_pay"] is None, -(r["mean_days_to_pay"] or 0), r["name"]))
    return result
