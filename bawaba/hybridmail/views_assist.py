"""The counter clerk's pages as a community access point (/mail/assist/, role postal.clerk, scoped to the clerk's
office): check a citizen's ID, then act for them (bawaba.hybridmail.assist), and the cyber-poste terminals."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bawaba.geo.models import Commune
from bawaba.postal.pickup import clerk_office

from . import assist, terminals
from .assist import AssistRefused, Check
from .models import IdentityRecord, Mailbox

CHECK_KEY = "hybridmail_assist"


def clerk_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        office = clerk_office(request.user)
        if office is None:
            return render(request, "core/error.html", {"title": _("Access denied"), "message": _(
                "This page is for counter clerks.")}, status=403)
        request.office = office
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response
    return never_cache(wrapper)


def citizen_required(view):
    """Acting for a citizen needs a fresh ID check at this office."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        data = request.session.get(CHECK_KEY)
        check = Check(**data) if data else None
        if not assist.still_valid(check, request.user):
            request.session.pop(CHECK_KEY, None)
            messages.info(request, _("Check the citizen's identity document first."))
            return redirect("hybridmail:assist")
        request.check = check
        request.citizen = IdentityRecord.objects.select_related("commune").get(pk=check.identity_id)
        return view(request, *args, **kwargs)
    return clerk_required(wrapper)


def _language() -> str:
    return (translation.get_language() or "fr")[:2]


@require_http_methods(["GET", "POST"])
@clerk_required
def check_id(request):
    values = {"country": request.office.organisation.country or "DZ", "document": "cni", "nin": "",
              "document_number": ""}
    error, status = "", 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            _record, check = assist.check_identity(request.user, country=values["country"] or "DZ",
                                                   nin=values["nin"], document=values["document"],
                                                   document_number=values["document_number"])
        except AssistRefused as exc:
            error, status = exc.message, exc.status
        else:
            request.session[CHECK_KEY] = check.as_session()
            return redirect("hybridmail:assist-citizen")
    return render(request, "hybridmail/assist/check.html", {
        "office": request.office, "values": {**values, "nin": ""}, "error": error, "documents": assist.ID_DOCUMENTS,
    }, status=status)


@require_POST
@clerk_required
def end(request):
    request.session.pop(CHECK_KEY, None)
    return redirect("hybridmail:assist")


@require_http_methods(["GET"])
@citizen_required
def citizen(request):
    letters = assist.show_letters(request.user, request.citizen, request.check)
    return render(request, "hybridmail/assist/citizen.html", {
        "office": request.office, "citizen": request.citizen, "check": request.check, "letters": letters,
        "mailbox": Mailbox.objects.filter(identity=request.citizen).first(),
        "documents": assist.ID_DOCUMENTS,
    })


@require_POST
@citizen_required
def open_mailbox(request):
    try:
        mailbox = assist.open_mailbox(request.user, request.citizen, request.check,
                                      phone=request.POST.get("phone", ""), email=request.POST.get("email", ""),
                                      language=request.POST.get("language", "fr"))
    except (AssistRefused, assist.mailboxes.MailboxRefused) as exc:
        messages.error(request, exc.message)
        return redirect("hybridmail:assist-citizen")
    messages.success(request, _("Mailbox %(number)s opened.") % {"number": mailbox.number})
    return redirect("hybridmail:assist-citizen")


@require_http_methods(["GET", "POST"])
@citizen_required
def letter(request, reference):
    """GET shows the letter (its PDF inline, for the citizen to read on the clerk's screen); POST prints it."""
    printed = request.method == "POST"
    try:
        found, pdf = assist.open_letter(request.user, request.citizen, request.check, reference, printed=printed)
    except AssistRefused as exc:
        return render(request, "core/error.html", {"title": exc.message}, status=exc.status)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _commune(value) -> Commune | None:
    try:
        return Commune.objects.filter(pk=int(value)).first() if value else None
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@citizen_required
def deposit(request):
    products = list(assist.deposit_products(request.office))
    error, status, values = "", 200, {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("product", "subject", "recipient_name", "recipient_phone",
                                                       "recipient_address", "commune")}
        upload = request.FILES.get("pdf")
        try:
            if upload is not None and upload.size > assist.MAX_PDF_BYTES:
                raise AssistRefused("pdf_size", _("The file is larger than 10 MB."), status=413)
            letter = assist.deposit_letter(
                request.user, request.citizen, request.check, product_id=int(values["product"] or 0),
                pdf=upload.read() if upload else b"", subject=values["subject"],
                recipient_name=values["recipient_name"], recipient_nin=request.POST.get("recipient_nin", ""),
                recipient_phone=values["recipient_phone"], recipient_address=values["recipient_address"],
                recipient_commune=_commune(values["commune"]))
        except ValueError as exc:  # AssistRefused, MailboxRefused, or a product that is not a number
            error = getattr(exc, "message", _("Choose a product."))
            status = getattr(exc, "status", 400)
        else:
            messages.success(request, _("Letter %(reference)s deposited (%(state)s).") % {
                "reference": letter.reference, "state": letter.get_state_display()})
            if letter.ocr_confidence is not None:
                messages.warning(request, _("Address read by OCR from the scanned letter (confidence %(confidence)s "
                                            "%%): check it with the citizen: %(address)s") % {
                    "confidence": letter.ocr_confidence, "address": " / ".join(letter.window_address.split("\n"))})
            return redirect("hybridmail:assist-citizen")
    communes = Commune.objects.filter(region__country=request.citizen.country).order_by("postal_code", "name_fr")
    return render(request, "hybridmail/assist/deposit.html", {
        "office": request.office, "citizen": request.citizen, "products": products, "error": error, "values": values,
        "communes": communes,
    }, status=status)


@require_http_methods(["GET", "POST"])
@citizen_required
def request_page(request):
    error, status, values = "", 200, {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("service", "phone", "subject", "text")}
        try:
            filed = assist.file_request(request.user, request.citizen, request.check,
                                        service_id=int(values["service"] or 0) or None, phone=values["phone"],
                                        subject=values["subject"], text=values["text"], language=_language())
        except ValueError as exc:
            error, status = getattr(exc, "message", _("Choose a service from the list.")), getattr(exc, "status", 400)
        else:
            messages.success(request, _("Request %(reference)s filed with %(organisation)s.") % {
                "reference": filed.reference, "organisation": filed.organisation.name})
            return redirect("hybridmail:assist-citizen")
    return render(request, "hybridmail/assist/request.html", {
        "office": request.office, "citizen": request.citizen, "services": assist.request_services(),
        "error": error, "values": values,
    }, status=status)


# --- Cyber-postes ----------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@clerk_required
def terminals_page(request):
    today = timezone.localdate()
    day = parse_date(request.GET.get("day") or "") or today
    error, status = "", 200
    if request.method == "POST":
        day = parse_date(request.POST.get("day") or "") or today
        at = parse_time(request.POST.get("time") or "")
        try:
            if at is None:
                raise terminals.BookingRefused("time", _("Give the time of the slot."))
            terminals.book(request.user, request.office, terminal_id=int(request.POST.get("terminal") or 0),
                           citizen_name=request.POST.get("citizen_name", ""),
                           citizen_phone=request.POST.get("citizen_phone", ""),
                           starts_at=timezone.make_aware(dt.datetime.combine(day, at)),
                           minutes=int(request.POST.get("minutes") or 0))
        except ValueError as exc:
            error, status = getattr(exc, "message", _("Bad request")), getattr(exc, "status", 400)
        else:
            messages.success(request, _("Slot booked."))
            return redirect(f"{request.path}?day={day.isoformat()}")
    return render(request, "hybridmail/assist/terminals.html", {
        "office": request.office, "day": day, "terminals": terminals.terminals_of(request.office),
        "sessions": terminals.day_list(request.office, day), "error": error, "now": timezone.now(),
    }, status=status)


@require_POST
@clerk_required
def terminal_session(request, session_id, action):
    actions = {"start": terminals.start, "end": terminals.end, "cancel": terminals.cancel}
    if action not in actions:
        return render(request, "core/error.html", {"title": _("Not found")}, status=404)
    try:
        session = actions[action](request.user, request.office, session_id)
    except terminals.BookingRefused as exc:
        return render(request, "core/error.html", {"title": exc.message}, status=exc.status)
    day = timezone.localtime(session.starts_at).date().isoformat()
    return redirect(f"{reverse('hybridmail:assist-terminals')}?day={day}")
