"""Reads for the post's operations dashboards: stuck items, service level J+n, exceptions, counter activity.

Plain functions over a ``Scope`` (a post, narrowed to a supervisor's region by bawaba.postal.permissions),
testable without HTTP; every time-dependent one takes ``now``.

- **Stuck**: an item not delivered nor returned whose last event (else its acceptance, else its creation) is
  older than its product's ``stuck_after_days`` (calendar days: a parcel lying in a bag does not rest at
  the weekend).
- **Service level J+n**: items delivered in the period, per product and route (origin office or region of
  acceptance → delivery office or region). J is the local day of acceptance; the item is on time when it
  was delivered no later than the n-th working day after J (n = the product's ``target_days``; working days
  from the organisation's business calendar: its weekly opening days less its holidays). J+0 = same day.
- **Exceptions**: events flagged by tracking (impossible sequences) and not reviewed yet.
- **Counter activity**: items accepted per office in the period and their revenue (``Item.price``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bawaba.core.business_time import BusinessCalendar
from bawaba.orgs.models import Organisation
from bawaba.orgs.services import calendar_for
from bawaba.postal.models import Item, ItemStatus, Office, Product, TrackingEvent
from bawaba.postal.permissions import SUPERVISOR, is_postal_staff, items_visible_to, offices_visible_to, posting

FINAL_STATUSES = (ItemStatus.DELIVERED, ItemStatus.RETURNED)
PERIODS = (7, 30, 90)
ROUTE_LEVELS = ("region", "office")


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a supervisor oversees: one post, all of it or one region."""

    organisation: Organisation
    region: object | None  # geo.Region
    items: QuerySet
    offices: QuerySet

    @property
    def label(self) -> str:
        return f"{self.organisation.name} · {self.region.name}" if self.region else self.organisation.name


def postal_organisations() -> QuerySet[Organisation]:
    """Organisations that run postal operations (they have offices or products)."""
    return Organisation.objects.filter(
        Q(postal_offices__isnull=False) | Q(postal_products__isnull=False)).distinct().order_by("slug")


def scope_for(user, organisation: Organisation | None = None) -> Scope:
    """The supervisor's post and region; a platform admin chooses the post (default: the first one).
    Anyone else: PermissionDenied."""
    if not is_postal_staff(user, SUPERVISOR):
        raise PermissionDenied(_("The postal dashboards are for the post's supervisors."))
    if user.is_platform_admin:
        org = organisation or postal_organisations().first() or user.organisation
        if org is None:
            raise PermissionDenied(_("No post runs postal operations yet."))
        return Scope(org, None, Item.objects.filter(organisation=org), Office.objects.filter(organisation=org))
    staff = posting(user)
    region = staff.region if staff is not None and staff.region_id else None
    return Scope(user.organisation, region, items_visible_to(user).filter(organisation_id=user.organisation_id),
                 offices_visible_to(user))


# --- stuck items ------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class StuckRow:
    product: Product
    stuck_after_days: int
    count: int


def stuck_items(scope: Scope, *, now: dt.datetime) -> QuerySet[Item]:
    """Items with no event for longer than their product allows, the quietest first (``quiet_since``)."""
    products = list(Product.objects.filter(organisation=scope.organisation))
    if not products:
        return Item.objects.none()
    rule = Q(pk__in=[])
    for product in products:
        rule |= Q(product=product, quiet_since__lt=now - dt.timedelta(days=product.stuck_after_days))
    return (scope.items.exclude(status__in=FINAL_STATUSES)
            .annotate(quiet_since=Coalesce("last_event_at", "accepted_at", "created_at"))
            .filter(rule)
            .select_related("product", "accepted_office", "delivery_office")
            .order_by("quiet_since", "id"))


def stuck_by_product(scope: Scope, *, now: dt.datetime) -> list[StuckRow]:
    counts = dict(stuck_items(scope, now=now).order_by().values("product").annotate(n=Count("id"))
                  .values_list("product", "n"))
    return [StuckRow(product, product.stuck_after_days, counts.get(product.pk, 0))
            for product in Product.objects.filter(organisation=scope.organisation).order_by("code")]


# --- service level J+n -------------------------------------------------------------------------------

class WorkingDays:
    """Counts the organisation's working days between two local dates in O(1) after one pass over the span."""

    def __init__(self, calendar: BusinessCalendar, first: dt.date, last: dt.date):
        self.first = first
        self._cumulative = []
        total = 0
        day = first
        while day <= last:
            total += calendar.is_open_day(day)
            self._cumulative.append(total)
            day += dt.timedelta(days=1)

    def after(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end (0 when end is not after start)."""
        if end <= start:
            return 0
        return self._cumulative[(end - self.first).days] - self._cumulative[(start - self.first).days]


@dataclasses.dataclass
class ServiceLevelRow:
    product: Product
    origin: str
    destination: str
    target_days: int
    delivered: int = 0
    on_time: int = 0
    total_days: int = 0

    @property
    def late(self) -> int:
        return self.delivered - self.on_time

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.delivered) if self.delivered else None

    @property
    def average_days(self) -> Decimal | None:
        if not self.delivered:
            return None
        return (Decimal(self.total_days) / self.delivered).quantize(Decimal("0.1"))


def service_levels(scope: Scope, *, since: dt.datetime, until: dt.datetime, level: str = "region",
                   calendar: BusinessCalendar | None = None) -> list[ServiceLevelRow]:
    """J+n attainment of the items delivered in [since, until), per product and route, against the
    product's target. ``level``: routes between regions (``region``) or between offices (``office``)."""
    if level not in ROUTE_LEVELS:
        raise ValueError(level)
    calendar = calendar or calendar_for(scope.organisation)
    tz = calendar.tz
    origin_field, destination_field = (("accepted_office__region", "delivery_office__region") if level == "region"
                                       else ("accepted_office", "delivery_office"))
    rows = list(scope.items.filter(delivered_at__gte=since, delivered_at__lt=until, accepted_at__isnull=False,
                                   product__isnull=False)
                .values_list("product_id", origin_field, destination_field, "accepted_at", "delivered_at"))
    if not rows:
        return []
    starts = [accepted.astimezone(tz).date() for _p, _o, _d, accepted, _dl in rows]
    ends = [delivered.astimezone(tz).date() for *_rest, delivered in rows]
    days = WorkingDays(calendar, min(starts), max(max(ends), max(starts)))
    products = {p.pk: p for p in Product.objects.filter(organisation=scope.organisation)}
    names = _route_names(level, {r[1] for r in rows} | {r[2] for r in rows})
    table: dict[tuple, ServiceLevelRow] = {}
    for (product_id, origin, destination, _accepted, _delivered), start, end in zip(rows, starts, ends, strict=True):
        product = products[product_id]
        key = (product_id, origin, destination)
        row = table.get(key)
        if row is None:
            row = table[key] = ServiceLevelRow(product, names.get(origin, "—"), names.get(destination, "—"),
                                               product.target_days)
        taken = days.after(start, end)
        row.delivered += 1
        row.total_days += taken
        row.on_time += taken <= product.target_days
    return sorted(table.values(), key=lambda r: (r.product.code, r.origin, r.destination))


def service_level_by_product(rows: list[ServiceLevelRow]) -> list[ServiceLevelRow]:
    """The same figures summed over routes, one row per product."""
    totals: dict[int, ServiceLevelRow] = {}
    for row in rows:
        total = totals.setdefault(row.product.pk, ServiceLevelRow(row.product, "", "", row.target_days))
        total.delivered += row.delivered
        total.on_time += row.on_time
        total.total_days += row.total_days
    return sorted(totals.values(), key=lambda r: r.product.code)


def _route_names(level: str, ids: set) -> dict:
    ids = {pk for pk in ids if pk is not None}
    if level == "office":
        return {o.pk: f"{o.code} {o.name}" for o in Office.objects.filter(pk__in=ids)}
    from bawaba.geo.models import Region

    return {r.pk: f"{r.code} {r.name}" for r in Region.objects.filter(pk__in=ids)}


# --- exceptions ------------------------------------------------------------------------------------------

def exceptions_queue(scope: Scope) -> QuerySet[TrackingEvent]:
    """Flagged events waiting for a supervisor, the oldest learnt first."""
    return (TrackingEvent.objects.filter(flagged=True, reviewed_at__isnull=True, item__in=scope.items)
            .select_related("item", "item__product", "office")
            .order_by("recorded_at", "id"))


def items_needing_review(scope: Scope) -> QuerySet[Item]:
    return scope.items.filter(needs_review=True)


# --- counter activity ---------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ActivityRow:
    office: Office
    items: int
    revenue: Decimal


def counter_activity(scope: Scope, *, since: dt.datetime, until: dt.datetime) -> list[ActivityRow]:
    """Items accepted at each office of the scope in [since, until) and what they paid, busiest first."""
    accepted = (Item.objects.filter(organisation=scope.organisation, accepted_office__in=scope.offices,
                                    accepted_at__gte=since, accepted_at__lt=until)
                .order_by().values("accepted_office")
                .annotate(n=Count("id"), revenue=Coalesce(Sum("price"), Decimal("0"))))
    figures = {row["accepted_office"]: row for row in accepted}
    offices = Office.objects.filter(pk__in=list(figures)).select_related("region")
    rows = [ActivityRow(o, figures[o.pk]["n"], Decimal(figures[o.pk]["revenue"])) for o in offices]
    return sorted(rows, key=lambda r: (-r.items, r.office.code))


def accepted_per_day(scope: Scope, *, since: dt.datetime, until: dt.datetime,
                     calendar: BusinessCalendar | None = None) -> list[tuple[dt.date, int]]:
    """Items accepted per local day over the period (every day listed, the oldest first)."""
    tz = (calendar or calendar_for(scope.organisation)).tz
    counts: dict[dt.date, int] = defaultdict(int)
    for accepted_at in (Item.objects.filter(organisation=scope.organisation, accepted_office__in=scope.offices,
                                            accepted_at__gte=since, accepted_at__lt=until)
                        .values_list("accepted_at", flat=True).iterator()):
        counts[accepted_at.astimezone(tz).date()] += 1
    first, last = since.astimezone(tz).date(), (until - dt.timedelta(microseconds=1)).astimezone(tz).date()
    out = []
    day = first
    while day <= last:
        out.append((day, counts.get(day, 0)))
        day += dt.timedelta(days=1)
    return out


def period(days: int, *, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[now - days, now): the dashboards' period."""
    return now - dt.timedelta(days=days), now


__all__ = ["Scope", "scope_for", "stuck_items", "stuck_by_product", "service_levels",
           "service_level_by_product", "exceptions_queue", "items_needing_review", "counter_activity",
           "accepted_per_day", "WorkingDays", "period", "PERIODS"]


def currency_of(organisation: Organisation) -> str:
    """The currency the post bills in: that of its latest tariff (dinars when it has none yet)."""
    from bawaba.postal.models import TariffVersion

    latest = TariffVersion.objects.filter(organisation=organisation).order_by("-valid_from").first()
    return latest.currency if latest else "DZD"
