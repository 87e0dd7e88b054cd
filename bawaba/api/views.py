"""The one plain Django view of the API: unknown addresses under /api/v1/ answer with the API's
error body (JSON) rather than the site's HTML 404 page."""

from django.http import JsonResponse
from django.utils.translation import gettext as _


def not_found(request, rest=""):
    return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)
