"""Contractor billing: running statement, work statements, payment statements, payments, interest.

Money is Decimal throughout and rounded to the centime with ROUND_HALF_UP at these points only:
1. a billing line: amount = quantity × unit price excl. tax;
2. a payment statement: retention = gross × retention rate; advance recovery = gross × recovery rate
   (capped at the advance not yet recovered); penalty cap = gross × cap rate; VAT = (gross − penalties) × VAT
   rate; late interest = Σ balance × annual rate × days / 365.
Everything else is exact addition/subtraction, so gross − retention − advance − penalties + VAT == net always.

Numbering: one counter row per contractor, document kind and year, locked with SELECT … FOR UPDATE inside
the issuing transaction, so numbers are consecutive and a rolled-back issue gives its number back.
"""

from __future__ import annotations

import calendar
import datetime as dt
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    BillingLine,
    Contract,
    DeploymentEvent,
    DocumentCounter,
    DocumentKind,
    EventKind,
    Payment,
    PaymentStatement,
    PaymentStatementKind,
    WorkOrder,
    WorkStatement,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


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

    def balances(self) -> bool:
        return self.gross - self.retention - self.advance_recovery - self.penalties + self.vat == self.net


def compute_breakdown(gross, *, retention_rate, advance_recovery_rate=ZERO, advance_remaining=ZERO,
                      penalties=ZERO, penalty_cap_rate=None, vat_rate=Decimal("0.19")) -> Breakdown:
    gross = money(gross)
    retention = money(gross * Decimal(retention_rate))
    advance = max(ZERO, min(money(gross * Decimal(advance_recovery_rate)), money(advance_remaining)))
    penalty = money(penalties)
    if penalty_cap_rate is not None and gross >= 0:
        penalty = min(penalty, money(gross * Decimal(penalty_cap_rate)))
    if gross >= 0:
        # Each deduction rounds to the centime on its own, so on a few centimes they could add up to more
        # than the gross: what is deducted never exceeds what is left of it.
        advance = min(advance, gross - retention)
        penalty = min(penalty, gross - retention - advance)
    taxable = gross - penalty
    vat = money(taxable * Decimal(vat_rate))
    net = gross - retention - advance - penalty + vat
    return Breakdown(gross, retention, advance, penalty, taxable, vat, net)


def amount_in_words(amount: Decimal, lang: str) -> str:
    """Amount in Algerian dinars in words (num2words has no DZD currency form, so units are added here)."""
    from num2words import num2words

    amount = money(amount)
    negative = amount < 0
    amount = abs(amount)
    dinars = int(amount)
    centimes = int((amount - dinars) * 100)
    if lang == "ar":
        text = f"{num2words(dinars, lang='ar')} دينار جزائري"
        if centimes:
            text += f" و {num2words(centimes, lang='ar')} سنتيم"
        return ("ناقص " if negative else "") + text
    unit = "dinar algérien" if dinars <= 1 else "dinars algériens"
    text = f"{num2words(dinars, lang='fr')} {unit}"
    if centimes:
        text += f" et {num2words(centimes, lang='fr')} centime{'s' if centimes > 1 else ''}"
    return ("moins " if negative else "") + text


# --------------------------------------------------------------------------- numbering


def next_number(contractor, kind: str, year: int) -> tuple[int, str]:
    """Reserve the next number; must run inside the issuing transaction.

    One statement does SELECT … FOR UPDATE and the increment together: an upsert on the counter row
    (contractor, kind, year). The row stays locked until the issuing transaction ends, so concurrent issues
    for the same contractor wait, and a rolled-back issue gives its number back: no gaps. Works on
    PostgreSQL and SQLite ≥ 3.35 (ON CONFLICT … DO UPDATE … RETURNING).
    """
    from django.db import connection

    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (contractor_id, kind, year, last_number) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (contractor_id, kind, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [contractor.pk, kind, year],
        )
        number = cursor.fetchone()[0]
    return number, f"{kind}-{year}-{contractor.pk:05d}-{number:05d}"


# --------------------------------------------------------------------------- issuing


def _check_billing_rights(actor, contract):
    from .permissions import can_manage_billing

    if actor is not None and not can_manage_billing(actor, contract):
        raise PermissionDenied(_("Only an administrator of the operator can issue statements or record payments."))


def _end_of_day(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def _contract_tz(contract):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(contract.programme.operator.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _issue_work_statement(contract: Contract, period_end: dt.date, actor, now) -> WorkStatement | None:
    from .services import Conflict

    tz = _contract_tz(contract)
    previous = WorkStatement.objects.filter(contract=contract).order_by("-period_end").first()
    if previous is not None and period_end <= previous.period_end:
        raise Conflict(_("A work statement already covers the period up to %(date)s.")
                       % {"date": previous.period_end.isoformat()})
    cutoff = _end_of_day(period_end, tz)
    rows = list(
        BillingLine.objects.select_for_update()
        .filter(contract=contract, work_statement__isnull=True, accepted_at__lt=cutoff)
        .order_by("accepted_at", "pk")
        .values_list("pk", "amount", "accepted_at")
    )
    if not rows:
        return None
    period_amount = sum((amount for _pk, amount, _at in rows), ZERO)
    previous_cumulative = previous.cumulative_amount if previous else ZERO
    period_start = (previous.period_end + dt.timedelta(days=1)) if previous else min(
        contract.starts_on, timezone.localtime(rows[0][2], tz).date())
    year = timezone.localdate(now, tz).year
    sequence, number = next_number(contract.contractor, DocumentKind.WORK_STATEMENT, year)
    statement = WorkStatement.objects.create(
        contractor=contract.contractor, contract=contract, year=year, sequence=sequence,
        number=number, issued_at=now, issued_by=actor, period_start=period_start, period_end=period_end,
        cumulative_amount=previous_cumulative + period_amount, previous_cumulative_amount=previous_cumulative,
        period_amount=period_amount, line_count=len(rows), previous=previous,
    )
    ids = [pk for pk, _amount, _at in rows]
    for start in range(0, len(ids), 5000):
        BillingLine.objects.filter(pk__in=ids[start:start + 5000]).update(work_statement=statement)
    return statement


def _penalties(contract: Contract, work_statement: WorkStatement, tz) -> tuple[Decimal, list[dict]]:
    if contract.penalty_per_day <= 0:
        return ZERO, []
    start = dt.datetime.combine(work_statement.period_start, dt.time.min, tzinfo=tz)
    end = _end_of_day(work_statement.period_end, tz)
    detail = []
    total = ZERO
    late = (WorkOrder.objects.filter(contract=contract, completed_at__gte=start, completed_at__lt=end,
                                     due_on__isnull=False)
            .values_list("reference", "due_on", "completed_at"))
    for reference, due_on, completed_at in late:
        days = (timezone.localtime(completed_at, tz).date() - due_on).days
        if days > 0:
            amount = money(contract.penalty_per_day * days)
            total += amount
            detail.append({"work_order": reference, "days": days, "amount": str(amount)})
    return total, detail


def _issue_payment_statement(work_statement: WorkStatement, actor, now) -> PaymentStatement:
    contract = work_statement.contract
    tz = _contract_tz(contract)
    recovered = PaymentStatement.objects.filter(contract=contract).aggregate(s=Sum("advance_recovery_amount"))["s"]
    remaining = max(ZERO, contract.advance_amount - (recovered or ZERO))
    penalty_total, detail = _penalties(contract, work_statement, tz)
    breakdown = compute_breakdown(
        work_statement.period_amount, retention_rate=contract.retention_rate,
        advance_recovery_rate=contract.advance_recovery_rate, advance_remaining=remaining,
        penalties=penalty_total, penalty_cap_rate=contract.penalty_cap_rate, vat_rate=contract.vat_rate)
    return _create_payment_statement(contract, breakdown, actor=actor, now=now, tz=tz,
                                     work_statement=work_statement, penalty_detail=detail)


def _create_payment_statement(contract, breakdown: Breakdown, *, actor, now, tz, work_statement=None,
                              penalty_detail=(), kind=PaymentStatementKind.REGULAR, corrects=None, reason=""):
    year = timezone.localdate(now, tz).year
    sequence, number = next_number(contract.contractor, DocumentKind.PAYMENT_STATEMENT, year)
    statement = PaymentStatement.objects.create(
        contractor=contract.contractor, contract=contract, year=year, sequence=sequence, number=number,
        issued_at=now, issued_by=actor, kind=kind, work_statement=work_statement, corrects=corrects,
        correction_reason=reason, gross_amount=breakdown.gross, retention_amount=breakdown.retention,
        advance_recovery_amount=breakdown.advance_recovery, penalty_amount=breakdown.penalties,
        taxable_amount=breakdown.taxable, vat_rate=contract.vat_rate, vat_amount=breakdown.vat,
        net_amount=breakdown.net, amount_in_words_fr=amount_in_words(breakdown.net, "fr"),
        amount_in_words_ar=amount_in_words(breakdown.net, "ar"),
        due_on=timezone.localdate(now, tz) + dt.timedelta(days=contract.payment_terms_days),
        penalty_detail=list(penalty_detail),
    )
    DeploymentEvent.objects.create(kind=EventKind.STATEMENT_ISSUED, actor=actor, organisation=contract.contractor,
                                   data={"number": number, "net": str(breakdown.net),
                                         "work_statement": work_statement.number if work_statement else None},
                                   at=now)
    return statement


def _issue_locked(locked: Contract, period_end: dt.date, actor, now) -> PaymentStatement | None:
    """Issue for a contract whose row this transaction has locked."""
    from .services import Conflict

    _check_billing_rights(actor, locked)
    if period_end >= timezone.localdate(now, _contract_tz(locked)):
        raise Conflict(_("A statement cannot cover days that have not ended yet."))
    work_statement = _issue_work_statement(locked, period_end, actor, now)
    if work_statement is None:
        return None
    return _issue_payment_statement(work_statement, actor, now)


def do_issue_statements(contract: Contract, period_end: dt.date, actor=None, *, now=None) -> PaymentStatement | None:
    """Issue the work statement for the period and its payment statement, together or not at all.

    Returns None when nothing was accepted since the previous statement. actor None = scheduled job.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related(
            "contractor", "programme__operator").get(pk=contract.pk)
        return _issue_locked(locked, period_end, actor, now)


STATEMENT_BATCH = 100  # contracts per transaction in a monthly run


def _issue_batch(ids: list[int], period_end: dt.date, actor, now) -> list:
    """Issue for a batch of contracts in one transaction, each contract under its own savepoint.

    One commit per batch instead of one per contract (on PostgreSQL the commit's flush to disk is the
    largest single cost of a statement). The batch's contracts are locked up front, in primary-key order,
    so a statement issued from the web meanwhile waits for the batch instead of deadlocking with it.
    A contract already covered by a later statement is skipped; any other error undoes the whole batch,
    whose contracts are then issued by the next run (the numbers roll back with them: no gap).
    """
    from .services import Conflict

    issued = []
    with transaction.atomic():
        contracts = list(Contract.objects.select_for_update(of=("self",)).select_related(
            "contractor", "programme__operator").filter(pk__in=ids).order_by("pk"))
        for contract in contracts:
            try:
                with transaction.atomic():  # savepoint: a skipped contract leaves nothing behind
                    statement = _issue_locked(contract, period_end, actor, now)
            except Conflict:
                continue
            if statement is not None:
                issued.append(statement)
    return issued


def do_issue_monthly_statements(year: int, month: int, actor=None, *, programme=None, now=None,
                                workers: int = 1) -> list:
    """Issue statements for every active contract with accepted work up to the month's last day.

    Contracts are issued in batches (`_issue_batch`): a contract covered already by a later statement is
    skipped and the run goes on. With workers > 1 (PostgreSQL only) that many processes issue, each with its
    own connection; work is split by contractor so that two processes never wait for the same document
    counter.
    """
    from django.db import connection

    from .services import Conflict
    from .workers import issue_ids_in_process

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

    # Processes, not threads: most of the time per statement is Python, which threads would run one at a
    # time. Each process is a fresh interpreter (spawn) with its own connection, set up from the same
    # environment as this one (DATABASE_URL): so only for the command line and the benchmark, never in a
    # test's transaction.
    chunks = [[pk for pk, contractor in rows if contractor % workers == i] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(issue_ids_in_process, chunk, period_end, getattr(actor, "pk", None), now)
                   for chunk in chunks if chunk]
        ids = [pk for future in futures for pk in future.result()]
    return list(PaymentStatement.objects.filter(pk__in=ids).order_by("contract_id", "pk"))


def _issue_ids(ids: list[int], period_end: dt.date, actor, now) -> list:
    issued = []
    for start in range(0, len(ids), STATEMENT_BATCH):
        issued.extend(_issue_batch(ids[start:start + STATEMENT_BATCH], period_end, actor, now))
    return issued


@transaction.atomic
def do_issue_correction(statement: PaymentStatement, *, gross_adjustment, penalty_adjustment=ZERO, reason: str,
                        actor) -> PaymentStatement:
    """A correction is a new payment statement referring to the original; the original never changes.

    Adjustments may be negative. Retention and VAT follow the contract's rates; no advance recovery.
    """
    contract = Contract.objects.select_for_update(of=("self",)).select_related(
        "contractor", "programme__operator").get(pk=statement.contract_id)
    _check_billing_rights(actor, contract)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Explain the correction; it is printed on the document.")]
    try:
        gross = money(gross_adjustment)
        penalty = money(penalty_adjustment or ZERO)
    except (ArithmeticError, ValueError, TypeError):
        errors["gross_adjustment"] = [_("Amounts must be numbers.")]
        gross = penalty = ZERO
    if not errors and gross == 0 and penalty == 0:
        errors["gross_adjustment"] = [_("A correction must change an amount.")]
    if errors:
        raise ValidationError(errors)
    breakdown = compute_breakdown(gross, retention_rate=contract.retention_rate, penalties=penalty,
                                  vat_rate=contract.vat_rate)
    return _create_payment_statement(contract, breakdown, actor=actor, now=timezone.now(), tz=_contract_tz(contract),
                                      kind=PaymentStatementKind.CORRECTION, corrects=statement, reason=reason[:2000])


# --------------------------------------------------------------------------- payments and interest


def paid_amount(statement: PaymentStatement) -> Decimal:
    return statement.payments.aggregate(s=Sum("amount"))["s"] or ZERO


@transaction.atomic
def do_record_payment(statement: PaymentStatement, *, amount, paid_on: dt.date, reference: str = "",
                      actor) -> Payment:
    from .documents import fmt_money
    from .services import Conflict

    contract = Contract.objects.select_for_update(of=("self",)).select_related("programme").get(
        pk=statement.contract_id)
    _check_billing_rights(actor, contract)
    errors = {}
    try:
        amount = money(amount)
    except (ArithmeticError, ValueError, TypeError):
        errors["amount"] = [_("The amount must be a number.")]
        amount = ZERO
    if not errors and amount <= 0:
        errors["amount"] = [_("The amount must be above zero.")]
    tz = _contract_tz(contract)
    issued_on = timezone.localdate(statement.issued_at, tz)
    if not isinstance(paid_on, dt.date):
        errors["paid_on"] = [_("Give the date of the payment.")]
    elif paid_on < issued_on:
        errors["paid_on"] = [_("A payment cannot be dated before the statement was issued.")]
    elif paid_on > timezone.localdate(timezone.now(), tz):
        errors["paid_on"] = [_("A payment cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    outstanding = statement.net_amount - paid_amount(statement)
    if amount > outstanding:
        raise Conflict(_("%(amount)s DZD is more than the %(outstanding)s DZD still due on %(number)s.")
                       % {"amount": fmt_money(amount), "outstanding": fmt_money(outstanding),
                          "number": statement.number})
    payment = Payment.objects.create(statement=statement, amount=amount, paid_on=paid_on,
                                     reference=(reference or "")[:60], recorded_by=actor)
    DeploymentEvent.objects.create(kind=EventKind.PAYMENT_RECORDED, actor=actor, organisation=statement.contractor,
                                   data={"number": statement.number, "amount": str(amount),
                                         "paid_on": paid_on.isoformat()}, at=timezone.now())
    return payment


def late_interest(statement: PaymentStatement, on: dt.date | None = None, payments=None) -> Decimal:
    """Simple interest on the unpaid balance for each day after the due date, up to `on` (default today)."""
    on = on or timezone.localdate()
    if statement.net_amount <= 0 or on <= statement.due_on:
        return ZERO
    rate = late_interest_rate()
    payments = sorted(payments if payments is not None else statement.payments.all(),
                      key=lambda p: (p.paid_on, p.pk or 0))
    balance = statement.net_amount
    cursor = statement.due_on
    interest = Decimal("0")
    for payment in payments:
        if payment.paid_on > cursor:
            end = min(payment.paid_on, on)
            interest += balance * rate * (end - cursor).days / 365
            cursor = end
        balance -= payment.amount
        if balance <= 0 or cursor >= on:
            break
    if balance > 0 and on > cursor:
        interest += balance * rate * (on - cursor).days / 365
    return money(interest)


def days_to_pay(statement: PaymentStatement, payments=None) -> int | None:
    """Days from issue to the payment that settled the statement; None while it is not fully paid."""
    payments = sorted(payments if payments is not None else statement.payments.all(),
                      key=lambda p: (p.paid_on, p.pk or 0))
    total = ZERO
    for payment in payments:
        total += payment.amount
        if total >= statement.net_amount:
            return (payment.paid_on - timezone.localdate(statement.issued_at)).days
    return None
