"""The evidence behind a field report: the photos' EXIF data, reused and near-duplicate photos (perceptual hashes,
across all contractors), an ONT serial already used elsewhere, and the rules engine's view of them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.utils import timezone

from ..common import rules as common_rules
from ..common.models import Decision
from ..work.models import WorkItem, WorkOrder
from . import photohash as field_photohash
from .models import FieldReport, Photo, ReportedItem

log = logging.getLogger(__name__)


def _read_exif(upload, tz):
    """(taken_at, latitude, longitude, width, height) from the image, None where absent. Raises on a bad image."""
    from PIL import ExifTags, Image

    upload.seek(0)
    with Image.open(upload) as image:
        width, height = image.size
        image.verify()
    upload.seek(0)
    taken_at = latitude = longitude = None
    try:
        with Image.open(upload) as image:
            exif = image.getexif()
            details = exif.get_ifd(ExifTags.IFD.Exif)
            raw = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
            if raw:
                naive = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
                offset = details.get(ExifTags.Base.OffsetTimeOriginal)
                if offset and re.fullmatch(r"[+-]\d\d:\d\d", str(offset)):
                    taken_at = dt.datetime.fromisoformat(naive.isoformat() + str(offset))
                else:
                    taken_at = timezone.make_aware(naive, tz)
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
            if gps.get(2) and gps.get(4):
                def degrees(values):
                    d, m, s = (float(v) for v in values)
                    return d + m / 60 + s / 3600

                latitude = degrees(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
                longitude = degrees(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
                if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                    latitude = longitude = None
    except (ValueError, TypeError, ZeroDivisionError, KeyError, OSError):
        log.info("unreadable EXIF in %s", getattr(upload, "name", "photo"))
    finally:
        upload.seek(0)
    return taken_at, latitude, longitude, width, height


def _evidence_for(report: FieldReport, work_item: WorkItem, photos, serial_elsewhere: bool,
                  reused_photos: set[int] = frozenset()) -> common_rules.Evidence:
    price_item = work_item.price_item
    site = report.work_order.site
    return common_rules.Evidence(
        requirements=common_rules.Requirements(
            min_photos=price_item.min_photos,
            requires_position=price_item.requires_position,
            requires_ont_serial=price_item.requires_ont_serial,
            checks_rx_power=price_item.checks_rx_power,
            checks_link_loss=price_item.checks_link_loss,
            checks_splice_loss=price_item.checks_splice_loss,
        ),
        site_latitude=float(site.latitude),
        site_longitude=float(site.longitude),
        latitude=float(report.latitude) if report.latitude is not None else None,
        longitude=float(report.longitude) if report.longitude is not None else None,
        gps_accuracy_m=float(report.gps_accuracy_m) if report.gps_accuracy_m is not None else None,
        ont_serial=report.ont_serial,
        ont_serial_used_elsewhere=serial_elsewhere,
        ont_rx_power_dbm=float(report.ont_rx_power_dbm) if report.ont_rx_power_dbm is not None else None,
        link_loss_db=float(report.link_loss_db) if report.link_loss_db is not None else None,
        splice_losses_db=tuple(float(v) for v in report.splice_losses_db),
        photos=tuple(
            common_rules.PhotoEvidence(
                reused=photo.pk in reused_photos,
                taken_at=photo.exif_taken_at,
                latitude=float(photo.exif_latitude) if photo.exif_latitude is not None else None,
                longitude=float(photo.exif_longitude) if photo.exif_longitude is not None else None,
                similar_distance=photo.similar_distance,
            )
            for photo in photos
        ),
        reported_at=report.device_reported_at or report.received_at,
        device_clock_ahead_s=report.device_clock_ahead_s,
    )


def _serial_used_elsewhere(serial: str, work_order: WorkOrder) -> bool:
    """The ONT is installed elsewhere: an ONT-bearing item reported with it on another work order was not rejected.

    Accepted, doubtful (waiting for an inspector) and pending items hold the serial; a serial whose every
    ONT-bearing item elsewhere was rejected is free again. Other items of those reports do not matter (a survey
    accepted next to a rejected ONT installation does not install the ONT). The same work order may report
    its own ONT again (a redone installation).
    """
    if not serial:
        return False
    return (
        ReportedItem.objects.filter(report__ont_serial=serial, work_item__price_item__requires_ont_serial=True)
        .exclude(report__work_order_id=work_order.pk)
        .exclude(decision=Decision.REJECTED)
        .exists()
    )


def _reused_photos(report: FieldReport, photos: list[Photo]) -> set[int]:
    """Ids of the report's photos that already back work: the same bytes are on another report with an item
    that was not rejected (on any work order: one photo cannot prove two pieces of work), or earlier in this
    report. Bytes sent before only with items that were all rejected may be sent again (the work is redone).
    """
    shas = {photo.sha256 for photo in photos}
    used = set(
        Photo.objects.filter(sha256__in=shas)
        .exclude(report_id=report.pk)
        .filter(report__items__decision__in=[Decision.ACCEPTED, Decision.DOUBTFUL, Decision.PENDING])
        .values_list("sha256", flat=True)
        .distinct()
    ) if shas else set()
    reused, seen = set(), set()
    for photo in photos:
        if photo.sha256 in used or photo.sha256 in seen:
            reused.add(photo.pk)
        seen.add(photo.sha256)
    return reused


def _find_similar_photos(report: FieldReport, photos: list[Photo], reused: set[int], max_distance: float) -> None:
    """Record on each photo of the report the nearest photo of another report, of any contractor, whose perceptual
    hash is at most max_distance bits away and that backs work not rejected (as for identical bytes: a photo of
    rejected work may be sent again when the work is redone). Photos already caught as identical bytes, and
    photos without a hash (no detail), are not searched. Each look-up reads the band indexes (photohash.py)."""
    if max_distance < 0:
        return
    limit = min(int(max_distance), field_photohash.MAX_SEARCH_DISTANCE)
    for photo in photos:
        if not photo.phash or photo.pk in reused:
            continue
        candidates = (
            Photo.objects.filter(field_photohash.candidates_filter(photo.phash, limit))
            .exclude(report_id=report.pk)
            .filter(report__items__decision__in=[Decision.ACCEPTED, Decision.DOUBTFUL, Decision.PENDING])
            .values_list("pk", "phash").distinct()
        )
        nearest = min(((field_photohash.distance(photo.phash, other_hash), other_pk) for other_pk,
                       other_hash in candidates),
                      default=None)
        if nearest is not None and nearest[0] <= limit:
            photo.similar_distance, photo.similar_to_id = nearest
            photo.save(update_fields=["similar_distance", "similar_to"])
