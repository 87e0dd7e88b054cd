"""Acceptance rules engine: pure functions, no database access.

`evaluate(evidence, params)` returns a Decision for one reported item. Outcomes:
- rejected: a hard rule failed (evidence missing, measurement outside the window, reuse detected, far away);
- doubtful: nothing failed but something cannot be confirmed (GPS too imprecise or without its accuracy, slightly
  beyond tolerance, photo EXIF far away or old): it goes to an inspector's queue;
- accepted: every applicable rule passed.

Thresholds come from a versioned RuleSet (`params` overrides DEFAULT_PARAMS). Reasons are stored as
{"code", "params"} and turned into text in the reader's language by `reason_text()`.

A decision is explained by its stored reasons, its RuleSet version (thresholds, frozen once used) and the engine
revision below, recorded in the report's audit event. A new check gets a key in DEFAULT_PARAMS, so that a rule set
published later can switch it off and says in its snapshot whether it applies; a rule set published before the key
existed gets the default, deliberately: its price items are frozen to it, so a check missing from the engine would
otherwise stay missing on every running contract.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

ACCEPTED, REJECTED, DOUBTFUL = "accepted", "rejected", "doubtful"

# Revision of the decision logic (not of the thresholds, which are the RuleSet's):
# 1: first engine; 2 (2026-12): a required position without its GPS accuracy is doubtful ("gps_accuracy_missing"),
#    and the service refuses measurements more precise than recorded instead of rounding them into a window;
# 3 (2026-12): a photo near-identical (perceptual hash) to one backing other work is doubtful ("photo_similar").
ENGINE_REVISION = 3

DEFAULT_PARAMS: dict[str, float] = {
    # GPON class B+ optical budget (ITU-T G.984.2): ONT receive power and end-to-end link loss.
    "rx_power_min_dbm": -27.0,
    "rx_power_max_dbm": -8.0,
    "link_loss_min_db": 13.0,
    "link_loss_max_db": 28.0,
    # Fusion splice, bidirectional OTDR average.
    "splice_loss_max_db": 0.1,
    # Reported position against the planned site.
    "position_tolerance_m": 50.0,
    # Between tolerance and this multiple of it, the item is doubtful rather than rejected.
    "position_doubt_factor": 2.0,
    # A fix less precise than this cannot prove the position: doubtful.
    "gps_accuracy_max_m": 30.0,
    # 1: a required position sent without its accuracy (typed, or copied from the planned site) cannot prove the
    # place either: doubtful. 0: such a position is judged on its distance alone (engine revision 1).
    "gps_accuracy_required": 1.0,
    # Photo EXIF: farther than this from the site, or older than this before the report: doubtful.
    "photo_distance_max_m": 200.0,
    "photo_age_max_days": 7.0,
    # A photo whose perceptual hash is at most this many bits (of 64) from a photo already backing other work (any
    # contractor's) is a near-duplicate (re-saved, converted, resized, cropped): doubtful, for an inspector who
    # sees both. Negative: no similarity check. Searched efficiently up to photohash.MAX_SEARCH_DISTANCE (15).
    "photo_similar_max_distance": 10.0,
    # Device times ahead of the server by more than this: the phone's clock is wrong, so the report's and the
    # photos' times cannot be trusted: doubtful (the report is kept; a queued phone cannot fix its past clock).
    "device_clock_ahead_max_min": 10.0,
}


def merged_params(overrides: dict | None) -> dict[str, float]:
    params = dict(DEFAULT_PARAMS)
    for key, value in (overrides or {}).items():
        if key in DEFAULT_PARAMS:
            params[key] = float(value)
    return params


@dataclass(frozen=True)
class Requirements:
    min_photos: int = 1
    requires_position: bool = True
    requires_ont_serial: bool = False
    checks_rx_power: bool = False
    checks_link_loss: bool = False
    checks_splice_loss: bool = False


@dataclass(frozen=True)
class PhotoEvidence:
    reused: bool = False
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    # Hamming distance of its perceptual hash to the nearest photo backing other work (None: none found near).
    similar_distance: int | None = None


@dataclass(frozen=True)
class Evidence:
    requirements: Requirements
    site_latitude: float | None = None
    site_longitude: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    gps_accuracy_m: float | None = None
    ont_serial: str = ""
    ont_serial_used_elsewhere: bool = False
    ont_rx_power_dbm: float | None = None
    link_loss_db: float | None = None
    splice_losses_db: tuple[float, ...] = ()
    photos: tuple[PhotoEvidence, ...] = ()
    reported_at: datetime | None = None
    # How far the device's times were ahead of the server's when the report arrived, in seconds.
    device_clock_ahead_s: float | None = None


@dataclass
class Decision:
    outcome: str
    reasons: list[dict] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [reason_text(r["code"], r["params"]) for r in self.reasons]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (mean Earth radius 6,371,008.8 m)."""
    radius = 6_371_008.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(a)))


def _num(value) -> float | None:
    if value is None:
        return None
    return float(value) if not isinstance(value, Decimal) else float(value)


def evaluate(evidence: Evidence, params: dict | None = None) -> Decision:
    p = merged_params(params) if params is None or set(params) != set(DEFAULT_PARAMS) else params
    req = evidence.requirements
    rejected: list[dict] = []
    doubtful: list[dict] = []

    def reject(code, **kw):
        rejected.append({"code": code, "params": kw})

    def doubt(code, **kw):
        doubtful.append({"code": code, "params": kw})

    # Photos: count, reuse, EXIF plausibility.
    if len(evidence.photos) < req.min_photos:
        reject("photos_missing", required=req.min_photos, given=len(evidence.photos))
    reused = sum(1 for photo in evidence.photos if photo.reused)
    if reused:
        reject("photo_reused", count=reused)
    similar_limit = p["photo_similar_max_distance"]
    if similar_limit >= 0:
        near = [photo.similar_distance for photo in evidence.photos
                if not photo.reused and photo.similar_distance is not None and photo.similar_distance <= similar_limit]
        if near:
            doubt("photo_similar", count=len(near), distance=min(near), limit=round(similar_limit))

    # Position.
    has_position = evidence.latitude is not None and evidence.longitude is not None
    if req.requires_position and not has_position:
        reject("position_missing")
    elif req.requires_position and evidence.gps_accuracy_m is None and p["gps_accuracy_required"]:
        doubt("gps_accuracy_missing")
    if has_position and evidence.site_latitude is not None and evidence.site_longitude is not None:
        distance = haversine_m(_num(evidence.latitude), _num(evidence.longitude),
                               _num(evidence.site_latitude), _num(evidence.site_longitude))
        tolerance = p["position_tolerance_m"]
        if distance > tolerance * p["position_doubt_factor"]:
            reject("position_too_far", distance=round(distance), tolerance=round(tolerance))
        elif distance > tolerance:
            doubt("position_beyond_tolerance", distance=round(distance), tolerance=round(tolerance))
        accuracy = _num(evidence.gps_accuracy_m)
        if accuracy is not None and accuracy > p["gps_accuracy_max_m"]:
            doubt("gps_imprecise", accuracy=round(accuracy), limit=round(p["gps_accuracy_max_m"]))
        for photo in evidence.photos:
            if photo.latitude is not None and photo.longitude is not None:
                photo_distance = haversine_m(photo.latitude, photo.longitude,
                                             _num(evidence.site_latitude), _num(evidence.site_longitude))
                if photo_distance > p["photo_distance_max_m"]:
                    doubt("photo_far_from_site", distance=round(photo_distance),
                          limit=round(p["photo_distance_max_m"]))
                    break
    if evidence.reported_at is not None:
        for photo in evidence.photos:
            if photo.taken_at is not None:
                age_days = (evidence.reported_at - photo.taken_at).total_seconds() / 86400
                if age_days > p["photo_age_max_days"]:
                    doubt("photo_old", days=math.floor(age_days), limit=round(p["photo_age_max_days"]))
                    break

    # Device clock.
    ahead = _num(evidence.device_clock_ahead_s)
    if ahead is not None and ahead > p["device_clock_ahead_max_min"] * 60:
        doubt("device_clock_ahead", minutes=math.floor(ahead / 60), limit=round(p["device_clock_ahead_max_min"]))

    # ONT serial.
    if req.requires_ont_serial and not evidence.ont_serial:
        reject("ont_serial_missing")
    if evidence.ont_serial and evidence.ont_serial_used_elsewhere:
        reject("ont_serial_reused", serial=evidence.ont_serial)

    # Optical measurements. Windows are inclusive at both ends.
    if req.checks_rx_power:
        rx = _num(evidence.ont_rx_power_dbm)
        if rx is None:
            reject("rx_power_missing")
        elif not p["rx_power_min_dbm"] <= rx <= p["rx_power_max_dbm"]:
            reject("rx_power_out_of_window", value=rx, min=p["rx_power_min_dbm"], max=p["rx_power_max_dbm"])
    if req.checks_link_loss:
        loss = _num(evidence.link_loss_db)
        if loss is None:
            reject("link_loss_missing")
        elif not p["link_loss_min_db"] <= loss <= p["link_loss_max_db"]:
            reject("link_loss_out_of_budget", value=loss, min=p["link_loss_min_db"], max=p["link_loss_max_db"])
    if req.checks_splice_loss:
        if not evidence.splice_losses_db:
            reject("splice_loss_missing")
        else:
            bad = [(i + 1, _num(v)) for i, v in enumerate(evidence.splice_losses_db)
                   if _num(v) > p["splice_loss_max_db"]]
            if bad:
                index, value = max(bad, key=lambda pair: pair[1])
                reject("splice_loss_too_high", count=len(bad), splice=index, value=value,
                       max=p["splice_loss_max_db"])

    if rejected:
        return Decision(REJECTED, rejected + doubtful)
    if doubtful:
        return Decision(DOUBTFUL, doubtful)
    return Decision(ACCEPTED, [])


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def reason_text(code: str, params: dict) -> str:
    """The reason in the active language. Unknown codes (from a newer rule set) are shown as is."""
    f = {key: _fmt(value) for key, value in (params or {}).items()}
    texts = {
        "photos_missing": lambda: _("%(required)s photo(s) required, %(given)s given.") % f,
        "photo_reused": lambda: _("%(count)s photo(s) were already submitted for other work.") % f,
        "photo_similar": lambda: _(
            "%(count)s photo(s) look like a photo already submitted for other work (%(distance)s of 64 bits "
            "differ, limit %(limit)s): compare them side by side.") % f,
        "position_missing": lambda: _("The GPS position is missing.") % f,
        "position_too_far": lambda: _(
            "Reported %(distance)s m from the planned site (tolerance %(tolerance)s m).") % f,
        "position_beyond_tolerance": lambda: _(
            "Reported %(distance)s m from the planned site, beyond the %(tolerance)s m tolerance.") % f,
        "gps_imprecise": lambda: _("GPS accuracy of %(accuracy)s m is worse than %(limit)s m.") % f,
        "gps_accuracy_missing": lambda: _(
            "The GPS position was sent without its accuracy (typed rather than measured?), so it cannot prove "
            "where the work was done.") % f,
        "photo_far_from_site": lambda: _(
            "A photo was taken %(distance)s m from the site (limit %(limit)s m).") % f,
        "photo_old": lambda: _("A photo was taken %(days)s days before the report (limit %(limit)s).") % f,
        "device_clock_ahead": lambda: _(
            "The device clock was %(minutes)s min ahead of the server (limit %(limit)s min): the times of the "
            "report and of its photos cannot be trusted.") % f,
        "ont_serial_missing": lambda: _("The ONT serial number is missing.") % f,
        "ont_serial_reused": lambda: _("ONT serial %(serial)s is already installed at another site.") % f,
        "rx_power_missing": lambda: _("The ONT receive power is missing.") % f,
        "rx_power_out_of_window": lambda: _(
            "ONT receive power %(value)s dBm is outside %(min)s to %(max)s dBm (GPON class B+).") % f,
        "link_loss_missing": lambda: _("The link loss measurement is missing.") % f,
        "link_loss_out_of_budget": lambda: _(
            "Link loss %(value)s dB is outside the %(min)s–%(max)s dB budget (class B+).") % f,
        "splice_loss_missing": lambda: _("Splice loss measurements are missing.") % f,
        "splice_loss_too_high": lambda: _(
            "%(count)s splice(s) above %(max)s dB (splice %(splice)s: %(value)s dB, two-way average).") % f,
        "inspector_rejected": lambda: _("Rejected by the inspector: %(reason)s") % f,
        "inspector_accepted": lambda: _("Accepted by the inspector.") % f,
    }
    maker = texts.get(code)
    try:
        return maker() if maker else code
    except (KeyError, TypeError, ValueError):
        return code
