"""Public pages of the post, no sign-in: tracking an item (works without JavaScript, no personal data) and
the recipient's choice through the signed link of their SMS. Rate-limited per address."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from bawaba.postal import notices, s10
from bawaba.postal.models import RecipientChoice
from bawaba.postal.public import NotFound, public_timeline


def lookup_rate(group, request):
    return getattr(settings, "POSTAL_TRACK_RATE", "60/m")


limit_lookups = ratelimit(key="ip", rate=lookup_rate, block=True)
limit_choices = ratelimit(key="ip", rate=lambda g, r: settings.PUBLIC_FORM_RATE, method="POST", block=True)


@limit_lookups
@require_http_methods(["GET"])
def track_form(request):
    number = (request.GET.get("number") or "").strip()
    if number:
        try:
            canonical = str(s10.parse(number))
        except s10.S10Error as exc:
            return render(request, "postal/field/track_form.html", {"number": number, "error": str(exc)},
                          status=400)
        return redirect("postal:track_item", number=canonical)
    return render(request, "postal/field/track_form.html", {"number": ""})


@limit_lookups
@require_http_methods(["GET"])
def track_item(request, number):
    try:
        tracking = public_timeline(number)
    except s10.S10Error as exc:
        return render(request, "postal/field/track_form.html", {"number": number, "error": str(exc)}, status=400)
    except NotFound:
        message = _("No item %(number)s is known to the post yet. Check the number on your receipt; an item "
                    "posted abroad appears when it reaches the country.") % {"number": s10.normalise(number)}
        return render(request, "postal/field/track_form.html", {"number": number, "error": message}, status=404)
    if tracking.number != number:
        return redirect("postal:track_item", number=tracking.number)
    return render(request, "postal/field/track.html", {"t": tracking})


@limit_lookups
@limit_choices
@require_http_methods(["GET", "POST"])
def recipient_choice(request, code):
    item = notices.item_from_code(code)
    if item is None:
        raise Http404(_("This link is not valid."))
    error = ""
    done = None
    if request.method == "POST":
        try:
            done = notices.do_record_choice(item, request.POST.get("choice", ""))
        except notices.ChoiceRefused as exc:
            error = str(exc)
    tracking = public_timeline(item.number)
    current = done or notices.current_choice(item)
    return render(request, "postal/field/choice.html", {
        "t": tracking, "code": code, "choices": RecipientChoice.choices, "current": current, "done": done,
        "error": error, "track_url": reverse("postal:track_item", args=[item.number]),
        "can_choose": tracking.status in notices.OPEN_STATUSES,
    }, status=400 if error else 200)


urlpatterns = [
    path("track/", track_form, name="track"),
    path("track/<str:number>/", track_item, name="track_item"),
    path("r/<str:code>/", recipient_choice, name="recipient_choice"),
]
