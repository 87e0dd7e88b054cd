"""Maintenance after the roll-out: a citizen's fault request about a fibre line becomes a work order for the
contractor that covers the line's wilaya, with its own price items and intervention deadline, billed through
the same statements; the request follows the work order's progress.

- **Which line.** A request names the line by its site code (as printed on the connection report and the
  operator's bills, e.g. "DZ16-0042") or by its ONT serial; `lines_named` finds the operator's sites named in
  the request's subject and text.
- **Which contractor.** The active contract of the operator's programme whose wilayas hold the line's wilaya
  (the commune's wilaya): `covering_contract`.
- **Which prices.** The maintenance price items (steps "diagnosis" and "repair") of the operator's latest
  published schedule that has them (`data/price_schedule_maintenance.json`, published by
  `do_publish_maintenance_schedule`). Accepted items are priced onto the running statement like any other.
- **Deadline.** INTERVENTION_HOURS by fault (24 h for a line down), from the moment the order is opened; the
  work order's due date is the deadline's day, so the contract's late penalties apply as for any order.
- **The citizen follows.** Opening the order, and each later state of the work order (in progress,
  completed, failed, cancelled), writes a line in the request's history (servicedesk module events) and tells
  the citizen through bawaba.notifications, once per state, in the transaction that changes the state
  (services._set_state calls `work_order_state_changed`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.notifications import texts
from bawaba.notifications.services import notify

from .base import _contract_tz
from .models import (
    INTERVENTION_HOURS,
    Contract,
    DeploymentEvent,
    EventKind,
    FaultKind,
    MaintenanceOrder,
    MaintenanceStep,
    PriceItem,
    Site,
    WorkItem,
    WorkOrder,
    WorkOrderKind,
    WorkOrderState,
)
from .setup import do_publish_price_schedule

log = logging.getLogger(__name__)
MODULE = "fibre"
MAINTENANCE_SCHEDULE = Path(__file__).resolve().parents[1] / "data" / "price_schedule_maintenance.json"
MAX_LINES = 3
# Site codes ("DZ16-0042", "CG-BZV-0007": a letter first, parts joined by hyphens, a digit somewhere) and ONT
# serials ("HWTC1A2B0001": four letters, eight hex digits), as people type them.
_CODE = re.compile(r"\b(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|[A-Z]{4}[0-9A-F]{8})\b")
# States the citizen is told of (the others are the contractor's and the inspector's business).
TOLD_STATES = (WorkOrderState.IN_PROGRESS, WorkOrderState.COMPLETED, WorkOrderState.FAILED,
               WorkOrderState.CANCELLED)


# --------------------------------------------------------------------------- what the request is about


def codes_named(req) -> list[str]:
    found = _CODE.findall(f"{req.subject}\n{req.text}".upper())
    return list(dict.fromkeys(code for code in found if any(c.isdigit() for c in code)))[:MAX_LINES * 2]


def lines_named(req) -> list[Site]:
    """The operator's fibre lines (sites) a request names by site code or ONT serial; no query without one."""
    codes = codes_named(req)
    if not codes:
        return []
    return list(Site.objects.filter(programme__operator_id=req.organisation_id)
                .filter(Q(code__in=codes) | Q(work_orders__reports__ont_serial__in=codes))
                .select_related("region", "commune", "programme").distinct().order_by("code")[:MAX_LINES])


def covering_contract(site: Site) -> Contract | None:
    """The active contract that covers the line's wilaya, for the operator of the line's programme: the one
    of the contractor that built the line when it still covers it (who laid it maintains it), else the most
    recent one."""
    covering = list(Contract.objects.filter(programme__operator_id=site.programme.operator_id, is_active=True,
                                            programme__country=site.programme.country, wilayas=site.region_id)
                    .select_related("contractor", "programme", "price_schedule_version__schedule")
                    .order_by("-starts_on", "-pk"))
    builder = (WorkOrder.objects.filter(site=site).exclude(kind=WorkOrderKind.MAINTENANCE)
               .order_by("-created_at", "-pk").values_list("contract__contractor_id", flat=True).first())
    return next((c for c in covering if c.contractor_id == builder), covering[0] if covering else None)


def maintenance_price_items(contract: Contract) -> list[PriceItem]:
    """The maintenance price items of the operator's latest published version that has some."""
    items = (PriceItem.objects.filter(version__schedule__operator_id=contract.programme.operator_id,
                                      step__in=MaintenanceStep.values)
             .select_related("version").order_by("-version__valid_from", "-version__version", "code"))
    items = list(items)
    if not items:
        return []
    latest = items[0].version_id
    return [item for item in items if item.version_id == latest]


def maintenance_of(req) -> MaintenanceOrder | None:
    return (MaintenanceOrder.objects.filter(request=req)
            .select_related("work_order__contract__contractor", "work_order__site").first())


def may_open(user, req) -> bool:
    """Staff of the operator that owns the request (an agent acting on it), not the contractor."""
    from bawaba.servicedesk.permissions import can_act

    return bool(user.is_authenticated and user.is_desk_staff and can_act(user, req)
                and (user.is_platform_admin or user.organisation_id == req.organisation_id))


# --------------------------------------------------------------------------- opening a maintenance order


def do_publish_maintenance_schedule(operator):
    """Publish the maintenance price schedule (data/price_schedule_maintenance.json) for an operator."""

    return do_publish_price_schedule(operator, json.loads(MAINTENANCE_SCHEDULE.read_text(encoding="utf-8")))


def _quantities(items: dict, offered: list[PriceItem]) -> list[tuple[PriceItem, Decimal]]:
    by_code = {item.code: item for item in offered}
    chosen, errors = [], []
    for code, raw in items.items():
        if raw in ("", None, "0"):
            continue
        item = by_code.get(code)
        try:
            quantity = Decimal(str(raw).replace(",", "."))
        except InvalidOperation:
            quantity = None
        if item is None:
            errors.append(_("“%(code)s” is not a maintenance price item.") % {"code": code})
        elif quantity is None or quantity <= 0 or quantity > 10000 or quantity != quantity.quantize(Decimal("0.01")):
            errors.append(_("The quantity of %(code)s must be a positive number.") % {"code": code})
        else:
            chosen.append((item, quantity))
    if errors:
        raise ValidationError({"items": errors})
    if not chosen:
        raise ValidationError({"items": [_("Choose at least one maintenance price item.")]})
    return chosen


def do_open_maintenance(req, site: Site, *, actor, fault: str, items: dict, now: dt.datetime | None = None
                        ) -> MaintenanceOrder:
    """Open the maintenance work order of a fault request: the work order and its items, the link, a line in
    the request's history and the message to the citizen, in one transaction."""
    now = now or timezone.now()
    if not may_open(actor, req):
        raise PermissionDenied(_("Only the operator's service centre can send a fault to maintenance."))
    if site.programme.operator_id != req.organisation_id:
        raise PermissionDenied(_("This line belongs to another operator."))
    errors = {}
    if fault not in FaultKind.values:
        errors["fault"] = [_("Choose the kind of fault.")]
    contract = covering_contract(site)
    if contract is None:
        errors["site"] = [_("No contractor's contract covers wilaya %(wilaya)s.") % {"wilaya": site.region.code}]
    offered = maintenance_price_items(contract) if contract else []
    if contract and not offered:
        errors["items"] = [_("No maintenance price schedule is published for this operator.")]
    if errors:
        raise ValidationError(errors)
    chosen = _quantities(items, offered)
    due_at = now + dt.timedelta(hours=INTERVENTION_HOURS[FaultKind(fault)])

    tz = _contract_tz(contract)
    with transaction.atomic():
        if MaintenanceOrder.objects.select_for_update().filter(request=req).exists():
            raise ValidationError(_("A maintenance work order is already open for this request."))
        # MNT-<line>-<n>: the line's n-th maintenance, read aloud like the line's code (the unique reference
        # refuses a second opening racing this one for the same line: it fails, nothing is half stored).
        count = WorkOrder.objects.filter(site=site, kind=WorkOrderKind.MAINTENANCE).count()
        work_order = WorkOrder.objects.create(
            reference=f"MNT-{site.code}-{count + 1}"[:40], contract=contract, site=site, kind=WorkOrderKind.MAINTENANCE,
            state=WorkOrderState.ACKNOWLEDGED, requested_start=timezone.localdate(now, tz),
            due_on=timezone.localtime(due_at, tz).date())
        # created_at is filled by the clock on insert: dated at `now`, like the import does.
        WorkOrder.objects.filter(pk=work_order.pk).update(created_at=now, updated_at=now)
        work_order.created_at = work_order.updated_at = now
        WorkItem.objects.bulk_create([WorkItem(work_order=work_order, price_item=item, planned_quantity=quantity)
                                      for item, quantity in chosen])
        order = MaintenanceOrder.objects.create(
            work_order=work_order, request=req, fault=fault, intervention_due_at=due_at, opened_by=actor,
            opened_at=now, told_state=WorkOrderState.ACKNOWLEDGED)
        DeploymentEvent.objects.create(
            kind=EventKind.WORK_ORDER_STATE, actor=actor, organisation=actor.organisation, work_order=work_order,
            at=now, data={"from": "", "to": WorkOrderState.ACKNOWLEDGED, "reason": f"maintenance of {req.reference}",
                          "request": req.reference, "fault": fault, "due_at": due_at.isoformat()})
        _tell(order, "opened", actor=actor, now=now, contractor=contract.contractor.name)
    return order


# --------------------------------------------------------------------------- following the work order


def work_order_state_changed(work_order: WorkOrder, previous: str, state: str, now: dt.datetime) -> None:
    """Called by services._set_state inside its transaction; costs nothing for other kinds of work order."""
    if work_order.kind != WorkOrderKind.MAINTENANCE or state not in TOLD_STATES or state == previous:
        return
    order = (MaintenanceOrder.objects.select_for_update(of=("self",)).select_related("request")
             .filter(work_order=work_order).first())
    if order is None or order.told_state == state:
        return
    try:
        with transaction.atomic():  # a savepoint: telling the citizen never blocks the contractor's report
            order.told_state = state
            order.save(update_fields=["told_state"])
            _tell(order, state, actor=None, now=now)
    except Exception:  # noqa: BLE001 - logged; the work order's own change stands
        log.exception("could not tell request %s of maintenance %s: %s", order.request_id, work_order.pk, state)


def _tell(order: MaintenanceOrder, what: str, *, actor, now, **data) -> None:
    """A line in the request's history and a message to its citizen (once per state: the event names it)."""
    from bawaba.servicedesk.models import EventKind as RequestEventKind
    from bawaba.servicedesk.services import do_record_module_event

    req, work_order = order.request, order.work_order
    kind = RequestEventKind.LINKED if what == "opened" else RequestEventKind.MODULE_UPDATE
    do_record_module_event(req, kind, module=MODULE, actor=actor, now=now, what=f"maintenance_{what}",
                           work_order=work_order.reference, due_at=order.intervention_due_at.isoformat(), **data)
    if not (req.citizen_phone or req.citizen_email):
        return

    due = timezone.localtime(order.intervention_due_at, _contract_tz(work_order.contract))
    notify(topic="servicedesk.request", reference=req.reference, event=f"fibre-maintenance:{order.pk}:{what}",
           template=f"fibre.maintenance_{what}", language=req.language or texts.guess_language(req.text),
           organisation_id=req.organisation_id, phone=req.citizen_phone, email=req.citizen_email,
           context={"reference": req.reference, "due": due.strftime("%d/%m/%Y %H:%M")}, now=now)


# --------------------------------------------------------------------------- messages to the citizen

texts.register("fibre.maintenance_opened", texts.Template(
    # Translators: one SMS segment where possible; %(due)s is a day/month/year hour:minute date.
    sms=lambda c: _("Your fibre line fault (%(reference)s) is sent to a technician; repair due by %(due)s.") % c,
    subject=lambda c: _("Your fibre line fault %(reference)s: a technician is assigned") % c,
    lead=lambda c: _("We have sent your fault to the technicians who maintain the network in your area. They "
                     "are due to repair it by %(due)s; your request %(reference)s follows the work.") % c,
))
texts.register("fibre.maintenance_inProgress", texts.Template(
    sms=lambda c: _("A technician is working on your fibre line (%(reference)s).") % c,
    subject=lambda c: _("Your fibre line fault %(reference)s: work under way") % c,
    lead=lambda c: _("A technician has started working on your fibre line. Request %(reference)s.") % c,
))
texts.register("fibre.maintenance_completed", texts.Template(
    sms=lambda c: _("Your fibre line is repaired (%(reference)s). Tell us if it still does not work.") % c,
    subject=lambda c: _("Your fibre line fault %(reference)s is repaired") % c,
    lead=lambda c: _("The technician has repaired your fibre line and the repair was checked. If it still "
                     "does not work, reply to request %(reference)s.") % c,
))
texts.register("fibre.maintenance_failed", texts.Template(
    sms=lambda c: _("The repair of your fibre line (%(reference)s) could not be done; we will call you.") % c,
    subject=lambda c: _("Your fibre line fault %(reference)s: repair not done") % c,
    lead=lambda c: _("The technician could not repair your fibre line. The service centre will call you "
                     "about request %(reference)s.") % c,
))
texts.register("fibre.maintenance_cancelled", texts.Template(
    sms=lambda c: _("The repair visit for your fibre line (%(reference)s) is cancelled.") % c,
    subject=lambda c: _("Your fibre line fault %(reference)s: visit cancelled") % c,
    lead=lambda c: _("The repair visit for your fibre line is cancelled. The service centre follows request "
                     "%(reference)s.") % c,
))
