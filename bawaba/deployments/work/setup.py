"""Setting up a programme: price schedules and their rule sets, programmes, contracts, work orders."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..common import rules as common_rules
from .base import _event
from .models import (
    ALL_STEPS,
    HOME_KINDS,
    Contract,
    EventKind,
    PriceItem,
    PriceSchedule,
    PriceScheduleVersion,
    Programme,
    ProgrammeKind,
    RuleSet,
    WorkItem,
    WorkOrder,
    WorkOrderKind,
)

# --------------------------------------------------------------------------- set-up (admin, import, demo, bench)

DEFAULT_PRICE_SCHEDULE = Path(__file__).resolve().parents[1] / "data" / "price_schedule_ftth.json"


@transaction.atomic
def do_publish_price_schedule(operator, spec: dict | None = None) -> PriceScheduleVersion:
    """Create a price schedule version (and its rule set) from a dict like data/price_schedule_ftth.json.

    A version that exists already is returned unchanged: prices of a published version never change.
    """
    spec = spec or json.loads(DEFAULT_PRICE_SCHEDULE.read_text(encoding="utf-8"))
    rule_spec = spec.get("rule_set") or {"code": "default", "version": 1}
    rule_set, _created = RuleSet.objects.get_or_create(
        code=rule_spec["code"], version=int(rule_spec.get("version", 1)),
        defaults={"params": common_rules.merged_params(rule_spec.get("params")),
                  "description": rule_spec.get("description", "")})
    schedule, _created = PriceSchedule.objects.get_or_create(
        operator=operator, code=spec["code"],
        defaults={"name": spec.get("name", spec["code"]), "currency": spec.get("currency", "DZD")})
    version, created = PriceScheduleVersion.objects.get_or_create(
        schedule=schedule, version=int(spec.get("version", 1)),
        defaults={"valid_from": dt.date.fromisoformat(spec.get("valid_from", "2026-01-01"))})
    if not created:
        return version
    steps = set(ALL_STEPS)
    for item in spec["items"]:
        if item["step"] not in steps:
            raise ValidationError(_("Unknown step “%(step)s”.") % {"step": item["step"]})
        price = Decimal(str(item["unit_price"]))
        if price < 0:
            raise ValidationError(_("A unit price cannot be negative."))
        PriceItem.objects.create(
            version=version, code=item["code"], label_fr=item["label_fr"], label_ar=item.get("label_ar", ""),
            label_en=item.get("label_en", ""), unit=item.get("unit", "each"), unit_price=price, step=item["step"],
            min_photos=int(item.get("min_photos", 1)), requires_position=item.get("requires_position", True),
            requires_ont_serial=item.get("requires_ont_serial", False),
            checks_rx_power=item.get("checks_rx_power", False), checks_link_loss=item.get("checks_link_loss", False),
            checks_splice_loss=item.get("checks_splice_loss", False), rule_set=rule_set)
    return version


@transaction.atomic
def do_create_programme(operator, spec: dict) -> Programme:
    if operator.kind != "operator":
        raise ValidationError(_("A programme belongs to an operator."))
    programme, _created = Programme.objects.update_or_create(
        code=spec["code"],
        defaults={"operator": operator, "kind": spec.get("kind", ProgrammeKind.FTTH),
                  "name_fr": spec["name_fr"], "name_ar": spec.get("name_ar", ""), "name_en": spec.get("name_en", ""),
                  "country": spec.get("country", operator.country),
                  "target_homes_passed": int(spec.get("target_homes_passed", 0)),
                  "target_homes_connected": int(spec.get("target_homes_connected", 0)),
                  "target_sites": int(spec.get("target_sites", 0)),
                  "starts_on": spec.get("starts_on"), "ends_on": spec.get("ends_on")})
    return programme


@transaction.atomic
def do_create_contract(programme, contractor, version, *, reference: str, wilayas, starts_on, actor=None,
                       **terms) -> Contract:
    """A contract between the programme's operator and a contractor organisation.

    wilayas: geo.Region objects or codes ("16", "09"); terms: retention_rate, advance_amount,
    advance_recovery_rate, penalty_per_day, penalty_cap_rate, vat_rate, payment_terms_days, ends_on.
    """
    from bawaba.geo.models import Region

    if contractor.kind != "contractor":
        raise ValidationError(_("“%(org)s” is not a contractor organisation.") % {"org": contractor.name})
    if version.schedule.operator_id != programme.operator_id:
        raise ValidationError(_("The price schedule belongs to another operator."))
    contract = Contract(programme=programme, contractor=contractor, reference=reference,
                        price_schedule_version=version, starts_on=starts_on,
                        **{k: (Decimal(str(v)) if k.endswith(("rate", "amount", "per_day")) else v)
                           for k, v in terms.items()})
    contract.full_clean(exclude=["wilayas"])
    contract.save()
    regions = [w if isinstance(w, Region) else Region.objects.get(country=programme.country, code=str(w))
               for w in wilayas]
    contract.wilayas.set(regions)
    _event(EventKind.CONTRACT, actor=actor, organisation=contractor, reference=reference,
           wilayas=[r.code for r in regions])
    return contract


@transaction.atomic
def do_create_work_order(contract, site, *, reference: str, kind=None, items, due_on=None, requested_start=None,
                         actor=None) -> WorkOrder:
    """items: [(price item code, planned quantity), ...] from the contract's price schedule version."""
    if not contract.wilayas.filter(pk=site.region_id).exists():
        raise ValidationError(_("Site %(site)s is outside the contract's wilayas.") % {"site": site.code})
    kind = kind or (WorkOrderKind.FTTH if site.kind in HOME_KINDS else WorkOrderKind.SITE)
    work_order = WorkOrder.objects.create(reference=reference, contract=contract, site=site, kind=kind,
                                          due_on=due_on, requested_start=requested_start)
    prices = {p.code: p for p in contract.price_schedule_version.items.all()}
    for code, quantity in items:
        if code not in prices:
            raise ValidationError(_("Unknown price item “%(code)s”.") % {"code": code})
        WorkItem.objects.create(work_order=work_order, price_item=prices[code], planned_quantity=Decimal(str(quantity)))
    _event(EventKind.IMPORTED, actor=actor, organisation=contract.contractor, work_order=work_order,
           reference=reference)
    return work_order
