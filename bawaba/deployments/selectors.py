"""Reads shared by the pages and the API. Every function filters by what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce, Least, Round
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import billing
from .models import (
    HOME_KINDS,
    BillingLine,
    Contract,
    Decision,
    FieldReport,
    FtthStep,
    Payment,
    PaymentStatement,
    Photo,
    Programme,
    ReportedItem,
    Site,
    WorkItem,
    WorkItemState,
    WorkOrder,
    WorkOrderKind,
    WorkOrderState,
    WorkStatement,
)
from .permissions import can_view_contract, can_view_statements, is_contractor_staff, is_inspector, is_operator_staff
from .services import remaining_quantity  # noqa: F401 - part of the selector interface

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
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


# --------------------------------------------------------------------------- statements


@dataclass
class RunningStatement:
    contract: Contract
    lines: object  # QuerySet[BillingLine] not yet on an issued statement
    unbilled_amount: Decimal
    unbilled_count: int
    billed_amount: Decimal
    cumulative_amount: Decimal
    last_statement: WorkStatement | None


def running_statement(contract: Contract) -> RunningStatement:
    """Accepted work priced so far: what the next work statement will contain, plus what was billed before."""
    lines = (BillingLine.objects.filter(contract=contract, work_statement__isnull=True)
             .select_related("price_item", "work_order", "region").order_by("-accepted_at", "-id"))
    totals = lines.aggregate(total=Sum("amount"), count=Count("id"))
    last = WorkStatement.objects.filter(contract=contract).order_by("-period_end").first()
    billed = last.cumulative_amount if last else ZERO
    unbilled = totals["total"] or ZERO
    return RunningStatement(contract, lines, unbilled, totals["count"], billed, billed + unbilled, last)


def running_statements(contractor) -> list[RunningStatement]:
    return [running_statement(c) for c in Contract.objects.filter(contractor=contractor).select_related(
        "programme").order_by("reference")]


def contracts_of(user):
    qs = Contract.objects.select_related("programme", "contractor", "price_schedule_version")
    if is_contractor_staff(user):
        return qs.filter(contractor_id=user.organisation_id)
    if getattr(user, "is_authenticated", False) and user.is_platform_admin:
        return qs
    if is_operator_staff(user):
        return qs.filter(programme__operator_id=user.organisation_id)
    return qs.none()


def statement_contracts_of(user):
    """The contracts whose statements and payments the user may read (none for a technician or an inspector)."""
    return contracts_of(user) if can_view_statements(user) else Contract.objects.none()


def _sum_of(queryset, field: str):
    """SUM(field) over the rows of queryset (one value, 0 when there are none), as a correlated subquery."""
    total = queryset.order_by().values(total=Func(F(field), function="SUM", output_field=MONEY_FIELD))
    return _centimes(Coalesce(Subquery(total, output_field=MONEY_FIELD), ZERO, output_field=MONEY_FIELD))


def _centimes(expression):
    """Money computed in SQL, rounded to the centime: SQLite adds decimals as binary floats (137.78 − 0 can come
    back as 137.780000000001), PostgreSQL's numeric is exact and unchanged by it."""
    return Round(expression, 2, output_field=MONEY_FIELD)


def with_debt(statements):
    """Annotate payment statements with the figures of the debt each is part of (billing.Debt: a regular
    statement and its corrections): `debt_id` (the regular statement), `debt_net` (its net + its corrections'),
    `debt_paid` (payments recorded against any of them) and `debt_outstanding` (`debt_net` − `debt_paid`).
    Correlated subqueries: no join multiplies the rows, and no query per statement."""
    members = PaymentStatement.objects.filter(Q(pk=OuterRef("debt_id")) | Q(corrects_id=OuterRef("debt_id")))
    paid = Payment.objects.filter(statement_id__in=PaymentStatement.objects.filter(
        Q(pk=OuterRef(OuterRef("debt_id"))) | Q(corrects_id=OuterRef(OuterRef("debt_id")))).values("pk"))
    return (statements.annotate(debt_id=Coalesce("corrects_id", "pk", output_field=BigIntegerField()))
            .annotate(debt_net=_sum_of(members, "net_amount"), debt_paid=_sum_of(paid, "amount"))
            .annotate(debt_outstanding=_centimes(ExpressionWrapper(F("debt_net") - F("debt_paid"),
                                                                   output_field=MONEY_FIELD))))


def statements_of(user):
    """Payment statements (décomptes), newest first, with the payments recorded against each annotated
    (`paid`) and the figures of the debt each is part of (`debt_net`, `debt_paid`, `debt_outstanding`: see
    with_debt; a correction shows its original's). Corrections and their payments are prefetched, so that
    billing.debt_of (days to pay, interest) needs no query per regular statement."""
    paid = Payment.objects.filter(statement_id=OuterRef("pk"))
    return (with_debt(PaymentStatement.objects.filter(contract__in=statement_contracts_of(user)))
            .select_related("contract", "contractor", "work_statement")
            .prefetch_related("corrections__payments")
            .annotate(paid=_sum_of(paid, "amount"))
            .order_by("-issued_at", "-sequence"))


def work_statements_of(user):
    return (WorkStatement.objects.filter(contract__in=statement_contracts_of(user))
            .select_related("contract", "contractor").order_by("-issued_at", "-sequence"))


def payments_of(user):
    return (Payment.objects.filter(statement__contract__in=statement_contracts_of(user))
            .select_related("statement", "statement__contractor").order_by("-paid_on", "-id"))


def statement_for(user, pk) -> PaymentStatement:
    try:
        statement = PaymentStatement.objects.select_related(
            "contract", "contract__programme", "contract__programme__operator", "contractor", "work_statement",
            "corrects").get(pk=pk)
    except (PaymentStatement.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such statement.")) from exc
    if not (can_view_statements(user) and can_view_contract(user, statement.contract)):  # not revealed
        raise Http404(_("No such statement."))
    return statement


def statement_status(statement: PaymentStatement, on: dt.date | None = None) -> dict:
    """Paid, outstanding, days to pay and late interest of the debt a payment statement is part of: the
    statement with its corrections (for a correction, its original's). `original` is that regular statement,
    `total` its net plus its corrections' nets."""
    return _status(billing.debt_of(statement), on)


def statement_statuses(statements, on: dt.date | None = None) -> list[PaymentStatement]:
    """The statements (a page of a list), each with its statement_status attached as `status`, in a few queries
    whatever the number of statements."""
    statements = list(statements)
    prefetch_related_objects(statements, "payments", "corrections__payments", "corrects__payments",
                             "corrects__corrections__payments")
    for statement in statements:
        statement.status = _status(billing.debt_of(statement), on)
    return statements


def _status(debt: billing.Debt, on: dt.date | None) -> dict:
    on = on or timezone.localdate()
    return {
        "original": debt.statement,
        "payments": debt.payments,
        "total": debt.total,
        "paid": debt.paid,
        "outstanding": debt.outstanding,
        "days_to_pay": debt.days_to_pay(),
        "is_overdue": debt.is_overdue(on),
        "late_interest": debt.late_interest(on),
    }


def days_to_pay(programme=None, *, by: str = "contractor", contractor=None) -> list[dict]:
    """Mean days from issue to full payment and late interest to date, per contractor or per wilaya.

    One row per debt: a regular statement with its corrections, counted when their net is above zero
    (billing.Debt). Per wilaya, each debt counts with the weight of its statement's amount in that wilaya.
    """
    statements = PaymentStatement.objects.filter(corrects__isnull=True)  # one debt per regular statement
    if programme is not None:
        statements = statements.filter(contract__programme=programme)
    if contractor is not None:
        statements = statements.filter(contractor=contractor)
    statements = list(with_debt(statements).filter(debt_net__gt=0).select_related("contractor")
                      .prefetch_related("payments", "corrections__payments"))
    today = timezone.localdate()
    rows: dict = defaultdict(lambda: {"weight": Decimal(0), "weighted_days": Decimal(0), "paid_statements": 0,
                                      "open_statements": 0, "late_interest": ZERO, "outstanding": ZERO})
    if by == "wilaya":
        shares = defaultdict(dict)
        for ws_id, region_id, amount in (BillingLine.objects.filter(
                work_statement__payment_statement__in=[s.pk for s in statements])
                .values_list("work_statement__payment_statement", "region").annotate(total=Sum("amount"))):
            shares[ws_id][region_id] = amount
        from bawaba.geo.models import Region

        regions = Region.objects.in_bulk([r for s in shares.values() for r in s])
    for statement in statements:
        debt = billing.debt_of(statement)  # from the prefetched rows
        days = debt.days_to_pay()
        interest = debt.late_interest(today)
        outstanding = statement.debt_outstanding
        if by == "wilaya":
            split = shares.get(statement.pk) or {}
            total = sum(split.values(), Decimal(0)) or Decimal(1)
            keys = [(regions[r], amount / total) for r, amount in split.items()]
        else:
            keys = [(statement.contractor, Decimal(1))]
        for key, share in keys:
            row = rows[key]
            if days is None:
                row["open_statements"] += 1
            else:
                row["paid_statements"] += 1
                row["weight"] += share
                row["weighted_days"] += share * days
            row["late_interest"] += billing.money(interest * share)
            row["outstanding"] += billing.money(outstanding * share)
    result = []
    for key, row in rows.items():
        mean = (row["weighted_days"] / row["weight"]).quantize(Decimal("0.1")) if row["weight"] else None
        result.append({"key": key, "name": key.name, "mean_days_to_pay": mean,
                       "paid_statements": row["paid_statements"], "open_statements": row["open_statements"],
                       "outstanding": row["outstanding"], "late_interest": row["late_interest"]})
    result.sort(key=lambda r: (r["mean_days_to_pay"] is None, -(r["mean_days_to_pay"] or 0), r["name"]))
    return result


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
    from .models import STEP_LABELS, STEPS_BY_KIND, SiteKind
    from .models import WorkOrderKind as Kind

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


def sites_of(programme: Programme):
    return Site.objects.filter(programme=programme).select_related("region", "commune")
