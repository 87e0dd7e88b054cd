"""REST API of the fibre app (django-ninja), mounted at /fibre/api/v1/ by deployments/urls.py.

Authentication: the platform's bearer tokens when bawaba.api.auth provides them (see _auth_backends),
and the Django session with CSRF protection for the contractor portal's own JavaScript.
Errors: 401 not signed in, 403 not for your role, 404 unknown or another organisation's (not revealed), 409 state
conflict, 422 invalid input.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.security import SessionAuth

from bawaba.core.parsing import MAX_ID

from . import billing, forms, frozen, importing, selectors, services
from .models import (
    Decision,
    FieldReport,
    IdempotencyRecord,
    ImmutableDocumentError,
    IssuedFileKind,
    Payment,
    PaymentStatement,
    ReportedItem,
    WorkOrderState,
)
from .permissions import (
    can_manage_billing,
    can_view_statements,
    is_contractor_staff,
    is_inspector,
    is_operator_staff,
)
from .schemas import (
    AcceptanceOut,
    AcceptancePage,
    CorrectionIn,
    ErrorOut,
    ImportErrorOut,
    ImportOut,
    InspectIn,
    IssueIn,
    IssueOut,
    PaymentIn,
    PaymentOut,
    ProgressOut,
    RejectIn,
    ReportIn,
    ReportOut,
    ReportPage,
    RunningStatementOut,
    StateChangeIn,
    StatementOut,
    StatementPage,
    WorkOrderOut,
    WorkOrderPage,
)

MAX_LIMIT = 200


def _auth_backends():
    """Bearer tokens from the platform API app when it offers them, then the session (with CSRF)."""
    backends = []
    try:
        from bawaba.api import auth as platform_auth  # written by the platform API helper
    except ImportError:
        platform_auth = None
    for name in ("bearer_auth", "token_auth", "BearerAuth", "TokenAuth", "ApiTokenAuth"):
        candidate = getattr(platform_auth, name, None) if platform_auth else None
        if candidate is not None:
            backends.append(candidate() if isinstance(candidate, type) else candidate)
            break
    backends.append(SessionAuth(csrf=True))
    return backends


api = NinjaAPI(
    title="Bawaba fibre deployment API",
    version="1",
    description="Work orders (TM Forum TMF697 naming), field reports, acceptance results, statements, GeoJSON.",
    urls_namespace="deployments:fibre-api",  # included by deployments/urls.py (app_name "deployments")
    auth=_auth_backends(),
)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
          429: ErrorOut}  # 429: too many refused tokens from one address (bawaba.api.auth)


def _error(request, status, detail, errors=None):
    return api.create_response(request, {"detail": str(detail), "errors": errors or {}}, status=status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {}
    return _error(request, 422, "; ".join(exc.messages) or _("Invalid input."),
                  {k: [str(m) for m in v] for k, v in errors.items()})


# Body schemas are declared as one parameter of these names; errors name the field itself ("amount").
_BODY_PARAMETERS = ("payload", "data")


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc):
    errors = {}
    for error in exc.errors:
        parts = [str(part) for part in error.get("loc", [])[1:]]
        if len(parts) > 1 and parts[0] in _BODY_PARAMETERS:
            parts = parts[1:]
        location = ".".join(parts) or "body"
        # pydantic's messages are English: use Django's translated ones (the field says what is wrong).
        message = _("This field is required.") if error.get("type") == "missing" else _("Enter a valid value.")
        errors.setdefault(location, []).append(message)
    return _error(request, 422, _("Invalid input."), errors)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, str(exc) or _("Not found."))


@api.exception_handler(services.Conflict)
def _conflict(request, exc):
    response = _error(request, 409, exc.message)
    if exc.retryable:
        response["Retry-After"] = "2"
    return response


@api.exception_handler(ImmutableDocumentError)
def _immutable(request, exc):
    return _error(request, 409, _("An issued document cannot change; issue a correction instead."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    reason = str(exc) if str(exc) not in ("", "Unauthorized") else _("Sign in or send a valid bearer token.")
    return _error(request, 401, reason)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body cannot be read: send valid JSON (or multipart for uploads).")
    response = _error(request, exc.status_code, detail)
    if getattr(exc, "wait", None):  # 429 (ninja's Throttled): when to try again
        response["Retry-After"] = str(exc.wait)
    return response


def _url(name: str, **kwargs) -> str:
    """Reverse an API route whether the API is mounted inside the deployments namespace or on its own."""
    from django.urls import NoReverseMatch

    for prefix in ("deployments:fibre-api:", "fibre-api:"):
        try:
            return reverse(prefix + name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def _page(limit: int, offset: int) -> tuple[int, int]:
    """Every list's page: limit clamped to 1..MAX_LIMIT; an offset past the databases' integers is refused (422)."""
    if offset > MAX_ID:
        raise ValidationError({"offset": [_("Ensure this value is less than or equal to %(limit_value)s.")
                                          % {"limit_value": MAX_ID}]})
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)


# --------------------------------------------------------------------------- idempotency of money writes



class IdempotencyKeyReused(ValidationError):
    """The key was already used with a different body (422 on the Idempotency-Key header)."""

    def __init__(self):
        message = _("This Idempotency-Key was already used with a different request body.")
        super().__init__({"Idempotency-Key": [message]})


def idempotent(user, kind: str, key: str | None, body, *, create, load):
    """`create()` once per (organisation, kind, key); a retry with the same body gets `load(pk)` back.

    Returns (object, created). The same key with another body raises IdempotencyKeyReused. The key is
    recorded in the database in the same transaction as the write (`IdempotencyRecord`): a retry finds the
    write or nothing, a concurrent retry waits on the unique key and then replays, and when `create` fails
    nothing is kept, so the key can be used again once the input is fixed.
    """
    if not key:
        return create(), True
    scope = user.organisation_id or f"u{user.pk}"
    key_hash = hashlib.sha256(f"{kind}|{scope}|{key}".encode()).hexdigest()
    fingerprint = hashlib.sha256(json.dumps([str(part) for part in body]).encode()).hexdigest()
    for _attempt in range(2):
        earlier = IdempotencyRecord.objects.filter(key_hash=key_hash).first()
        if earlier is not None:
            if earlier.fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            found = load(earlier.object_pk)
            if found is not None:
                return found, False
        try:
            with transaction.atomic():
                created = create()
                IdempotencyRecord.objects.create(key_hash=key_hash, kind=kind, fingerprint=fingerprint,
                                                 object_pk=created.pk)
            return created, True
        except IntegrityError:
            if not IdempotencyRecord.objects.filter(key_hash=key_hash).exists():
                raise  # not the key: a real integrity problem of the write itself
            # a concurrent submission with the same key committed first: replay it on the next turn
    raise services.Conflict(_("A request with this Idempotency-Key is still being processed; retry in a moment."),
                            retryable=True)


def _form_or_422(form):
    """Validate with the pages' form so the API gives the same translated messages per field."""
    if not form.is_valid():
        raise ValidationError({field: [str(message) for message in messages]
                               for field, messages in form.errors.items()})
    return form.cleaned_data


IDEMPOTENCY_HEADER = Header(
    None, alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="Any unique text (a UUID): a retry with the same key and body never records twice.")


# --------------------------------------------------------------------------- serialisers


def _work_order_out(wo) -> dict:
    items = list(selectors.work_items_of(wo))
    steps = wo.steps
    return {
        "id": wo.reference,
        "href": _url("work_order", reference=wo.reference),
        "category": wo.kind,
        "state": wo.state,
        "stateLabel": str(WorkOrderState(wo.state).label),
        "description": f"{wo.get_kind_display()} - {wo.site.name or wo.site.code}",
        "orderDate": wo.created_at,
        "requestedStartDate": wo.requested_start,
        "requestedCompletionDate": wo.due_on,
        "startDate": wo.started_at,
        "completionDate": wo.completed_at,
        "contract": wo.contract.reference,
        "step": {"current": wo.current_step, "currentLabel": wo.current_step_label, "done": wo.steps_done,
                 "total": len(steps)},
        "place": {"id": wo.site.code, "name": wo.site.name, "kind": wo.site.kind, "latitude": wo.site.latitude,
                  "longitude": wo.site.longitude, "wilaya": wo.site.region.code,
                  "commune": wo.site.commune.name if wo.site.commune_id else None, "homes": wo.site.homes},
        "relatedParty": [
            {"id": wo.contract.contractor.slug, "role": "contractor", "name": wo.contract.contractor.name},
            {"id": wo.contract.programme.code, "role": "programme", "name": wo.contract.programme.name},
        ],
        "workOrderItem": [
            {"id": item.id, "quantity": item.planned_quantity, "acceptedQuantity": item.accepted_quantity,
             "remainingQuantity": services.remaining_quantity(item), "state": item.state,
             "priceItem": {"code": item.price_item.code, "label": item.price_item.label,
                           "unit": item.price_item.unit, "unitPrice": item.price_item.unit_price,
                           "step": item.price_item.step}}
            for item in items
        ],
    }


def _acceptance_out(item: ReportedItem) -> dict:
    return {
        "id": item.id,
        "workOrder": item.report.work_order.reference,
        "report": str(item.report.client_uuid),
        "workItem": item.work_item_id,
        "priceItem": item.work_item.price_item.code,
        "quantity": item.quantity,
        "decision": item.decision,
        "decisionLabel": str(Decision(item.decision).label),
        "reasons": item.reason_texts(),
        "reasonCodes": [r["code"] for r in item.reasons],
        "automatic": item.decided_by_id is None,
        "decidedAt": item.decided_at,
        "inspectorNote": item.inspector_note,
    }


def _report_out(report: FieldReport) -> dict:
    return {
        "id": str(report.client_uuid),
        "workOrder": report.work_order.reference,
        "receivedAt": report.received_at,
        "deviceReportedAt": report.device_reported_at,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "gpsAccuracyM": report.gps_accuracy_m,
        "ontSerial": report.ont_serial,
        "ontRxPowerDbm": report.ont_rx_power_dbm,
        "linkLossDb": report.link_loss_db,
        "spliceLossesDb": report.splice_losses_db,
        "photos": [{"sha256": p.sha256, "contentType": p.content_type, "size": p.size, "takenAt": p.exif_taken_at,
                    "latitude": p.exif_latitude, "longitude": p.exif_longitude,
                    "reused": p.reused_from_id is not None} for p in report.photos.all()],
        "items": [_acceptance_out(item) for item in report.items.all()],
    }


def _statement_out(statement: PaymentStatement, status: dict | None = None) -> dict:
    """A statement; the payment figures are those of the debt it belongs to (the regular statement with its
    corrections: selectors.statement_status), so a credit note lowers what is still owed."""
    status = status or getattr(statement, "status", None) or selectors.statement_status(statement)
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
        "pdf": _url("statement_pdf", number=statement.number),
        "ubl": _url("statement_ubl", number=statement.number),
    }


# --------------------------------------------------------------------------- work orders

work_orders = Router(tags=["workOrder"])


@work_orders.get("", response={200: WorkOrderPage, **ERRORS}, url_name="work_orders",
                 summary="List the work orders you can see")
def list_work_orders(request, state: str | None = None, search: str = "", limit: int = 50, offset: int = 0):
    if state and state not in WorkOrderState.values:
        raise ValidationError({"state": [_("Unknown state “%(state)s”.") % {"state": state[:40]}]})
    qs = selectors.visible_work_orders(request.auth)
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(reference__icontains=search.strip())
    limit, offset = _page(limit, offset)
    qs = qs.order_by("reference")
    return {"count": qs.count(), "items": [_work_order_out(wo) for wo in qs[offset:offset + limit]]}


def _work_order(request, reference):
    """404 when unknown or another contractor's or operator's (its existence is not revealed)."""
    wo = selectors.visible_work_orders(request.auth).filter(reference=reference).first()
    if wo is None:
        raise Http404(_("No such work order."))
    return wo


@work_orders.get("/{reference}", response={200: WorkOrderOut, **ERRORS}, url_name="work_order")
def get_work_order(request, reference: str):
    return _work_order_out(_work_order(request, reference))


@work_orders.patch("/{reference}", response={200: WorkOrderOut, **ERRORS},
                   summary="Change the TMF697 state (the operator's inspectors)")
def patch_work_order(request, reference: str, payload: StateChangeIn):
    wo = _work_order(request, reference)
    return _work_order_out(services.do_transition_work_order(wo, payload.state, request.auth, payload.reason))


@work_orders.post("/{reference}/report", response={200: ReportOut, 201: ReportOut, **ERRORS},
                  url_name="work_order_report",
                  summary="Submit a field report (idempotent on client_uuid or the Idempotency-Key header)")
def post_report(request, reference: str, data: Form[ReportIn], photos: File[list[UploadedFile]] = None):
    wo = _work_order(request, reference)
    client_uuid = data.client_uuid or request.headers.get("Idempotency-Key")
    if not client_uuid:
        raise ValidationError({"client_uuid": [_("Send client_uuid or an Idempotency-Key header.")]})
    try:
        items = json.loads(data.items)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError
    except ValueError as exc:
        raise ValidationError({"items": [_("items must be a JSON list of {work_item, quantity}.")]}) from exc
    splices = data.splice_losses_db.strip()
    if splices.startswith("["):
        try:
            splices = json.loads(splices)
        except ValueError as exc:
            raise ValidationError({"splice_losses_db": [_("Splice losses must be numbers.")]}) from exc
        if not isinstance(splices, list):
            raise ValidationError({"splice_losses_db": [_("Splice losses must be numbers.")]})
        splices = [str(s) for s in splices]
    result = services.do_submit_field_report(
        request.auth, wo, client_uuid=client_uuid, items=items, latitude=data.latitude, longitude=data.longitude,
        gps_accuracy_m=data.gps_accuracy_m, device_started_at=data.device_started_at,
        device_reported_at=data.device_reported_at, ont_serial=data.ont_serial,
        ont_rx_power_dbm=data.ont_rx_power_dbm, link_loss_db=data.link_loss_db, splice_losses_db=splices,
        notes=data.notes, photos=photos or [])
    report = selectors.reports_of(request.auth).get(pk=result.report.pk)
    return Status(201 if result.created else 200, _report_out(report))


# --------------------------------------------------------------------------- reports and acceptance

reports = Router(tags=["report"])


@reports.get("", response={200: ReportPage, **ERRORS}, url_name="reports")
def list_reports(request, workOrder: str | None = None, limit: int = 50, offset: int = 0):  # noqa: N803
    qs = selectors.reports_of(request.auth)
    if workOrder:
        qs = qs.filter(work_order__reference=workOrder)
    limit, offset = _page(limit, offset)
    return {"count": qs.count(), "items": [_report_out(r) for r in qs[offset:offset + limit]]}


@reports.get("/{client_uuid}", response={200: ReportOut, **ERRORS}, url_name="report")
def get_report(request, client_uuid: str):
    import uuid

    try:
        key = uuid.UUID(client_uuid)
    except ValueError as exc:
        raise Http404(_("No such report.")) from exc
    report = selectors.reports_of(request.auth).filter(client_uuid=key).first()
    if report is None:
        raise Http404(_("No such report."))
    return _report_out(report)


acceptance = Router(tags=["acceptance"])


def _acceptance_queryset(user):
    base = ReportedItem.objects.select_related("report", "report__work_order", "work_item__price_item")
    if is_contractor_staff(user):
        return base.filter(report__contractor_id=user.organisation_id)
    if user.is_platform_admin:
        return base
    if is_operator_staff(user):
        return base.filter(report__work_order__contract__programme__operator_id=user.organisation_id)
    return base.none()


@acceptance.get("", response={200: AcceptancePage, **ERRORS}, url_name="acceptance",
                summary="Acceptance results (decision: accepted, rejected, doubtful, pending)")
def list_acceptance(request, decision: str | None = None, workOrder: str | None = None,  # noqa: N803
                    limit: int = 50, offset: int = 0):
    qs = _acceptance_queryset(request.auth)
    if decision:
        if decision not in Decision.values:
            raise ValidationError({"decision": [_("Unknown decision.")]})
        qs = qs.filter(decision=decision)
    if workOrder:
        qs = qs.filter(report__work_order__reference=workOrder)
    limit, offset = _page(limit, offset)
    qs = qs.order_by("-report__received_at", "-id")
    return {"count": qs.count(), "items": [_acceptance_out(i) for i in qs[offset:offset + limit]]}


def _item_for_inspection(request, item_id):
    item = _acceptance_queryset(request.auth).filter(pk=item_id).first()
    if item is None:
        raise Http404(_("No such item."))
    if not is_inspector(request.auth):
        raise PermissionDenied(_("Only an inspector of the operator can decide this item."))
    return item


@acceptance.post("/{item_id}/accept", response={200: AcceptanceOut, **ERRORS}, url_name="acceptance_accept")
def accept_item(request, item_id: int, payload: InspectIn):
    item = services.do_accept_item(_item_for_inspection(request, item_id), request.auth, payload.note)
    return _acceptance_out(_acceptance_queryset(request.auth).get(pk=item.pk))


@acceptance.post("/{item_id}/reject", response={200: AcceptanceOut, **ERRORS}, url_name="acceptance_reject")
def reject_item(request, item_id: int, payload: RejectIn):
    item = services.do_reject_item(_item_for_inspection(request, item_id), request.auth, payload.reason)
    return _acceptance_out(_acceptance_queryset(request.auth).get(pk=item.pk))


# --------------------------------------------------------------------------- statements

statements = Router(tags=["statement"])


@statements.get("", response={200: StatementPage, **ERRORS}, url_name="statements")
def list_statements(request, limit: int = 50, offset: int = 0):
    _require_statements(request.auth)
    qs = selectors.statements_of(request.auth).select_related("corrects")
    limit, offset = _page(limit, offset)
    return {"count": qs.count(),
            "items": [_statement_out(s) for s in selectors.statement_statuses(qs[offset:offset + limit])]}


@statements.get("/running", response={200: list[RunningStatementOut], **ERRORS}, url_name="running_statements",
                summary="Accepted work not yet on an issued statement, per contract")
def running(request):
    _require_statements(request.auth)
    result = []
    for contract in selectors.statement_contracts_of(request.auth):
        current = selectors.running_statement(contract)
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
    statement = selectors.statements_of(request.auth).filter(number=number).first()
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
        contracts = selectors.contracts_of(user).filter(reference=payload.contract.strip())
        if payload.programme:
            contracts = contracts.filter(programme__code=payload.programme.strip())
        contract = contracts.first()
        if contract is None:
            raise Http404(_("No such contract."))
        code = contract.programme.code
    else:
        programme = _programme(request, payload.programme.strip())
        code = programme.code
    form = forms.IssueStatementsForm({"programme": code, "contract": payload.contract, "month": payload.month})
    _form_or_422(form)
    if contract is not None:
        one = billing.do_issue_statements(contract, form.period_end, user)
        issued = [one] if one is not None else []
    else:
        year, month = form.cleaned_data["month"]
        issued = billing.do_issue_monthly_statements(year, month, user, programme=programme)
    items = [{"number": s.number, "contract": s.contract.reference, "contractor": s.contract.contractor.name,
              "netAmount": s.net_amount, "href": _url("statement", number=s.number)} for s in issued]
    return Status(201 if issued else 200, {"periodEnd": form.period_end, "count": len(items), "items": items})


@statements.get("/{number}", response={200: StatementOut, **ERRORS}, url_name="statement")
def get_statement(request, number: str):
    from .incentives import incentives_of

    statement = _statement(request, number)
    return {**_statement_out(statement), "incentives": incentives_of(statement)}


@statements.get("/{number}/pdf", response={200: bytes, **ERRORS}, url_name="statement_pdf",
                openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}})
def statement_pdf(request, number: str):
    statement = _statement(request, number)
    response = HttpResponse(frozen.stored_file(statement, IssuedFileKind.PDF), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement.number}.pdf"'
    return response


@statements.get("/{number}/ubl", response={200: bytes, **ERRORS}, url_name="statement_ubl",
                openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}})
def statement_ubl(request, number: str):
    statement = _statement(request, number)
    response = HttpResponse(frozen.stored_file(statement, IssuedFileKind.UBL), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{statement.number}.xml"'
    return response


def _payment_out(payment: Payment) -> dict:
    statement = payment.statement
    debt = billing.debt_of(statement)
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
    data = _form_or_422(forms.PaymentForm({"amount": str(payload.amount), "paid_on": payload.paid_on,
                                           "reference": payload.reference}))
    payment, created = idempotent(
        request.auth, "payment", idempotency_key, [statement.pk, data["amount"], data["paid_on"], data["reference"]],
        create=lambda: billing.do_record_payment(statement, amount=data["amount"], paid_on=data["paid_on"],
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
    data = _form_or_422(forms.CorrectionForm({"gross_adjustment": str(payload.gross_adjustment),
                                              "penalty_adjustment": str(payload.penalty_adjustment),
                                              "reason": payload.reason}))
    correction, created = idempotent(
        request.auth, "correction", idempotency_key,
        [statement.pk, data["gross_adjustment"], data["penalty_adjustment"], data["reason"]],
        create=lambda: billing.do_issue_correction(
            statement, gross_adjustment=data["gross_adjustment"], penalty_adjustment=data["penalty_adjustment"],
            reason=data["reason"], actor=request.auth),
        load=lambda pk: PaymentStatement.objects.filter(pk=pk, corrects=statement).first())
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if created else 200, _statement_out(_statement(request, correction.number)))


# --------------------------------------------------------------------------- contracts: import work orders

contracts = Router(tags=["contract"])
IMPORT_ERRORS_RETURNED = 1000


@contracts.post("/{reference}/import", response={201: ImportOut, **ERRORS, 422: ImportErrorOut},
                url_name="contract_import",
                summary="Import sites and work orders from CSV or XLSX (operator supervisors and admins)",
                description="Multipart field `file`. Every row is checked first: if any row is wrong, nothing is "
                            "stored and the 422 lists `rows` (line, column, message; the first 1000, `errorCount` "
                            "in all). Importing the same file again is refused row by row (the work orders exist).")
def import_contract_orders(request, reference: str, file: File[UploadedFile] = None):
    if not is_inspector(request.auth):
        raise PermissionDenied(_("Only a supervisor of the operator can import work orders."))
    contract = selectors.contracts_of(request.auth).filter(reference=reference).first()
    if contract is None:
        raise Http404(_("No such contract."))
    if file is None:
        raise HttpError(400, _("Send the file as the multipart field “file”."))
    try:
        forms.check_import_file(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    try:
        result = importing.import_work_orders(file, contract=contract, actor=request.auth, filename=file.name or "")
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if result.errors:
        detail = _("%(n)s error(s) in the file: nothing was imported.") % {"n": len(result.errors)}
        return Status(422, {"detail": detail, "errors": {}, "errorCount": len(result.errors),
                            "rows": [{"row": e.row, "column": e.column, "message": str(e.message)}
                                     for e in result.errors[:IMPORT_ERRORS_RETURNED]]})
    return Status(201, {"contract": contract.reference, "rows": result.rows, "createdSites": result.created_sites,
                        "reusedSites": result.reused_sites, "createdWorkOrders": result.created_work_orders,
                        "createdItems": result.created_items})


# --------------------------------------------------------------------------- programmes: progress and map

programmes = Router(tags=["programme"])


def _programme(request, code):
    programme = selectors.programmes_of(request.auth).filter(code=code).first()
    if programme is None:
        raise Http404(_("No such programme."))
    return programme


@programmes.get("/{code}/sites.geojson", response={200: dict, **ERRORS}, url_name="programme_geojson",
                summary="Sites and their progress as GeoJSON (RFC 7946)")
def programme_geojson(request, code: str, wilaya: str | None = None):
    from bawaba.geo.models import Region

    programme = _programme(request, code)
    region = None
    if wilaya:
        region = Region.objects.filter(country=programme.country, code=wilaya).first()
        if region is None:
            raise ValidationError({"wilaya": [_("Unknown wilaya.")]})
    data = selectors.site_geojson(programme, region=region, user=request.auth)
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/geo+json")


@programmes.get("/{code}/progress", response={200: list[ProgressOut], **ERRORS}, url_name="programme_progress",
                summary="Progress per wilaya (by=wilaya), per wilaya before a reform (by=before_2026) or before "
                        "any split (by=former_wilaya)")
def programme_progress(request, code: str,
                       by: str = Query("wilaya", pattern="^(wilaya|former_wilaya|before_[0-9]{4})$")):
    programme = _programme(request, code)
    if not (is_operator_staff(request.auth, programme)):
        raise PermissionDenied(_("Only the operator sees the programme's progress."))
    try:
        selectors.progress_grouping_year(by)
    except ValueError:
        raise ValidationError({"by": [_("No reform of the wilayas in that year.")]}) from None
    return [{"wilaya": row.region.code, "wilayaName": row.region.name, "homesPassed": row.homes_passed,
             "homesConnected": row.homes_connected, "sitesConnected": row.sites_connected,
             "workOrders": row.work_orders, "completed": row.completed, "late": row.late,
             "acceptedAmount": row.accepted_amount}
            for row in selectors.programme_progress(programme, by=by)]


api.add_router("/workOrder", work_orders)
api.add_router("/report", reports)
api.add_router("/acceptance", acceptance)
api.add_router("/statement", statements)
api.add_router("/contract", contracts)
api.add_router("/programme", programmes)
