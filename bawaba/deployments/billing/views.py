"""Pages of billing: statements, their documents, payments, corrections, issuing, the payment delays.

Each view parses its input, checks the organisation and role, calls one service or selector of
bawaba.deployments and renders. Errors come back as the page with the translated message and a 4xx
status: 400 bad input, 403 not allowed, 404 unknown, 409 refused by the current state.
The field report page also works offline: static/deployments/outbox.js keeps reports in IndexedDB and
sends them to the API (POST /fibre/api/v1/workOrder/<ref>/report, idempotent on the client UUID)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.core.money import format_money

from ..common import errors as common_errors
from ..common.api import IdempotencyKeyReused, idempotent
from ..common.money import DEFAULT_CURRENCY
from ..common.pages import (
    LINES_PER_PAGE,
    SCORECARDS_PER_PAGE,
    STATEMENTS_PER_PAGE,
    _add_service_errors,
    _fresh,
    _page,
    _render,
    _token_key,
    billing_manager_required,
    operator_required,
    statements_required,
)
from ..common.permissions import (
    can_manage_billing,
    is_contractor_staff,
)
from ..field.dashboard import _programme
from ..work import forms as work_forms
from ..work import selectors as work_selectors
from ..work.views import _contract_hints
from . import forms as billing_forms
from . import frozen as billing_frozen
from . import payments as billing_payments
from . import rows as billing_rows
from . import selectors as billing_selectors
from . import statements as billing_statements
from .models import IssuedFileKind, Payment, PaymentStatement


@require_GET
@statements_required
def statements(request):
    user = request.user
    running = []
    if is_contractor_staff(user):  # a manager (statements_required)
        for current in billing_selectors.running_statements(user.organisation):
            running.append({"rs": current, "latest": list(current.lines[:10])})
    payments = list(billing_selectors.payments_of(user)[:20])
    page = _page(request, billing_selectors.statements_of(user), STATEMENTS_PER_PAGE)
    # overdue as the debt is, in a few queries
    page.object_list = billing_selectors.statement_statuses(page.object_list)
    context = {
        "running": running, "page": page,
        "payments": payments, "today": timezone.localdate(), "poll_seconds": 30,
    }
    if request.htmx and request.GET.get("part") == "running":
        return _render(request, "deployments/_running.html", context)
    if can_manage_billing(user):
        programmes = list(work_selectors.programmes_of(user))
        context["issue_form"] = billing_forms.IssueStatementsForm(
            programmes=programmes, initial={"month": billing_forms.last_ended_month(timezone.localdate())})
        context["contract_hints"] = _contract_hints(user)
    return _render(request, "deployments/statements.html", context, nav="statements")


@require_GET
@statements_required
def running(request, pk):
    contract = (billing_selectors.statement_contracts_of(request.user).filter(pk=pk)
                .select_related("price_schedule_version__schedule").first())  # its currency, for the amounts
    if contract is None:
        raise Http404(_("No such contract."))
    current = billing_selectors.running_statement(contract)
    return _render(request, "deployments/running.html", {
        "rs": current, "page": _page(request, current.lines, LINES_PER_PAGE),
    }, nav="statements")


def _verification(found):
    billing_frozen.ensure_frozen(found)  # a statement issued before documents were stored gets them now
    return billing_frozen.verify(found)


def _statement_page(request, found, *, payment_form=None, correction_form=None, payment_error="",
                    correction_error="", status=200):
    status_now = billing_selectors.statement_status(found)
    context = {  # payments of the debt: a correction is paid with the statement it corrects
        "statement": found, "status": status_now, "payments": status_now["payments"],
        "corrections": list(found.corrections.all()), "penalty_summary": billing_rows.penalty_summary(found),
        "verification": _verification(found),
    }
    if can_manage_billing(request.user, found.contract):
        context.update({
            "can_manage": True,
            "payment_form": payment_form or billing_forms.PaymentForm(
                initial={"paid_on": timezone.localdate(), "form_token": uuid.uuid4()}, currency=found.currency),
            "correction_form": correction_form or billing_forms.CorrectionForm(initial={"form_token": uuid.uuid4()},
                                                                               currency=found.currency),
            "payment_error": payment_error, "correction_error": correction_error,
        })
    return _render(request, "deployments/statement.html", context, nav="statements", status=status)


@require_GET
@statements_required
def statement(request, pk):
    return _statement_page(request, billing_selectors.statement_for(request.user, pk))


# --------------------------------------------------------------------------- billing manager: issue, pay, correct


def _managed_statement(request, pk) -> PaymentStatement:
    """The statement (404 unknown or another organisation's; 403 when the user does not manage billing)."""
    if not can_manage_billing(request.user):
        raise PermissionDenied(_("Only an administrator of the operator can issue statements or record payments."))
    found = billing_selectors.statement_for(request.user, pk)
    if not can_manage_billing(request.user, found.contract):  # another operator's: not revealed
        raise Http404(_("No such statement."))
    return found


@require_POST
@billing_manager_required
def statement_payment(request, pk):
    """Record a payment received for the statement. A double submit of the same form records it once."""
    found = _managed_statement(request, pk)
    form = billing_forms.PaymentForm(request.POST, currency=found.currency)
    if not form.is_valid():
        return _statement_page(request, found, payment_form=form, status=400)
    data = form.cleaned_data
    try:
        payment, created = idempotent(
            request.user, "payment", _token_key(request.user, data),
            [found.pk, data["amount"], data["paid_on"], data["reference"]],
            create=lambda: billing_payments.do_record_payment(found, amount=data["amount"], paid_on=data["paid_on"],
                                                     reference=data["reference"], actor=request.user),
            load=lambda pk: Payment.objects.filter(pk=pk, statement=found).first())
    except IdempotencyKeyReused:
        fresh = _fresh(partial(billing_forms.PaymentForm, currency=found.currency), form)
        return _statement_page(request, found, payment_form=fresh, status=409,
                               payment_error=_("This form was already sent with other values. Check the payments "
                                               "below, then send the form again if a payment is missing."))
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _statement_page(request, found, payment_form=form, status=400)
    except common_errors.Conflict as exc:
        return _statement_page(request, found, payment_form=form, payment_error=exc.message, status=409)
    if created:
        messages.success(request, _("Payment of %(amount)s recorded on %(number)s.")
                         % {"amount": format_money(payment.amount, currency=found.currency), "number": found.number})
    else:
        messages.info(request, _("This payment had already been recorded; it was not recorded twice."))
    return redirect("deployments:statement", pk=found.pk)


@require_POST
@billing_manager_required
def statement_correction(request, pk):
    """Issue a correction statement referring to this one (the original never changes)."""
    found = _managed_statement(request, pk)
    form = billing_forms.CorrectionForm(request.POST, currency=found.currency)
    if not form.is_valid():
        return _statement_page(request, found, correction_form=form, status=400)
    data = form.cleaned_data
    try:
        correction, created = idempotent(
            request.user, "correction", _token_key(request.user, data),
            [found.pk, data["gross_adjustment"], data["penalty_adjustment"], data["reason"]],
            create=lambda: billing_statements.do_issue_correction(
                found, gross_adjustment=data["gross_adjustment"], penalty_adjustment=data["penalty_adjustment"],
                reason=data["reason"], actor=request.user),
            load=lambda pk: PaymentStatement.objects.filter(pk=pk, corrects=found).first())
    except IdempotencyKeyReused:
        fresh = _fresh(partial(billing_forms.CorrectionForm, currency=found.currency), form)
        return _statement_page(request, found, correction_form=fresh, status=409,
                               correction_error=_("This form was already sent with other values. Check the "
                                                  "corrections below, then send the form again if one is missing."))
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _statement_page(request, found, correction_form=form, status=400)
    except common_errors.Conflict as exc:
        return _statement_page(request, found, correction_form=form, correction_error=exc.message, status=409)
    if created:
        messages.success(request, _("Correction %(number)s issued.") % {"number": correction.number})
    else:
        messages.info(request, _("This correction had already been issued; it was not issued twice."))
    return redirect("deployments:statement", pk=correction.pk)


def _issue_page(request, form, *, target=None, error="", status=200):
    return _render(request, "deployments/issue_statements.html", {
        "form": form, "target": target, "error": error,
        "contract_hints": _contract_hints(request.user) if target is None else [],
    }, nav="statements", status=status)


@dataclass
class IssueTarget:
    programme: object
    contract: object
    period_end: object
    contracts: int  # active contracts concerned


def _issue_target(request, form) -> IssueTarget:
    """The programme (404 if not the user's) and, when named, its contract (404 if not in it)."""
    programme = work_selectors.programmes_of(request.user).filter(code=form.cleaned_data["programme"]).first()
    if programme is None:
        raise Http404(_("No such programme."))
    contract = None
    if form.cleaned_data["contract"]:
        contract = work_selectors.contracts_of(request.user).filter(
            programme=programme, reference=form.cleaned_data["contract"]).first()
        if contract is None:
            raise Http404(_("No such contract."))
        count = 1
    else:
        count = work_selectors.contracts_of(request.user).filter(programme=programme, is_active=True).count()
    return IssueTarget(programme, contract, form.period_end, count)


@require_http_methods(["GET", "POST"])
@billing_manager_required
def issue_statements(request):
    """GET: what would be issued, with a confirmation button. POST: issue the month's statements."""
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    form = billing_forms.IssueStatementsForm(data or None, programmes=list(work_selectors.programmes_of(user)),
                                     initial={"month": billing_forms.last_ended_month(timezone.localdate())})
    if not form.is_bound:
        return _issue_page(request, form)
    if not form.is_valid():
        return _issue_page(request, form, status=400)
    try:
        target = _issue_target(request, form)
    except Http404 as exc:
        form.add_error("contract" if form.cleaned_data["contract"] else "programme", str(exc))
        return _issue_page(request, form, status=404)
    if request.method == "GET":
        return _issue_page(request, form, target=target)
    try:
        if target.contract is not None:
            issued = billing_statements.do_issue_statements(target.contract, target.period_end, user)
            issued = [issued] if issued is not None else []
        else:
            year, month = form.cleaned_data["month"]
            issued = billing_statements.do_issue_monthly_statements(year, month, user, programme=target.programme)
    except common_errors.Conflict as exc:
        return _issue_page(request, form, target=target, error=exc.message, status=409)
    if not issued:
        messages.info(request, _("Nothing new was accepted up to %(date)s: no statement was issued.")
                      % {"date": date_format(target.period_end, "SHORT_DATE_FORMAT")})
        return redirect("deployments:statements")
    messages.success(request, _("%(n)s payment statement(s) issued for the period ending %(date)s.")
                     % {"n": len(issued), "date": date_format(target.period_end, "SHORT_DATE_FORMAT")})
    if len(issued) == 1:
        return redirect("deployments:statement", pk=issued[0].pk)
    return redirect("deployments:statements")


def _stored(found, kind, filename, content_type):
    """The document's bytes as stored at issue (frozen.py), never rendered again."""
    response = HttpResponse(billing_frozen.stored_file(found, kind), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@statements_required
def statement_pdf(request, pk):
    found = billing_selectors.statement_for(request.user, pk)
    return _stored(found, IssuedFileKind.PDF, f"{found.number}.pdf", "application/pdf")


@require_GET
@statements_required
def work_statement_pdf(request, pk):
    found = billing_selectors.statement_for(request.user, pk)
    if found.work_statement is None:
        raise Http404(_("This statement has no work statement."))
    return _stored(found, IssuedFileKind.WORK_PDF, f"{found.work_statement.number}.pdf", "application/pdf")


@require_GET
@statements_required
def statement_ubl(request, pk):
    found = billing_selectors.statement_for(request.user, pk)
    return _stored(found, IssuedFileKind.UBL, f"{found.number}.xml", "application/xml")


@require_GET
@statements_required
def statement_facturx(request, pk):
    found = billing_selectors.statement_for(request.user, pk)
    return _stored(found, IssuedFileKind.FACTURX, f"{found.number}-facturx.pdf", "application/pdf")


@require_GET
@operator_required
def payment_delays(request):
    form = work_forms.DashboardForm(request.GET or None)
    programme, programmes = _programme(request, form)
    by_wilaya = billing_selectors.days_to_pay(programme, by="wilaya") if programme else []
    by_contractor = billing_selectors.days_to_pay(programme, by="contractor") if programme else []
    return _render(request, "deployments/payment_delays.html", {
        "programme": programme, "programmes": programmes, "by_wilaya": by_wilaya,
        "page": _page(request, by_contractor, SCORECARDS_PER_PAGE),
        "currency": programme.currency if programme else DEFAULT_CURRENCY,
    }, nav="payments")
