"""Reads of the work: programmes, contracts and work orders, filtered by what the user may see."""

from __future__ import annotations

from django.db.models import (
    Q,
)
from django.http import Http404
from django.utils.translation import gettext as _

from ..common.permissions import (
    can_view_contract,
    is_contractor_staff,
    is_operator_staff,
)
from .models import (
    Contract,
    FtthStep,
    Programme,
    Site,
    WorkOrder,
    WorkOrderState,
)

# Homes are "passed" once the distribution box is done, "connected" once the work order is completed.
PASSED_AFTER_STEPS = list(FtthStep.values).index(FtthStep.DISTRIBUTION_BOX) + 1


# --------------------------------------------------------------------------- work orders


def visible_work_orders(user):
    qs = WorkOrder.objects.select_related("site", "site__region", "site__commune", "contract",
                                          "contract__contractor", "contract__programme")
    if is_contractor_staff(user):
        return qs.filter(contract__contractor_id=user.organisation_id)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_platform_admin:
        return qs
    if is_operator_staff(user):
        return qs.filter(contract__programme__operator_id=user.organisation_id)
    return qs.none()


def contractor_orders(user, *, state=None, search: str = ""):
    """The contractor's work orders, late and open first."""
    if not is_contractor_staff(user):
        return WorkOrder.objects.none()
    qs = visible_work_orders(user)
    if state:
        qs = qs.filter(state=state)
    if search:
        term = search.strip()
        qs = qs.filter(Q(reference__icontains=term) | Q(site__code__icontains=term) | Q(site__name__icontains=term)
                       | Q(site__address__icontains=term))
    open_first = Q(state__in=[WorkOrderState.COMPLETED, WorkOrderState.CANCELLED, WorkOrderState.REJECTED,
                              WorkOrderState.FAILED])
    from django.db.models import Case, IntegerField, Value, When

    return qs.annotate(
        closed=Case(When(open_first, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("closed", "due_on", "reference")


def work_order_for(user, pk) -> WorkOrder:
    try:
        work_order = WorkOrder.objects.select_related(
            "site", "site__region", "site__commune", "contract", "contract__contractor", "contract__programme",
            "contract__programme__operator").get(pk=pk)
    except (WorkOrder.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such work order.")) from exc
    if not can_view_contract(user, work_order.contract):  # another organisation's: not revealed
        raise Http404(_("No such work order."))
    return work_order


def work_items_of(work_order: WorkOrder):
    return work_order.items.select_related("price_item").prefetch_related("reported").order_by(
        "price_item__step", "price_item__code")


def contracts_of(user):
    qs = Contract.objects.select_related("programme", "contractor", "price_schedule_version")
    if is_contractor_staff(user):
        return qs.filter(contractor_id=user.organisation_id)
    if getattr(user, "is_authenticated", False) and user.is_platform_admin:
        return qs
    if is_operator_staff(user):
        return qs.filter(programme__operator_id=user.organisation_id)
    return qs.none()


# --------------------------------------------------------------------------- dashboard


def programmes_of(user):
    qs = Programme.objects.select_related("operator")
    if getattr(user, "is_authenticated", False) and user.is_platform_admin:
        return qs
    if is_operator_staff(user):
        return qs.filter(operator_id=user.organisation_id)
    if is_contractor_staff(user):
        return qs.filter(contracts__contractor_id=user.organisation_id).distinct()
    return qs.none()


def sites_of(programme: Programme):
    return Site.objects.filter(programme=programme).select_related("region", "commune")
