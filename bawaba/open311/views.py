"""/open311/v2/: Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2), in JSON and XML by the path's suffix.

Reads are public, as the specification makes them, and show only requests submitted through Open311 (no
names, phone numbers or e-mail addresses: the GeoReport fields only). Posting needs an app's api_key and is
rate-limited per address like the portal's public forms. Errors: the Open311 error list, [{code, description}].
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from bawaba.servicedesk.models import OPEN_STATUSES, Message, MessageKind, Request

from . import services
from .models import Report
from .services import Open311Error

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
CLOSED = "closed"
OPEN = "open"


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        _fill(element, row)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _fill(element, row: dict) -> None:
    for key, value in row.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                _fill(ET.SubElement(child, "attribute"), entry)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = str(value)


def render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    body = _xml(root, item, rows) if fmt == "xml" else json.dumps(rows, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt if fmt in CONTENT_TYPES else "json", "errors", "error",
                  [{"code": status, "description": str(description)}], status=status)


def open311(*methods):
    def wrap(view):
        @csrf_exempt
        def handler(request, fmt: str, **kwargs):
            if fmt not in CONTENT_TYPES:
                return error("json", 404, _("Unknown format: use .json or .xml."))
            if request.method not in methods:
                response = error(fmt, 405, _("Method %(method)s is not allowed here.")
                                 % {"method": request.method[:10]})
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc.status, exc.description)

        return handler

    return wrap


def _service_row(service) -> dict:
    return {"service_code": service.code, "service_name": str(service.name),
            "description": getattr(service, f"description_{_language()}", "") or service.description_fr,
            "metadata": False, "type": "realtime", "keywords": "", "group": str(service.organisation.name)}


def _language() -> str:
    from django.utils import translation

    return (translation.get_language() or "fr")[:2]


@open311("GET")
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    row = {"changeset": "2026-12-06T00:00:00Z", "contact": settings.DEFAULT_FROM_EMAIL,
           "key_service": _("Ask the platform's administrators for an api_key."),
           "endpoints": None}
    if fmt == "json":
        row["endpoints"] = [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                             "changeset": row["changeset"], "type": "production", "formats": list(CONTENT_TYPES)}]
        return HttpResponse(json.dumps(row), content_type=CONTENT_TYPES["json"])
    top = ET.Element("discovery")
    for key in ("changeset", "contact", "key_service"):
        ET.SubElement(top, key).text = row[key]
    endpoint = ET.SubElement(ET.SubElement(top, "endpoints"), "endpoint")
    for key, value in (("specification", "http://wiki.open311.org/GeoReport_v2"), ("url", base),
                       ("changeset", row["changeset"]), ("type", "production")):
        ET.SubElement(endpoint, key).text = value
    formats = ET.SubElement(endpoint, "formats")
    for value in ("text/xml", "application/json"):
        ET.SubElement(formats, "format").text = value
    return HttpResponse(ET.tostring(top, encoding="utf-8", xml_declaration=True), content_type=CONTENT_TYPES["xml"])


@open311("GET")
def service_list(request, fmt):
    organisation = services.jurisdiction(request.GET.get("jurisdiction_id"))
    rows = [_service_row(s) for s in services.public_services(organisation)]
    return render(fmt, "services", "service", rows)


@open311("GET")
def service_definition(request, fmt, code: str):
    organisation = services.jurisdiction(request.GET.get("jurisdiction_id"))
    service = services.public_services(organisation).filter(code=code[:80]).first()
    if service is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code[:80]})
    # No service asks for extra attributes (metadata false): the definition has none.
    row = {"service_code": service.code, "attributes": []}
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = service.code
        ET.SubElement(top, "attributes")
        return HttpResponse(ET.tostring(top, encoding="utf-8", xml_declaration=True), content_type=CONTENT_TYPES["xml"])
    return HttpResponse(json.dumps(row), content_type=CONTENT_TYPES["json"])


def _reports():
    return Report.objects.select_related("request", "request__service", "request__organisation").prefetch_related(
        Prefetch("request__messages", queryset=Message.objects.filter(kind=MessageKind.PUBLIC_REPLY)
                 .order_by("-created_at", "-id"), to_attr="replies"))


def _request_row(report: Report) -> dict:
    req: Request = report.request
    replies = getattr(req, "replies", None)
    if replies is None:
        replies = list(req.messages.filter(kind=MessageKind.PUBLIC_REPLY).order_by("-created_at", "-id")[:1])
    return {
        "service_request_id": req.reference,
        "status": OPEN if req.status in OPEN_STATUSES else CLOSED,
        "status_notes": replies[0].body if replies else None,
        "service_name": str(req.service.name),
        "service_code": req.service.code,
        "description": report.description or None,
        "agency_responsible": str(req.organisation.name),
        "service_notice": None,
        "requested_datetime": _iso(req.created_at),
        "updated_datetime": _iso(req.updated_at),
        "expected_datetime": _iso(req.resolution_due_at) if req.status in OPEN_STATUSES else None,
        "address": report.address_string or None,
        "address_id": report.address_id or None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.long,
        "media_url": report.media_url or None,
    }


def _date(request, name: str) -> dt.datetime | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        value = parse_datetime(raw.strip().replace(" ", "+"))
    except ValueError:  # well formed but impossible: 30 February
        value = None
    if value is None or value.tzinfo is None:
        raise Open311Error(400, _("%(name)s must be a date and time with its offset (ISO 8601, w3 note), e.g. "
                                  "2026-12-06T08:15:30Z.") % {"name": name})
    return value


@open311("GET", "POST")
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    organisation = services.jurisdiction(request.GET.get("jurisdiction_id"))
    qs = _reports()
    if organisation is not None:
        qs = qs.filter(request__organisation=organisation)
    ids = [part.strip() for part in (request.GET.get("service_request_id") or "").split(",") if part.strip()]
    if ids:  # the specification: with ids, the other parameters are ignored
        rows = [_request_row(r) for r in qs.filter(request__reference__in=ids[:100]).order_by("-created_at")]
        return render(fmt, "service_requests", "request", rows)
    codes = [c.strip() for c in (request.GET.get("service_code") or "").split(",") if c.strip()]
    if codes:
        qs = qs.filter(request__service__code__in=codes)
    statuses = {s.strip() for s in (request.GET.get("status") or "").split(",") if s.strip()}
    if statuses - {OPEN, CLOSED}:
        raise Open311Error(400, _("status must be open, closed or both (comma-separated)."))
    if statuses == {OPEN}:
        qs = qs.filter(request__status__in=OPEN_STATUSES)
    elif statuses == {CLOSED}:
        qs = qs.exclude(request__status__in=OPEN_STATUSES)
    end = _date(request, "end_date") or timezone.now()
    start = _date(request, "start_date") or end - dt.timedelta(days=settings.OPEN311_MAX_DAYS)
    if start > end:
        raise Open311Error(400, _("start_date must be before end_date."))
    if end - start > dt.timedelta(days=settings.OPEN311_MAX_DAYS):
        raise Open311Error(400, _("The date range may span at most %(days)d days.")
                           % {"days": settings.OPEN311_MAX_DAYS})
    qs = qs.filter(created_at__gte=start, created_at__lte=end).order_by("-created_at", "-request_id")
    rows = [_request_row(r) for r in qs[: settings.OPEN311_MAX_RESULTS]]
    return render(fmt, "service_requests", "request", rows)


def _create(request, fmt):
    if is_ratelimited(request, group="open311-create", key="ip", rate=settings.PUBLIC_FORM_RATE, method="POST",
                      increment=True):
        raise Open311Error(429, _("Too many requests from your address: try again in a minute."))
    params = request.POST
    app = services.find_app(params.get("api_key") or "")
    if app is None:
        raise Open311Error(403, _("Invalid api_key received: cannot create the service request."))
    organisation = services.jurisdiction(params.get("jurisdiction_id") or request.GET.get("jurisdiction_id"))
    report = services.do_submit_report(app, params, organisation=organisation)
    row = {"service_request_id": report.request.reference, "token": report.token, "service_notice": None,
           "account_id": report.account_id or None}
    return render(fmt, "service_requests", "request", [row], status=201)


@open311("GET")
def request_detail(request, fmt, service_request_id: str):
    organisation = services.jurisdiction(request.GET.get("jurisdiction_id"))
    qs = _reports().filter(request__reference=service_request_id[:20])
    if organisation is not None:
        qs = qs.filter(request__organisation=organisation)
    report = qs.first()
    if report is None:
        raise Open311Error(404, _("service_request_id “%(id)s” was not found.") % {"id": service_request_id[:20]})
    return render(fmt, "service_requests", "request", [_request_row(report)])


@open311("GET")
def token_detail(request, fmt, token: str):
    report = Report.objects.select_related("request").filter(token=token[:32]).first()
    if report is None:
        raise Open311Error(404, _("token “%(token)s” was not found.") % {"token": token[:32]})
    return render(fmt, "service_requests", "request",
                  [{"service_request_id": report.request.reference, "token": report.token}])


@csrf_exempt
def not_found(request, rest: str = ""):
    fmt = "xml" if request.path_info.endswith(".xml") else "json"
    return error(fmt, 404, _("No such resource in the Open311 API."))
