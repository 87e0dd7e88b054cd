"""The provider's callback endpoint, the agent's phone (state bar, console, screen pop) and the supervisors'
wallboard and staffing pages. Views parse and check; services decide."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.core.references import normalise_reference
from bawaba.orgs.models import Organisation
from bawaba.servicedesk import selectors as sd_selectors
from bawaba.servicedesk.permissions import visible_requests

from . import agents, selectors, services
from .apps import WALLBOARD_ROLES
from .forms import AgentStateForm, ScreenPopRequestForm, StaffingForm, TransferForm
from .models import AgentStateKind, Call, CallEvent
from .provider import PROVIDERS, BadCallback

log = logging.getLogger(__name__)


# --- the provider's callbacks ----------------------------------------------------------------------------

def _from_allowed_network(request) -> bool:
    networks = settings.VOICE_CALLBACK_NETWORKS
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


@csrf_exempt  # posted by the provider, authenticated by the secret in the URL and its source address
@require_POST
def callback(request, provider: str, secret: str):
    expected = settings.VOICE_CALLBACK_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()) \
            or not _from_allowed_network(request):
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    implementation = PROVIDERS.get(provider)
    if implementation is None:
        raise Http404("unknown provider")
    try:
        event = implementation.parse(request)
    except BadCallback as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    # Questions send their answers back here (callbackUrl), numbered: replays and late answers are recognised.
    return implementation.answer(services.handle_callback(
        provider, event, callback_url=request.build_absolute_uri(request.path)))


# --- access -------------------------------------------------------------------------------------------------

def _signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = f"{settings.LOGIN_URL}?next={request.htmx.current_url_abs_path or ''}"
                return response
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)
    return wrapper


def agent_required(view):
    @_signed_in
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.organisation_id or not request.user.is_desk_staff:
            raise PermissionDenied(_("The phone is for the service centre's agents."))
        return view(request, *args, **kwargs)
    return wrapper


def supervisor_required(view):
    @_signed_in
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_platform_admin or (user.organisation_id and user.has_role(*WALLBOARD_ROLES))):
            raise PermissionDenied(_("The wallboard is for the call centre's supervisors."))
        return view(request, *args, **kwargs)
    return wrapper


def _organisation(request) -> Organisation:
    """The user's organisation; a platform admin may look at another (`?org=slug`)."""
    user = request.user
    slug = request.GET.get("org", "")
    if slug and user.is_platform_admin:
        organisation = Organisation.objects.filter(slug=slug[:50]).first()
        if organisation is None:
            raise Http404
        return organisation
    if not user.organisation_id:
        raise PermissionDenied(_("Your account is not attached to an organisation."))
    return user.organisation


# --- the agent's state bar and console ---------------------------------------------------------------------

def _bar_etag(agent) -> str:
    return hashlib.sha256(f"{agent.user_id}|{agent.version}|{get_language()}".encode()).hexdigest()[:24]


@agent_required
@require_GET
def agent_bar(request):
    """The agent's phone state, polled by every desk page (If-None-Match: one primary-key read, 304 while
    nothing changed). When a call reaches the agent, the page goes to the caller's screen at once."""
    agent = agents.agent_state_of(request.user)
    etag = _bar_etag(agent)
    if (agent.call_id and agent.state in (AgentStateKind.RESERVED, AgentStateKind.ON_CALL)
            and request.session.get("voice_screen") != agent.call_id):
        # Once per call: during the call the agent may open other pages (an earlier request) undisturbed.
        target = reverse("voice:screen", args=[agent.call_id])
        current = request.htmx.current_url_abs_path if request.htmx else ""
        if request.htmx and not (current or "").startswith(target):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
    if f'"{etag}"' in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(render_to_string("voice/_agent_bar.html", _bar_context(request, agent), request))
    response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def _bar_context(request, agent) -> dict:
    return {"agent": agent, "etag": _bar_etag(agent), "VOICE_POLL_SECONDS": settings.VOICE_POLL_SECONDS,
            "poll_headers": f'{{"If-None-Match": "\\"{_bar_etag(agent)}\\""}}'}


@agent_required
@require_http_methods(["GET", "POST"])
def console(request):
    """The agent's phone: state (available, pause with a reason, signed out), where calls ring, last calls."""
    agent = agents.agent_state_of(request.user)
    status = 200
    if request.method == "POST":
        form = AgentStateForm(request.POST)
        if form.is_valid():
            try:
                agents.do_set_agent_state(request.user, form.cleaned_data["state"],
                                            reason=form.cleaned_data["reason"],
                                            contact=form.cleaned_data["contact"] or None)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                return redirect(request.POST.get("next") if _safe_next(request) else "voice:console")
        else:
            status = 400
        agent.refresh_from_db()
    else:
        form = AgentStateForm(initial={"state": agent.state, "contact": agent.contact, "reason": agent.pause_reason})
    recent = (Call.objects.filter(agent=request.user).select_related("service", "request")
              .order_by("-arrived_at")[:10])
    return render(request, "voice/console.html", {"form": form, "agent": agent, "recent": recent, "nav": "phone",
                                                  **_bar_context(request, agent)}, status=status)


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


# --- screen pop ---------------------------------------------------------------------------------------------

def _visible_call(request, pk: int) -> Call:
    call = Call.objects.select_related("service", "number", "request", "organisation").filter(pk=pk).first()
    user = request.user
    if call is None:
        raise Http404
    if call.agent_id == user.pk or user.is_platform_admin:
        return call
    if user.organisation_id and call.organisation_id == user.organisation_id and user.is_supervisor:
        return call
    # A colleague who answered this caller before a transfer keeps reading the history.
    if CallEvent.objects.filter(call=call, actor=user).exists():
        return call
    raise Http404


def _choices_text(call: Call) -> str:
    parts = []
    if call.choices.get("language"):
        parts.append(_("language: %(language)s") % {"language": call.choices["language"]})
    if call.choices.get("option"):
        parts.append(_("menu: %(digit)s (%(label)s)") % {"digit": call.choices.get("menu", ""),
                                                          "label": call.choices["option"]})
    if call.choices.get("callback"):
        parts.append(_("asked to be called back"))
    return "; ".join(parts)


@agent_required
@require_http_methods(["GET", "POST"])
def screen(request, pk: int):
    """The caller's screen: their earlier requests (by phone number), the call's history, a new request
    pre-filled with the channel, number and IVR choices, and the call's actions (link, transfer, wrap up)."""
    call = _visible_call(request, pk)
    status = 200
    if request.method == "POST":
        form = ScreenPopRequestForm(request.POST)
        if form.is_valid():
            from bawaba.servicedesk import services as sd

            data = form.cleaned_data
            try:
                req = sd.do_create_request(
                    channel=data["channel"], citizen_phone=data["citizen_phone"], subject=data["subject"],
                    text=data["text"], citizen_name=data["citizen_name"], citizen_email=data["citizen_email"],
                    region=data["region"], priority=data["priority"], service=data["service"],
                    attachments=data["attachments"], created_by=request.user)
                agents.do_link_request(request.user, call.pk, req)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                messages.success(request, _("Request %(reference)s created and linked to the call.")
                                 % {"reference": req.reference})
                return redirect("voice:screen", pk=call.pk)
        else:
            status = 400
    else:
        phone = services.callable_number(call.caller)
        text = (_("Phone call from %(caller)s.") % {"caller": phone}) if phone else _(
            "Phone call from a withheld number.")
        if _choices_text(call):
            text += "\n" + _("Choices in the menu: %(choices)s") % {"choices": _choices_text(call)}
        form = ScreenPopRequestForm(initial={
            "citizen_phone": phone, "channel": "phone", "text": text,
            "service": str(call.service_id or ""),
        })
    caller = services.callable_number(call.caller)  # none for a withheld number: the agent asks for one
    earlier = list(sd_selectors.requests_of_caller(request.user, caller)) if caller else []
    agent = agents.agent_state_of(request.user)
    if agent.call_id == call.pk:
        request.session["voice_screen"] = call.pk  # the screen has popped: the state bar stops sending here
    return render(request, "voice/screen.html", {
        "call": call, "form": form, "earlier": earlier, "e164": call.caller,
        "events": call.events.select_related("actor").order_by("at", "id"), "choices_text": _choices_text(call),
        "transfer_form": TransferForm(auto_id="transfer_%s"),
        "state_form": AgentStateForm(initial={"state": AgentStateKind.AVAILABLE, "contact": agent.contact},
                                     auto_id="agentstate_%s"),
        "agent": agent, "nav": "phone", "wrap_up": agent.state == AgentStateKind.WRAP_UP and agent.call_id == call.pk,
        **_bar_context(request, agent)}, status=status)


@agent_required
@require_POST
def link(request, pk: int):
    call = _visible_call(request, pk)
    canonical = normalise_reference(request.POST.get("reference", ""))
    req = visible_requests(request.user).filter(reference=canonical).first() if canonical else None
    if req is None:
        messages.error(request, _("No request of yours has this reference."))
        return redirect("voice:screen", pk=call.pk)
    try:
        agents.do_link_request(request.user, call.pk, req)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("voice:screen", pk=call.pk)


@agent_required
@require_POST
def transfer(request, pk: int):
    call = _visible_call(request, pk)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            agents.do_transfer_call(request.user, call.pk, form.cleaned_data["service"],
                                      reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The call was sent to %(service)s.") % {
                "service": form.cleaned_data["service"].name})
            return redirect("voice:console")
    else:
        messages.error(request, _("Choose the service to send the call to."))
    return redirect("voice:screen", pk=call.pk)


@_signed_in
@require_GET
def recording(request, pk: int):
    """A voicemail's audio, for whoever may read the request it became."""
    call = Call.objects.select_related("request").filter(pk=pk).exclude(recording="").first()
    if call is None or call.request is None or not visible_requests(request.user).filter(pk=call.request_id).exists():
        raise Http404
    return FileResponse(call.recording.open("rb"), content_type=call.recording_type or "audio/mpeg")


# --- supervisors -------------------------------------------------------------------------------------------

WALLBOARD_CACHE_SECONDS = 2


@supervisor_required
@require_GET
def wallboard(request):
    organisation = _organisation(request)
    etag, fragment = _wallboard_fragment(request, organisation)
    if request.htmx:
        if f'"{etag}"' in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(fragment)
        response["ETag"] = f'"{etag}"'
        response["Cache-Control"] = "private, no-cache"
        return response
    return render(request, "voice/wallboard.html", {"fragment": fragment, "organisation": organisation,
                                                    "nav": "wallboard"})


def _wallboard_fragment(request, organisation) -> tuple[str, str]:
    """(ETag, HTML) of the board, rendered at most once per organisation, language and two seconds whoever
    polls: 304 answers then save the bytes; the rendering is shared."""
    from bawaba.core.rendering import cached_once

    language = get_language()
    now = timezone.now()
    key = f"voice:wallboard:{organisation.pk}:{language}:{int(now.timestamp()) // WALLBOARD_CACHE_SECONDS}"

    def render_board():
        data = selectors.wallboard(organisation, now)
        return render_to_string("voice/_wallboard.html", {
            **data, "organisation": organisation, "now": now, "VOICE_POLL_SECONDS": settings.VOICE_POLL_SECONDS,
            "poll_url": request.get_full_path(), "states": AgentStateKind})

    html = cached_once(key, render_board, timeout=WALLBOARD_CACHE_SECONDS * 2)
    etag = hashlib.sha256(html.encode()).hexdigest()[:24]
    return etag, mark_safe(html.replace("__ETAG__", etag))  # noqa: S308 - our template's rendering


def _staffing(request, organisation):
    form = StaffingForm(request.GET or None, initial=StaffingForm.defaults(organisation))
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else StaffingForm.defaults(organisation)
    handle = data.get("handle_seconds") or services.average_handle_seconds(organisation.pk)
    rows = selectors.staffing_table(organisation, data["day"], weeks=data["weeks"],
                                    target_level=data["target_level"] / 100, target_seconds=data["target_seconds"],
                                    shrinkage=data["shrinkage"] / 100, handle_seconds=handle)
    return form, {"rows": rows, "handle_seconds": handle, **data}


@supervisor_required
@require_GET
def staffing_page(request):
    organisation = _organisation(request)
    form, result = _staffing(request, organisation)
    return render(request, "voice/staffing.html", {"form": form, "result": result, "organisation": organisation,
                                                   "nav": "staffing"}, status=200 if result else 400)


@supervisor_required
@require_GET
def staffing_csv(request):
    organisation = _organisation(request)
    form, result = _staffing(request, organisation)
    if result is None:
        return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors), status=400,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="staffing-{organisation.slug}-{result["day"]}.csv"'
    writer = csv.writer(response)
    writer.writerow(["half_hour", "forecast_calls", "agents_on_phones", "agents_needed_with_shrinkage",
                     "service_level_percent", "agents_scheduled", "gap"])
    for row in result["rows"]:
        writer.writerow([row["slot"].strftime("%H:%M"), row["calls"], row["raw_agents"], row["agents"],
                         row["service_level"], "" if row["scheduled"] is None else row["scheduled"], row["gap"]])
    return response


def staffing_day_default(organisation) -> dt.date:
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(organisation.timezone)).date()


