"""What agents do with the phone: choose their state, link a call to a request, transfer a call. Each action
owns its transaction, writes the call's history and dispatches the queue (bawaba.voice.services)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.orgs.models import Service

from .models import AgentState, AgentStateKind, Call, CallState, PauseReason, VoiceNumber
from .services import TRANSFERRING, _event, _finish_wrap_up, _set_agent, dispatch


def agent_state_of(user) -> AgentState:
    state = AgentState.objects.filter(user=user).first()
    if state is None:
        state, _created = AgentState.objects.get_or_create(
            user=user, defaults={"organisation_id": user.organisation_id, "since": timezone.now()})
    return state


def _ensure_agent(user) -> None:
    if not user.is_desk_staff or not user.organisation_id:
        raise PermissionDenied(_("The phone is for the service centre's agents."))


def do_set_agent_state(user, state: str, *, reason: str = "", contact: str | None = None,
                       now: dt.datetime | None = None) -> AgentState:
    """An agent chooses available, pause (with a reason) or signs out of the phone. Ringing, on a call and
    wrap-up are the calls' doing; from wrap-up the agent may become available (or pause)."""
    now = now or timezone.now()
    _ensure_agent(user)
    if state not in (AgentStateKind.AVAILABLE, AgentStateKind.PAUSED, AgentStateKind.OFFLINE):
        raise ValidationError({"state": _("Choose available, pause or signed out.")})
    if state == AgentStateKind.PAUSED and reason not in PauseReason.values:
        raise ValidationError({"reason": _("Choose the reason for the pause.")})
    with transaction.atomic():
        agent_state_of(user)
        agent = AgentState.objects.select_for_update(of=("self",)).get(pk=user.pk)
        if contact is not None:
            agent.contact = contact.strip()[:120]
            agent.save(update_fields=["contact"])
        if agent.state in (AgentStateKind.RESERVED, AgentStateKind.ON_CALL):
            raise ValidationError({"state": _("Finish the call first.")})
        if state == AgentStateKind.AVAILABLE and not agent.contact:
            raise ValidationError({"contact": _("Enter the phone or SIP address where calls ring for you.")})
        if agent.state == AgentStateKind.WRAP_UP:
            _finish_wrap_up(agent, now, then=state, reason=reason)
        else:
            _set_agent(agent, state, now, reason=reason)
        dispatch(now)
    return agent


def _agent_call(user, call_id: int) -> Call:
    call = Call.objects.select_for_update(of=("self",)).select_related("service", "number").filter(pk=call_id).first()
    if call is None or (call.agent_id != user.pk and not user.is_platform_admin):
        raise PermissionDenied(_("This call is not yours."))
    return call


def do_link_request(user, call_id: int, request, *, now: dt.datetime | None = None) -> Call:
    """The call concerned this request (new or earlier): recorded on both sides."""
    from bawaba.servicedesk.permissions import ensure_can_view
    from bawaba.servicedesk.services import do_record_module_event

    now = now or timezone.now()
    ensure_can_view(user, request)
    with transaction.atomic():
        call = _agent_call(user, call_id)
        call.request = request
        call.save(update_fields=["request"])
        _event(call, "linked", now, actor=user, reference=request.reference)
        do_record_module_event(request, "linked", module="voice", actor=None, now=now, call=call.pk,
                               caller=call.caller, session=call.session_id)
    return call


def _target_number(call: Call, to_service: Service) -> VoiceNumber | None:
    """The number the provider moves the caller to: the receiving organisation's own (its caller id, its hold
    music), else the number the caller dialled."""
    return (VoiceNumber.objects.filter(organisation_id=to_service.organisation_id, is_active=True)
            .order_by("pk").first()) or call.number


def do_transfer_call(user, call_id: int, to_service: Service, *, reason: str = "",
                     now: dt.datetime | None = None) -> Call:
    """Send the caller to another service (of this or another organisation): back in the queue at the head
    of the line (their first arrival counts), with the whole history, IVR choices and linked request kept; the
    linked request is transferred too (servicedesk.do_transfer), the agent goes to wrap-up.

    A call still ringing the agent stays in its provider queue. A live (bridged) call is moved by the provider
    first (VoiceProvider.transfer: Africa's Talking's call transfer to the target number); the caller's new
    session on that number continues this call (services._transferred_call). If the provider refuses, nothing
    changes and the caller stays with the agent."""
    from .provider import ProviderUnavailable, get_provider

    now = now or timezone.now()
    if not to_service.is_active:
        raise ValidationError({"service": _("This service is not active.")})
    with transaction.atomic():
        call = _agent_call(user, call_id)
        if call.state not in (CallState.CONNECTED, CallState.OFFERED) or call.step == TRANSFERRING:
            raise ValidationError({"service": _("Only a call in progress can be transferred.")})
        if call.service_id == to_service.pk:
            raise ValidationError({"service": _("The call is already with this service.")})
        live = call.state == CallState.CONNECTED
        number = _target_number(call, to_service)
        if live:
            if number is None:
                raise ValidationError({"service": _("No telephone number can receive this call.")})
            call.step = TRANSFERRING
            call.save(update_fields=["step"])
            _event(call, "transfer_requested", now, actor=user, to=to_service.code, to_number=number.number)
    if live:
        try:
            get_provider(call.provider).transfer(session_id=call.session_id, to_number=number.number,
                                                 hold_music=number.hold_music_url)
        except ProviderUnavailable as exc:
            with transaction.atomic():
                call = Call.objects.select_for_update(of=("self",)).get(pk=call_id)
                if call.step == TRANSFERRING:
                    call.step = ""
                    call.save(update_fields=["step"])
                _event(call, "transfer_failed", timezone.now(), actor=user, error=str(exc)[:200])
            raise ValidationError({"service": _("The telephony provider could not transfer the call: it stays "
                                                "with you.")}) from exc
    with transaction.atomic():
        call = _agent_call(user, call_id)
        agent = AgentState.objects.select_for_update(of=("self",)).filter(user=user).first()
        previous = call.service.code if call.service_id else ""
        _event(call, "transferred", now, actor=user, **{"from": previous, "to": to_service.code,
                                                        "reason": reason[:300]})
        call.service = to_service
        call.organisation = to_service.organisation
        call.state, call.offered_at, call.answered_at, call.agent = CallState.QUEUED, None, None, None
        # Live: until the caller's new session reaches the target number, nobody is offered the call.
        call.step = TRANSFERRING if live and call.step == TRANSFERRING else "queued"
        call.save()
        if agent is not None and agent.call_id == call.pk:
            _set_agent(agent, AgentStateKind.WRAP_UP, now)
        if call.request_id:
            _transfer_request(user, call, to_service, reason, now)
        dispatch(now)
    return call


def _transfer_request(user, call: Call, to_service: Service, reason: str, now: dt.datetime) -> None:
    """The request the call concerns follows it (the desk's own transfer: history, access, deadlines)."""
    from bawaba.servicedesk.models import Request
    from bawaba.servicedesk.services import do_transfer

    request = Request.objects.get(pk=call.request_id)
    if not request.is_open or request.service_id == to_service.pk:
        return
    do_transfer(request, to_service, actor=user, now=now,
                reason=reason or _("Transferred with the phone call %(call)s.") % {"call": call.pk})
    _event(call, "request_transferred", now, actor=user, reference=request.reference, to=to_service.code)
