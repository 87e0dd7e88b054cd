"""Refusing addresses that no page or API can serve: a NUL character in the path or the query string.

PostgreSQL cannot hold a NUL in text, and a NUL that reached a query ended in a 500. It is never part of a real
address or search, so it is refused here, once, for every page and API:
- in the path: 404, since nothing has such an address;
- in a query parameter under an API path: 422 with the APIs' error body naming the parameter (as the APIs' own
  validation answers: an API's contract is strict);
- in a query parameter of a page: removed, so that a search pasted with a stray NUL still finds something
  (what the help search did already) and no page can pass one to the database.
Bodies are left to each form and API schema (they refuse NUL in a field with 422; the SMS gateways' webhooks
strip them from message text instead).
"""

from __future__ import annotations

from django.http import JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _is_api(request) -> bool:
    return "/api/" in request.path_info


def _without_nul(query: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key.replace(NUL, ""), [value.replace(NUL, "") for value in values])
    cleaned._mutable = False
    return cleaned


def _own_not_found(request):
    """The 404 view of an interface that has its own error format (settings.NOT_FOUND_VIEWS: path prefix → view),
    e.g. TMF621's Error body or Open311's error list."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    for prefix, view in getattr(settings, "NOT_FOUND_VIEWS", {}).items():
        if request.path_info.startswith(prefix):
            return import_string(view)(request)
    return None


def refuse_nul_bytes(get_response):
    def middleware(request):
        if NUL in request.path_info:
            if (own := _own_not_found(request)) is not None:
                return own
            if _is_api(request):
                return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)
            return render(request, "core/error.html", {
                "title": _("Not found"), "message": _("The page or item you asked for does not exist.")}, status=404)
        for key, values in request.GET.lists():
            if NUL in key or any(NUL in value for value in values):
                if _is_api(request):
                    return JsonResponse({"detail": _("The request is not valid: see the errors by field."),
                                         "errors": {key.replace(NUL, "") or "query": [
                                             _("Null characters are not allowed.")]}}, status=422)
                request.GET = _without_nul(request.GET)
                break
        return get_response(request)

    return middleware
