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
batch of contracts in a few set queries and writes the batch's documents and audit events in bulk."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import logging
import multiprocessing
import operator
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.money import format_money

from ..common.errors import Conflict
from ..common.models import ImmutableDocumentError
from ..common.money import ZERO, currency_quantum, money
from ..common.permissions import _check_billing_rights
from ..field.models import BillingLine
from ..work.base import _contract_tz
from ..work.models import Contract, DeploymentEvent, EventKind, WorkOrder
from . import incentives as billing_incentives
from .arithmetic import (
    Breakdown,
    _end_of_day,
    _start_of_day,
    check_period,
    compute_breakdown,
    late_penalties,
    penalty_position,
    statement_breakdown,
    work_period,
)
from .frozen import freeze_figures, store_documents
from .models import DocumentCounter, DocumentKind, PaymentStatement, PaymentStatementKind, WorkStatement
from .payments import debt_of
from .rows import document_parties, identification_problems
from .words import amount_in_words
from .workers import issue_ids_in_process

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- numbering


def document_number(kind: str, year: int, contractor_id: int, sequence: int) -> str:
    return f"{kind}-{year}-{contractor_id:05d}-{sequence:05d}"


def reserve_numbers(counts: dict[tuple[int, str, int], int]) -> dict[tuple[int, str, int], int]:
    """Reserve counts[(contractor id, kind, year)] consecutive numbers of each counter; must run inside the
    issuing transaction. Returns the first number of each reserved range.

    One statement locks and increments every counter together: a multi-row upsert on the counter rows
    (contractor, kind, year), in key order. The rows stay locked until the issuing transaction ends, so
    concurrent issues for the same contractor wait, and a rolled-back issue gives its numbers back: no gaps.
    Works on PostgreSQL and SQLite ≥ 3.35 (ON CONFLICT … DO UPDATE … RETURNING).
    """
    from django.db import connection

    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    keys = sorted(key for key, count in counts.items() if count > 0)
    first = {}
    for start in range(0, len(keys), 200):
        chunk = keys[start:start + 200]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (contractor_id, kind, year, last_number) "  # noqa: S608
                f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(chunk))} "
                f"ON CONFLICT (contractor_id, kind, year) DO UPDATE "
                f"SET last_number = {table}.last_number + excluded.last_number "
                "RETURNING contractor_id, kind, year, last_number",
                [value for key in chunk for value in (*key, counts[key])],
            )
            for contractor_id, kind, year, last in cursor.fetchall():
                key = (contractor_id, kind, year)
                first[key] = last - counts[key] + 1
    return first


def next_number(contractor, kind: str, year: int) -> tuple[int, str]:
    """Reserve the next number of one counter (see reserve_numbers); must run inside the issuing transaction."""
    number = reserve_numbers({(contractor.pk, kind, year): 1})[(contractor.pk, kind, year)]
    return number, document_number(kind, year, contractor.pk, number)


def _grouped(bounds: dict[int, tuple], build) -> Q:
    """OR of one condition per distinct bound, over the contracts sharing it (usually one bound for all)."""
    by_bound: dict[tuple, list[int]] = {}
    for contract_id, bound in bounds.items():
        by_bound.setdefault(bound, []).append(contract_id)
    return functools.reduce(operator.or_, (build(sorted(ids), *bound) for bound, ids in by_bound.items()))


def _latest_work_statements(contract_ids: list[int]) -> dict[int, WorkStatement]:
    later = WorkStatement.objects.filter(contract_id=OuterRef("contract_id"), period_end__gt=OuterRef("period_end"))
    latest = WorkStatement.objects.filter(contract_id__in=contract_ids).filter(~Exists(later))
    return {statement.contract_id: statement for statement in latest}


def _lock_unbilled_lines(cutoffs: dict[int, dt.datetime]) -> dict[int, list]:
    """The unbilled lines of each contract accepted before its cut-off, locked until the transaction ends."""
    if not cutoffs:
        return {}
    rows = (BillingLine.objects.select_for_update()
            .filter(_grouped({pk: (cutoff,) for pk, cutoff in cutoffs.items()},
                             lambda ids, cutoff: Q(contract_id__in=ids, accepted_at__lt=cutoff)),
                    work_statement__isnull=True)
            .order_by("contract_id", "accepted_at", "pk")
            .values_list("contract_id", "pk", "amount", "accepted_at"))
    lines: dict[int, list] = {}
    for contract_id, pk, amount, accepted_at in rows:
        lines.setdefault(contract_id, []).append((pk, amount, accepted_at))
    return lines


def _recovered_and_penalised(contract_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """(advance recovered, penalties charged) so far by each contract's payment statements and corrections."""
    rows = (PaymentStatement.objects.filter(contract_id__in=contract_ids).values("contract_id")
            .annotate(advance=Sum("advance_recovery_amount"), penalties=Sum("penalty_amount"))
            .values_list("contract_id", "advance", "penalties"))
    return {contract_id: (advance or ZERO, penalties or ZERO) for contract_id, advance, penalties in rows}


def _penalties_carried(work_statement_ids: list[int]) -> dict[int, Decimal]:
    """Penalties carried out of the payment statement of each of these (previous) work statements."""
    return dict(PaymentStatement.objects.filter(work_statement_id__in=work_statement_ids)
                .values_list("work_statement_id", "penalty_carried_amount"))


def _completed_work_orders(periods: dict[int, tuple[dt.datetime, dt.datetime]]) -> dict[int, list]:
    """(reference, due_on, completed_at) of each contract's work orders with a due date whose completion was
    recorded in its period. Recorded, not finished: an order finished in a period already issued and completed
    when an inspector accepted its last item afterwards is penalised on the next statement (its days late still
    count up to completed_at, when the contractor finished). Periods follow each other, so each order is
    counted once."""
    if not periods:
        return {}
    rows = (WorkOrder.objects
            .filter(_grouped(periods, lambda ids, start, end: Q(contract_id__in=ids,
                                                                completion_recorded_at__gte=start,
                                                                completion_recorded_at__lt=end)),
                    due_on__isnull=False)
            .order_by("contract_id", "reference")
            .values_list("contract_id", "reference", "due_on", "completed_at"))
    completed: dict[int, list] = {}
    for contract_id, reference, due_on, completed_at in rows:
        completed.setdefault(contract_id, []).append((reference, due_on, completed_at))
    return completed


def _issue_locked(contracts: list[Contract], period_end: dt.date, actor, now, *,
                  skip_covered: bool) -> list[PaymentStatement]:
    """Issue the work statement and payment statement of each contract whose row this transaction has locked.

    A few set queries for the whole list, whatever its length: the latest work statements, the unbilled lines
    (locked), the advance recovered so far and the work orders completed in each period are read once; every
    amount, amount in words and penalty is then computed by the plain functions above before anything is
    written; the numbers are reserved in one upsert; the work statements, the lines' attachment, the payment
    statements and their audit events are written in one statement each. A contract whose period is covered
    already (or not ended) raises Conflict, or is skipped with skip_covered; a contract without new lines gets
    nothing. The caller's transaction holds it all: an error leaves nothing behind, numbers included.
    """
    for contract in contracts:
        _check_billing_rights(actor, contract)

    tz = {contract.pk: _contract_tz(contract) for contract in contracts}
    latest = _latest_work_statements([contract.pk for contract in contracts])
    open_contracts = []
    for contract in contracts:
        problems = identification_problems(document_parties(contract))
        if problems:  # a public buyer refuses a statement without both parties' legal identification
            if not skip_covered:
                raise Conflict(" ".join(problems))
            logger.warning("fibre statements of %s not issued: %s", contract.reference, " ".join(problems))
            continue
        previous = latest.get(contract.pk)
        try:
            check_period(period_end, today=timezone.localdate(now, tz[contract.pk]),
                         previous_end=previous.period_end if previous else None)
        except Conflict:
            if not skip_covered:
                raise
            continue
        open_contracts.append(contract)
    lines = _lock_unbilled_lines({c.pk: _end_of_day(period_end, tz[c.pk]) for c in open_contracts})

    periods = []
    for contract in open_contracts:
        previous = latest.get(contract.pk)
        period = work_period(lines.get(contract.pk, ()), period_end=period_end, starts_on=contract.starts_on,
                             previous_end=previous.period_end if previous else None,
                             previous_cumulative=previous.cumulative_amount if previous else None,
                             tz=tz[contract.pk])
        if period is not None:
            periods.append((contract, previous, period))
    if not periods:
        return []
    recovered = _recovered_and_penalised([contract.pk for contract, _p, _w in periods])
    carried = _penalties_carried([previous.pk for _c, previous, _w in periods if previous is not None])
    completed = _completed_work_orders({
        contract.pk: (_start_of_day(period.period_start, tz[contract.pk]), _end_of_day(period_end, tz[contract.pk]))
        for contract, _previous, period in periods if contract.penalty_per_day > 0})


    rules = billing_incentives.rules_by_contract([contract.pk for contract, _p, _w in periods])
    # Everything computed before the first write: numbers are reserved for exactly what is issued.
    documents = []
    counts: dict[tuple[int, str, int], int] = {}
    for contract, previous, period in periods:
        quantum = currency_quantum(contract.currency)  # the centime; a whole franc for XAF
        penalty_total, detail = late_penalties(contract.penalty_per_day, completed.get(contract.pk, ()),
                                               tz[contract.pk], quantum)
        advance_recovered, charged_before = recovered.get(contract.pk, (ZERO, ZERO))
        position = penalty_position(
            due=penalty_total, carried_in=carried.get(previous.pk, ZERO) if previous else ZERO,
            gross=period.period_amount, cap_rate=contract.penalty_cap_rate, contract_amount=contract.contract_amount,
            cumulative_gross=period.cumulative, charged_before=charged_before, quantum=quantum)
        awards = billing_incentives.awards_for(
            contract, rules.get(contract.pk, ()), period_start=period.period_start, period_end=period.period_end,
            gross=money(period.period_amount, quantum), line_ids=period.line_ids, tz=tz[contract.pk])
        breakdown = statement_breakdown(contract, period.period_amount, recovered=advance_recovered,
                                        penalties=position.charge, bonus=billing_incentives.bonus_total(awards))
        words = (amount_in_words(breakdown.net, "fr", contract.currency),
                 amount_in_words(breakdown.net, "ar", contract.currency))
        today = timezone.localdate(now, tz[contract.pk])
        documents.append((contract, previous, period, breakdown, (detail, position), words, today, awards))
        for kind in (DocumentKind.WORK_STATEMENT, DocumentKind.PAYMENT_STATEMENT):
            key = (contract.contractor_id, kind, today.year)
            counts[key] = counts.get(key, 0) + 1
    first = reserve_numbers(counts)
    taken: dict[tuple[int, str, int], int] = {}

    def number(contract, kind, year) -> tuple[int, str]:
        key = (contract.contractor_id, kind, year)
        sequence = first[key] + taken.get(key, 0)
        taken[key] = taken.get(key, 0) + 1
        return sequence, document_number(kind, year, contract.contractor_id, sequence)

    work_statements, payment_statements, awarded = [], [], []
    for contract, previous, period, breakdown, (detail, position), words, today, awards in documents:
        # What the documents print, frozen with them (the contracts were loaded with their parties: no query).
        parties = document_parties(contract)
        sequence, ws_number = number(contract, DocumentKind.WORK_STATEMENT, today.year)
        work_statement = WorkStatement(
            contractor=contract.contractor, contract=contract, year=today.year, sequence=sequence, number=ws_number,
            issued_at=now, issued_on=today, issued_by=actor, parties=parties, period_start=period.period_start,
            period_end=period.period_end, cumulative_amount=period.cumulative,
            previous_cumulative_amount=period.previous_cumulative, period_amount=period.period_amount,
            line_count=len(period.line_ids), previous=previous)
        sequence, ps_number = number(contract, DocumentKind.PAYMENT_STATEMENT, today.year)
        work_statements.append(work_statement)
        payment_statements.append(PaymentStatement(
            contractor=contract.contractor, contract=contract, year=today.year, sequence=sequence, number=ps_number,
            issued_at=now, issued_on=today, issued_by=actor, parties=parties, kind=PaymentStatementKind.REGULAR,
            work_statement=work_statement, gross_amount=breakdown.gross, retention_amount=breakdown.retention,
            advance_recovery_amount=breakdown.advance_recovery, penalty_amount=breakdown.penalties,
            taxable_amount=breakdown.taxable, vat_rate=contract.vat_rate, vat_amount=breakdown.vat,
            net_amount=breakdown.net, retention_rate=contract.retention_rate,
            advance_recovery_rate=contract.advance_recovery_rate, payment_terms_days=contract.payment_terms_days,
            amount_in_words_fr=words[0], amount_in_words_ar=words[1],
            due_on=today + dt.timedelta(days=contract.payment_terms_days), penalty_detail=detail,
            penalty_due_amount=position.due, penalty_carried_in_amount=position.carried_in,
            penalty_contract_cap_amount=position.contract_cap,
            penalty_charged_to_date_amount=position.charged_before + breakdown.penalties,
            penalty_carried_amount=position.owed - breakdown.penalties, penalty_waived_amount=position.waived,
            bonus_amount=breakdown.bonus))
        if awards:
            awarded.append((payment_statements[-1], awards))

    WorkStatement.objects.bulk_create(work_statements)
    statement_of = {ws.contract_id: ws.pk for ws in work_statements}
    line_ids = [pk for _c, _p, period in periods for pk in period.line_ids]
    attached = 0
    for start in range(0, len(line_ids), 5000):
        attached += BillingLine.objects.filter(pk__in=line_ids[start:start + 5000]).attach_unbilled(statement_of)
    if attached != len(line_ids):  # cannot happen while the lines are locked: refuse rather than miscount
        raise ImmutableDocumentError(f"{len(line_ids) - attached} billing line(s) changed while being issued")
    PaymentStatement.objects.bulk_create(payment_statements)
    billing_incentives.store(awarded)  # the bonuses' figures, frozen (and hashed) with the statements
    freeze_figures(payment_statements, now)  # the figures hashed with the rows; the files right after commit
    DeploymentEvent.objects.bulk_create([
        DeploymentEvent(kind=EventKind.STATEMENT_ISSUED, actor=actor, organisation=statement.contractor,
                        data={"number": statement.number, "net": str(statement.net_amount),
                              "work_statement": statement.work_statement.number}, at=now)
        for statement in payment_statements])
    return payment_statements


def do_issue_statements(contract: Contract, period_end: dt.date, actor=None, *, now=None) -> PaymentStatement | None:
    """Issue the work statement for the period and its payment statement, together or not at all.

    Returns None when nothing was accepted since the previous statement. actor None = scheduled job.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related(
            "contractor", "programme__operator", "price_schedule_version__schedule").get(pk=contract.pk)
        issued = _issue_locked([locked], period_end, actor, now, skip_covered=False)
    store_documents(issued, now)  # rendered from the frozen figures, outside the contract's lock
    return issued[0] if issued else None


STATEMENT_BATCH = 200  # contracts per transaction in a monthly run


def _issue_batch(ids: list[int], period_end: dt.date, actor, now) -> list:
    """Issue for a batch of contracts in one transaction.

    One commit and a few set queries per batch instead of a dozen queries per contract. The batch's contracts
    are locked up front, in primary-key order, so a statement issued from the web meanwhile waits for the
    batch instead of deadlocking with it. A contract already covered by a later statement is skipped; any
    other error undoes the whole batch, whose contracts are then issued by the next run (the numbers roll back
    with them: no gap).
    """
    with transaction.atomic():
        contracts = list(Contract.objects.select_for_update(of=("self",)).select_related(
            "contractor", "programme__operator", "price_schedule_version__schedule").filter(pk__in=ids).order_by("pk"))
        return _issue_locked(contracts, period_end, actor, now, skip_covered=True)


def do_issue_monthly_statements(year: int, month: int, actor=None, *, programme=None, now=None,
                                workers: int = 1) -> list:
    """Issue statements for every active contract with accepted work up to the month's last day.

    Contracts are issued in batches (`_issue_batch`): a contract covered already by a later statement is
    skipped and the run goes on. With workers > 1 (PostgreSQL only) that many processes issue, each with its
    own connection; work is split by contractor so that two processes never wait for the same document
    counter.
    """
    from django.db import connection


    now = now or timezone.now()
    period_end = dt.date(year, month, calendar.monthrange(year, month)[1])
    if period_end >= timezone.localdate(now):
        raise Conflict(_("A statement cannot cover days that have not ended yet."))
    contracts = Contract.objects.filter(is_active=True).order_by("pk")
    if programme is not None:
        contracts = contracts.filter(programme=programme)
    if actor is not None and not getattr(actor, "is_platform_admin", False):
        contracts = contracts.filter(programme__operator_id=actor.organisation_id)  # never another operator's
    # Only contracts with unbilled lines before the cut-off (a generous UTC bound, refined per contract).
    bound = dt.datetime.combine(period_end + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    with_lines = BillingLine.objects.filter(work_statement__isnull=True, accepted_at__lt=bound).values("contract_id")
    rows = list(contracts.filter(pk__in=with_lines).values_list("pk", "contractor_id"))

    if workers <= 1 or connection.vendor != "postgresql":
        return _issue_ids([pk for pk, _contractor in rows], period_end, actor, now)

    # Processes, not threads: the time per statement left is mostly Python, which threads would run one at a
    # time. Each process is a fresh interpreter (spawn) with its own connection to the database this
    # connection uses (the test database under pytest), so the contracts' rows must be committed first:
    # never from inside a transaction (a test's included; see test_billing_processes.py).
    if connection.in_atomic_block:
        raise RuntimeError("worker processes cannot see this transaction's rows: run with workers=1 inside one")
    chunks = [[pk for pk, contractor in rows if contractor % workers == i] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    database = connection.settings_dict["NAME"]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(issue_ids_in_process, f"{__name__}:_issue_ids", chunk, period_end, getattr(actor, "pk",
                None), now, database)
                   for chunk in chunks if chunk]
        ids = [pk for future in futures for pk in future.result()]
    return list(PaymentStatement.objects.filter(pk__in=ids).select_related("contract__contractor", "work_statement")
                .order_by("contract_id", "pk"))


def _issue_ids(ids: list[int], period_end: dt.date, actor, now) -> list:
    issued = []
    for start in range(0, len(ids), STATEMENT_BATCH):
        batch = _issue_batch(ids[start:start + STATEMENT_BATCH], period_end, actor, now)
        # The documents of a committed batch, rendered from its frozen figures in the same run, outside the
        # row locks (a statement issued from the web does not wait for the rendering).
        store_documents(batch, now)
        issued.extend(batch)
    return issued


def do_issue_correction(statement: PaymentStatement, *, gross_adjustment, penalty_adjustment=ZERO, reason: str,
                        actor, now=None) -> PaymentStatement:
    """A correction is a new payment statement referring to the original (see _issue_correction); its figures
    are frozen in the issuing transaction, its documents written right after it commits."""
    now = now or timezone.now()
    with transaction.atomic():
        correction = _issue_correction(statement, gross_adjustment=gross_adjustment,
                                       penalty_adjustment=penalty_adjustment, reason=reason, actor=actor, now=now)
    store_documents([correction], now)
    return correction


def _issue_correction(statement: PaymentStatement, *, gross_adjustment, penalty_adjustment, reason: str,
                      actor, now) -> PaymentStatement:
    """A correction is a new payment statement referring to the original; the original never changes.

    Adjustments may be negative. Retention, VAT and payment terms are those frozen on the corrected statement
    (a credit takes back at the rates the amount was charged at, even if the contract changed since); no
    advance recovery.
    """
    contract = Contract.objects.select_for_update(of=("self",)).select_related(
        "contractor", "programme__operator", "price_schedule_version__schedule").get(pk=statement.contract_id)
    _check_billing_rights(actor, contract)

    problems = identification_problems(document_parties(contract))
    if problems:
        raise Conflict(" ".join(problems))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Explain the correction; it is printed on the document.")]
    quantum = currency_quantum(contract.currency)
    try:
        gross = money(gross_adjustment, quantum)
        penalty = money(penalty_adjustment or ZERO, quantum)
    except (ArithmeticError, ValueError, TypeError):
        errors["gross_adjustment"] = [_("Amounts must be numbers.")]
        gross = penalty = ZERO
    if not errors and gross == 0 and penalty == 0:
        errors["gross_adjustment"] = [_("A correction must change an amount.")]
    if errors:
        raise ValidationError(errors)
    breakdown = compute_breakdown(gross, retention_rate=statement.retention_rate, penalties=penalty,
                                  vat_rate=statement.vat_rate, cap_deductions=False, quantum=quantum)
    _check_correction(statement, breakdown)
    today = timezone.localdate(now, _contract_tz(contract))
    sequence, number = next_number(contract.contractor, DocumentKind.PAYMENT_STATEMENT, today.year)
    correction = PaymentStatement.objects.create(
        contractor=contract.contractor, contract=contract, year=today.year, sequence=sequence, number=number,
        issued_at=now, issued_on=today, issued_by=actor, parties=document_parties(contract),
        kind=PaymentStatementKind.CORRECTION, corrects=statement,
        correction_reason=reason[:2000], gross_amount=breakdown.gross, retention_amount=breakdown.retention,
        advance_recovery_amount=breakdown.advance_recovery, penalty_amount=breakdown.penalties,
        taxable_amount=breakdown.taxable, vat_rate=statement.vat_rate, vat_amount=breakdown.vat,
        net_amount=breakdown.net, retention_rate=statement.retention_rate, advance_recovery_rate=ZERO,
        payment_terms_days=statement.payment_terms_days,
        amount_in_words_fr=amount_in_words(breakdown.net, "fr", contract.currency),
        amount_in_words_ar=amount_in_words(breakdown.net, "ar", contract.currency),
        due_on=today + dt.timedelta(days=statement.payment_terms_days))
    freeze_figures([correction], now)
    DeploymentEvent.objects.create(kind=EventKind.STATEMENT_ISSUED, actor=actor, organisation=contract.contractor,
                                   data={"number": number, "net": str(breakdown.net), "work_statement": None},
                                   at=now)
    return correction


def _check_correction(statement: PaymentStatement, breakdown: Breakdown) -> None:
    """Refuse a correction of a correction, and a credit larger than what the corrected statement still
    represents: the gross of a statement and its corrections never goes below zero, nor their net below zero
    or below what has been paid on them. Called by do_issue_correction under the contract's lock."""

    if statement.corrects_id:
        raise Conflict(_("%(number)s is a correction: issue the new correction against %(original)s, the statement "
                         "it corrects.") % {"number": statement.number, "original": statement.corrects.number})
    debt = debt_of(PaymentStatement.objects.get(pk=statement.pk))
    gross_left = debt.statement.gross_amount + sum((c.gross_amount for c in debt.corrections), ZERO)
    penalties = debt.statement.penalty_amount + sum((c.penalty_amount for c in debt.corrections), ZERO)
    def shown(value):  # with the contract's currency: "1 250,00 DA", "1 250 FCFA"
        return format_money(value, currency=statement.currency)

    if breakdown.penalties < 0 and -breakdown.penalties > penalties:
        raise ValidationError({"penalty_adjustment": [
            _("A penalty refund of %(refund)s is more than the %(charged)s of penalties charged on %(number)s and "
              "its corrections.") % {"refund": shown(-breakdown.penalties), "charged": shown(penalties),
                                     "number": statement.number}]})
    values = {"number": statement.number, "credit": shown(-breakdown.gross), "left": shown(gross_left),
              "net": shown(debt.total + breakdown.net), "paid": shown(debt.paid)}
    if breakdown.gross < 0 and -breakdown.gross > gross_left:
        message = _("A credit of %(credit)s is more than the %(left)s that %(number)s still bills after its "
                    "corrections.")
    elif debt.total + breakdown.net < 0:
        message = _("This correction would take the net of %(number)s and its corrections below zero (%(net)s).")
    elif debt.total + breakdown.net < debt.paid:
        message = _("This correction would take %(number)s below the %(paid)s already paid on it. Deduct the "
                    "overpayment with a correction of a statement not yet paid.")
    else:
        return
    raise ValidationError({"gross_adjustment" if breakdown.gross < 0 else "penalty_adjustment": [message % values]})
