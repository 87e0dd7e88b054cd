"""The log of staff access to citizens' personal data.

A page is logged when its URL name is declared in a module's `privacy_register.PERSONAL_DATA_VIEWS` (the desk's
request page, a proof-of-life attempt, …): after a successful GET by a signed-in member of staff, one row names
who, when, the page and the record its URL names. Nothing of what the page showed is logged. The views are not
edited: the list of pages lives with each module's register entries.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from .register import personal_data_views

log = logging.getLogger(__name__)


def log_personal_data_access(get_response):
    def middleware(request):
        response = get_response(request)
        match = getattr(request, "resolver_match", None)
        if (match is None or request.method != "GET" or response.status_code != 200
                or match.view_name not in personal_data_views()):
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        record_ref = next(iter(match.kwargs.values()), "") if match.kwargs else ""
        try:
            from .models import AccessLog

            AccessLog.objects.create(
                organisation_id=user.organisation_id, user=user, at=timezone.now(), view_name=match.view_name,
                record_kind=personal_data_views()[match.view_name], record_ref=str(record_ref)[:40])
        except Exception:  # the page was served: a failed log line is reported, not turned into an error page
            log.exception("could not log access to %s", match.view_name)
        return response

    return middleware
