"""REST API routes of the field: reports (idempotent on the client UUID), acceptance, a programme's map and
progress.

Authentication: the platform's bearer tokens when bawaba.api.auth provides them (see _auth_backends),
and the Django session with CSRF protection for the contractor portal's own JavaScript.
Errors: 401 not signed in, 403 not for your role, 404 unknown or another organisation's (not revealed), 409 state
conflict, 422 invalid input."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from ..common.api import ERRORS, _page
from ..common.permissions import (
    is_contractor_staff,
    is_inspector,
    is_operator_staff,
)
from ..common.schemas import (
    AcceptanceOut,
    AcceptancePage,
    InspectIn,
    ProgressOut,
    RejectIn,
    ReportIn,
    ReportOut,
    ReportPage,
)
from ..work import selectors as work_selectors
from ..work.api import _work_order, work_orders
from . import progress as field_progress
from . import selectors as field_selectors
from . import services as field_services
from .models import Decision, FieldReport, ReportedItem


def _acceptance_out(item: ReportedItem) -> dict:
    return {
        "id": item.id,
        "workOrder": item.report.work_order.reference,
        "report": str(item.report.client_uuid),
        "workItem": item.work_item_id,
        "priceItem": item.work_item.price_item.code,
        "quantity": item.quantity,
        "decision": item.decision,
        "decisionLabel": str(Decision(item.decision).label),
        "reasons": item.reason_texts(),
        "reasonCodes": [r["code"] for r in item.reasons],
        "automatic": item.decided_by_id is None,
        "decidedAt": item.decided_at,
        "inspectorNote": item.inspector_note,
    }


def _report_out(report: FieldReport) -> dict:
    return {
        "id": str(report.client_uuid),
        "workOrder": report.work_order.reference,
        "receivedAt": report.received_at,
        "deviceReportedAt": report.device_reported_at,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "gpsAccuracyM": report.gps_accuracy_m,
        "ontSerial": report.ont_serial,
        "ontRxPowerDbm": report.ont_rx_power_dbm,
        "linkLossDb": report.link_loss_db,
        "spliceLossesDb": report.splice_losses_db,
        "photos": [{"sha256": p.sha256, "contentType": p.content_type, "size": p.size, "takenAt": p.exif_taken_at,
                    "latitude": p.exif_latitude, "longitude": p.exif_longitude,
                    "reused": p.reused_from_id is not None} for p in report.photos.all()],
        "items": [_acceptance_out(item) for item in report.items.all()],
    }


@work_orders.post("/{reference}/report", response={200: ReportOut, 201: ReportOut, **ERRORS},
                  url_name="work_order_report",
                  summary="Submit a field report (idempotent on client_uuid or the Idempotency-Key header)")
def post_report(request, reference: str, data: Form[ReportIn], photos: File[list[UploadedFile]] = None):
    wo = _work_order(request, reference)
    client_uuid = data.client_uuid or request.headers.get("Idempotency-Key")
    if not client_uuid:
        raise ValidationError({"client_uuid": [_("Send client_uuid or an Idempotency-Key header.")]})
    try:
        items = json.loads(data.items)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError
    except ValueError as exc:
        raise ValidationError({"items": [_("items must be a JSON list of {work_item, quantity}.")]}) from exc
    splices = data.splice_losses_db.strip()
    if splices.startswith("["):
        try:
            splices = json.loads(splices)
        except ValueError as exc:
            raise ValidationError({"splice_losses_db": [_("Splice losses must be numbers.")]}) from exc
        if not isinstance(splices, list):
            raise ValidationError({"splice_losses_db": [_("Splice losses must be numbers.")]})
        splices = [str(s) for s in splices]
    result = field_services.do_submit_field_report(
        request.auth, wo, client_uuid=client_uuid, items=items, latitude=data.latitude, longitude=data.longitude,
        gps_accuracy_m=data.gps_accuracy_m, device_started_at=data.device_started_at,
        device_reported_at=data.device_reported_at, ont_serial=data.ont_serial,
        ont_rx_power_dbm=data.ont_rx_power_dbm, link_loss_db=data.link_loss_db, splice_losses_db=splices,
        notes=data.notes, photos=photos or [])
    report = field_selectors.reports_of(request.auth).get(pk=result.report.pk)
    return Status(201 if result.created else 200, _report_out(report))


# --------------------------------------------------------------------------- reports and acceptance

reports = Router(tags=["report"])


@reports.get("", response={200: ReportPage, **ERRORS}, url_name="reports")
def list_reports(request, workOrder: str | None = None, limit: int = 50, offset: int = 0):  # noqa: N803
    qs = field_selectors.reports_of(request.auth)
    if workOrder:
        qs = qs.filter(work_order__reference=workOrder)
    limit, offset = _page(limit, offset)
    return {"count": qs.count(), "items": [_report_out(r) for r in qs[offset:offset + limit]]}


@reports.get("/{client_uuid}", response={200: ReportOut, **ERRORS}, url_name="report")
def get_report(request, client_uuid: str):
    import uuid

    try:
        key = uuid.UUID(client_uuid)
    except ValueError as exc:
        raise Http404(_("No such report.")) from exc
    report = field_selectors.reports_of(request.auth).filter(client_uuid=key).first()
    if report is None:
        raise Http404(_("No such report."))
    return _report_out(report)


acceptance = Router(tags=["acceptance"])


def _acceptance_queryset(user):
    base = ReportedItem.objects.select_related("report", "report__work_order", "work_item__price_item")
    if is_contractor_staff(user):
        return base.filter(report__contractor_id=user.organisation_id)
    if user.is_platform_admin:
        return base
    if is_operator_staff(user):
        return base.filter(report__work_order__contract__programme__operator_id=user.organisation_id)
    return base.none()


@acceptance.get("", response={200: AcceptancePage, **ERRORS}, url_name="acceptance",
                summary="Acceptance results (decision: accepted, rejected, doubtful, pending)")
def list_acceptance(request, decision: str | None = None, workOrder: str | None = None,  # noqa: N803
                    limit: int = 50, offset: int = 0):
    qs = _acceptance_queryset(request.auth)
    if decision:
        if decision not in Decision.values:
            raise ValidationError({"decision": [_("Unknown decision.")]})
        qs = qs.filter(decision=decision)
    if workOrder:
        qs = qs.filter(report__work_order__reference=workOrder)
    limit, offset = _page(limit, offset)
    qs = qs.order_by("-report__received_at", "-id")
    return {"count": qs.count(), "items": [_acceptance_out(i) for i in qs[offset:offset + limit]]}


def _item_for_inspection(request, item_id):
    item = _acceptance_queryset(request.auth).filter(pk=item_id).first()
    if item is None:
        raise Http404(_("No such item."))
    if not is_inspector(request.auth):
        raise PermissionDenied(_("Only an inspector of the operator can decide this item."))
    return item


@acceptance.post("/{item_id}/accept", response={200: AcceptanceOut, **ERRORS}, url_name="acceptance_accept")
def accept_item(request, item_id: int, payload: InspectIn):
    item = field_services.do_accept_item(_item_for_inspection(request, item_id), request.auth, payload.note)
    return _acceptance_out(_acceptance_queryset(request.auth).get(pk=item.pk))


@acceptance.post("/{item_id}/reject", response={200: AcceptanceOut, **ERRORS}, url_name="acceptance_reject")
def reject_item(request, item_id: int, payload: RejectIn):
    item = field_services.do_reject_item(_item_for_inspection(request, item_id), request.auth, payload.reason)
    return _acceptance_out(_acceptance_queryset(request.auth).get(pk=item.pk))


# --------------------------------------------------------------------------- programmes: progress and map

programmes = Router(tags=["programme"])


def _programme(request, code):
    programme = work_selectors.programmes_of(request.auth).filter(code=code).first()
    if programme is None:
        raise Http404(_("No such programme."))
    return programme


@programmes.get("/{code}/sites.geojson", response={200: dict, **ERRORS}, url_name="programme_geojson",
                summary="Sites and their progress as GeoJSON (RFC 7946)")
def programme_geojson(request, code: str, wilaya: str | None = None):
    from bawaba.geo.models import Region

    programme = _programme(request, code)
    region = None
    if wilaya:
        region = Region.objects.filter(country=programme.country, code=wilaya).first()
        if region is None:
            raise ValidationError({"wilaya": [_("Unknown wilaya.")]})
    data = field_progress.site_geojson(programme, region=region, user=request.auth)
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/geo+json")


@programmes.get("/{code}/progress", response={200: list[ProgressOut], **ERRORS}, url_name="programme_progress",
                summary="Progress per wilaya (by=wilaya), per wilaya before a reform (by=before_2026) or before "
                        "any split (by=former_wilaya)")
def programme_progress(request, code: str,
                       by: str = Query("wilaya", pattern="^(wilaya|former_wilaya|before_[0-9]{4})$")):
    programme = _programme(request, code)
    if not (is_operator_staff(request.auth, programme)):
        raise PermissionDenied(_("Only the operator sees the programme's progress."))
    try:
        field_progress.progress_grouping_year(by)
    except ValueError:
        raise ValidationError({"by": [_("No reform of the wilayas in that year.")]}) from None
    return [{"wilaya": row.region.code, "wilayaName": row.region.name, "homesPassed": row.homes_passed,
             "homesConnected": row.homes_connected, "sitesConnected": row.sites_connected,
             "workOrders": row.work_orders, "completed": row.completed, "late": row.late,
             "acceptedAmount": row.accepted_amount}
            for row in field_progress.programme_progress(programme, by=by)]
