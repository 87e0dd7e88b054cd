"""Pages of the field: a work order and its report form (also offline), rejections, photos, the inspector's
queue, the offline shell.

Each view parses its input, checks the organisation and role, calls one service or selector of
bawaba.deployments and renders. Errors come back as the page with the translated message and a 4xx
status: 400 bad input, 403 not allowed, 404 unknown, 409 refused by the current state.
The field report page also works offline: static/deployments/outbox.js keeps reports in IndexedDB and
sends them to the API (POST /fibre/api/v1/workOrder/<ref>/report, idempotent on the client UUID)."""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..common import errors as common_errors
from ..common.pages import (
    INSPECTIONS_PER_PAGE,
    ORDERS_PER_PAGE,
    PHOTO_ACCEPT,
    _js_strings,
    _page,
    _render,
    _signed_in,
    contractor_or_operator_required,
    contractor_required,
    inspector_required,
)
from ..common.permissions import is_contractor_staff
from ..common.rules import DEFAULT_PARAMS, haversine_m
from ..work import selectors as work_selectors
from ..work import services as work_services
from ..work.models import REPORTABLE_STATES, RuleSet
from . import forms as field_forms
from . import selectors as field_selectors
from . import services as field_services
from .models import Decision, Photo, ReportedItem


@dataclass
class ItemRow:
    item: object
    remaining: Decimal
    reported: list


def _item_rows(work_order):
    """The work order's items in the order of its steps (survey first), with what is left to do."""
    steps = {step: index for index, step in enumerate(work_order.steps)}
    items = sorted(work_selectors.work_items_of(work_order),
                   key=lambda item: (steps.get(item.price_item.step, len(steps)), item.price_item.code))
    return [ItemRow(item, work_services.remaining_quantity(item), list(item.reported.all())) for item in items]


@require_GET
@contractor_or_operator_required
def order(request, pk):
    work_order = work_selectors.work_order_for(request.user, pk)
    reports = list(field_selectors.reports_of(request.user, work_order=work_order)[:20])
    return _render(request, "deployments/order.html", {
        "wo": work_order, "rows": _item_rows(work_order), "reports": reports,
        "can_report": is_contractor_staff(request.user) and work_order.state in REPORTABLE_STATES,
    }, nav="orders")


def _report_context(request, work_order, form, *, raw_quantities=None, item_errors=(), photo_errors=(),
                    error=""):
    rows = _item_rows(work_order)
    raw_quantities = raw_quantities or {}
    price_items = [row.item.price_item for row in rows]
    needs = {
        "ont_serial": any(p.requires_ont_serial for p in price_items),
        "rx_power": any(p.checks_rx_power for p in price_items),
        "link_loss": any(p.checks_link_loss for p in price_items),
        "splices": any(p.checks_splice_loss for p in price_items),
    }
    max_bytes = getattr(settings, "FIBRE_PHOTO_MAX_BYTES", settings.ATTACHMENT_MAX_BYTES)
    return {
        "wo": work_order, "form": form,
        "rows": [(row, raw_quantities.get(row.item.id, "")) for row in rows],
        "reportable": work_order.state in REPORTABLE_STATES,
        "needs": needs, "item_errors": list(item_errors), "photo_errors": list(photo_errors), "error": error,
        "photo_accept": PHOTO_ACCEPT, "photo_max_bytes": max_bytes, "max_photos": field_services.MAX_PHOTOS,
        "api_url": reverse("deployments:fibre-api:work_order_report", kwargs={"reference": work_order.reference}),
    }


@require_http_methods(["GET", "POST"])
@contractor_required
def field_report(request, pk):
    """The field report form. With JavaScript it is queued offline and sent to the API; without, posted here."""
    user = request.user
    work_order = work_selectors.work_order_for(user, pk)
    if request.method == "GET":
        form = field_forms.FieldReportForm(initial={"client_uuid": uuid.uuid4(),
                                              "device_started_at": timezone.now().isoformat(timespec="seconds")})
        return _render(request, "deployments/report.html", _report_context(request, work_order, form), nav="orders")

    form = field_forms.FieldReportForm(request.POST)
    work_items = [row.item for row in _item_rows(work_order)]
    items, raw = field_forms.quantities_from(request.POST, work_items)
    if not form.is_valid():
        return _render(request, "deployments/report.html",
                       _report_context(request, work_order, form, raw_quantities=raw), nav="orders", status=400)
    data = form.cleaned_data
    if not data["device_reported_at"]:
        data["device_reported_at"] = timezone.now().isoformat(timespec="seconds")
    try:
        result = field_services.do_submit_field_report(
            user, work_order, client_uuid=data["client_uuid"], items=items,
            photos=request.FILES.getlist("photos"),
            **{key: data[key] for key in field_forms.FieldReportForm.FIELD_KEYS if key != "client_uuid"})
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for key, texts in errors.items():
            if key in field_forms.FieldReportForm.FIELD_KEYS:
                form.add_error(key, texts)
        other = [text for key, texts in errors.items()
                 if key not in field_forms.FieldReportForm.FIELD_KEYS and key not in ("items",
                                                                                      "photos") for text in texts]
        return _render(request, "deployments/report.html", _report_context(
            request, work_order, form, raw_quantities=raw, item_errors=errors.get("items", []) + other,
            photo_errors=errors.get("photos", [])), nav="orders", status=400)
    except common_errors.Conflict as exc:
        return _render(request, "deployments/report.html", _report_context(
            request, work_order, form, raw_quantities=raw, error=exc.message), nav="orders", status=409)
    if result.created:
        messages.success(request, _report_summary(result.report))
    else:
        messages.info(request, _("This report had already been received; it was not stored twice."))
    return redirect("deployments:order", pk=work_order.pk)


def _report_summary(report) -> str:
    decisions = [item.decision for item in report.items.all()]
    return _("Report received: %(accepted)s accepted, %(rejected)s rejected, %(doubtful)s sent to an inspector.") % {
        "accepted": decisions.count(Decision.ACCEPTED), "rejected": decisions.count(Decision.REJECTED),
        "doubtful": decisions.count(Decision.DOUBTFUL)}


@require_GET
@contractor_required
def rejections(request):
    return _render(request, "deployments/rejections.html", {
        "page": _page(request, field_selectors.rejected_items(request.user), ORDERS_PER_PAGE),
    }, nav="rejections")


@require_GET
@_signed_in
def photo(request, pk):
    """A report photo, to the contractor who sent it and to the operator's staff."""
    found = Photo.objects.filter(pk=pk).only("id", "report_id", "image", "content_type", "extension").first()
    if found is None or not field_selectors.photo_visible(request.user, found):
        raise Http404(_("No such photo."))
    try:
        handle = found.image.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("No such photo.")) from exc
    response = FileResponse(handle, content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="photo-{found.pk}.{found.extension}"'
    return response


# --------------------------------------------------------------------------- inspector


@dataclass
class PlotPoint:
    x: float
    y: float
    r: float
    label: str
    kind: str
    off_scale: bool = False


def _metres(lat0, lon0, lat, lon) -> tuple[float, float]:
    """East and north offsets in metres (equirectangular; fine at the scale of a building)."""
    east = (lon - lon0) * 111_320 * math.cos(math.radians(lat0))
    north = (lat - lat0) * 110_540
    return east, north


PLOT = 220  # px, square
PLOT_RADIUS = 96


def position_plot(site, report, photos, params) -> dict:
    """Geometry of the small SVG drawn on each inspection card: planned site in the middle, tolerance
    rings, reported position with its accuracy, photo EXIF positions. North is up, east is right
    (a map, not text: it is not mirrored in Arabic)."""
    lat0, lon0 = float(site.latitude), float(site.longitude)
    tolerance = params["position_tolerance_m"]
    outer = tolerance * params["position_doubt_factor"]
    raw = []
    if report.latitude is not None and report.longitude is not None:
        lat, lon = float(report.latitude), float(report.longitude)
        raw.append((_metres(lat0, lon0, lat, lon), float(report.gps_accuracy_m or 0), _("Reported position"),
                    "reported", haversine_m(lat0, lon0, lat, lon)))
    for index, item in enumerate(photos, start=1):
        if item.exif_latitude is not None and item.exif_longitude is not None:
            lat, lon = float(item.exif_latitude), float(item.exif_longitude)
            raw.append((_metres(lat0, lon0, lat, lon), 0.0, _("Photo %(n)s") % {"n": index}, "photo",
                        haversine_m(lat0, lon0, lat, lon)))
    # Scale: the doubt ring, or the farthest point up to ten times it (beyond, points sit on the edge).
    farthest = max((distance for *_rest, distance in raw), default=0.0)
    extent = max(outer * 1.15, min(farthest * 1.1, outer * 10)) or 1.0
    scale = PLOT_RADIUS / extent
    centre = PLOT / 2
    points = []
    for (east, north), accuracy, label, kind, distance in raw:
        off = distance * scale > PLOT_RADIUS
        factor = (PLOT_RADIUS / (distance * scale)) if off and distance else 1.0
        points.append(PlotPoint(round(centre + east * scale * factor, 1), round(centre - north * scale * factor, 1),
                                round(min(accuracy * scale, PLOT_RADIUS), 1), label, kind, off))
    bar_metres = _nice_length(extent / 2)
    return {
        "size": PLOT, "c": centre, "tolerance_r": round(tolerance * scale, 1), "outer_r": round(outer * scale, 1),
        "tolerance": round(tolerance), "outer": round(outer), "points": points,
        "bar_px": round(bar_metres * scale, 1), "bar_m": bar_metres,
    }


def _nice_length(metres: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if step >= metres * 0.6:
            return step
    return 100000


@dataclass
class InspectionCard:
    item: ReportedItem
    distance: float | None
    photos: list
    plot: dict
    accept_form: field_forms.AcceptForm
    reject_form: field_forms.RejectForm
    error: str = ""

    @property
    def similar(self) -> list:
        """(photo of this report, earlier photo it looks like) pairs, shown side by side."""
        return [(photo, photo.similar_to) for photo in self.photos if photo.similar_to_id]


def _inspections_page(request, *, bound=None, error_item=None, error="", status=200):
    page = _page(request, field_selectors.pending_inspections(request.user), INSPECTIONS_PER_PAGE)
    rule_sets = RuleSet.objects.in_bulk({item.rule_set_id for item in page if item.rule_set_id})
    cards = []
    for item in page:
        report = item.report
        site = report.work_order.site
        rule_set = rule_sets.get(item.rule_set_id)
        params = rule_set.effective_params() if rule_set else dict(DEFAULT_PARAMS)
        photos = list(report.photos.all())
        distance = None
        if report.latitude is not None and report.longitude is not None:
            distance = round(haversine_m(float(report.latitude), float(report.longitude), float(site.latitude),
                                         float(site.longitude)))
        accept_form = field_forms.AcceptForm(prefix=f"a{item.pk}")
        reject_form = field_forms.RejectForm(prefix=f"r{item.pk}")
        card_error = ""
        if error_item == item.pk:
            card_error = error
            if isinstance(bound, field_forms.AcceptForm):
                accept_form = bound
            elif isinstance(bound, field_forms.RejectForm):
                reject_form = bound
        cards.append(InspectionCard(item, distance, photos, position_plot(site, report, photos, params),
                                    accept_form, reject_form, card_error))
    return _render(request, "deployments/inspections.html", {
        "page": page, "cards": cards, "page_error": error if error_item is None else "",
    }, nav="inspections", status=status)


@require_GET
@inspector_required
def inspections(request):
    return _inspections_page(request)


def _reported_item(request, pk) -> ReportedItem:
    """The item (404 when unknown or another operator's: its existence is not revealed)."""
    items = ReportedItem.objects.filter(pk=pk)
    if not request.user.is_platform_admin:
        items = items.filter(report__work_order__contract__programme__operator_id=request.user.organisation_id)
    item = items.first()
    if item is None:
        raise Http404(_("No such item."))
    return item


def _back_to_queue(request):
    page = request.POST.get("page") or request.GET.get("page")
    url = reverse("deployments:inspections")
    return redirect(f"{url}?{urlencode({'page': page})}" if page and page.isdigit() else url)


def _decide(request, pk, form_class, prefix, act, success):
    item = _reported_item(request, pk)
    form = form_class(request.POST, prefix=f"{prefix}{pk}")
    if not form.is_valid():
        return _inspections_page(request, bound=form, error_item=item.pk,
                                 error=_("Check the form below."), status=400)
    try:
        act(item, form.cleaned_data)
    except ValidationError as exc:
        for field, texts in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
            form.add_error(field if field in form.fields else None, texts)
        return _inspections_page(request, bound=form, error_item=item.pk, error=_("Check the form below."),
                                 status=400)
    except common_errors.Conflict as exc:
        return _inspections_page(request, error=exc.message, status=409)
    messages.success(request, success % {"item": item.work_item.price_item.code,
                                         "wo": item.work_item.work_order.reference})
    return _back_to_queue(request)


@require_POST
@inspector_required
def inspection_accept(request, pk):
    return _decide(request, pk, field_forms.AcceptForm, "a",
                   lambda item, data: field_services.do_accept_item(item, request.user, data["note"]),
                   _("%(item)s of %(wo)s accepted: it is on the contractor's running statement."))


@require_POST
@inspector_required
def inspection_reject(request, pk):
    return _decide(request, pk, field_forms.RejectForm, "r",
                   lambda item, data: field_services.do_reject_item(item, request.user, data["reason"]),
                   _("%(item)s of %(wo)s rejected: the contractor sees the reason."))


# --------------------------------------------------------------------------- offline support


def _shell_assets() -> list[str]:
    return ["css/bawaba.css", "deployments/fibre.css", "deployments/outbox.js", "deployments/fieldreport.js"]


@lru_cache(maxsize=1)
def _shell_version() -> str:
    digest = hashlib.sha256()
    for name in [*_shell_assets(), "deployments/sw.js"]:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    """The service worker caching the contractor pages' shell, served from /fibre/ so its scope covers them."""
    path = finders.find("deployments/sw.js")
    if path is None:
        raise Http404(_("Not found."))
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    config = {
        "version": _shell_version(),
        "assets": [static(name) for name in _shell_assets()],
        "offline": reverse("deployments:offline"),
        "scope": reverse("deployments:home"),
        "login": settings.LOGIN_URL if settings.LOGIN_URL.startswith("/") else reverse(settings.LOGIN_URL),
    }
    response = HttpResponse(f"self.FIBRE_SW = {json.dumps(config)};\n{source}",
                            content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("deployments:home")
    return response


@require_GET
def offline(request):
    """Shown by the service worker for a page that was never opened online. No personal data: the queued
    reports are listed by outbox.js from the phone's own storage."""
    return render(request, "deployments/offline.html", {
        "js_strings": _js_strings(getattr(settings, "FIBRE_PHOTO_MAX_BYTES", settings.ATTACHMENT_MAX_BYTES)),
        "rtl": get_language_bidi(), "is_contractor": True,
    })
