"""The operator's dashboard and the contractors' scorecards: progress of a programme from its field reports."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..common.pages import SCORECARDS_PER_PAGE, _error_page, _page, _render, operator_required
from ..work import forms as work_forms
from ..work import selectors as work_selectors
from . import forms as field_forms
from . import progress as field_progress
from . import selectors as field_selectors

# --------------------------------------------------------------------------- operator dashboard


def _programme(request, form):
    programmes = list(work_selectors.programmes_of(request.user))
    code = form.cleaned_data.get("programme") if form.is_valid() else ""
    if code:
        chosen = next((p for p in programmes if p.code == code), None)
        if chosen is None:
            raise Http404(_("No such programme."))
        return chosen, programmes
    return (programmes[0] if programmes else None), programmes


@dataclass
class Bar:
    label: str
    values: list
    y: float
    text_y: float
    label_x: float
    label_anchor: str
    segments: list
    value_text: str
    value_x: float
    value_anchor: str


CHART_WIDTH = 560
CHART_ROW = 26
CHART_LABEL = 150
CHART_VALUE = 70


def bar_chart(rows: list[tuple[str, list[int]]], *, rtl: bool = False, scale_to=None) -> dict:
    """Horizontal bars, one row per label, several series drawn over each other (the first is the widest,
    e.g. homes passed behind homes connected). Mirrored for right-to-left pages."""
    top = scale_to or max((max(values) for _label, values in rows if values), default=0) or 1
    area = CHART_WIDTH - CHART_LABEL - CHART_VALUE
    bars = []
    for index, (label, values) in enumerate(rows):
        y = index * CHART_ROW + 4
        label = str(label)
        short = label if len(label) <= 22 else label[:21] + "…"
        segments = []
        for series, value in enumerate(values):
            width = round(area * min(value, top) / top, 1)
            height = 18 if series == 0 else 10
            offset = 0 if series == 0 else 4
            x = (CHART_WIDTH - CHART_LABEL - width) if rtl else CHART_LABEL
            segments.append({"x": x, "y": y + offset, "w": width, "h": height, "series": series, "value": value})
        bars.append(Bar(short, values, y, y + 13, (CHART_WIDTH - CHART_LABEL + 6) if rtl else (CHART_LABEL - 6),
                        "start" if rtl else "end", segments, " / ".join(str(v) for v in values),
                        4 if rtl else CHART_WIDTH - 4, "start" if rtl else "end"))
    return {"bars": bars, "width": CHART_WIDTH, "height": max(len(rows), 1) * CHART_ROW + 8}


def gauge(label, value, target, *, rtl=False) -> dict:
    share = (value / target) if target else None
    width = 300
    filled = round(width * min(share or 0, 1), 1)
    return {"label": label, "value": value, "target": target, "share": share, "width": width, "filled": filled,
            "x": (width - filled) if rtl else 0, "percent": round(share * 100, 1) if share is not None else None}


@require_GET
@operator_required
def dashboard(request):
    form = work_forms.DashboardForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _error_page(request, _("Bad request"), _("The filter is not valid."), 400,
                           back=reverse("deployments:dashboard"))
    programme, programmes = _programme(request, form)
    if programme is None:
        return _render(request, "deployments/dashboard.html", {"programme": None, "form": form}, nav="dashboard")
    by = (form.cleaned_data.get("by") if form.is_bound else "") or "wilaya"
    rtl = get_language_bidi()
    rows = field_progress.programme_progress(programme, by=by)
    totals = field_progress.programme_totals(programme)
    gauges = [
        gauge(_("Homes passed"), totals["homes_passed"], totals["homes_passed_target"], rtl=rtl),
        gauge(_("Homes connected"), totals["homes_connected"], totals["homes_connected_target"], rtl=rtl),
        gauge(_("Administration sites connected"), totals["sites_connected"], totals["sites_connected_target"],
              rtl=rtl),
    ]
    homes_rows = [(f"{row.region.code} {row.region.name}", [row.homes_passed, row.homes_connected])
                  for row in rows if row.homes_passed or row.homes_connected or row.work_orders]
    completion_rows = [(f"{row.region.code} {row.region.name}", [row.work_orders, row.completed])
                       for row in rows if row.work_orders]
    target_homes = programme.target_homes_connected
    return _render(request, "deployments/dashboard.html", {
        "form": form, "programme": programme, "programmes": programmes, "by": by, "rows": rows, "totals": totals,
        "gauges": gauges, "homes_chart": bar_chart(homes_rows, rtl=rtl),
        "completion_chart": bar_chart(completion_rows, rtl=rtl),
        "homes_series": [_("Homes passed"), _("Homes connected")],
        "completion_series": [_("Work orders"), _("Completed")],
        "target_homes": target_homes,
        "currency": programme.currency,
        "geojson_url": reverse("deployments:fibre-api:programme_geojson", kwargs={"code": programme.code}),
        "map_strings": {"state": _("State"), "step": _("Next step"), "progress": _("Progress"),
                        "workOrder": _("Work order"), "homes": _("Homes"), "noSites": _("No site to show yet."),
                        "error": _("The map data could not be loaded."), "sites": _("%(n)s sites"),
                        "zoomIn": _("Zoom in"), "zoomOut": _("Zoom out")},
    }, nav="dashboard")


def _sorted_scorecards(cards, sort):
    if sort == "rework":
        return sorted(cards, key=lambda c: (-c.rework_count, c.contractor.slug))
    if sort == "late":
        return sorted(cards, key=lambda c: (-c.late_work_orders, c.contractor.slug))
    if sort == "amount":
        return sorted(cards, key=lambda c: (-c.accepted_amount, c.contractor.slug))
    if sort == "name":
        return sorted(cards, key=lambda c: c.contractor.name)
    # First-time right, lowest first; contractors without any decision yet last.
    return sorted(cards, key=lambda c: (c.first_time_right_rate is None, c.first_time_right_rate or 0,
                                        c.contractor.slug))


@require_GET
@operator_required
def scorecards(request):
    form = field_forms.ScorecardForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _error_page(request, _("Bad request"), _("The filter is not valid."), 400,
                           back=reverse("deployments:scorecards"))
    programme, programmes = _programme(request, form)
    sort = (form.cleaned_data.get("sort") if form.is_bound else "") or "ftr"
    cards = _sorted_scorecards(field_selectors.scorecards(programme), sort) if programme else []
    return _render(request, "deployments/scorecards.html", {
        "form": form, "programme": programme, "programmes": programmes, "sort": sort,
        "sorts": field_forms.SCORECARD_SORTS.items(), "page": _page(request, cards, SCORECARDS_PER_PAGE),
        "currency": programme.currency if programme else None,
    }, nav="scorecards")
