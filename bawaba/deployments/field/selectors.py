"""Reads of the field: reports, photos, rejections, the inspector's queue, scorecards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Prefetch,
    Q,
    Sum,
)
from django.utils import timezone

from ..common.money import ZERO
from ..common.permissions import (
    is_contractor_staff,
    is_inspector,
    is_operator_staff,
)
from ..work.models import (
    Contract,
    Programme,
    WorkItem,
    WorkItemState,
    WorkOrder,
    WorkOrderState,
)
from .models import BillingLine, Decision, FieldReport, Photo, ReportedItem


def reports_of(user, *, work_order=None):
    qs = FieldReport.objects.select_related("work_order", "work_order__site", "reported_by").prefetch_related(
        Prefetch("items", queryset=ReportedItem.objects.select_related("work_item__price_item")), "photos")
    if work_order is not None:
        qs = qs.filter(work_order=work_order)
    if is_contractor_staff(user):
        return qs.filter(contractor_id=user.organisation_id)
    if getattr(user, "is_authenticated", False) and user.is_platform_admin:
        return qs
    if is_operator_staff(user):
        return qs.filter(work_order__contract__programme__operator_id=user.organisation_id)
    return qs.none()


def photo_visible(user, photo) -> bool:
    """The contractor who sent the photo and the operator's staff see it; an inspector also sees the earlier photo
    that a photo in their queue looks like (possibly another operator's: comparing them is the point)."""
    visible = reports_of(user)
    if visible.filter(pk=photo.report_id).exists():
        return True
    return is_inspector(user) and Photo.objects.filter(similar_to_id=photo.pk, report__in=visible).exists()


def rejected_items(user):
    """Rejected items the contractor still has to redo (their work item is not fully accepted)."""
    if not is_contractor_staff(user):
        return ReportedItem.objects.none()
    return (ReportedItem.objects.filter(report__contractor_id=user.organisation_id, decision=Decision.REJECTED)
            .exclude(work_item__state=WorkItemState.ACCEPTED)
            .select_related("report", "report__work_order", "report__work_order__site", "work_item__price_item")
            .order_by("-decided_at", "-id"))


def pending_inspections(user):
    """Doubtful items waiting for an inspector of the user's operator, oldest first."""
    if not is_inspector(user):
        return ReportedItem.objects.none()
    qs = ReportedItem.objects.filter(decision=Decision.DOUBTFUL)
    if not user.is_platform_admin:
        qs = qs.filter(report__work_order__contract__programme__operator_id=user.organisation_id)
    return (qs.select_related("report", "report__contractor", "report__reported_by", "report__work_order",
                              "report__work_order__site", "report__work_order__site__region",
                              "work_item__price_item")
            .prefetch_related(Prefetch("report__photos", queryset=Photo.objects.select_related(
                "similar_to__report__work_order", "similar_to__report__contractor")))
            .order_by("report__received_at", "id"))


@dataclass
class Scorecard:
    contractor: object
    reported_items: int
    decided_items: int
    first_time_right_rate: float | None
    rework_count: int
    work_orders: int
    completed_work_orders: int
    late_work_orders: int
    mean_delay_days: float | None
    accepted_amount: Decimal


def scorecards(programme: Programme) -> list[Scorecard]:
    """Per contractor: first-time-right (work items accepted at their first decision), rework, delays."""
    from bawaba.orgs.models import Organisation

    contracts = Contract.objects.filter(programme=programme)
    contractor_ids = set(contracts.values_list("contractor_id", flat=True))
    items = (ReportedItem.objects.filter(report__work_order__contract__programme=programme)
             .values("report__contractor").annotate(
                 reported=Count("id"),
                 decided=Count("id", filter=~Q(decision__in=[Decision.PENDING, Decision.DOUBTFUL])),
                 rejected=Count("id", filter=Q(decision=Decision.REJECTED))))
    item_stats = {row["report__contractor"]: row for row in items}
    # First decision per work item: accepted first time if no rejected report came before its acceptance.
    first_right = dict(
        WorkItem.objects.filter(work_order__contract__programme=programme, state=WorkItemState.ACCEPTED)
        .exclude(reported__decision=Decision.REJECTED)
        .values_list("work_order__contract__contractor").annotate(n=Count("id", distinct=True))
    )
    decided_items = dict(
        WorkItem.objects.filter(work_order__contract__programme=programme)
        .filter(Q(state=WorkItemState.ACCEPTED) | Q(reported__decision=Decision.REJECTED))
        .values_list("work_order__contract__contractor").annotate(n=Count("id", distinct=True))
    )
    today = timezone.localdate()
    orders = WorkOrder.objects.filter(contract__programme=programme)
    wo_stats = {row["contract__contractor"]: row for row in orders.values("contract__contractor").annotate(
        total=Count("id"), completed=Count("id", filter=Q(state=WorkOrderState.COMPLETED)),
        late_open=Count("id", filter=Q(due_on__lt=today) & ~Q(state__in=[WorkOrderState.COMPLETED,
                                                                           WorkOrderState.CANCELLED])))}
    delays = defaultdict(list)
    for contractor_id, due_on, completed_at in orders.filter(state=WorkOrderState.COMPLETED, due_on__isnull=False) \
            .values_list("contract__contractor", "due_on", "completed_at"):
        delays[contractor_id].append((timezone.localtime(completed_at).date() - due_on).days)
    amounts = dict(BillingLine.objects.filter(contract__programme=programme).values_list("contract__contractor")
                   .annotate(total=Sum("amount")))
    result = []
    for contractor in Organisation.objects.filter(pk__in=contractor_ids).order_by("slug"):
        stats = item_stats.get(contractor.pk, {})
        wo = wo_stats.get(contractor.pk, {})
        late_done = [d for d in delays.get(contractor.pk, []) if d > 0]
        decided = decided_items.get(contractor.pk, 0)
        result.append(Scorecard(
            contractor=contractor,
            reported_items=stats.get("reported", 0),
            decided_items=decided,
            first_time_right_rate=(first_right.get(contractor.pk, 0) / decided) if decided else None,
            rework_count=stats.get("rejected", 0),
            work_orders=wo.get("total", 0),
            completed_work_orders=wo.get("completed", 0),
            late_work_orders=len(late_done) + wo.get("late_open", 0),
            mean_delay_days=(sum(late_done) / len(late_done)) if late_done else None,
            accepted_amount=amounts.get(contractor.pk) or ZERO,
        ))
    return result
