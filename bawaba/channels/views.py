"""Webhooks for the SMS and USSD gateways, authenticated by a shared secret from the environment."""

import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from bawaba.notifications.sms import is_gsm7

from .gateways import handle_sms, handle_ussd


def _authorised(request) -> bool:
    expected = settings.CHANNEL_GATEWAY_TOKEN
    # The header, or `token` in the query string for gateways that cannot send headers (Kannel's get-url).
    given = request.headers.get("X-Gateway-Token", "") or request.GET.get("token", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # called by a gateway server, authenticated by its token, never by a browser
@require_http_methods(["GET", "POST"])  # GET: Kannel's get-url (?from=%p&text=%a&token=...)
def sms(request):
    if not _authorised(request):
        return _plain("unauthorised", 401)
    data = request.POST if request.method == "POST" else request.GET
    try:
        reply = handle_sms(data.get("from", ""), data.get("text", ""))
    except ValidationError as exc:
        return _plain(" ".join(exc.messages), 400)
    response = _plain(reply)
    # Kannel's smsbox (accept-x-kannel-headers) sends an answer outside the GSM alphabet, Arabic, as UCS-2.
    response["X-Kannel-Coding"] = "0" if is_gsm7(reply) else "2"
    return response


@csrf_exempt
@require_POST
def ussd(request):
    if not _authorised(request):
        return _plain("unauthorised", 401)
    try:
        reply = handle_ussd(request.POST.get("phoneNumber", ""), request.POST.get("text", ""))
    except ValidationError as exc:
        return _plain("END " + " ".join(exc.messages), 400)
    return _plain(reply)
