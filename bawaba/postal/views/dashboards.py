"""Supervisors' pages: the operations dashboard, the exceptions queue and its reviews, CSV exports.

Each page reads through bawaba.postal.selectors over the supervisor's scope (their post, narrowed to their
region; bawaba.postal.permissions). An event outside that scope answers 404 like an unknown one.
Charts are SVG drawn on the server (the desk's geometry, bawaba.desk.charts): no script in the page.
"""

from __future__ import annotations

import csv
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bawaba.desk import charts
from bawaba.postal import events as codes
from bawaba.postal import selectors
from bawaba.postal.models import ReviewDecision
from bawaba.postal.review import NOTE_MAX, do_review_event

EXCEPTIONS_PAGE_SIZE = 50
STUCK_LIST_SIZE = 50
EXPORT_LIMIT = 100_000  # rows in one CSV: a post's quarter fits; a bigger export is the API's job


class DashboardFilters(forms.Form):
    days = forms.TypedChoiceField(label=gettext_lazy("Period"), coerce=int, required=False, empty_value=30)
    level = forms.ChoiceField(label=gettext_lazy("Routes between"), required=False, choices=[
        ("region", gettext_lazy("regions")), ("office", gettext_lazy("offices"))])
    organisation = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [(d, _("last %(days)d days") % {"days": d}) for d in selectors.PERIODS]

    def clean_level(self):
        return self.cleaned_data.get("level") or "region"


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=ReviewDecision.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=NOTE_MAX)


def _signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _scope(request, filters: DashboardFilters | None = None) -> selectors.Scope:
    """The viewer's scope (403 for anyone but a supervisor); a platform admin picks the post by its slug."""
    organisation = None
    slug = filters.cleaned_data.get("organisation") if filters is not None and filters.is_valid() else \
        request.GET.get("organisation", "")
    if slug and request.user.is_authenticated and request.user.is_platform_admin:
        organisation = selectors.postal_organisations().filter(slug=slug).first()
        if organisation is None:
            raise Http404(_("No such post."))
    return selectors.scope_for(request.user, organisation)


def _filters(request) -> DashboardFilters:
    data = request.GET.copy()  # the defaults shown selected in the form
    data.setdefault("days", "30")
    data.setdefault("level", "region")
    form = DashboardFilters(data)
    form.is_valid()
    return form


def _bar_rows(rows, label, value) -> list[tuple[str, int]]:
    return [(label(row), value(row)) for row in rows]


@_signed_in
@require_GET
def dashboard(request):
    """Stuck items, service level J+n and counter activity of the supervisor's region."""
    form = _filters(request)
    scope = _scope(request, form)
    if not form.is_valid():
        return render(request, "postal/ops/dashboard.html", {"form": form, "scope": scope, "nav": "postal-dashboard"},
                      status=400)
    now = timezone.now()
    days, level = form.cleaned_data["days"], form.cleaned_data["level"]
    since, until = selectors.period(days, now=now)
    stuck_rows = selectors.stuck_by_product(scope, now=now)
    stuck_list = list(selectors.stuck_items(scope, now=now)[:STUCK_LIST_SIZE])
    routes = selectors.service_levels(scope, since=since, until=until, level=level)
    per_product = selectors.service_level_by_product(routes)
    activity = selectors.counter_activity(scope, since=since, until=until)
    per_day = selectors.accepted_per_day(scope, since=since, until=until)
    delivered = sum(row.delivered for row in per_product)
    on_time = sum(row.on_time for row in per_product)
    rtl = get_language_bidi()
    stuck_chart_rows = _bar_rows(stuck_rows, lambda r: r.product.name, lambda r: r.count)
    level_chart_rows = [(row.product.name, row.percent) for row in per_product]
    activity_chart_rows = _bar_rows(activity[:15], lambda r: f"{r.office.code} {r.office.name}", lambda r: r.items)
    day_rows = [(day.strftime("%d/%m"), n) for day, n in per_day]
    context = {
        "nav": "postal-dashboard",
        "currency": selectors.currency_of(scope.organisation),
        "form": form,
        "scope": scope,
        "days": days,
        "level": level,
        "now": now,
        "query": request.GET.urlencode(),
        "kpis": {
            "stuck": sum(row.count for row in stuck_rows),
            "exceptions": selectors.exceptions_queue(scope).count(),
            "delivered": delivered,
            "on_time_percent": round(100 * on_time / delivered) if delivered else None,
            "accepted": sum(row.items for row in activity),
            "revenue": sum((row.revenue for row in activity), start=0),
        },
        "stuck_rows": stuck_rows,
        "stuck_list": stuck_list,
        "stuck_more": max(0, sum(row.count for row in stuck_rows) - len(stuck_list)),
        "routes": routes,
        "per_product": per_product,
        "activity": activity,
        "per_day": per_day,
        "charts": {
            "stuck": (charts.horizontal(stuck_chart_rows, rtl=rtl), stuck_chart_rows),
            "level": (charts.horizontal(level_chart_rows, rtl=rtl), level_chart_rows),
            "activity": (charts.horizontal(activity_chart_rows, rtl=rtl), activity_chart_rows),
            "day": (charts.columns(day_rows, rtl=rtl), per_day),
        },
    }
    return render(request, "postal/ops/dashboard.html", context)


def _exceptions_page(request, scope, *, status=200, form=None, failed_pk=None, error=""):
    queue = selectors.exceptions_queue(scope)
    page = Paginator(queue, EXCEPTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, codes.CODES.get(event.code)) for event in page.object_list]
    return render(request, "postal/ops/exceptions.html", {
        "nav": "postal-exceptions", "scope": scope, "page": page, "rows": rows,
        "needing_review": selectors.items_needing_review(scope).count(),
        "decisions": ReviewDecision.choices, "form": form, "failed_pk": failed_pk, "error": error,
        "query": request.GET.urlencode(), "note_max": NOTE_MAX,
    }, status=status)


@_signed_in
@require_GET
def exceptions(request):
    """Flagged events of the region waiting for a decision, oldest first."""
    return _exceptions_page(request, _scope(request))


@_signed_in
@require_POST
def review_event(request, pk):
    """Accept a flagged event as valid or confirm it as an error (with a note)."""
    scope = _scope(request)
    event = selectors.exceptions_queue(scope).filter(pk=pk).first()
    if event is None:
        if scope.items.filter(events__pk=pk, events__reviewed_at__isnull=False).exists():
            return _exceptions_page(request, scope, status=409, failed_pk=pk,
                                    error=_("This event was already reviewed."))
        raise Http404(_("No such event."))
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            do_review_event(event, decision=form.cleaned_data["decision"], note=form.cleaned_data["note"],
                            user=request.user)
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, texts in problems.items():
                form.add_error(field if field in form.fields else None, texts)
        else:
            messages.success(request, _("Review of %(number)s recorded.") % {"number": event.item.number})
            return redirect("postal:exceptions")
    errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return _exceptions_page(request, scope, status=400, form=form, failed_pk=pk,
                            error=errors or _("Please correct the errors below."))


# --- CSV -------------------------------------------------------------------------------------------------

def _cell(value) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab/CR) gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def _csv_response(name: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")  # spreadsheets then read the file as UTF-8 (Arabic names)
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


EXPORTS = ("stuck", "service-levels", "activity", "exceptions")


@_signed_in
@require_GET
def export(request, table):
    """One table of the dashboard (same filters) as CSV: raw numbers, ISO dates, amounts with a dot."""
    if table not in EXPORTS:
        raise Http404(_("No such table."))
    form = _filters(request)
    scope = _scope(request, form)
    if not form.is_valid():
        return HttpResponse(_("Invalid filter."), status=400, content_type="text/plain; charset=utf-8")
    now = timezone.now()
    since, until = selectors.period(form.cleaned_data["days"], now=now)
    stamp = now.strftime("%Y%m%d")
    if table == "stuck":
        items = selectors.stuck_items(scope, now=now)[:EXPORT_LIMIT]
        return _csv_response(f"stuck-{stamp}", ["number", "product", "status", "last_event", "quiet_since",
                                                "accepted_office", "delivery_office"],
                             ([i.number, i.product.code if i.product else "", i.status, i.last_event_code,
                               _iso(i.quiet_since), i.accepted_office.code if i.accepted_office else "",
                               i.delivery_office.code if i.delivery_office else ""] for i in items))
    if table == "service-levels":
        rows = selectors.service_levels(scope, since=since, until=until, level=form.cleaned_data["level"])
        return _csv_response(f"service-levels-{stamp}", ["product", "origin", "destination", "target_days",
                                                         "delivered", "on_time", "late", "percent_on_time",
                                                         "average_working_days"],
                             ([r.product.code, r.origin, r.destination, r.target_days, r.delivered, r.on_time,
                               r.late, r.percent, r.average_days] for r in rows))
    if table == "activity":
        rows = selectors.counter_activity(scope, since=since, until=until)
        return _csv_response(f"counter-activity-{stamp}", ["office", "name", "region", "items_accepted", "revenue"],
                             ([r.office.code, r.office.name, r.office.region.code, r.items,
                               f"{r.revenue:.2f}"] for r in rows))
    events = selectors.exceptions_queue(scope)[:EXPORT_LIMIT]
    return _csv_response(f"exceptions-{stamp}", ["number", "code", "occurred_at", "recorded_at", "office",
                                                 "flag_reason", "source", "device"],
                         ([e.item.number, e.code, _iso(e.occurred_at), _iso(e.recorded_at), e.office_code,
                           e.flag_reason, e.source, e.device] for e in events))


urlpatterns = [
    path("ops/", dashboard, name="dashboard"),
    path("ops/exceptions/", exceptions, name="exceptions"),
    path("ops/exceptions/<int:pk>/review/", review_event, name="review_event"),
    path("ops/export/<slug:table>.csv", export, name="export"),
]
