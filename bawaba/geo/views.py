"""Reference geography for maps: static per release, so sent gzipped, cached by browsers and revalidated by ETag."""

import re

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe
from django.views.decorators.vary import vary_on_headers

from .boundaries import wilaya_boundaries

# A day in the browser, then a revalidation answered 304 while the release has not changed them.
MAX_AGE = 24 * 60 * 60
_GZIP = re.compile(r"(?:^|,)\s*gzip\s*(?:;\s*q\s*=\s*(?P<q>[\d.]+))?\s*(?:,|$)", re.IGNORECASE)


def accepts_gzip(request) -> bool:
    """Whether the client takes a gzip body (RFC 9110 Accept-Encoding; "gzip;q=0" refuses it)."""
    match = _GZIP.search(request.headers.get("Accept-Encoding", ""))
    if not match:
        return False
    try:
        return float(match.group("q") or 1) > 0
    except ValueError:
        return False


def _etag(request) -> str:
    # One entity tag per representation (RFC 9110 8.8.3): the gzipped bytes are not the plain ones.
    etag = wilaya_boundaries().etag
    return f"{etag}-gz" if accepts_gzip(request) else etag


@require_safe
@vary_on_headers("Accept-Encoding")  # on the 304s too
@cache_control(public=True, max_age=MAX_AGE)
@condition(etag_func=_etag)
def wilaya_boundaries_geojson(request):
    """Algeria's wilayas as GeoJSON (RFC 7946), keyed by our wilaya codes; © OpenStreetMap contributors, ODbL.

    Precompressed once per process: 0.2 MB of coordinates travel as about 60 KB. Not through Django's
    GZipMiddleware, which would compress again on every request (and must not touch pages with CSRF tokens).
    """
    boundaries = wilaya_boundaries()
    if accepts_gzip(request):
        response = HttpResponse(boundaries.content_gzip, content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(boundaries.content, content_type="application/geo+json")
    return response
