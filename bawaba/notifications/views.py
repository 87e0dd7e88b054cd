"""Delivery reports from the gateways, the staff outbox, the citizen's short link and opt-out link."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from . import links
from .models import State
from .selectors import outbox_for
from .services import do_opt_out, http_report, kannel_report

OUTBOX_PAGE_SIZE = 50


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _clean(value) -> str:
    """Gateways send what they like: PostgreSQL stores no NUL character, and a report needs 200 at most."""
    return str(value).replace("\x00", "")[:200]


def _token_ok(given: str) -> bool:
    expected = settings.NOTIFICATION_DLR_TOKEN
    return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())


@csrf_exempt  # called by Kannel, authenticated by the secret in its dlr-url, never by a browser
@require_GET
def kannel_dlr(request):
    if not _token_ok(request.GET.get("token", "")):
        return _plain("unauthorised", 401)
    data = {key: _clean(request.GET.get(key, "")) for key in ("type", "smsc_id", "at", "answer")}
    message = kannel_report(request.GET.get("id", ""), data["type"], smsc_id=data["smsc_id"],
                            answer=data["answer"], data=data)
    if message is None:
        return _plain("unknown message or report type", 404)
    return _plain("ok")


@csrf_exempt  # called by the SMS API, authenticated by its token header
@require_POST
def http_dlr(request):
    if not _token_ok(request.headers.get("X-Notification-Token", "")):
        return _plain("unauthorised", 401)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return _plain("invalid JSON", 400)
    if not isinstance(data, dict):
        return _plain("invalid JSON", 400)
    message = http_report(_clean(data.get("id", ""))[:100], _clean(data.get("status", ""))[:20],
                          error=_clean(data.get("error", "")), data={_clean(k): _clean(v) for k, v in data.items()})
    if message is None:
        return _plain("unknown message or status", 404)
    return _plain("ok")


@require_GET
def outbox(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.organisation_id or user.is_platform_admin):
        raise PermissionDenied(_("Your account is not attached to an organisation."))
    if not (user.is_desk_staff or user.is_org_admin):  # citizens' numbers: the service centre's staff only
        raise PermissionDenied(_("Only the service centre's staff read the messages sent to citizens."))
    messages = outbox_for(user)
    state = request.GET.get("state", "")
    if state in State.values:
        messages = messages.filter(state=state)
    page = Paginator(messages, OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {
        "page": page, "state": state, "states": State.choices, "nav": "outbox"})


@ratelimit(key="ip", rate="30/m", block=True)
@require_GET
def short_link(request, code):
    """The link in an SMS or e-mail: opens the citizen's request page without asking for the phone again."""
    from bawaba.portal.views import _grant  # the portal's own grant of a reference to this browser session

    reference = links.reference_from_code(code)
    if reference is None:
        raise Http404(_("This link is not valid."))
    _grant(request, reference)
    return redirect("portal:request", reference=reference)


@require_http_methods(["GET", "POST"])
def stop(request, token):
    """The opt-out link of an e-mail: a page with one button (a link fetched by a mail scanner stops nothing)."""
    found = links.read_stop_token(token)
    if found is None:
        raise Http404(_("This link is not valid."))
    channel, address = found
    done = False
    if request.method == "POST":
        do_opt_out(channel, address, source="link")
        done = True
    return render(request, "notifications/stop.html", {"address": address, "done": done})
