"""Reads of a programme's progress for the dashboard and the map: per wilaya, from the work orders, the reports
and the billed lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Least
from django.utils import timezone

from ..common.money import ZERO
from ..common.permissions import is_contractor_staff
from ..work.models import (
    HOME_KINDS,
    STEP_LABELS,
    STEPS_BY_KIND,
    FtthStep,
    Programme,
    Site,
    SiteKind,
    WorkItem,
    WorkOrder,
    WorkOrderKind,
    WorkOrderState,
)
from ..work.models import WorkOrderKind as Kind
from ..work.selectors import PASSED_AFTER_STEPS
from .models import BillingLine


@dataclass
class ProgressRow:
    region: object
    homes_passed: int = 0
    homes_connected: int = 0
    sites_connected: int = 0
    work_orders: int = 0
    completed: int = 0
    late: int = 0
    accepted_amount: Decimal = field(default_factory=lambda: ZERO)

    @property
    def completion_rate(self) -> float:
        return self.completed / self.work_orders if self.work_orders else 0.0


def _progress_counts(programme, group_field: str):
    qs = WorkOrder.objects.filter(contract__programme=programme)
    today = timezone.localdate()
    return (qs.values(group_field).annotate(
        work_orders=Count("id"),
        completed=Count("id", filter=Q(state=WorkOrderState.COMPLETED)),
        late=Count("id", filter=Q(due_on__lt=today) & ~Q(state__in=[WorkOrderState.COMPLETED,
                                                                      WorkOrderState.CANCELLED])),
        # A site with a redo order is connected once (a site lies in one wilaya, so distinct per group is per site).
        sites_connected=Count("site", distinct=True, filter=Q(kind=WorkOrderKind.SITE,
                                                              state=WorkOrderState.COMPLETED)),
    ))


def _homes_passed(programme) -> dict[int, int]:
    """Homes passed per wilaya (region id): each site's homes once, if any of its FTTH work orders of the programme
    is past the distribution box, however many orders the site has (riser, then extra drops, a redo)."""
    passed = WorkOrder.objects.filter(contract__programme=programme, site=OuterRef("pk"), kind=WorkOrderKind.FTTH,
                                      steps_done__gte=PASSED_AFTER_STEPS)
    return dict(Site.objects.filter(Exists(passed)).order_by().values_list("region")
                .annotate(total=Sum("homes")).values_list("region", "total"))


def _homes_connected(programme) -> dict[int, int]:
    """Homes connected per wilaya: for each site, its accepted activations (a building counts each activated
    home, not the building once), at most its homes — a redo order that activates the same homes again must not
    count them twice. A separate query: joining the work items to the work-order counts would multiply them."""
    activations = WorkItem.objects.filter(
        work_order__contract__programme=programme, work_order__kind=WorkOrderKind.FTTH,
        price_item__step=FtthStep.ACTIVATION, accepted_quantity__gt=0)
    activated = (activations.filter(work_order__site=OuterRef("pk")).order_by().values("work_order__site")
                 .annotate(total=Sum("accepted_quantity")).values("total"))
    capped = Least(Cast(Subquery(activated), DecimalField(max_digits=14, decimal_places=3)),
                   Cast("homes", DecimalField(max_digits=14, decimal_places=3)))
    return dict(Site.objects.filter(kind__in=HOME_KINDS, pk__in=activations.values("work_order__site"))
                .order_by().values_list("region").annotate(total=Sum(capped)).values_list("region", "total"))


def progress_grouping_year(by: str) -> int | None:
    """The reform a progress grouping goes back before: "wilaya" → None (today's wilayas), "before_<year>" →
    that reform, "former_wilaya" → the first reform (the wilayas before any split). ValueError otherwise."""
    from bawaba.geo.loader import REFORM_YEARS

    if by == "wilaya":
        return None
    if by == "former_wilaya":
        return REFORM_YEARS[0]
    prefix, _sep, year = by.partition("_")
    if prefix == "before" and year.isdigit() and int(year) in REFORM_YEARS:
        return int(year)
    raise ValueError(f"unknown progress grouping {by!r}")


def programme_progress(programme: Programme, *, by: str = "wilaya") -> list[ProgressRow]:
    """Progress per wilaya, or per wilaya as it was before a reform (by="before_2026", or "former_wilaya"
    for before the first split): a wilaya created by the reform counts in the one it was split from."""
    from bawaba.geo.models import Region

    reform_year = progress_grouping_year(by)
    group = "site__region"
    rows: dict[int, ProgressRow] = {}
    counts = list(_progress_counts(programme, group))
    homes_passed = _homes_passed(programme)
    amounts = dict(BillingLine.objects.filter(contract__programme=programme).values_list("region")
                   .annotate(total=Sum("amount")).values_list("region", "total"))
    connected = _homes_connected(programme)
    region_ids = {c[group] for c in counts} | set(amounts) | set(homes_passed)
    regions = Region.objects.select_related("former_region").in_bulk(region_ids)
    if reform_year:
        regions = {pk: region.division_before(reform_year) for pk, region in regions.items()}
    for region_id in region_ids:
        region = regions[region_id]
        row = rows.setdefault(region.id, ProgressRow(region))
        row.accepted_amount += amounts.get(region_id) or ZERO
        row.homes_passed += homes_passed.get(region_id) or 0
    for count in counts:
        row = rows[regions[count[group]].id]
        row.work_orders += count["work_orders"]
        row.completed += count["completed"]
        row.late += count["late"]
        row.homes_connected += int(connected.get(count[group]) or 0)
        row.sites_connected += count["sites_connected"]
    return sorted(rows.values(), key=lambda r: r.region.code.zfill(3))


def programme_totals(programme: Programme) -> dict:
    """Totals against the programme targets (shares 0..1; None when no target is set)."""
    rows = programme_progress(programme)
    totals = {
        "homes_passed": sum(r.homes_passed for r in rows),
        "homes_connected": sum(r.homes_connected for r in rows),
        "sites_connected": sum(r.sites_connected for r in rows),
        "work_orders": sum(r.work_orders for r in rows),
        "completed": sum(r.completed for r in rows),
        "late": sum(r.late for r in rows),
        "accepted_amount": sum((r.accepted_amount for r in rows), ZERO),
    }
    for key, target in (("homes_passed", programme.target_homes_passed),
                        ("homes_connected", programme.target_homes_connected),
                        ("sites_connected", programme.target_sites)):
        totals[f"{key}_target"] = target
        totals[f"{key}_share"] = (totals[key] / target) if target else None
    return totals


def site_geojson(programme: Programme, *, region=None, user=None, limit: int = 20000) -> dict:
    """Sites of a programme as a GeoJSON FeatureCollection (RFC 7946: [longitude, latitude])."""
    orders = WorkOrder.objects.filter(contract__programme=programme)
    if user is not None and is_contractor_staff(user):
        orders = orders.filter(contract__contractor_id=user.organisation_id)
    if region is not None:
        orders = orders.filter(site__region=region)
    rows = (orders.order_by("site_id", "-id")
            .values_list("site_id", "site__code", "site__kind", "site__name", "site__latitude", "site__longitude",
                         "site__region__code", "site__homes", "reference", "kind", "state", "steps_done")[:limit])

    features = []
    seen = set()
    for (site_id, code, kind, name, lat, lon, region_code, homes, reference, wo_kind, state, steps_done) in rows:
        if site_id in seen:
            continue
        seen.add(site_id)
        steps = STEPS_BY_KIND[Kind(wo_kind)]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {
                "code": code, "kind": kind, "kind_label": str(SiteKind(kind).label), "name": name,
                "region": region_code, "homes": homes, "work_order": reference, "state": state,
                "state_label": str(WorkOrderState(state).label),
                "step": steps[steps_done] if steps_done < len(steps) else None,
                "step_label": str(STEP_LABELS[steps[steps_done]]) if steps_done < len(steps) else "",
                "progress": round(steps_done / len(steps), 3),
            },
        })
    return {"type": "FeatureCollection", "features": features,
            "properties": {"programme": programme.code, "attribution": "© OpenStreetMap contributors"}}
