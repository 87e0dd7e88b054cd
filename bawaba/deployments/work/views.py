"""Pages of the work: the role-based entry, the contractor's orders and the inspector's import.

Each view parses its input, checks the organisation and role, calls one service or selector of
bawaba.deployments and renders. Errors come back as the page with the translated message and a 4xx
status: 400 bad input, 403 not allowed, 404 unknown, 409 refused by the current state.
The field report page also works offline: static/deployments/outbox.js keeps reports in IndexedDB and
sends them to the API (POST /fibre/api/v1/workOrder/<ref>/report, idempotent on the client UUID)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..common.pages import (
    CONTRACT_HINTS,
    IMPORT_ERRORS_SHOWN,
    ORDERS_PER_PAGE,
    _page,
    _render,
    _signed_in,
    contractor_required,
    importer_required,
)
from ..common.permissions import (
    is_contractor_staff,
    is_inspector,
    is_operator_staff,
)
from . import forms as work_forms
from . import importing as work_importing
from . import selectors as work_selectors
from .models import WorkOrderState


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

    return list(Region.objects.filter(fibre_contracts__in=work_selectors.contracts_of(user)).distinct()
                .order_by("code"))


@require_GET
@contractor_required
def orders(request):
    user = request.user
    form = work_forms.OrderFilterForm(request.GET or None, regions=_contract_regions(user))
    status = 200
    filters = {}
    if form.is_bound:
        if form.is_valid():
            filters = form.cleaned_data
        else:
            status = 400
    qs = work_selectors.contractor_orders(user, state=filters.get("state") or None, search=filters.get("q") or "")
    if filters.get("wilaya"):
        qs = qs.filter(site__region__code=filters["wilaya"])
    if status == 400:
        qs = qs.none()
    counts = dict(work_selectors.visible_work_orders(user).order_by().values_list("state").annotate(n=Count("id")))
    state_tabs = [(value, label, counts.get(value, 0)) for value, label in WorkOrderState.choices
                  if counts.get(value)]
    query = {k: v for k, v in filters.items() if v}
    return _render(request, "deployments/orders.html", {
        "form": form, "page": _page(request, qs, ORDERS_PER_PAGE), "state_tabs": state_tabs,
        "total": sum(counts.values()), "current_state": filters.get("state") or "",
        "query": urlencode(query), "today": timezone.localdate(),
    }, nav="orders", status=status)


# --------------------------------------------------------------------------- operator: import work orders


# --------------------------------------------------------------------------- statements


def _contract_hints(user) -> list[str]:
    """References offered while typing a contract (a datalist: the page stays light with many contracts)."""
    return list(work_selectors.contracts_of(user).filter(is_active=True).order_by("reference")
                .values_list("reference", flat=True)[:CONTRACT_HINTS])


def _import_page(request, form, *, errors=(), error_count=0, status=200):
    return _render(request, "deployments/import.html", {
        "form": form, "row_errors": list(errors)[:IMPORT_ERRORS_SHOWN], "error_count": error_count,
        "more_errors": max(0, error_count - IMPORT_ERRORS_SHOWN), "contract_hints": _contract_hints(request.user),
        "max_mb": work_importing.MAX_BYTES // 1024 // 1024, "max_rows": work_importing.MAX_ROWS,
    }, nav="import", status=status)


@require_http_methods(["GET", "POST"])
@importer_required
def import_orders(request):
    """Upload sites and work orders for a contract: all rows stored, or none and the list of row errors."""
    if request.method == "GET":
        return _import_page(request, work_forms.ImportForm(initial={"contract": request.GET.get("contract", "")[:60]}))
    form = work_forms.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    contract = work_selectors.contracts_of(request.user).filter(reference=form.cleaned_data["contract"]).first()
    if contract is None:
        form.add_error("contract", _("No such contract."))
        return _import_page(request, form, status=404)
    upload = form.cleaned_data["file"]
    try:
        result = work_importing.import_work_orders(upload, contract=contract, actor=request.user, filename=upload.name)
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
