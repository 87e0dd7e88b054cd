"""The postman's phone page (postal:round): today's round, taken out from the delivery office, and each
delivery recorded from the phone — queued on the phone while offline (static/postal/round.js), sent with the
queue entry's id so that none is lost and none is stored twice."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache, wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bawaba.postal import rounds
from bawaba.postal.models import RecipientChoice, RoundOutcome

ASSETS = ["css/bawaba.css", "postal/round.css", "postal/round.js"]


def postman_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if _wants_json(request):
                return JsonResponse({"detail": _("Sign in again.")}, status=401)
            return redirect_to_login(request.get_full_path())
        office = rounds.postman_office(request.user)
        if office is None:
            raise PermissionDenied(_("This page is for postmen posted at a delivery office."))
        return view(request, office, *args, **kwargs)

    return wrapper


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _js_strings() -> dict:
    return {
        "queued": _("%(n)s waiting to be sent"), "sent": _("Sent"), "waiting": _("Waiting to be sent"),
        "refused": _("Refused: %(error)s"), "offline": _("No network: records are kept on this phone."),
        "network": _("No network: will retry."), "server": _("Server error %(status)s: will retry."),
        "signIn": _("Sign in again to send the records."), "sign": _("The recipient must sign on the screen."),
        "name": _("Write the name of the person who received the item."),
        "reason": _("Choose why the item could not be delivered."),
        "gpsNone": _("No position (location off or refused)."), "gpsOk": _("Position recorded (±%(m)s m)."),
        "saved": _("Saved on the phone."), "delivered": str(RoundOutcome.DELIVERED.label),
        "failed": str(RoundOutcome.FAILED.label), "noStorage": _("This browser cannot keep records offline."),
    }


@require_GET
@postman_required
def round_page(request, office):
    today = timezone.localdate()
    round_ = rounds.round_of(request.user, today)
    entries = rounds.round_entries(round_) if round_ else []
    waiting = list(rounds.candidates(office)[:200])
    return render(request, "postal/field/round.html", {
        "office": office, "round": round_, "entries": entries, "waiting": waiting,
        "kept": list(rounds.held_on_request(office)[:200]), "today": today,
        "reasons": list(rounds.NON_DELIVERY_REASONS.items()), "actions": list(rounds.NON_DELIVERY_ACTIONS.items()),
        "default_actions": rounds.DEFAULT_ACTION, "js_strings": _js_strings(), "hold": RecipientChoice.HOLD,
        "redeliver": RecipientChoice.REDELIVER, "sw_url": reverse("postal:round_sw"),
        "scope": reverse("postal:round"), "record_url": reverse("postal:round_record"),
    })


@require_POST
@postman_required
def take_out(request, office):
    numbers = request.POST.getlist("number") or None
    try:
        round_ = rounds.do_take_out_round(request.user, numbers=numbers, device="web")
    except rounds.RoundRefused as exc:
        messages.error(request, str(exc))
        return redirect("postal:round")
    messages.success(request, _("Round taken out: %(n)d items.") % {"n": round_.entries.count()})
    return redirect("postal:round")


@require_POST
@postman_required
def record(request, office):
    """One delivery from the phone's queue (multipart: fields, signature PNG, optional photo). JSON answer
    naming the record's id: 201 stored, 200 already stored (a replay), 4xx refused with the reasons."""
    try:
        data = rounds.parse_record(request.POST)
        outcome = rounds.do_record_delivery(request.user, data, signature=request.FILES.get("signature"),
                                            photo=request.FILES.get("photo"))
    except rounds.RoundRefused as exc:
        detail = " ".join(m for ms in exc.errors.values() for m in ms)
        if not _wants_json(request):
            messages.error(request, detail)
            return redirect("postal:round")
        return JsonResponse({"id": request.POST.get("client_id", ""), "detail": detail, "errors": exc.errors},
                            status=exc.status)
    except rounds.NotYours:
        if not _wants_json(request):
            raise Http404(_("No such item on your round.")) from None
        return JsonResponse({"id": request.POST.get("client_id", ""),
                             "detail": _("No such item on your round.")}, status=404)
    if not _wants_json(request):
        messages.success(request, _("%(number)s recorded.") % {"number": outcome.item.number})
        return redirect("postal:round")
    return JsonResponse({"id": data.client_id, "number": outcome.item.number, "status": outcome.item.status,
                         "created": outcome.created}, status=201 if outcome.created else 200)


@lru_cache(maxsize=1)
def _version() -> str:
    digest = hashlib.sha256()
    for name in [*ASSETS, "postal/round-sw.js"]:
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    """Caches the round page and its assets so the page opens again without network (scope /post/round/)."""
    found = finders.find("postal/round-sw.js")
    if found is None:
        raise Http404(_("Not found."))
    with open(found, encoding="utf-8") as handle:
        source = handle.read()
    config = {"version": _version(), "assets": [static(name) for name in ASSETS], "page": reverse("postal:round"),
              "login": reverse("login") if _has_login() else "/accounts/login/"}
    response = HttpResponse(f"self.POSTAL_SW = {json.dumps(config)};\n{source}",
                            content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("postal:round")
    return response


def _has_login() -> bool:
    try:
        reverse("login")
    except Exception:  # noqa: BLE001 - the project may name its sign-in page differently
        return False
    return True


urlpatterns = [
    path("round/", round_page, name="round"),
    path("round/take-out/", take_out, name="round_take_out"),
    path("round/record/", record, name="round_record"),
    path("round/sw.js", service_worker, name="round_sw"),
]
