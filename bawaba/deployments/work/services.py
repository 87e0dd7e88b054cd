"""Writes of the work: work-order states (TMF697 transitions) and progress from the accepted items.

Every do_* function owns its transaction and writes its audit record (DeploymentEvent) in it.
Exceptions: PermissionDenied → 403, ValidationError → 422 (message_dict by field), Conflict → 409."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..common.errors import Conflict
from ..common.models import Decision
from ..common.permissions import is_inspector
from .base import _event
from .maintenance import work_order_state_changed
from .models import (
    WORK_ORDER_TRANSITIONS,
    EventKind,
    WorkItem,
    WorkOrder,
    WorkOrderState,
)

# --------------------------------------------------------------------------- field reports


def remaining_quantity(work_item: WorkItem) -> Decimal:
    """Planned minus accepted minus what is still awaiting a decision."""
    pending = sum(
        (ri.quantity for ri in work_item.reported.all() if ri.decision in (Decision.PENDING, Decision.DOUBTFUL)),
        Decimal("0"),
    )
    return max(Decimal("0"), work_item.planned_quantity - work_item.accepted_quantity - pending)


def _refresh_progress(work_order: WorkOrder, *, actor, now):
    """Recompute the steps done in order and complete the work order when every item is accepted."""
    items = list(work_order.items.select_related("price_item"))
    done = 0
    for step in work_order.steps:
        step_items = [i for i in items if i.price_item.step == step]
        if all(i.accepted_quantity >= i.planned_quantity for i in step_items):
            done += 1
        else:
            break
    fields = []
    if done != work_order.steps_done:
        work_order.steps_done = done
        fields.append("steps_done")
    if fields:
        work_order.save(update_fields=[*fields, "updated_at"])
    if items and all(i.accepted_quantity >= i.planned_quantity for i in items) and \
            work_order.state in (WorkOrderState.IN_PROGRESS, WorkOrderState.PENDING, WorkOrderState.PARTIAL):
        _set_state(work_order, WorkOrderState.COMPLETED, actor=actor, now=now,
                   completed_at=_work_finished_at(work_order) or now)


def _work_finished_at(work_order: WorkOrder):
    """When the contractor finished the work order: the latest receipt time of a report with an accepted item.

    Not the moment of the last decision: an item that waited in the inspector's queue was done when its report
    arrived, and the days the inspector took are not the contractor's delay (late penalties and scorecards count
    up to completed_at). The server's receipt time, not the phone's report time: a phone clock can be set back
    and only a clock ahead of the server is detected. On automatic acceptance this is the current report's
    receipt, i.e. now, as before.
    """
    return (work_order.items.filter(reported__decision=Decision.ACCEPTED)
            .aggregate(at=Max("reported__report__received_at"))["at"])


def _set_state(work_order: WorkOrder, state: str, *, actor, now, reason="", completed_at=None):
    previous = work_order.state
    work_order.state = state
    fields = ["state", "updated_at"]
    if state == WorkOrderState.IN_PROGRESS and work_order.started_at is None:
        work_order.started_at = now
        fields.append("started_at")
    extra = {}
    if state == WorkOrderState.COMPLETED:
        # Also when the operator completes it by hand: the contractor finished with the last accepted report.
        work_order.completed_at = completed_at or _work_finished_at(work_order) or now
        work_order.completion_recorded_at = now
        fields += ["completed_at", "completion_recorded_at"]
        if work_order.completed_at != now:  # the audit record says when the work was done, besides the decision
            extra["completed_at"] = work_order.completed_at.isoformat()
    work_order.save(update_fields=fields)
    _event(EventKind.WORK_ORDER_STATE, actor=actor, organisation=getattr(actor, "organisation", None),
           work_order=work_order, at=now, **{"from": previous, "to": state, "reason": reason}, **extra)

    work_order_state_changed(work_order, previous, state, now)


@transaction.atomic
def do_transition_work_order(work_order: WorkOrder, state: str, actor, reason: str = "") -> WorkOrder:
    """The operator's inspectors move a work order along the TMF697 states (hold, cancel, …)."""

    locked = WorkOrder.objects.select_for_update().select_related("contract__programme").get(pk=work_order.pk)
    if not is_inspector(actor, locked.contract.programme):
        raise PermissionDenied(_("Only the operator can change the state of a work order."))
    if state not in WorkOrderState.values:
        raise ValidationError({"state": [_("Unknown state “%(state)s”.") % {"state": state}]})
    if state not in WORK_ORDER_TRANSITIONS.get(locked.state, ()):
        raise Conflict(_("A work order cannot go from %(from)s to %(to)s.")
                       % {"from": locked.get_state_display(), "to": WorkOrderState(state).label})
    now = timezone.now()
    _set_state(locked, state, actor=actor, now=now, reason=(reason or "")[:500])
    if state in (WorkOrderState.IN_PROGRESS, WorkOrderState.PENDING, WorkOrderState.PARTIAL):
        # Resumed after its last item was accepted while it was held: nothing will be reported any more, so it
        # completes now (at the time the contractor finished), not when someone notices.
        _refresh_progress(locked, actor=actor, now=now)
    return locked
