"""Writes of the field: field reports (checked, evidence evaluated by the rules engine, accepted items priced),
the inspector's decisions.

Every do_* function owns its transaction and writes its audit record (DeploymentEvent) in it.
Exceptions: PermissionDenied → 403, ValidationError → 422 (message_dict by field), Conflict → 409."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bawaba.core.uploads import IMAGE_TYPES, check_upload

from ..common import rules as common_rules
from ..common.errors import Conflict
from ..common.money import plain
from ..common.permissions import is_contractor_staff, is_inspector
from ..work.base import _event, _tz
from ..work.models import (
    REPORTABLE_STATES,
    EventKind,
    WorkItem,
    WorkItemState,
    WorkOrder,
    WorkOrderState,
)
from ..work.services import _refresh_progress, _set_state, remaining_quantity
from . import lines as field_lines
from . import photohash as field_photohash
from .evidence import _evidence_for, _find_similar_photos, _read_exif, _reused_photos, _serial_used_elsewhere
from .models import BillingLine, Decision, FieldReport, Photo, ReportedItem

log = logging.getLogger(__name__)

ONT_SERIAL_RE = re.compile(r"^[A-Z]{4}[0-9A-F]{8}$")  # GPON serial: 4-letter vendor id + 8 hex digits
MAX_PHOTOS = 10
# Physically possible ranges: outside them the value is a typing or device error (422), not a failed rule.
PLAUSIBLE = {
    "ont_rx_power_dbm": (Decimal("-60"), Decimal("10"), "dBm"),
    "link_loss_db": (Decimal("0"), Decimal("60"), "dB"),
    "splice_loss_db": (Decimal("-0.5"), Decimal("5"), "dB"),
    "gps_accuracy_m": (Decimal("0"), Decimal("10000"), "m"),
    "latitude": (Decimal("-90"), Decimal("90"), "°"),
    "longitude": (Decimal("-180"), Decimal("180"), "°"),
}
# A device time later than the server's is clock skew (the report is kept, its items go to an inspector: see
# rules "device_clock_ahead"); beyond this it is an impossible value and the report is refused (422).
MAX_CLOCK_AHEAD = dt.timedelta(days=366)


@dataclass
class SubmitResult:
    report: FieldReport
    created: bool


MAX_NUMBER = Decimal(10) ** 9


def _decimal(value, name, errors, *, label, places=3, exact=False):
    """The number in `value` rounded to `places` decimals (None when absent); an error per field otherwise.

    exact: refuse a value with more decimals than are kept instead of rounding it. Measurements that the rules
    check against inclusive windows must be exact: rounded first, −27.004 dBm would pass as −27.00.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(_("%(label)s must be a number.") % {"label": label})
        return None
    if not number.is_finite():
        errors.setdefault(name, []).append(_("%(label)s must be a number.") % {"label": label})
        return None
    if abs(number) >= MAX_NUMBER:  # beyond any quantity or measurement, and beyond what the columns hold
        errors.setdefault(name, []).append(_("%(label)s is too large.") % {"label": label})
        return None
    low, high, unit = PLAUSIBLE.get(name, (None, None, ""))
    if low is not None and not low <= number <= high:
        errors.setdefault(name, []).append(
            _("%(label)s of %(value)s %(unit)s is impossible (expected between %(low)s and %(high)s %(unit)s).")
            % {"label": label, "value": plain(number), "low": low, "high": high, "unit": unit}
        )
        return None
    if places is None:
        return number
    rounded = number.quantize(Decimal(1).scaleb(-places))
    if exact and rounded != number:  # trailing zeros are fine: -27.000 == -27.00
        errors.setdefault(name, []).append(ngettext(
            "%(label)s of %(value)s %(unit)s is more precise than what is recorded: give at most %(places)s "
            "decimal.",
            "%(label)s of %(value)s %(unit)s is more precise than what is recorded: give at most %(places)s "
            "decimals.", places) % {"label": label, "value": format(number, "f"), "unit": unit, "places": places})
        return None
    return rounded.copy_abs() if rounded.is_zero() else rounded  # "-0" is stored as 0


def _datetime(value, name, errors, *, label, now):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:  # well formed but not a real date: 30 February, month 13, hour 25
            moment = None
        if moment is None:
            errors.setdefault(name, []).append(_("%(label)s is not a valid date and time.") % {"label": label})
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > now + MAX_CLOCK_AHEAD:
        errors.setdefault(name, []).append(_("%(label)s is in the future.") % {"label": label})
        return None
    return moment


def _clock_ahead_s(now, *moments) -> int | None:
    """Whole seconds by which the latest device time is ahead of the server's clock; None when it is not."""
    latest = max((moment for moment in moments if moment is not None), default=None)
    if latest is None or latest <= now:
        return None
    return int((latest - now).total_seconds())


def _clean_report(user, work_order, data, now):
    errors: dict[str, list[str]] = {}
    cleaned = {}
    cleaned["latitude"] = _decimal(data.get("latitude"), "latitude", errors, label=_("Latitude"), places=6)
    cleaned["longitude"] = _decimal(data.get("longitude"), "longitude", errors, label=_("Longitude"), places=6)
    if (cleaned["latitude"] is None) != (cleaned["longitude"] is None) and "latitude" not in errors \
            and "longitude" not in errors:
        errors.setdefault("latitude", []).append(_("Give both latitude and longitude, or neither."))
    cleaned["gps_accuracy_m"] = _decimal(data.get("gps_accuracy_m"), "gps_accuracy_m", errors,
                                         label=_("GPS accuracy"), places=1)
    # Measurements the rules check against inclusive windows: refused, not rounded, beyond the decimals kept.
    cleaned["ont_rx_power_dbm"] = _decimal(data.get("ont_rx_power_dbm"), "ont_rx_power_dbm", errors,
                                           label=_("ONT receive power"), places=2, exact=True)
    cleaned["link_loss_db"] = _decimal(data.get("link_loss_db"), "link_loss_db", errors,
                                       label=_("Link loss"), places=2, exact=True)
    splices = []
    raw_splices = data.get("splice_losses_db") or ()
    if isinstance(raw_splices, str):
        raw_splices = [part for part in re.split(r"[;\s]+", raw_splices) if part]
    if len(raw_splices) > 500:
        errors.setdefault("splice_losses_db", []).append(_("At most 500 splice measurements per report."))
        raw_splices = ()
    for value in raw_splices:
        number = _decimal(value, "splice_loss_db", errors, label=_("Splice loss"), places=3, exact=True)
        if number is not None:
            splices.append(number)
    if "splice_loss_db" in errors:
        errors["splice_losses_db"] = errors.pop("splice_loss_db")
    cleaned["splice_losses_db"] = splices

    serial = re.sub(r"[\s-]", "", str(data.get("ont_serial") or "")).upper()
    if serial and not ONT_SERIAL_RE.match(serial):
        errors.setdefault("ont_serial", []).append(
            _("“%(serial)s” is not a GPON ONT serial number (4 letters and 8 hexadecimal digits, e.g. HWTC1A2B3C4D).")
            % {"serial": serial[:20]}
        )
    cleaned["ont_serial"] = serial

    cleaned["device_started_at"] = _datetime(data.get("device_started_at"), "device_started_at", errors,
                                             label=_("Start time on the device"), now=now)
    cleaned["device_reported_at"] = _datetime(data.get("device_reported_at"), "device_reported_at", errors,
                                              label=_("Report time on the device"), now=now)
    if cleaned["device_started_at"] and cleaned["device_reported_at"] and \
            cleaned["device_started_at"] > cleaned["device_reported_at"]:
        errors.setdefault("device_started_at", []).append(_("The start time is after the report time."))
    cleaned["device_clock_ahead_s"] = _clock_ahead_s(now, cleaned["device_started_at"], cleaned["device_reported_at"])
    cleaned["notes"] = str(data.get("notes") or "")[:4000]

    items = list(data.get("items") or [])
    by_id = {wi.id: wi for wi in work_order.items.select_related("price_item").prefetch_related("reported")}
    seen = set()
    cleaned_items = []
    if not items:
        errors.setdefault("items", []).append(_("Report at least one item with its done quantity."))
    for index, entry in enumerate(items, start=1):
        try:
            work_item_id = int(entry.get("work_item"))
        except (TypeError, ValueError, AttributeError):
            errors.setdefault("items", []).append(_("Line %(n)s: unknown work item.") % {"n": index})
            continue
        work_item = by_id.get(work_item_id)
        if work_item is None:
            errors.setdefault("items", []).append(
                _("Line %(n)s: this item is not part of work order %(wo)s.") % {"n": index, "wo": work_order.reference})
            continue
        if work_item_id in seen:
            errors.setdefault("items", []).append(
                _("Line %(n)s: %(code)s is reported twice.") % {"n": index, "code": work_item.price_item.code})
            continue
        seen.add(work_item_id)
        quantity_errors: dict = {}
        quantity = _decimal(entry.get("quantity"), "quantity", quantity_errors, label=_("Quantity"))
        label = f"{work_item.price_item.code} {work_item.price_item.label}"
        if quantity_errors or quantity is None or quantity <= 0:
            errors.setdefault("items", []).append(
                _("Line %(n)s (%(item)s): the done quantity must be a number above zero.")
                % {"n": index, "item": label})
            continue
        remaining = remaining_quantity(work_item)
        if quantity > remaining:
            errors.setdefault("items", []).append(
                _("Line %(n)s (%(item)s): %(qty)s reported but only %(left)s remain to do.")
                % {"n": index, "item": label, "qty": plain(quantity), "left": plain(remaining)}
            )
            continue
        cleaned_items.append((work_item, quantity))
    cleaned["items"] = cleaned_items

    photos = list(data.get("photos") or [])
    checked = []
    if len(photos) > MAX_PHOTOS:
        errors.setdefault("photos", []).append(_("At most %(n)s photos per report.") % {"n": MAX_PHOTOS})
        photos = []
    max_bytes = getattr(settings, "FIBRE_PHOTO_MAX_BYTES", settings.ATTACHMENT_MAX_BYTES)
    tz = _tz(work_order.contract.contractor)
    for upload in photos:
        try:
            result = check_upload(upload, IMAGE_TYPES, max_bytes)
            exif = _read_exif(upload, tz)
            exif = (*exif, field_photohash.perceptual_hash(upload))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
            continue
        except Exception:  # noqa: BLE001 - Pillow raises many kinds on a broken image
            errors.setdefault("photos", []).append(
                _("The file “%(name)s” is not a readable image.") % {"name": getattr(upload, "name", "")})
            continue
        checked.append((result, exif))
    cleaned["photos"] = checked
    return cleaned, errors


def _lock_key(kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"bawaba.deployments:{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _serialise_evidence(serial: str, shas) -> None:
    """Serialise, across work orders, the reports that carry the same ONT serial or the same photo bytes.

    The reuse checks read what other reports stored; without this two reports sent at the same moment on two
    work orders would both see nothing and both pass. On PostgreSQL: one transaction-level advisory lock per
    serial and per photo hash, taken in a fixed order (no deadlock) after the work-order lock and released at
    commit, so the second report's checks see the first one's rows. SQLite needs nothing: its IMMEDIATE
    transactions already serialise every writer.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({_lock_key("photo", sha) for sha in shas} | ({_lock_key("serial", serial)} if serial else set()))
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def do_submit_field_report(user, work_order: WorkOrder, *, client_uuid, items, latitude=None, longitude=None,
                           gps_accuracy_m=None, device_started_at=None, device_reported_at=None, ont_serial="",
                           ont_rx_power_dbm=None, link_loss_db=None, splice_losses_db=(), notes="",
                           photos=(), now: dt.datetime | None = None) -> SubmitResult:
    """Store a field report whole or not at all, run the acceptance rules and bill what is accepted.

    `now` is the server's receipt time (default: the clock); the demo data replays months of history with it.
    """
    if not is_contractor_staff(user) or user.organisation_id != work_order.contract.contractor_id:
        raise PermissionDenied(_("This work order is not assigned to your organisation."))
    try:
        report_uuid = uuid.UUID(str(client_uuid))
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValidationError({"client_uuid": [_("The report identifier is not a valid UUID.")]}) from exc

    existing = FieldReport.objects.filter(client_uuid=report_uuid).first()
    if existing is not None:
        return _same_report(existing, user, work_order)
    if work_order.state not in REPORTABLE_STATES:
        raise Conflict(_("Work order %(wo)s is %(state)s: no more reports are accepted.")
                       % {"wo": work_order.reference, "state": work_order.get_state_display()})

    now = now or timezone.now()
    cleaned, errors = _clean_report(user, work_order, {
        "items": items, "latitude": latitude, "longitude": longitude, "gps_accuracy_m": gps_accuracy_m,
        "device_started_at": device_started_at, "device_reported_at": device_reported_at,
        "ont_serial": ont_serial, "ont_rx_power_dbm": ont_rx_power_dbm, "link_loss_db": link_loss_db,
        "splice_losses_db": splice_losses_db, "notes": notes, "photos": photos,
    }, now)
    if errors:
        raise ValidationError(errors)

    for attempt in (1, 2):
        stored_files: list[str] = []
        try:
            with transaction.atomic():
                report = _store_report(user, work_order, report_uuid, cleaned, now, stored_files)
        except IntegrityError as exc:
            _delete_files(stored_files)
            existing = FieldReport.objects.filter(client_uuid=report_uuid).first()
            if existing is not None:  # the same report arrived twice at once: the other one won
                return _same_report(existing, user, work_order)
            # Another report stored the same new photo at the same moment (one original row per hash): it has
            # committed, so a second attempt finds it and stores this photo as a reuse. Anything else is a bug.
            shas = [checked.sha256 for checked, _exif in cleaned["photos"]]
            if not Photo.objects.filter(sha256__in=shas, reused_from=None).exists():
                raise
            log.info("report %s: photo stored concurrently by another report (%s), attempt %s",
                     report_uuid, exc, attempt)
            if attempt == 2:
                raise Conflict(_("Another report was being stored with the same photos at the same moment; "
                                 "send this report again."), retryable=True) from exc
        except BaseException:
            _delete_files(stored_files)
            raise
        else:
            return SubmitResult(report, True)
    raise AssertionError("unreachable")


def _store_report(user, work_order, report_uuid, cleaned, now, stored_files: list[str]) -> FieldReport:
    """The whole report in the caller's transaction; names of the photo files written go to stored_files."""
    # One report at a time per work order: the remaining quantities checked above stay true.
    locked = (WorkOrder.objects.select_for_update(of=("self",)).select_related("site", "contract")
              .get(pk=work_order.pk))
    if locked.state not in REPORTABLE_STATES:
        raise Conflict(_("Work order %(wo)s is %(state)s: no more reports are accepted.")
                       % {"wo": locked.reference, "state": locked.get_state_display()})
    # Reports on other work orders carrying the same serial or photo bytes wait for this one (reuse checks).
    _serialise_evidence(cleaned["ont_serial"], [checked.sha256 for checked, _exif in cleaned["photos"]])
    # Fresh copies under the work-order lock (every writer of work items holds it).
    fresh = WorkItem.objects.select_related(
        "price_item__rule_set", "price_item__version__schedule").prefetch_related("reported").in_bulk(
        [work_item.pk for work_item, _quantity in cleaned["items"]])
    for work_item, quantity in cleaned["items"]:
        if quantity > remaining_quantity(fresh[work_item.pk]):
            raise ValidationError({"items": [
                _("%(code)s: the quantity left to do changed meanwhile; reload the work order.")
                % {"code": work_item.price_item.code}]})
    report = FieldReport.objects.create(
        client_uuid=report_uuid, work_order=locked, contractor_id=locked.contract.contractor_id,
        reported_by=user, received_at=now,
        **{k: cleaned[k] for k in ("latitude", "longitude", "gps_accuracy_m", "ont_serial",
                                   "ont_rx_power_dbm", "link_loss_db", "device_started_at",
                                   "device_reported_at", "device_clock_ahead_s", "notes")},
        splice_losses_db=[str(v) for v in cleaned["splice_losses_db"]],
    )
    photo_rows = []
    for checked, (taken_at, exif_lat, exif_lon, width, height, phash) in cleaned["photos"]:
        original = Photo.objects.filter(sha256=checked.sha256, reused_from=None).first()
        photo = Photo(report=report, sha256=checked.sha256, reused_from=original,
                      content_type=checked.content_type, extension=checked.extension, size=checked.size,
                      width=width, height=height, exif_taken_at=taken_at,
                      phash=phash or "", **field_photohash.band_values(phash),
                      exif_latitude=None if exif_lat is None else Decimal(f"{exif_lat:.6f}"),
                      exif_longitude=None if exif_lon is None else Decimal(f"{exif_lon:.6f}"))
        if original is not None:
            photo.image.name = original.image.name  # same bytes: keep one file
            photo.save()
        else:
            photo.image.save(f"{checked.sha256}.{checked.extension}", checked.file, save=False)
            stored_files.append(photo.image.name)
            photo.save()
        photo_rows.append(photo)
    serial_elsewhere = _serial_used_elsewhere(report.ont_serial, locked)
    reused_photos = _reused_photos(report, photo_rows)
    params: dict[int, dict] = {}
    for work_item, _quantity in cleaned["items"]:
        rule_set = fresh[work_item.pk].price_item.rule_set
        if rule_set.pk not in params:
            params[rule_set.pk] = rule_set.effective_params()
    _find_similar_photos(report, photo_rows, reused_photos,
                         max(p["photo_similar_max_distance"] for p in params.values()) if params else -1)
    decided = []
    for work_item, quantity in cleaned["items"]:
        work_item = fresh[work_item.pk]
        rule_set = work_item.price_item.rule_set
        decision = common_rules.evaluate(_evidence_for(report, work_item, photo_rows, serial_elsewhere, reused_photos),
                                  params[rule_set.pk])
        decided.append(ReportedItem(
            report=report, work_item=work_item, quantity=quantity, rule_set=rule_set,
            auto_decision=decision.outcome, decision=decision.outcome, reasons=decision.reasons,
            decided_at=None if decision.outcome == Decision.DOUBTFUL else now))
    # Whole report in three statements: decisions, billing lines of accepted items, work items.
    ReportedItem.objects.bulk_create(decided)
    lines = []
    for reported in decided:
        work_item = reported.work_item
        if reported.decision == Decision.ACCEPTED:
            work_item.accepted_quantity += reported.quantity
            lines.append(field_lines.billing_line_for(reported, work_item=work_item, work_order=locked, at=now))
        work_item.state = _item_state(work_item, reported.decision, _has_open_review(work_item))
    BillingLine.objects.bulk_create(lines)
    WorkItem.objects.bulk_update([r.work_item for r in decided], ["accepted_quantity", "state"])
    if locked.state == WorkOrderState.ACKNOWLEDGED:
        _set_state(locked, WorkOrderState.IN_PROGRESS, actor=user, now=now)
    _refresh_progress(locked, actor=user, now=now)
    _event(EventKind.REPORT_RECEIVED, actor=user, organisation=user.organisation, work_order=locked, at=now,
           report=str(report.client_uuid), items={str(r.id): r.decision for r in decided},
           photos=len(photo_rows), device_clock_ahead_s=report.device_clock_ahead_s,
           rules_engine=common_rules.ENGINE_REVISION)
    return report


def _same_report(existing, user, work_order) -> SubmitResult:
    if existing.work_order_id != work_order.id or existing.contractor_id != user.organisation_id:
        raise Conflict(_("This report identifier was already used for another work order."))
    return SubmitResult(existing, False)


def _delete_files(names):
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not delete %s after a rolled-back report", name)


# --------------------------------------------------------------------------- decisions


def _has_open_review(work_item: WorkItem, exclude_pk=None) -> bool:
    return any(r.decision == Decision.DOUBTFUL and r.pk != exclude_pk for r in work_item.reported.all())


def _item_state(work_item: WorkItem, outcome: str, open_review: bool) -> str:
    if work_item.accepted_quantity >= work_item.planned_quantity:
        return WorkItemState.ACCEPTED
    if open_review or outcome == Decision.DOUBTFUL:
        return WorkItemState.IN_REVIEW
    if outcome == Decision.REJECTED:
        return WorkItemState.REJECTED
    if work_item.accepted_quantity > 0:
        return WorkItemState.PARTIAL
    return WorkItemState.PLANNED


def _apply_decision(reported: ReportedItem, outcome: str, reasons: list, *, actor, now, work_order):
    """An inspector's decision on one item; an accepted item is priced onto the running statement at once."""
    reported.decision = outcome
    reported.reasons = reasons
    reported.decided_at = now
    reported.decided_by = actor
    reported.save(update_fields=["decision", "reasons", "decided_at", "decided_by", "inspector_note"])
    # The caller holds the work-order lock, which every writer of its work items takes first.
    work_item = WorkItem.objects.prefetch_related("reported").get(pk=reported.work_item_id)
    if outcome == Decision.ACCEPTED:
        work_item.accepted_quantity += reported.quantity
        field_lines.post_billing_line(reported, work_item=work_item, work_order=work_order, at=now)
    work_item.state = _item_state(work_item, outcome, _has_open_review(work_item, exclude_pk=reported.pk))
    work_item.save(update_fields=["accepted_quantity", "state"])
    reported.work_item = work_item
    _event(EventKind.ITEM_INSPECTED, actor=actor, organisation=getattr(actor, "organisation", None),
           work_order=work_order, at=now, item=reported.id, decision=outcome, reasons=[r["code"] for r in reasons])


def _inspectable(reported_item: ReportedItem, actor):
    locked = (ReportedItem.objects.select_for_update()
              .select_related("report__work_order__contract__programme", "work_item__price_item")
              .get(pk=reported_item.pk))
    if not is_inspector(actor, locked.report.work_order.contract.programme):
        raise PermissionDenied(_("Only an inspector of the operator can decide this item."))
    if locked.decision != Decision.DOUBTFUL:
        raise Conflict(_("This item was already decided (%(decision)s).") % {"decision": locked.get_decision_display()})
    return locked


@transaction.atomic
def do_accept_item(reported_item: ReportedItem, actor, note: str = "", *, now: dt.datetime | None = None
                   ) -> ReportedItem:
    """An inspector accepts a doubtful item: it is billed at once (at `now`, default the clock)."""
    locked = _inspectable(reported_item, actor)
    now = now or timezone.now()
    work_order = (WorkOrder.objects.select_for_update(of=("self",)).select_related("site")
                  .get(pk=locked.report.work_order_id))
    locked.inspector_note = (note or "").strip()[:2000]
    reasons = [*locked.reasons, {"code": "inspector_accepted", "params": {}}]
    _apply_decision(locked, Decision.ACCEPTED, reasons, actor=actor, now=now, work_order=work_order)
    _refresh_progress(work_order, actor=actor, now=now)
    return locked


@transaction.atomic
def do_reject_item(reported_item: ReportedItem, actor, reason: str, *, now: dt.datetime | None = None
                   ) -> ReportedItem:
    """An inspector rejects a doubtful item: it goes back to the contractor with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the rejection; the contractor will read it.")]})
    locked = _inspectable(reported_item, actor)
    now = now or timezone.now()
    work_order = (WorkOrder.objects.select_for_update(of=("self",)).select_related("site")
                  .get(pk=locked.report.work_order_id))
    locked.inspector_note = reason[:2000]
    reasons = [{"code": "inspector_rejected", "params": {"reason": reason[:500]}}, *locked.reasons]
    _apply_decision(locked, Decision.REJECTED, reasons, actor=actor, now=now, work_order=work_order)
    return locked
