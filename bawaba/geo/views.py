"""Reference geography for maps: static per release, so cached by browsers and revalidated by ETag."""

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from .boundaries import wilaya_boundaries

# A day in the browser, then a revalidation answered 304 while the release has not changed them.
MAX_AGE = 24 * 60 * 60


@require_safe
@cache_control(public=True, max_age=MAX_AGE)
@condition(etag_func=lambda request: wilaya_boundaries().etag)
def wilaya_boundaries_geojson(request):
    """Algeria's wilayas as GeoJSON (RFC 7946), keyed by our wilaya codes; © OpenStreetMap contributors, ODbL."""
    return HttpResponse(wilaya_boundaries().content, content_type="application/geo+json")
