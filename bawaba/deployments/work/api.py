"""REST API routes of the work: work orders (TMF697) and the import of a contract's orders.

Authentication: the platform's bearer tokens when bawaba.api.auth provides them (see _auth_backends),
and the Django session with CSRF protection for the contractor portal's own JavaScript.
Errors: 401 not signed in, 403 not for your role, 404 unknown or another organisation's (not revealed), 409 state
conflict, 422 invalid input."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from ..common.api import ERRORS, _page, _url
from ..common.permissions import (
    is_inspector,
)
from ..common.schemas import (
    ImportErrorOut,
    ImportOut,
    StateChangeIn,
    WorkOrderOut,
    WorkOrderPage,
)
from . import forms as work_forms
from . import importing as work_importing
from . import selectors as work_selectors
from . import services as work_services
from .models import WorkOrderState

# --------------------------------------------------------------------------- serialisers


def _work_order_out(wo) -> dict:
    items = list(work_selectors.work_items_of(wo))
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
             "remainingQuantity": work_services.remaining_quantity(item), "state": item.state,
             "priceItem": {"code": item.price_item.code, "label": item.price_item.label,
                           "unit": item.price_item.unit, "unitPrice": item.price_item.unit_price,
                           "step": item.price_item.step}}
            for item in items
        ],
    }


# --------------------------------------------------------------------------- work orders

work_orders = Router(tags=["workOrder"])


@work_orders.get("", response={200: WorkOrderPage, **ERRORS}, url_name="work_orders",
                 summary="List the work orders you can see")
def list_work_orders(request, state: str | None = None, search: str = "", limit: int = 50, offset: int = 0):
    if state and state not in WorkOrderState.values:
        raise ValidationError({"state": [_("Unknown state “%(state)s”.") % {"state": state[:40]}]})
    qs = work_selectors.visible_work_orders(request.auth)
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(reference__icontains=search.strip())
    limit, offset = _page(limit, offset)
    qs = qs.order_by("reference")
    return {"count": qs.count(), "items": [_work_order_out(wo) for wo in qs[offset:offset + limit]]}


def _work_order(request, reference):
    """404 when unknown or another contractor's or operator's (its existence is not revealed)."""
    wo = work_selectors.visible_work_orders(request.auth).filter(reference=reference).first()
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
    return _work_order_out(work_services.do_transition_work_order(wo, payload.state, request.auth, payload.reason))


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
    contract = work_selectors.contracts_of(request.auth).filter(reference=reference).first()
    if contract is None:
        raise Http404(_("No such contract."))
    if file is None:
        raise HttpError(400, _("Send the file as the multipart field “file”."))
    try:
        work_forms.check_import_file(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    try:
        result = work_importing.import_work_orders(file, contract=contract, actor=request.auth,
                                                   filename=file.name or "")
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
