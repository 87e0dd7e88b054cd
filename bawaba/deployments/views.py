"""Pages of the fibre app: contractor portal, inspector queue, operator dashboard.

Each view parses its input, checks the organisation and role, calls one service or selector of
bawaba.deployments and renders. Errors come back as the page with the translated message and a 4xx
status: 400 bad input, 403 not allowed, 404 unknown, 409 refused by the current state.
The field report page also works offline: static/deployments/outbox.js keeps reports in IndexedDB and
sends them to the API (POST /fibre/api/v1/workOrder/<ref>/report, idempotent on the client UUID).
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.core.money import format_money

from . import billing, documents, forms, frozen, importing, selectors, services
from .api import IdempotencyKeyReused, idempotent
from .models import (
    REPORTABLE_STATES,
    Decision,
    IssuedFileKind,
    Payment,
    PaymentStatement,
    Photo,
    ReportedItem,
    RuleSet,
    WorkOrderState,
)
from .permissions import (
    can_manage_billing,
    can_view_statements,
    is_contractor_staff,
    is_inspector,
    is_operator_staff,
)
from .rules import DEFAULT_PARAMS, haversine_m

ORDERS_PER_PAGE = 25
INSPECTIONS_PER_PAGE = 10
LINES_PER_PAGE = 50
STATEMENTS_PER_PAGE = 20
IMPORT_ERRORS_SHOWN = 200
CONTRACT_HINTS = 200
SCORECARDS_PER_PAGE = 25
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


# --------------------------------------------------------------------------- access


def _signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _role(test, message):
    """Signed in and `test(user)` true; otherwise 403 with `message` (translated at request time)."""

    def decorator(view):
        @wraps(view)
        @_signed_in
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied(_(message))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# The messages are marked for translation here and translated by _role at request time.
def _noop(text):
    return text


contractor_required = _role(is_contractor_staff, _noop("This page is for contractor staff."))
inspector_required = _role(is_inspector, _noop("This page is for the operator's inspectors."))
operator_required = _role(is_operator_staff, _noop("This page is for the operator's staff."))
contractor_or_operator_required = _role(lambda u: is_contractor_staff(u) or is_operator_staff(u),
                                        _noop("This page is for contractors and the operator's staff."))
billing_manager_required = _role(can_manage_billing,
                                 _noop("Only an administrator of the operator can issue statements or record "
                                       "payments."))
statements_required = _role(can_view_statements,
                            _noop("Statements are for the contractor's managers and the operator's billing staff."))
importer_required = _role(is_inspector, _noop("Only a supervisor of the operator can import work orders."))


def _render(request, template, context=None, *, nav="", status=200):
    user = request.user
    base = {
        "nav": nav,
        "is_contractor": is_contractor_staff(user),
        "is_inspector": is_inspector(user),
        "is_operator": is_operator_staff(user),
        "rtl": get_language_bidi(),
    }
    if base["is_contractor"]:
        base["js_strings"] = _js_strings(getattr(settings, "FIBRE_PHOTO_MAX_BYTES", settings.ATTACHMENT_MAX_BYTES))
    base.update(context or {})
    return render(request, template, base, status=status)


def _page(request, queryset_or_list, per_page):
    return Paginator(queryset_or_list, per_page).get_page(request.GET.get("page"))


def _error_page(request, title, message, status, *, back=None):
    return _render(request, "deployments/error.html", {"title": title, "message": message, "back": back},
                   status=status)


@require_GET
@_signed_in
def home(request):
    user = request.user
    if is_contractor_staff(user):
        return redirect("deployments:orders")
    if is_inspector(user) and not user.is_platform_admin:
        return redirect("deployments:inspections")
    if is_operator_staff(user):
        return redirect("deployments:dashboard")
    raise PermissionDenied(_("The fibre deployment pages are for contractors and the operator's staff."))


# --------------------------------------------------------------------------- contractor: work orders


def _contract_regions(user):
    from bawaba.geo.models import Region

    return list(Region.objects.filter(fibre_contracts__in=selectors.contracts_of(user)).distinct()
                .order_by("code"))


@require_GET
@contractor_required
def orders(request):
    user = request.user
    form = forms.OrderFilterForm(request.GET or None, regions=_contract_regions(user))
    status = 200
    filters = {}
    if form.is_bound:
        if form.is_valid():
            filters = form.cleaned_data
        else:
            status = 400
    qs = selectors.contractor_orders(user, state=filters.get("state") or None, search=filters.get("q") or "")
    if filters.get("wilaya"):
        qs = qs.filter(site__region__code=filters["wilaya"])
    if status == 400:
        qs = qs.none()
    counts = dict(selectors.visible_work_orders(user).order_by().values_list("state").annotate(n=Count("id")))
    state_tabs = [(value, label, counts.get(value, 0)) for value, label in WorkOrderState.choices
                  if counts.get(value)]
    query = {k: v for k, v in filters.items() if v}
    return _render(request, "deployments/orders.html", {
        "form": form, "page": _page(request, qs, ORDERS_PER_PAGE), "state_tabs": state_tabs,
        "total": sum(counts.values()), "current_state": filters.get("state") or "",
        "query": urlencode(query), "today": timezone.localdate(),
    }, nav="orders", status=status)


@dataclass
class ItemRow:
    item: object
    remaining: Decimal
    reported: list


def _item_rows(work_order):
    """The work order's items in the order of its steps (survey first), with what is left to do."""
    steps = {step: index for index, step in enumerate(work_order.steps)}
    items = sorted(selectors.work_items_of(work_order),
                   key=lambda item: (steps.get(item.price_item.step, len(steps)), item.price_item.code))
    return [ItemRow(item, services.remaining_quantity(item), list(item.reported.all())) for item in items]


@require_GET
@contractor_or_operator_required
def order(request, pk):
    work_order = selectors.work_order_for(request.user, pk)
    reports = list(selectors.reports_of(request.user, work_order=work_order)[:20])
    return _render(request, "deployments/order.html", {
        "wo": work_order, "rows": _item_rows(work_order), "reports": reports,
        "can_report": is_contractor_staff(request.user) and work_order.state in REPORTABLE_STATES,
    }, nav="orders")


def _report_context(request, work_order, form, *, raw_quantities=None, item_errors=(), photo_errors=(),
                    error=""):
    rows = _item_rows(work_order)
    raw_quantities = raw_quantities or {}
    price_items = [row.item.price_item for row in rows]
    needs = {
        "ont_serial": any(p.requires_ont_serial for p in price_items),
        "rx_power": any(p.checks_rx_power for p in price_items),
        "link_loss": any(p.checks_link_loss for p in price_items),
        "splices": any(p.checks_splice_loss for p in price_items),
    }
    max_bytes = getattr(settings, "FIBRE_PHOTO_MAX_BYTES", settings.ATTACHMENT_MAX_BYTES)
    return {
        "wo": work_order, "form": form,
        "rows": [(row, raw_quantities.get(row.item.id, "")) for row in rows],
        "reportable": work_order.state in REPORTABLE_STATES,
        "needs": needs, "item_errors": list(item_errors), "photo_errors": list(photo_errors), "error": error,
        "photo_accept": PHOTO_ACCEPT, "photo_max_bytes": max_bytes, "max_photos": services.MAX_PHOTOS,
        "api_url": reverse("deployments:fibre-api:work_order_report", kwargs={"reference": work_order.reference}),
    }


def _js_strings(max_bytes):
    megabytes = f"{max_bytes / 1024 / 1024:.0f}"
    return {
        "queued": _("Waiting to be sent"),
        "sending": _("Sending…"),
        "failed": _("Not accepted"),
        "sent": _("Sent"),
        "queuedCount": _("Queued: %(n)s"),
        "empty": _("No report is waiting to be sent."),
        "savedOffline": _("Report saved on this phone. It will be sent as soon as the network allows."),
        "savedOnline": _("Report saved on this phone; sending it now."),
        "network": _("No network: the report will be sent automatically."),
        "server": _("The server did not answer properly (%(status)s); retrying later."),
        "signIn": _("Your session has expired: sign in again to send the queued reports."),
        "attempts": _("Attempts: %(n)s"),
        "lastError": _("Last problem: %(error)s"),
        "remove": _("Remove from this phone"),
        "confirmRemove": _("Remove this report and its photos from the phone? It was not accepted and will not "
                           "be sent; this cannot be undone. To correct it instead, use “Edit”."),
        "sendAgain": _("Send again"),
        "edit": _("Edit"),
        "retrying": _("Not stored yet: %(error)s It will be sent again automatically in a moment."),
        "editing": _("You are correcting a report that was not accepted. Reason given: %(error)s Fix it, then "
                     "press “Save and send”: the corrected report replaces the refused one on this phone."),
        "editGone": _("This refused report is no longer on this phone (sent again or removed meanwhile); "
                      "nothing was replaced. Check the list of reports before sending."),
        "sendNow": _("Send now"),
        "items": _("%(n)s item(s)"),
        "photos": _("%(n)s photo(s)"),
        "result": _("%(accepted)s accepted, %(rejected)s rejected, %(doubtful)s sent to an inspector"),
        "otherUser": _("Waiting for %(user)s to sign in on this phone"),
        "gpsWaiting": _("Looking for the GPS position…"),
        "gpsDone": _("Position recorded: ±%(accuracy)s m at %(time)s"),
        "gpsDenied": _("The phone refused the position: allow location for this site, or type it."),
        "gpsUnavailable": _("No GPS position could be found. Move outside and try again."),
        "gpsUnsupported": _("This browser cannot give a GPS position: type it."),
        "noItems": _("Type the done quantity of at least one item."),
        "tooMuch": _("%(code)s: %(qty)s is more than the %(left)s left to do."),
        "badQuantity": _("%(code)s: the quantity must be a number above zero."),
        "photoType": _("“%(name)s” is not a JPEG, PNG or WebP photo."),
        "photoSize": _("“%(name)s” is larger than %(mb)s MB.") % {"mb": megabytes, "name": "%(name)s"},
        "tooManyPhotos": _("At most %(n)s photos per report."),
        "photosNeeded": _("The reported items need %(n)s photo(s); %(given)s added."),
        "badNumber": _("%(label)s must be a number."),
        "leftNow": _("%(n)s left to do"),
        "removePhoto": _("Remove photo"),
        "noStorage": _("This browser cannot keep reports offline; sending directly."),
        "offlineNow": _("You are offline. Reports are kept on this phone."),
        "onlineNow": _("Online."),
    }


@require_http_methods(["GET", "POST"])
@contractor_required
def field_report(request, pk):
    """The field report form. With JavaScript it is queued offline and sent to the API; without, posted here."""
    user = request.user
    work_order = selectors.work_order_for(user, pk)
    if request.method == "GET":
        form = forms.FieldReportForm(initial={"client_uuid": uuid.uuid4(),
                                              "device_started_at": timezone.now().isoformat(timespec="seconds")})
        return _render(request, "deployments/report.html", _report_context(request, work_order, form), nav="orders")

    form = forms.FieldReportForm(request.POST)
    work_items = [row.item for row in _item_rows(work_order)]
    items, raw = forms.quantities_from(request.POST, work_items)
    if not form.is_valid():
        return _render(request, "deployments/report.html",
                       _report_context(request, work_order, form, raw_quantities=raw), nav="orders", status=400)
    data = form.cleaned_data
    if not data["device_reported_at"]:
        data["device_reported_at"] = timezone.now().isoformat(timespec="seconds")
    try:
        result = services.do_submit_field_report(
            user, work_order, client_uuid=data["client_uuid"], items=items,
            photos=request.FILES.getlist("photos"),
            **{key: data[key] for key in forms.FieldReportForm.FIELD_KEYS if key != "client_uuid"})
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for key, texts in errors.items():
            if key in forms.FieldReportForm.FIELD_KEYS:
                form.add_error(key, texts)
        other = [text for key, texts in errors.items()
                 if key not in forms.FieldReportForm.FIELD_KEYS and key not in ("items", "photos") for text in texts]
        return _render(request, "deployments/report.html", _report_context(
            request, work_order, form, raw_quantities=raw, item_errors=errors.get("items", []) + other,
            photo_errors=errors.get("photos", [])), nav="orders", status=400)
    except services.Conflict as exc:
        return _render(request, "deployments/report.html", _report_context(
            request, work_order, form, raw_quantities=raw, error=exc.message), nav="orders", status=409)
    if result.created:
        messages.success(request, _report_summary(result.report))
    else:
        messages.info(request, _("This report had already been received; it was not stored twice."))
    return redirect("deployments:order", pk=work_order.pk)


def _report_summary(report) -> str:
    decisions = [item.decision for item in report.items.all()]
    return _("Report received: %(accepted)s accepted, %(rejected)s rejected, %(doubtful)s sent to an inspector.") % {
        "accepted": decisions.count(Decision.ACCEPTED), "rejected": decisions.count(Decision.REJECTED),
        "doubtful": decisions.count(Decision.DOUBTFUL)}


@require_GET
@contractor_required
def rejections(request):
    return _render(request, "deployments/rejections.html", {
        "page": _page(request, selectors.rejected_items(request.user), ORDERS_PER_PAGE),
    }, nav="rejections")


@require_GET
@_signed_in
def photo(request, pk):
    """A report photo, to the contractor who sent it and to the operator's staff."""
    found = Photo.objects.filter(pk=pk).only("id", "report_id", "image", "content_type", "extension").first()
    if found is None or not selectors.photo_visible(request.user, found):
        raise Http404(_("No such photo."))
    try:
        handle = found.image.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("No such photo.")) from exc
    response = FileResponse(handle, content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="photo-{found.pk}.{found.extension}"'
    return response


# --------------------------------------------------------------------------- statements


def _contract_hints(user) -> list[str]:
    """References offered while typing a contract (a datalist: the page stays light with many contracts)."""
    return list(selectors.contracts_of(user).filter(is_active=True).order_by("reference")
                .values_list("reference", flat=True)[:CONTRACT_HINTS])


@require_GET
@statements_required
def statements(request):
    user = request.user
    running = []
    if is_contractor_staff(user):  # a manager (statements_required)
        for current in selectors.running_statements(user.organisation):
            running.append({"rs": current, "latest": list(current.lines[:10])})
    payments = list(selectors.payments_of(user)[:20])
    page = _page(request, selectors.statements_of(user), STATEMENTS_PER_PAGE)
    page.object_list = selectors.statement_statuses(page.object_list)  # overdue as the debt is, in a few queries
    context = {
        "running": running, "page": page,
        "payments": payments, "today": timezone.localdate(), "poll_seconds": 30,
    }
    if request.htmx and request.GET.get("part") == "running":
        return _render(request, "deployments/_running.html", context)
    if can_manage_billing(user):
        programmes = list(selectors.programmes_of(user))
        context["issue_form"] = forms.IssueStatementsForm(
            programmes=programmes, initial={"month": forms.last_ended_month(timezone.localdate())})
        context["contract_hints"] = _contract_hints(user)
    return _render(request, "deployments/statements.html", context, nav="statements")


@require_GET
@statements_required
def running(request, pk):
    contract = selectors.statement_contracts_of(request.user).filter(pk=pk).first()
    if contract is None:
        raise Http404(_("No such contract."))
    current = selectors.running_statement(contract)
    return _render(request, "deployments/running.html", {
        "rs": current, "page": _page(request, current.lines, LINES_PER_PAGE),
    }, nav="statements")


def _verification(found):
    frozen.ensure_frozen(found)  # a statement issued before documents were stored gets them now
    return frozen.verify(found)


def _statement_page(request, found, *, payment_form=None, correction_form=None, payment_error="",
                    correction_error="", status=200):
    status_now = selectors.statement_status(found)
    context = {  # payments of the debt: a correction is paid with the statement it corrects
        "statement": found, "status": status_now, "payments": status_now["payments"],
        "corrections": list(found.corrections.all()), "penalty_summary": documents.penalty_summary(found),
        "verification": _verification(found),
    }
    if can_manage_billing(request.user, found.contract):
        context.update({
            "can_manage": True,
            "payment_form": payment_form or forms.PaymentForm(initial={"paid_on": timezone.localdate(),
                                                                       "form_token": uuid.uuid4()}),
            "correction_form": correction_form or forms.CorrectionForm(initial={"form_token": uuid.uuid4()}),
            "payment_error": payment_error, "correction_error": correction_error,
        })
    return _render(request, "deployments/statement.html", context, nav="statements", status=status)


@require_GET
@statements_required
def statement(request, pk):
    return _statement_page(request, selectors.statement_for(request.user, pk))


# --------------------------------------------------------------------------- billing manager: issue, pay, correct


def _managed_statement(request, pk) -> PaymentStatement:
    """The statement (404 unknown or another organisation's; 403 when the user does not manage billing)."""
    if not can_manage_billing(request.user):
        raise PermissionDenied(_("Only an administrator of the operator can issue statements or record payments."))
    found = selectors.statement_for(request.user, pk)
    if not can_manage_billing(request.user, found.contract):  # another operator's: not revealed
        raise Http404(_("No such statement."))
    return found


def _add_service_errors(form, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)


def _fresh(form_class, form):
    """The same values with a new form token, so that sending it again is a new submission."""
    return form_class({**form.data.dict(), "form_token": str(uuid.uuid4())})


def _token_key(user, data) -> str | None:
    token = data.get("form_token")
    return f"form:{user.pk}:{token}" if token else None


@require_POST
@billing_manager_required
def statement_payment(request, pk):
    """Record a payment received for the statement. A double submit of the same form records it once."""
    found = _managed_statement(request, pk)
    form = forms.PaymentForm(request.POST)
    if not form.is_valid():
        return _statement_page(request, found, payment_form=form, status=400)
    data = form.cleaned_data
    try:
        payment, created = idempotent(
            request.user, "payment", _token_key(request.user, data),
            [found.pk, data["amount"], data["paid_on"], data["reference"]],
            create=lambda: billing.do_record_payment(found, amount=data["amount"], paid_on=data["paid_on"],
                                                     reference=data["reference"], actor=request.user),
            load=lambda pk: Payment.objects.filter(pk=pk, statement=found).first())
    except IdempotencyKeyReused:
        return _statement_page(request, found, payment_form=_fresh(forms.PaymentForm, form), status=409,
                               payment_error=_("This form was already sent with other values. Check the payments "
                                               "below, then send the form again if a payment is missing."))
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _statement_page(request, found, payment_form=form, status=400)
    except services.Conflict as exc:
        return _statement_page(request, found, payment_form=form, payment_error=exc.message, status=409)
    if created:
        messages.success(request, _("Payment of %(amount)s recorded on %(number)s.")
                         % {"amount": format_money(payment.amount), "number": found.number})
    else:
        messages.info(request, _("This payment had already been recorded; it was not recorded twice."))
    return redirect("deployments:statement", pk=found.pk)


@require_POST
@billing_manager_required
def statement_correction(request, pk):
    """Issue a correction statement referring to this one (the original never changes)."""
    found = _managed_statement(request, pk)
    form = forms.CorrectionForm(request.POST)
    if not form.is_valid():
        return _statement_page(request, found, correction_form=form, status=400)
    data = form.cleaned_data
    try:
        correction, created = idempotent(
            request.user, "correction", _token_key(request.user, data),
            [found.pk, data["gross_adjustment"], data["penalty_adjustment"], data["reason"]],
            create=lambda: billing.do_issue_correction(
                found, gross_adjustment=data["gross_adjustment"], penalty_adjustment=data["penalty_adjustment"],
                reason=data["reason"], actor=request.user),
            load=lambda pk: PaymentStatement.objects.filter(pk=pk, corrects=found).first())
    except IdempotencyKeyReused:
        return _statement_page(request, found, correction_form=_fresh(forms.CorrectionForm, form), status=409,
                               correction_error=_("This form was already sent with other values. Check the "
                                                  "corrections below, then send the form again if one is missing."))
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _statement_page(request, found, correction_form=form, status=400)
    except services.Conflict as exc:
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
    programme = selectors.programmes_of(request.user).filter(code=form.cleaned_data["programme"]).first()
    if programme is None:
        raise Http404(_("No such programme."))
    contract = None
    if form.cleaned_data["contract"]:
        contract = selectors.contracts_of(request.user).filter(
            programme=programme, reference=form.cleaned_data["contract"]).first()
        if contract is None:
            raise Http404(_("No such contract."))
        count = 1
    else:
        count = selectors.contracts_of(request.user).filter(programme=programme, is_active=True).count()
    return IssueTarget(programme, contract, form.period_end, count)


@require_http_methods(["GET", "POST"])
@billing_manager_required
def issue_statements(request):
    """GET: what would be issued, with a confirmation button. POST: issue the month's statements."""
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    form = forms.IssueStatementsForm(data or None, programmes=list(selectors.programmes_of(user)),
                                     initial={"month": forms.last_ended_month(timezone.localdate())})
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
            issued = billing.do_issue_statements(target.contract, target.period_end, user)
            issued = [issued] if issued is not None else []
        else:
            year, month = form.cleaned_data["month"]
            issued = billing.do_issue_monthly_statements(year, month, user, programme=target.programme)
    except services.Conflict as exc:
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


# --------------------------------------------------------------------------- operator: import work orders


def _import_page(request, form, *, errors=(), error_count=0, status=200):
    return _render(request, "deployments/import.html", {
        "form": form, "row_errors": list(errors)[:IMPORT_ERRORS_SHOWN], "error_count": error_count,
        "more_errors": max(0, error_count - IMPORT_ERRORS_SHOWN), "contract_hints": _contract_hints(request.user),
        "max_mb": importing.MAX_BYTES // 1024 // 1024, "max_rows": importing.MAX_ROWS,
    }, nav="import", status=status)


@require_http_methods(["GET", "POST"])
@importer_required
def import_orders(request):
    """Upload sites and work orders for a contract: all rows stored, or none and the list of row errors."""
    if request.method == "GET":
        return _import_page(request, forms.ImportForm(initial={"contract": request.GET.get("contract", "")[:60]}))
    form = forms.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    contract = selectors.contracts_of(request.user).filter(reference=form.cleaned_data["contract"]).first()
    if contract is None:
        form.add_error("contract", _("No such contract."))
        return _import_page(request, form, status=404)
    upload = form.cleaned_data["file"]
    try:
        result = importing.import_work_orders(upload, contract=contract, actor=request.user, filename=upload.name)
    except ValidationError as exc:
        form.add_error("file", exc.messages)
        return _import_page(request, form, status=400)
    if result.errors:
        return _import_page(request, form, errors=result.errors, error_count=len(result.errors), status=400)
    messages.success(request, _import_summary(result, contract))
    return redirect(f"{reverse('deployments:import')}?{urlencode({'contract': contract.reference})}")


def _import_summary(result, contract) -> str:
    return _("Imported into %(contract)s: %(rows)s rows, %(orders)s work orders, %(items)s work items, "
             "%(sites)s new sites (%(reused)s existing sites reused).") % {
        "contract": contract.reference, "rows": result.rows, "orders": result.created_work_orders,
        "items": result.created_items, "sites": result.created_sites, "reused": result.reused_sites}


def _stored(found, kind, filename, content_type):
    """The document's bytes as stored at issue (frozen.py), never rendered again."""
    response = HttpResponse(frozen.stored_file(found, kind), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@statements_required
def statement_pdf(request, pk):
    found = selectors.statement_for(request.user, pk)
    return _stored(found, IssuedFileKind.PDF, f"{found.number}.pdf", "application/pdf")


@require_GET
@statements_required
def work_statement_pdf(request, pk):
    found = selectors.statement_for(request.user, pk)
    if found.work_statement is None:
        raise Http404(_("This statement has no work statement."))
    return _stored(found, IssuedFileKind.WORK_PDF, f"{found.work_statement.number}.pdf", "application/pdf")


@require_GET
@statements_required
def statement_ubl(request, pk):
    found = selectors.statement_for(request.user, pk)
    return _stored(found, IssuedFileKind.UBL, f"{found.number}.xml", "application/xml")


@require_GET
@statements_required
def statement_facturx(request, pk):
    found = selectors.statement_for(request.user, pk)
    return _stored(found, IssuedFileKind.FACTURX, f"{found.number}-facturx.pdf", "application/pdf")


# --------------------------------------------------------------------------- inspector


@dataclass
class PlotPoint:
    x: float
    y: float
    r: float
    label: str
    kind: str
    off_scale: bool = False


def _metres(lat0, lon0, lat, lon) -> tuple[float, float]:
    """East and north offsets in metres (equirectangular; fine at the scale of a building)."""
    east = (lon - lon0) * 111_320 * math.cos(math.radians(lat0))
    north = (lat - lat0) * 110_540
    return east, north


PLOT = 220  # px, square
PLOT_RADIUS = 96


def position_plot(site, report, photos, params) -> dict:
    """Geometry of the small SVG drawn on each inspection card: planned site in the middle, tolerance
    rings, reported position with its accuracy, photo EXIF positions. North is up, east is right
    (a map, not text: it is not mirrored in Arabic)."""
    lat0, lon0 = float(site.latitude), float(site.longitude)
    tolerance = params["position_tolerance_m"]
    outer = tolerance * params["position_doubt_factor"]
    raw = []
    if report.latitude is not None and report.longitude is not None:
        lat, lon = float(report.latitude), float(report.longitude)
        raw.append((_metres(lat0, lon0, lat, lon), float(report.gps_accuracy_m or 0), _("Reported position"),
                    "reported", haversine_m(lat0, lon0, lat, lon)))
    for index, item in enumerate(photos, start=1):
        if item.exif_latitude is not None and item.exif_longitude is not None:
            lat, lon = float(item.exif_latitude), float(item.exif_longitude)
            raw.append((_metres(lat0, lon0, lat, lon), 0.0, _("Photo %(n)s") % {"n": index}, "photo",
                        haversine_m(lat0, lon0, lat, lon)))
    # Scale: the doubt ring, or the farthest point up to ten times it (beyond, points sit on the edge).
    farthest = max((distance for *_rest, distance in raw), default=0.0)
    extent = max(outer * 1.15, min(farthest * 1.1, outer * 10)) or 1.0
    scale = PLOT_RADIUS / extent
    centre = PLOT / 2
    points = []
    for (east, north), accuracy, label, kind, distance in raw:
        off = distance * scale > PLOT_RADIUS
        factor = (PLOT_RADIUS / (distance * scale)) if off and distance else 1.0
        points.append(PlotPoint(round(centre + east * scale * factor, 1), round(centre - north * scale * factor, 1),
                                round(min(accuracy * scale, PLOT_RADIUS), 1), label, kind, off))
    bar_metres = _nice_length(extent / 2)
    return {
        "size": PLOT, "c": centre, "tolerance_r": round(tolerance * scale, 1), "outer_r": round(outer * scale, 1),
        "tolerance": round(tolerance), "outer": round(outer), "points": points,
        "bar_px": round(bar_metres * scale, 1), "bar_m": bar_metres,
    }


def _nice_length(metres: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if step >= metres * 0.6:
            return step
    return 100000


@dataclass
class InspectionCard:
    item: ReportedItem
    distance: float | None
    photos: list
    plot: dict
    accept_form: forms.AcceptForm
    reject_form: forms.RejectForm
    error: str = ""

    @property
    def similar(self) -> list:
        """(photo of this report, earlier photo it looks like) pairs, shown side by side."""
        return [(photo, photo.similar_to) for photo in self.photos if photo.similar_to_id]


def _inspections_page(request, *, bound=None, error_item=None, error="", status=200):
    page = _page(request, selectors.pending_inspections(request.user), INSPECTIONS_PER_PAGE)
    rule_sets = RuleSet.objects.in_bulk({item.rule_set_id for item in page if item.rule_set_id})
    cards = []
    for item in page:
        report = item.report
        site = report.work_order.site
        rule_set = rule_sets.get(item.rule_set_id)
        params = rule_set.effective_params() if rule_set else dict(DEFAULT_PARAMS)
        photos = list(report.photos.all())
        distance = None
        if report.latitude is not None and report.longitude is not None:
            distance = round(haversine_m(float(report.latitude), float(report.longitude), float(site.latitude),
                                         float(site.longitude)))
        accept_form, reject_form = forms.AcceptForm(prefix=f"a{item.pk}"), forms.RejectForm(prefix=f"r{item.pk}")
        card_error = ""
        if error_item == item.pk:
            card_error = error
            if isinstance(bound, forms.AcceptForm):
                accept_form = bound
            elif isinstance(bound, forms.RejectForm):
                reject_form = bound
        cards.append(InspectionCard(item, distance, photos, position_plot(site, report, photos, params),
                                    accept_form, reject_form, card_error))
    return _render(request, "deployments/inspections.html", {
        "page": page, "cards": cards, "page_error": error if error_item is None else "",
    }, nav="inspections", status=status)


@require_GET
@inspector_required
def inspections(request):
    return _inspections_page(request)


def _reported_item(request, pk) -> ReportedItem:
    """The item (404 when unknown or another operator's: its existence is not revealed)."""
    items = ReportedItem.objects.filter(pk=pk)
    if not request.user.is_platform_admin:
        items = items.filter(report__work_order__contract__programme__operator_id=request.user.organisation_id)
    item = items.first()
    if item is None:
        raise Http404(_("No such item."))
    return item


def _back_to_queue(request):
    page = request.POST.get("page") or request.GET.get("page")
    url = reverse("deployments:inspections")
    return redirect(f"{url}?{urlencode({'page': page})}" if page and page.isdigit() else url)


def _decide(request, pk, form_class, prefix, act, success):
    item = _reported_item(request, pk)
    form = form_class(request.POST, prefix=f"{prefix}{pk}")
    if not form.is_valid():
        return _inspections_page(request, bound=form, error_item=item.pk,
                                 error=_("Check the form below."), status=400)
    try:
        act(item, form.cleaned_data)
    except ValidationError as exc:
        for field, texts in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
            form.add_error(field if field in form.fields else None, texts)
        return _inspections_page(request, bound=form, error_item=item.pk, error=_("Check the form below."),
                                 status=400)
    except services.Conflict as exc:
        return _inspections_page(request, error=exc.message, status=409)
    messages.success(request, success % {"item": item.work_item.price_item.code,
                                         "wo": item.work_item.work_order.reference})
    return _back_to_queue(request)


@require_POST
@inspector_required
def inspection_accept(request, pk):
    return _decide(request, pk, forms.AcceptForm, "a",
                   lambda item, data: services.do_accept_item(item, request.user, data["note"]),
                   _("%(item)s of %(wo)s accepted: it is on the contractor's running statement."))


@require_POST
@inspector_required
def inspection_reject(request, pk):
    return _decide(request, pk, forms.RejectForm, "r",
                   lambda item, data: services.do_reject_item(item, request.user, data["reason"]),
                   _("%(item)s of %(wo)s rejected: the contractor sees the reason."))


# --------------------------------------------------------------------------- operator dashboard


def _programme(request, form):
    programmes = list(selectors.programmes_of(request.user))
    code = form.cleaned_data.get("programme") if form.is_valid() else ""
    if code:
        chosen = next((p for p in programmes if p.code == code), None)
        if chosen is None:
            raise Http404(_("No such programme."))
        return chosen, programmes
    return (programmes[0] if programmes else None), programmes


@dataclass
class Bar:
    label: str
    values: list
    y: float
    text_y: float
    label_x: float
    label_anchor: str
    segments: list
    value_text: str
    value_x: float
    value_anchor: str


CHART_WIDTH = 560
CHART_ROW = 26
CHART_LABEL = 150
CHART_VALUE = 70


def bar_chart(rows: list[tuple[str, list[int]]], *, rtl: bool = False, scale_to=None) -> dict:
    """Horizontal bars, one row per label, several series drawn over each other (the first is the widest,
    e.g. homes passed behind homes connected). Mirrored for right-to-left pages."""
    top = scale_to or max((max(values) for _label, values in rows if values), default=0) or 1
    area = CHART_WIDTH - CHART_LABEL - CHART_VALUE
    bars = []
    for index, (label, values) in enumerate(rows):
        y = index * CHART_ROW + 4
        label = str(label)
        short = label if len(label) <= 22 else label[:21] + "…"
        segments = []
        for series, value in enumerate(values):
            width = round(area * min(value, top) / top, 1)
            height = 18 if series == 0 else 10
            offset = 0 if series == 0 else 4
            x = (CHART_WIDTH - CHART_LABEL - width) if rtl else CHART_LABEL
            segments.append({"x": x, "y": y + offset, "w": width, "h": height, "series": series, "value": value})
        bars.append(Bar(short, values, y, y + 13, (CHART_WIDTH - CHART_LABEL + 6) if rtl else (CHART_LABEL - 6),
                        "start" if rtl else "end", segments, " / ".join(str(v) for v in values),
                        4 if rtl else CHART_WIDTH - 4, "start" if rtl else "end"))
    return {"bars": bars, "width": CHART_WIDTH, "height": max(len(rows), 1) * CHART_ROW + 8}


def gauge(label, value, target, *, rtl=False) -> dict:
    share = (value / target) if target else None
    width = 300
    filled = round(width * min(share or 0, 1), 1)
    return {"label": label, "value": value, "target": target, "share": share, "width": width, "filled": filled,
            "x": (width - filled) if rtl else 0, "percent": round(share * 100, 1) if share is not None else None}


@require_GET
@operator_required
def dashboard(request):
    form = forms.DashboardForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _error_page(request, _("Bad request"), _("The filter is not valid."), 400,
                           back=reverse("deployments:dashboard"))
    programme, programmes = _programme(request, form)
    if programme is None:
        return _render(request, "deployments/dashboard.html", {"programme": None, "form": form}, nav="dashboard")
    by = (form.cleaned_data.get("by") if form.is_bound else "") or "wilaya"
    rtl = get_language_bidi()
    rows = selectors.programme_progress(programme, by=by)
    totals = selectors.programme_totals(programme)
    gauges = [
        gauge(_("Homes passed"), totals["homes_passed"], totals["homes_passed_target"], rtl=rtl),
        gauge(_("Homes connected"), totals["homes_connected"], totals["homes_connected_target"], rtl=rtl),
        gauge(_("Administration sites connected"), totals["sites_connected"], totals["sites_connected_target"],
              rtl=rtl),
    ]
    homes_rows = [(f"{row.region.code} {row.region.name}", [row.homes_passed, row.homes_connected])
                  for row in rows if row.homes_passed or row.homes_connected or row.work_orders]
    completion_rows = [(f"{row.region.code} {row.region.name}", [row.work_orders, row.completed])
                       for row in rows if row.work_orders]
    target_homes = programme.target_homes_connected
    return _render(request, "deployments/dashboard.html", {
        "form": form, "programme": programme, "programmes": programmes, "by": by, "rows": rows, "totals": totals,
        "gauges": gauges, "homes_chart": bar_chart(homes_rows, rtl=rtl),
        "completion_chart": bar_chart(completion_rows, rtl=rtl),
        "homes_series": [_("Homes passed"), _("Homes connected")],
        "completion_series": [_("Work orders"), _("Completed")],
        "target_homes": target_homes,
        # The programme's prices are in its schedule's currency (XAF for a Congolese programme), not always DA.
        "currency": (programme.contracts.values_list("price_schedule_version__schedule__currency", flat=True)
                     .first() or "DZD"),
        "geojson_url": reverse("deployments:fibre-api:programme_geojson", kwargs={"code": programme.code}),
        "map_strings": {"state": _("State"), "step": _("Next step"), "progress": _("Progress"),
                        "workOrder": _("Work order"), "homes": _("Homes"), "noSites": _("No site to show yet."),
                        "error": _("The map data could not be loaded."), "sites": _("%(n)s sites"),
                        "zoomIn": _("Zoom in"), "zoomOut": _("Zoom out")},
    }, nav="dashboard")


def _sorted_scorecards(cards, sort):
    if sort == "rework":
        return sorted(cards, key=lambda c: (-c.rework_count, c.contractor.slug))
    if sort == "late":
        return sorted(cards, key=lambda c: (-c.late_work_orders, c.contractor.slug))
    if sort == "amount":
        return sorted(cards, key=lambda c: (-c.accepted_amount, c.contractor.slug))
    if sort == "name":
        return sorted(cards, key=lambda c: c.contractor.name)
    # First-time right, lowest first; contractors without any decision yet last.
    return sorted(cards, key=lambda c: (c.first_time_right_rate is None, c.first_time_right_rate or 0,
                                        c.contractor.slug))


@require_GET
@operator_required
def scorecards(request):
    form = forms.ScorecardForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _error_page(request, _("Bad request"), _("The filter is not valid."), 400,
                           back=reverse("deployments:scorecards"))
    programme, programmes = _programme(request, form)
    sort = (form.cleaned_data.get("sort") if form.is_bound else "") or "ftr"
    cards = _sorted_scorecards(selectors.scorecards(programme), sort) if programme else []
    return _render(request, "deployments/scorecards.html", {
        "form": form, "programme": programme, "programmes": programmes, "sort": sort,
        "sorts": forms.SCORECARD_SORTS.items(), "page": _page(request, cards, SCORECARDS_PER_PAGE),
    }, nav="scorecards")


@require_GET
@operator_required
def payment_delays(request):
    form = forms.DashboardForm(request.GET or None)
    programme, programmes = _programme(request, form)
    by_wilaya = selectors.days_to_pay(programme, by="wilaya") if programme else []
    by_contractor = selectors.days_to_pay(programme, by="contractor") if programme else []
    return _render(request, "deployments/payment_delays.html", {
        "programme": programme, "programmes": programmes, "by_wilaya": by_wilaya,
        "page": _page(request, by_contractor, SCORECARDS_PER_PAGE),
    }, nav="payments")


# --------------------------------------------------------------------------- offline support


def _shell_assets() -> list[str]:
    return ["css/bawaba.css", "deployments/fibre.css", "deployments/outbox.js", "deployments/fieldreport.js"]


@lru_cache(maxsize=1)
def _shell_version() -> str:
    digest = hashlib.sha256()
    for name in [*_shell_assets(), "deployments/sw.js"]:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    """The service worker caching the contractor pages' shell, served from /fibre/ so its scope covers them."""
    path = finders.find("deployments/sw.js")
    if path is None:
        raise Http404(_("Not found."))
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    config = {
        "version": _shell_version(),
        "assets": [static(name) for name in _shell_assets()],
        "offline": reverse("deployments:offline"),
        "scope": reverse("deployments:home"),
        "login": settings.LOGIN_URL if settings.LOGIN_URL.startswith("/") else reverse(settings.LOGIN_URL),
    }
    response = HttpResponse(f"self.FIBRE_SW = {json.dumps(config)};\n{source}",
                            content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("deployments:home")
    return response


@require_GET
def offline(request):
    """Shown by the service worker for a page that was never opened online. No personal data: the queued
    reports are listed by outbox.js from the phone's own storage."""
    return render(request, "deployments/offline.html", {
        "js_strings": _js_strings(getattr(settings, "FIBRE_PHOTO_MAX_BYTES", settings.ATTACHMENT_MAX_BYTES)),
        "rtl": get_language_bidi(), "is_contractor": True,
    })

