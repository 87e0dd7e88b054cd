"""The counter's hand-over of held items (postal:pickup): the clerk checks the recipient's one-time code and
records the delivery (EMI) with who collected it; wrong codes are limited; a new code can be sent."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bawaba.postal import notices, pickup, s10

PAGE = 50


def clerk_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        office = pickup.clerk_office(request.user)
        if office is None:
            raise PermissionDenied(_("This page is for counter clerks."))
        return view(request, office, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@clerk_required
def pickup_page(request, office):
    error = ""
    status = 200
    values = {"number": request.GET.get("number", ""), "signatory": ""}
    if request.method == "POST":
        values = {"number": request.POST.get("number", ""), "signatory": request.POST.get("signatory", "")}
        try:
            item = pickup.do_hand_over(request.user, values["number"], request.POST.get("code", ""),
                                       values["signatory"])
        except pickup.PickupRefused as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("%(number)s handed over.") % {"number": item.number})
            return redirect("postal:pickup")
    waiting = list(pickup.waiting_at(office).order_by("number")[:PAGE])
    return render(request, "postal/field/pickup.html", {
        "office": office, "waiting": waiting, "error": error, "values": values,
    }, status=status)


@require_POST
@clerk_required
def resend_code(request, office, number):
    try:
        canonical = str(s10.parse(number))
    except s10.S10Error as exc:
        raise Http404(str(exc)) from exc
    item = pickup.waiting_at(office).filter(number=canonical).order_by("-created_at").first()
    if item is None:
        raise Http404(_("No item %(number)s is waiting at this office.") % {"number": canonical})
    if notices.do_resend_code(request.user, item):
        messages.success(request, _("A new pick-up code was sent to the recipient."))
    else:
        messages.error(request, _("No phone number is known for the recipient."))
    return redirect("postal:pickup")


@require_POST
@clerk_required
def receive(request, office):
    try:
        item = pickup.do_receive_for_pickup(request.user, request.POST.get("number", ""))
    except pickup.PickupRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(number)s is kept here for pick-up; the recipient gets an SMS with the code.")
                         % {"number": item.number})
    return redirect("postal:pickup")


urlpatterns = [
    path("pickup/", pickup_page, name="pickup"),
    path("pickup/receive/", receive, name="pickup_receive"),
    path("pickup/<str:number>/resend/", resend_code, name="pickup_resend"),
]
