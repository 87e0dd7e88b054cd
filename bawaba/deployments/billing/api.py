"""REST API routes of billing: statements, running statements, issue, documents, payments, corrections.

Authentication: the platform's bearer tokens when bawaba.api.auth provides them (see _auth_backends),
and the Django session with CSRF protection for the contractor portal's own JavaScript.
Errors: 401 not signed in, 403 not for your role, 404 unknown or another organisation's (not revealed), 409 state
conflict, 422 invalid input."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from ..common.api import ERRORS, IDEMPOTENCY_HEADER, _form_or_422, _page, _url, idempotent
from ..common.permissions import (
    can_manage_billing,
    can_view_statements,
)
from ..common.schemas import (
    CorrectionIn,
    IssueIn,
    IssueOut,
    PaymentIn,
    PaymentOut,
    RunningStatementOut,
    StatementOut,
    StatementPage,
)
from ..field.api import _programme
from ..work import selectors as work_selectors
from . import forms as billing_forms
from . import frozen as billing_frozen
from . import payments as billing_payments
from . import selectors as billing_selectors
from . import statements as billing_statements
from .incentives import incentives_of
from .models import IssuedFileKind, Payment, PaymentStatement


def _statement_out(statement: PaymentStatement, status: dict | None = None) -> dict:
    """A statement; the payment figures are those of the debt it belongs to (the regular statement with its
    corrections: billing_selectors.statement_status), so a credit note lowers what is still owed."""
    status = status or getattr(statement, "status", None) or billing_selectors.statement_status(statement)
    ws = statement.work_statement
    return {
        "number": statement.number, "kind": statement.kind, "contract": statement.contract.reference,
        "contractor": statement.contractor.name, "issuedAt": statement.issued_at,
        "periodStart": ws.period_start if ws else None, "periodEnd": ws.period_end if ws else None,
        "workStatement": ws.number if ws else None,
        "corrects": statement.corrects.number if statement.corrects_id else None,
        "grossAmount": statement.gross_amount, "retentionAmount": statement.retention_amount,
        "advanceRecoveryAmount": statement.advance_recovery_amount, "penaltyAmount": statement.penalty_amount,
        "penaltyDueAmount": statement.penalty_due_amount,
        "penaltyCarriedInAmount": statement.penalty_carried_in_amount,
        "penaltyContractCapAmount": statement.penalty_contract_cap_amount,
        "penaltyChargedToDateAmount": statement.penalty_charged_to_date_amount,
        "penaltyCarriedAmount": statement.penalty_carried_amount,
        "penaltyWaivedAmount": statement.penalty_waived_amount,
        "bonusAmount": statement.bonus_amount,
        "taxableAmount": statement.taxable_amount, "vatRate": statement.vat_rate,
        "vatAmount": statement.vat_amount, "netAmount": statement.net_amount,
        "amountInWordsFr": statement.amount_in_words_fr, "amountInWordsAr": statement.amount_in_words_ar,
        "dueOn": statement.due_on, "paidAmount": status["paid"], "outstandingAmount": status["outstanding"],
        "daysToPay": status["days_to_pay"], "lateInterest": status["late_interest"],
        "currency": statement.currency,  # ISO 4217: the contract's (XAF for a Congolese contract)
        "pdf": _url("statement_pdf", number=statement.number),
        "ubl": _url("statement_ubl", number=statement.number),
    }


# --------------------------------------------------------------------------- statements

statements = Router(tags=["statement"])


@statements.get("", response={200: StatementPage, **ERRORS}, url_name="statements")
def list_statements(request, limit: int = 50, offset: int = 0):
    _require_statements(request.auth)
    qs = billing_selectors.statements_of(request.auth).select_related("corrects")
    limit, offset = _page(limit, offset)
    return {"count": qs.count(),
            "items": [_statement_out(s) for s in billing_selectors.statement_statuses(qs[offset:offset + limit])]}


@statements.get("/running", response={200: list[RunningStatementOut], **ERRORS}, url_name="running_statements",
                summary="Accepted work not yet on an issued statement, per contract")
def running(request):
    _require_statements(request.auth)
    result = []
    for contract in billing_selectors.statement_contracts_of(request.auth):
        current = billing_selectors.running_statement(contract)
        result.append({
            "contract": contract.reference, "unbilledAmount": current.unbilled_amount,
            "unbilledCount": current.unbilled_count, "billedAmount": current.billed_amount,
            "cumulativeAmount": current.cumulative_amount,
            "lastStatement": current.last_statement.number if current.last_statement else None,
            "latestLines": [{"workOrder": line.work_order.reference, "priceItem": line.price_item.code,
                             "quantity": line.quantity, "unitPrice": line.unit_price, "amount": line.amount,
                             "acceptedAt": line.accepted_at} for line in current.lines[:50]],
        })
    return result


def _require_statements(user):
    if not can_view_statements(user):
        raise PermissionDenied(_("Statements are for the contractor's managers and the operator's billing staff."))


def _statement(request, number):
    statement = billing_selectors.statements_of(request.auth).filter(number=number).first()
    if statement is None:
        raise Http404(_("No such statement."))
    return statement


def _require_billing_manager(user, contract=None):
    if not can_manage_billing(user, contract):
        raise PermissionDenied(_("Only an administrator of the operator can issue statements or record payments."))


def _managed_statement(request, number) -> PaymentStatement:
    """403 unless a billing manager; 404 unless the statement is one of the user's operator's."""
    _require_billing_manager(request.auth)
    statement = _statement(request, number)
    _require_billing_manager(request.auth, statement.contract)
    return statement


@statements.post("/issue", response={200: IssueOut, 201: IssueOut, **ERRORS}, url_name="statement_issue",
                 summary="Issue the month's statements of a programme or a contract (billing managers)",
                 description="201 with the statements issued; 200 with none when nothing new was accepted in "
                             "the period. A contract whose period is already covered is a 409. With a programme, "
                             "each contract is issued in its own transaction.")
def issue_statements(request, payload: IssueIn):
    user = request.auth
    _require_billing_manager(user)
    if not (payload.programme or payload.contract):
        raise ValidationError({"programme": [_("Name a programme or a contract.")]})
    contract = programme = None
    if payload.contract:
        contracts = work_selectors.contracts_of(user).filter(reference=payload.contract.strip())
        if payload.programme:
            contracts = contracts.filter(programme__code=payload.programme.strip())
        contract = contracts.first()
        if contract is None:
            raise Http404(_("No such contract."))
        code = contract.programme.code
    else:
        programme = _programme(request, payload.programme.strip())
        code = programme.code
    form = billing_forms.IssueStatementsForm({"programme": code, "contract": payload.contract, "month": payload.month})
    _form_or_422(form)
    if contract is not None:
        one = billing_statements.do_issue_statements(contract, form.period_end, user)
        issued = [one] if one is not None else []
    else:
        year, month = form.cleaned_data["month"]
        issued = billing_statements.do_issue_monthly_statements(year, month, user, programme=programme)
    items = [{"number": s.number, "contract": s.contract.reference, "contractor": s.contract.contractor.name,
              "netAmount": s.net_amount, "href": _url("statement", number=s.number)} for s in issued]
    return Status(201 if issued else 200, {"periodEnd": form.period_end, "count": len(items), "items": items})


@statements.get("/{number}", response={200: StatementOut, **ERRORS}, url_name="statement")
def get_statement(request, number: str):

    statement = _statement(request, number)
    return {**_statement_out(statement), "incentives": incentives_of(statement)}


@statements.get("/{number}/pdf", response={200: bytes, **ERRORS}, url_name="statement_pdf",
                openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}})
def statement_pdf(request, number: str):
    statement = _statement(request, number)
    response = HttpResponse(billing_frozen.stored_file(statement, IssuedFileKind.PDF), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement.number}.pdf"'
    return response


@statements.get("/{number}/ubl", response={200: bytes, **ERRORS}, url_name="statement_ubl",
                openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}})
def statement_ubl(request, number: str):
    statement = _statement(request, number)
    response = HttpResponse(billing_frozen.stored_file(statement, IssuedFileKind.UBL), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{statement.number}.xml"'
    return response


def _payment_out(payment: Payment) -> dict:
    statement = payment.statement
    debt = billing_payments.debt_of(statement)
    return {"id": payment.pk, "statement": statement.number, "amount": payment.amount, "paidOn": payment.paid_on,
            "reference": payment.reference, "recordedAt": payment.recorded_at, "paidAmount": debt.paid,
            "outstandingAmount": debt.outstanding}


@statements.post("/{number}/payment", response={200: PaymentOut, 201: PaymentOut, **ERRORS},
                 url_name="statement_payment", summary="Record a payment received (billing managers)",
                 description="201 when recorded; 200 when the same `Idempotency-Key` and body were already "
                             "recorded (header `Idempotent-Replayed: true`); the same key with another body: 422. "
                             "More than what is still due: 409. A date before the issue or in the future: 422.")
def record_payment(request, number: str, payload: PaymentIn, response: HttpResponse,
                   idempotency_key: str = IDEMPOTENCY_HEADER):
    statement = _managed_statement(request, number)
    data = _form_or_422(billing_forms.PaymentForm({"amount": str(payload.amount), "paid_on": payload.paid_on,
                                           "reference": payload.reference}, currency=statement.currency))
    payment, created = idempotent(
        request.auth, "payment", idempotency_key, [statement.pk, data["amount"], data["paid_on"], data["reference"]],
        create=lambda: billing_payments.do_record_payment(statement, amount=data["amount"], paid_on=data["paid_on"],
                                                 reference=data["reference"], actor=request.auth),
        load=lambda pk: Payment.objects.select_related("statement").filter(pk=pk, statement=statement).first())
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if created else 200, _payment_out(payment))


@statements.post("/{number}/correction", response={200: StatementOut, 201: StatementOut, **ERRORS},
                 url_name="statement_correction", summary="Issue a correction statement (billing managers)",
                 description="A new payment statement (kind `correction`) referring to this one, numbered in the "
                             "same sequence; the original never changes. Idempotent with `Idempotency-Key` like "
                             "payments.")
def issue_correction(request, number: str, payload: CorrectionIn, response: HttpResponse,
                     idempotency_key: str = IDEMPOTENCY_HEADER):
    statement = _managed_statement(request, number)
    data = _form_or_422(billing_forms.CorrectionForm({"gross_adjustment": str(payload.gross_adjustment),
                                              "penalty_adjustment": str(payload.penalty_adjustment),
                                              "reason": payload.reason}, currency=statement.currency))
    correction, created = idempotent(
        request.auth, "correction", idempotency_key,
        [statement.pk, data["gross_adjustment"], data["penalty_adjustment"], data["reason"]],
        create=lambda: billing_statements.do_issue_correction(
            statement, gross_adjustment=data["gross_adjustment"], penalty_adjustment=data["penalty_adjustment"],
            reason=data["reason"], actor=request.auth),
        load=lambda pk: PaymentStatement.objects.filter(pk=pk, corrects=statement).first())
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if created else 200, _statement_out(_statement(request, correction.number)))
