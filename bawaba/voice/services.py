"""Every change to calls and agents' states. One transaction per provider callback or agent action, with the
call's history (CallEvent) written in it; the queue is dispatched in the same transaction, so an available
agent and a waiting caller never both wait."""

from __future__ import annotations

import datetime as dt
import logging
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core import refdata
from bawaba.orgs.models import Service
from bawaba.orgs.services import calendar_for

from . import ivr
from .models import (
    AgentState,
    AgentStateChange,
    AgentStateKind,
    Call,
    CallEvent,
    CallState,
    Outcome,
    PauseReason,
    VoiceNumber,
)
from .provider import Action, Dequeue, Dial, Enqueue, GetDigits, Record, Reject, get_provider
from .provider import CallEvent as ProviderEvent

log = logging.getLogger(__name__)

DEFAULT_HANDLE_SECONDS = 180
AGENT_LEG_PREFIX = "agent:"


def queue_name(call: Call) -> str:
    """The provider-side queue holding this caller: one per call, so that the agent chosen here dequeues
    exactly this caller (the provider's own queues are first-in first-out and know nothing of callbacks)."""
    return f"call-{call.pk}"


def callable_number(raw: str) -> str:
    """The caller's number in E.164 if the platform could call it back; "" when it is withheld (the provider
    sends no callerNumber, or "anonymous", "private", "unknown"…) or not a number at all."""
    from bawaba.core.phones import to_e164

    text = (raw or "").strip()
    if not text or not any(ch.isdigit() for ch in text):
        return ""
    try:
        return to_e164(text)
    except ValidationError:
        return ""


def _event(call: Call, kind: str, now: dt.datetime, actor=None, **data) -> None:
    pending = call.__dict__.get("_pending_events")
    if pending is not None:  # a provider's callback: written together with the call (handle_callback)
        pending.append(CallEvent(call=call, kind=kind, at=now, actor=actor, data=data))
        return
    CallEvent.objects.create(call=call, kind=kind, at=now, actor=actor, data=data)


# --- the numbers' IVR configuration, kept in memory --------------------------------------------------------

def number_by_pk(pk: int | None) -> VoiceNumber | None:
    """The number with its organisation, default service and menu (options with their services), from this
    process's memory while the reference data is unchanged (bawaba.core.refdata: saving a number, a menu
    option, a service, hours or holidays moves the generation). Shared between requests: read it, never
    change it."""
    if pk is None:
        return None

    def compute():
        number = (VoiceNumber.objects.select_related("organisation", "default_service__organisation")
                  .filter(pk=pk).first())
        if number is not None:
            number.__dict__["menu"] = tuple(number.options.select_related("service").order_by("digit"))
        return number

    return refdata.reference(f"voice-number:{pk}", compute)


def number_for(destination: str) -> VoiceNumber | None:
    """The active number a caller dialled (None: not one of ours), from memory as number_by_pk."""
    pk = refdata.reference(f"voice-number-of:{destination}", lambda: VoiceNumber.objects.filter(
        number=destination, is_active=True).values_list("pk", flat=True).first())
    return number_by_pk(pk)


def _menu(number: VoiceNumber) -> tuple:
    """The number's menu options with their services (kept with a number from memory, else read)."""
    menu = number.__dict__.get("menu")
    if menu is None:
        menu = tuple(number.options.select_related("service").order_by("digit"))
    return menu


def _attach_number(call: Call) -> None:
    """Give the call its number from memory rather than a join on every callback."""
    if call.number_id is not None:
        Call.number.field.set_cached_value(call, number_by_pk(call.number_id))


_SAVED_FIELDS = None


def _snapshot(call: Call) -> dict:
    global _SAVED_FIELDS
    if _SAVED_FIELDS is None:
        _SAVED_FIELDS = [f.attname for f in Call._meta.concrete_fields if not f.primary_key]
    state = {}
    for name in _SAVED_FIELDS:
        value = call.__dict__.get(name)
        state[name] = dict(value) if isinstance(value, dict) else value
    return state


def _changed_fields(call: Call, before: dict) -> list[str]:
    return [name for name, value in before.items() if call.__dict__.get(name) != value]


def _set_agent(agent: AgentState, state: str, now: dt.datetime, *, call: Call | None = None,
               reason: str = "") -> None:
    agent.state = state
    agent.since = now
    agent.call = call
    agent.pause_reason = reason if state == AgentStateKind.PAUSED else ""
    # Every caller holds the agent's row lock (select_for_update): the version read with it is the current one.
    agent.version += 1
    agent.save(update_fields=["state", "since", "call", "pause_reason", "version"])
    AgentStateChange.objects.create(user_id=agent.user_id, organisation_id=agent.organisation_id, state=state,
                                    pause_reason=agent.pause_reason, call=call, at=now)
    # The agent's pages redraw their phone bar when told (bawaba.live), instead of polling it every 2 s.
    # Published after the commit, in a transaction of its own: a state change happens inside dispatches and
    # callbacks that take row locks after it, and the stream's ordering lock must be taken last (docs/live.md).
    user_id, version = agent.user_id, agent.version
    transaction.on_commit(lambda: publish_agent_state(user_id, state, version), robust=True)


AGENT_STATE = "voice.agent_state"


def publish_agent_state(user_id: int, state: str, version: int) -> None:
    """Tell the agent's desk pages that their phone state changed (they fetch the bar once: ETag/304)."""
    from bawaba import live

    live.publish(f"user:{user_id}", AGENT_STATE, {"state": state, "version": version})


# --- the provider's callbacks --------------------------------------------------------------------------

def handle_callback(provider_code: str, event: ProviderEvent, now: dt.datetime | None = None, *,
                    callback_url: str = "") -> bytes:
    """The actions answering one callback. Replays get the answer already given; callbacks of a call that
    has ended get an empty answer; an unknown session starts at the beginning (or is recorded, if it is a
    hang-up), so no call goes unrecorded."""
    now = now or timezone.now()
    provider = get_provider(provider_code)
    if event.client_request_id.startswith(AGENT_LEG_PREFIX):
        return provider.render(_agent_leg(event, now))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                call = _locked_call(provider_code, event.session_id)
                if call is None:
                    continued = _transferred_call(provider_code, event, now)
                    if continued is not None:  # the caller of a transferred call, back on the target number
                        answer = provider.render(continued)
                        return answer
                    call = _new_call(provider_code, event, now)
                else:
                    _attach_number(call)
                fingerprint = event.fingerprint()
                if call.last_answer and (
                        (event.seq is not None and event.seq < call.seq)
                        or (event.seq is None and event.active and call.last_payload == fingerprint)):
                    # A replay, or a late answer to a question already answered: the current answer again.
                    _event(call, "replayed", now, seq=event.seq)
                    return call.last_answer.encode()
                before, saved = call.state, _snapshot(call)
                call._pending_events = []  # the step's history, written in one insert below
                try:
                    actions = _step(call, event, now)
                finally:
                    pending = call.__dict__.pop("_pending_events")
                call.seq += 1
                actions = [_numbered(action, callback_url, call.seq) for action in actions]
                answer = provider.render(actions)
                call.last_payload = fingerprint
                call.last_answer = answer.decode()
                # Only what this callback changed (most change four or five of the call's thirty columns).
                call.save(update_fields=_changed_fields(call, saved))
                if pending:
                    CallEvent.objects.bulk_create(pending)
                # Only a caller joining the queue or an agent let go can make a new match (the minute's sweep
                # dispatches too): most callbacks (menu keys, replays, hang-ups in line) skip the query.
                if (call.state == CallState.QUEUED and before != CallState.QUEUED) or before in (
                        CallState.OFFERED, CallState.CONNECTED):
                    dispatch(now)
                return answer
        except IntegrityError:  # two first callbacks of one session at once: the second reads the first's row
            continue
    raise RuntimeError(f"could not record call {event.session_id}")


_CALL_SQL: dict[str, tuple[str, tuple]] = {}
_PROVIDER_MARK, _SESSION_MARK = "\x01provider", "\x01session"


def _locked_call(provider_code: str, session_id: str) -> Call | None:
    """The session's call, its row locked: the ORM's query compiled once per database (its SQL and the place of
    each parameter), then run as a raw query. Every callback starts with it; compiling it each time (thirty
    columns) cost more than running it."""
    from django.db import connection

    found = _CALL_SQL.get(connection.alias)
    if found is None:
        query = (Call.objects.select_for_update().filter(provider=_PROVIDER_MARK, session_id=_SESSION_MARK)
                 .order_by()).query
        sql, params = query.get_compiler(connection.alias).as_sql()
        found = _CALL_SQL[connection.alias] = (sql, tuple(params))  # one row at most: (provider, session) is unique
    sql, marks = found
    values = {_PROVIDER_MARK: provider_code, _SESSION_MARK: session_id}
    calls = list(Call.objects.raw(sql, [values[mark] for mark in marks]))
    return calls[0] if calls else None


def _numbered(action: Action, callback_url: str, seq: int) -> Action:
    """Questions (GetDigits, Record) send their answer to our URL with the question's number."""
    import dataclasses

    if callback_url and isinstance(action, (GetDigits, Record)):
        return dataclasses.replace(action, callback_url=f"{callback_url}?seq={seq}")
    return action


TRANSFERRING = "transferring"  # Call.step while the provider moves the caller's leg to the target number
CONTINUED = "continued"  # the caller arrived on the target number before the transfer was committed
TRANSFER_LOST_SECONDS = 120  # a transferred caller who never reaches the target number has hung up


def _transferred_call(provider_code: str, event: ProviderEvent, now: dt.datetime) -> list[Action] | None:
    """A session the platform does not know may be a transferred call: its caller's new leg on the target
    number (the same call continues: re-keyed to the new session, back in its queue at its place, no menu), or
    the old leg's last callbacks after the re-keying (recorded on the call, nothing else). None otherwise."""
    if event.active and not event.digits and not event.recording_url:
        call = _awaited_transfer(provider_code, event)
        if call is None:
            return None
        old_session = call.session_id
        call.session_id = event.session_id
        _event(call, "continued", now, old_session=old_session, session=event.session_id,
               destination=event.destination)
        # The caller now waits in the provider's queue of the target number: the next agent dequeues there.
        number = number_for(event.destination) or call.number
        call.number, call.destination = number, event.destination
        if call.state == CallState.QUEUED:
            call.step = "queued"
            call.save()
            dispatch(now)
        else:  # the provider was quicker than our commit of the transfer: do_transfer_call finishes it
            call.step = CONTINUED
            call.save()
        return [Enqueue(name=queue_name(call), hold_music=number.hold_music_url if number else "")]
    earlier = (CallEvent.objects.filter(kind="continued", data__old_session=event.session_id,
                                        call__provider=provider_code).select_related("call").first())
    if earlier is None:
        return None
    _event(earlier.call, "old_leg_callback", now, session=event.session_id, active=event.active)
    return []


def _awaited_transfer(provider_code: str, event: ProviderEvent) -> Call | None:
    """The oldest call being transferred to this number for this caller."""
    # Every new call asks: a plain look-up of keys first (almost always empty), rows locked only if any.
    candidates = list(Call.objects.filter(provider=provider_code, caller=event.caller, step=TRANSFERRING)
                      .values_list("pk", flat=True))
    if not candidates:
        return None
    for call in (Call.objects.select_for_update(of=("self",)).select_related("number")
                 .filter(pk__in=candidates, step=TRANSFERRING,
                         state__in=(CallState.QUEUED, CallState.CONNECTED)).order_by("pk")):
        moved = call.events.filter(kind="transfer_requested").order_by("-at", "-id").first()
        if moved is not None and moved.data.get("to_number") == event.destination:
            return call
    return None


def _new_call(provider_code: str, event: ProviderEvent, now: dt.datetime) -> Call:
    number = number_for(event.destination)
    call = Call.objects.create(
        provider=provider_code, session_id=event.session_id, number=number,
        organisation=number.organisation if number else None, caller=event.caller,
        destination=event.destination, direction=event.direction, arrived_at=now,
        language=(number.offered_languages[0] if number else ""),
    )
    _event(call, "arrived", now, caller=event.caller, destination=event.destination,
           mid_call=event.digits is not None or not event.active)
    return call


def _end(call: Call, outcome: str, now: dt.datetime, event: ProviderEvent | None = None) -> None:
    call.state = CallState.ENDED
    call.outcome = call.outcome or outcome
    call.ended_at = call.ended_at or now
    if event is not None and event.duration is not None:
        call.duration_seconds = max(0, event.duration)
    _event(call, "ended", now, outcome=call.outcome)


def _step(call: Call, event: ProviderEvent, now: dt.datetime) -> list[Action]:
    number = call.number
    if call.state == CallState.ENDED:
        _event(call, "late_callback", now, active=event.active)
        return []
    if number is None:
        if call.state != CallState.ENDED:
            _end(call, Outcome.REJECTED, now, event)
        return [Reject()]
    if not event.active and call.step == TRANSFERRING:  # the old leg ends as the provider moves the caller
        _event(call, "left_for_transfer", now)
        return []
    if not event.active:
        return _hang_up(call, event, now)
    language = call.language or number.offered_languages[0]
    digits = ivr.clean_digits(event.digits) if event.digits is not None else None

    if call.state == CallState.VOICEMAIL:
        if event.recording_url:
            _voicemail_recorded(call, event.recording_url, now)
            return [ivr.voicemail_thanks(number, language)]
        return [ivr.voicemail_prompt(number, language), _record()]
    if call.state in (CallState.QUEUED, CallState.OFFERED):  # the provider asks again: still waiting
        return [Enqueue(name=queue_name(call), hold_music=number.hold_music_url)]
    if call.state != CallState.IVR:
        return []

    if call.step == "" or digits is None and call.step in ("language", "menu", "callback_offer"):
        # A first callback, or a callback without keys mid-menu (timeout): the step's prompt again.
        if call.step == "":
            call.step = "language" if len(number.offered_languages) > 1 else "menu"
            greeting = ivr.greeting(number, language)
            head = [greeting] if greeting else []
        else:
            head = []
            call.retries += 1
            if call.retries > ivr.MAX_RETRIES:
                return _fallback(call, now)
        return head + _prompt(call, now)

    if call.step == "language":
        chosen = {"1": "fr", "2": "ar"}.get(digits)
        if chosen is None:
            return _retry(call, now)
        call.language, call.retries = chosen, 0
        call.choices = {**call.choices, "language": chosen}
        _event(call, "language", now, language=chosen)
        call.step = "menu"
        return _prompt(call, now)

    if call.step == "menu":
        option = next((option for option in _menu(number) if option.digit == digits), None) if digits else None
        if option is None or not option.service.is_active:
            return _retry(call, now)
        call.retries = 0
        call.choices = {**call.choices, "menu": option.digit, "option": option.label_fr,
                        "service": option.service.code}
        _event(call, "menu", now, digit=option.digit, service=option.service.code)
        return _route(call, option.service, now)

    if call.step == "callback_offer":
        if digits == "1" and not callable_number(call.caller):  # no number to call back: the caller waits
            _enqueue(call, now)
            return [ivr.please_wait(number, language), Enqueue(name=queue_name(call),
                                                               hold_music=number.hold_music_url)]
        if digits == "1":
            call.callback_requested_at = now
            call.callback_due_at = now + dt.timedelta(seconds=estimated_wait(call.service, now))
            call.choices = {**call.choices, "callback": True}
            _enqueue(call, now)
            _event(call, "callback_requested", now, due=call.callback_due_at.isoformat())
            return [ivr.callback_confirmed(number, language)]
        if digits == "2":
            _enqueue(call, now)
            return [ivr.please_wait(number, language), Enqueue(name=queue_name(call),
                                                               hold_music=number.hold_music_url)]
        return _retry(call, now)
    return []


def _prompt(call: Call, now: dt.datetime) -> list[Action]:
    """The question of the call's current step (and the closed message when the number is closed)."""
    number, language = call.number, call.language or call.number.offered_languages[0]
    if call.step == "language":
        return [ivr.language_menu(number)]
    if call.step == "menu":
        if not ivr.is_open(calendar_for(number.organisation), now):
            return _closed(call, now)
        options = [option for option in _menu(number) if option.service.is_active]
        if not options:
            return _route(call, number.default_service, now)
        return [ivr.service_menu(number, options, language)]
    if call.step == "callback_offer":
        wait = getattr(call, "_estimated_wait", None)
        wait = estimated_wait(call.service, now) if wait is None else wait
        return [ivr.callback_offer(number, language, max(1, math.ceil(wait / 60)))]
    return []


def _retry(call: Call, now: dt.datetime) -> list[Action]:
    call.retries += 1
    _event(call, "invalid_keys", now, step=call.step)
    if call.retries > ivr.MAX_RETRIES:
        return _fallback(call, now)
    return [ivr.invalid_choice(call.number, call.language)] + _prompt(call, now)


def _fallback(call: Call, now: dt.datetime) -> list[Action]:
    """Too many wrong or missing keys: the number's default language, then its default service."""
    call.retries = 0
    if call.step == "language":
        call.language = call.number.offered_languages[0]
        call.step = "menu"
        return _prompt(call, now)
    if call.step == "callback_offer":
        _enqueue(call, now)
        return [Enqueue(name=queue_name(call), hold_music=call.number.hold_music_url)]
    return _route(call, call.number.default_service, now)


def _closed(call: Call, now: dt.datetime) -> list[Action]:
    number, language = call.number, call.language
    _event(call, "closed", now)
    if number.voicemail_enabled:
        call.state, call.step = CallState.VOICEMAIL, "voicemail"
        return [ivr.closed_message(number, language), ivr.voicemail_prompt(number, language), _record()]
    _end(call, Outcome.CLOSED, now)
    return [ivr.closed_message(number, language)]


def _record() -> Record:
    return Record(max_length=settings.VOICE_VOICEMAIL_MAX_SECONDS, finish_on_key="#", trim_silence=True,
                  play_beep=True)


def _route(call: Call, service: Service | None, now: dt.datetime) -> list[Action]:
    if service is None:
        from bawaba.orgs.services import orientation_service

        service = orientation_service()
    if service is None:  # no service at all: a voicemail rather than a lost call
        call.state, call.step = CallState.VOICEMAIL, "voicemail"
        return [ivr.voicemail_prompt(call.number, call.language), _record()]
    call.service = service
    wait = call._estimated_wait = estimated_wait(service, now)
    if wait > call.number.callback_threshold_seconds and callable_number(call.caller):  # never to a withheld number
        call.step = "callback_offer"
        _event(call, "callback_offered", now, estimated_wait=wait)
        return _prompt(call, now)
    _enqueue(call, now)
    return [ivr.please_wait(call.number, call.language),
            Enqueue(name=queue_name(call), hold_music=call.number.hold_music_url)]


def _enqueue(call: Call, now: dt.datetime) -> None:
    call.state, call.step = CallState.QUEUED, "queued"
    call.queued_at = call.queued_at or now
    _event(call, "queued", now, service=call.service.code if call.service_id else "")


def _hang_up(call: Call, event: ProviderEvent, now: dt.datetime) -> list[Action]:
    """The provider's last callback (isActive=0) for the caller's leg."""
    if event.recording_url and call.state == CallState.VOICEMAIL:
        _voicemail_recorded(call, event.recording_url, now)
    if call.state == CallState.IVR:
        _end(call, Outcome.ABANDONED_IVR, now, event)
    elif call.state == CallState.VOICEMAIL:
        _end(call, Outcome.VOICEMAIL if call.recording_url else Outcome.CLOSED, now, event)
    elif call.state == CallState.QUEUED:
        if call.callback_requested_at:  # the caller hung up on purpose: their place is kept
            _event(call, "caller_left_for_callback", now)
            if event.duration is not None:
                call.duration_seconds = event.duration
            return []
        call.wait_seconds = int((now - call.queued_at).total_seconds()) if call.queued_at else 0
        _end(call, Outcome.ABANDONED, now, event)
    elif call.state == CallState.OFFERED:
        call.wait_seconds = int((now - call.queued_at).total_seconds()) if call.queued_at else 0
        _release_agent(call, now)
        if call.callback_requested_at:
            _event(call, "callback_missed", now)
            call.state, call.offered_at, call.agent = CallState.QUEUED, None, None
            return []
        _end(call, Outcome.ABANDONED, now, event)
    elif call.state == CallState.CONNECTED:
        _talk_ended(call, now)
        if event.duration is not None:
            call.duration_seconds = event.duration
    return []


def _talk_ended(call: Call, now: dt.datetime) -> None:
    call.state = CallState.WRAP_UP
    call.talk_ended_at = call.talk_ended_at or now
    call.outcome = Outcome.CALLBACK_DONE if call.callback_requested_at else Outcome.ANSWERED
    _event(call, "talk_ended", now)
    agent = AgentState.objects.select_for_update(of=("self",)).filter(user_id=call.agent_id).first()
    if agent is not None and agent.call_id == call.pk:
        _set_agent(agent, AgentStateKind.WRAP_UP, now, call=call)


def _release_agent(call: Call, now: dt.datetime, *, missed: bool = False) -> None:
    agent = AgentState.objects.select_for_update(of=("self",)).filter(user_id=call.agent_id).first()
    if agent is not None and agent.call_id == call.pk:
        if missed:
            _set_agent(agent, AgentStateKind.PAUSED, now, reason=PauseReason.MISSED)
        else:
            _set_agent(agent, AgentStateKind.AVAILABLE, now)


def _voicemail_recorded(call: Call, url: str, now: dt.datetime) -> None:
    if call.recording_url:
        return
    call.recording_url = url
    call.voicemail_status = "pending"
    call.outcome = Outcome.VOICEMAIL
    _event(call, "voicemail", now, url=url)
    from . import tasks

    call_id = call.pk
    transaction.on_commit(lambda: tasks.store_voicemail(call_id))


# --- the agent's leg --------------------------------------------------------------------------------------

def agent_leg_id(call: Call) -> str:
    return f"{AGENT_LEG_PREFIX}{call.pk}:{int(call.offered_at.timestamp())}"


def _agent_leg(event: ProviderEvent, now: dt.datetime) -> list[Action]:
    """Callbacks of the leg that rang the agent: answered, it is bridged to the caller (Dequeue) or, for a
    callback, to the caller's number (Dial); ended, the talk ends and the agent wraps up."""
    try:
        call_id = int(event.client_request_id[len(AGENT_LEG_PREFIX):].split(":")[0])
    except ValueError:
        return [Reject()]
    with transaction.atomic():
        call = Call.objects.select_for_update(of=("self",)).select_related("number").filter(pk=call_id).first()
        if call is None:
            return [Reject()]
        if event.client_request_id != (agent_leg_id(call) if call.offered_at else ""):
            # An old offer (the caller hung up, the offer expired and went to someone else).
            if event.active:
                return [ivr.caller_gone(call.language or "fr")]
            return []
        if event.active:
            if call.state == CallState.OFFERED:
                call.state = CallState.CONNECTED
                call.answered_at = now
                call.wait_seconds = int((now - call.queued_at).total_seconds()) if call.queued_at else 0
                _event(call, "answered", now, actor=call.agent)
                call.save()
                agent = AgentState.objects.select_for_update(of=("self",)).filter(user_id=call.agent_id).first()
                if agent is not None:
                    _set_agent(agent, AgentStateKind.ON_CALL, now, call=call)
                    # Again at the answer, for a page that missed the offer's (the browser pops once per leg).
                    publish_screen_pop(agent.user_id, call)
            if call.state != CallState.CONNECTED:
                return [ivr.caller_gone(call.language or "fr")]
            if call.callback_requested_at:
                return [Dial(phone_numbers=(call.caller,), caller_id=call.number.number if call.number else "")]
            return [Dequeue(phone_number=call.number.number, name=queue_name(call))]
        if call.step == TRANSFERRING:  # the provider moved the caller away: the transfer's commit ends this leg
            _event(call, "agent_leg_ended", now, agent=call.agent_id)
        elif call.state == CallState.CONNECTED:
            _talk_ended(call, now)
            call.save()
        elif call.state == CallState.OFFERED:  # the agent did not pick up
            _event(call, "offer_unanswered", now, agent=call.agent_id)
            _release_agent(call, now, missed=True)
            call.state, call.offered_at, call.agent = CallState.QUEUED, None, None
            call.save()
            dispatch(now)
        return []


# --- queues -------------------------------------------------------------------------------------------------

def estimated_wait(service: Service | None, now: dt.datetime) -> int:
    """Seconds a new caller would wait: callers ahead, shared by the agents signed in to the service's queue,
    times the average handling time of the organisation's recent answered calls."""
    if service is None:
        return 0
    ahead = Call.objects.filter(state__in=(CallState.QUEUED, CallState.OFFERED),
                                service__queue_id=service.queue_id).count()
    agents = AgentState.objects.filter(
        user__queues=service.queue_id,
        state__in=(AgentStateKind.AVAILABLE, AgentStateKind.RESERVED, AgentStateKind.ON_CALL,
                   AgentStateKind.WRAP_UP)).aggregate(
        staffed=Count("pk"), available=Count("pk", filter=Q(state=AgentStateKind.AVAILABLE)))
    staffed, available = agents["staffed"], agents["available"]
    if available > ahead:
        return 0
    handle = average_handle_seconds(service.organisation_id)
    return int(math.ceil((ahead + 1) / max(staffed, 1)) * handle)


def average_handle_seconds(organisation_id: int) -> int:
    from django.core.cache import cache

    key = f"voice:aht:{organisation_id}"
    value = cache.get(key)
    if value is None:
        recent = (Call.objects.filter(organisation_id=organisation_id, answered_at__isnull=False,
                                      wrapup_ended_at__isnull=False)
                  .order_by("-answered_at")[:100])
        durations = [(c.wrapup_ended_at - c.answered_at).total_seconds() for c in recent.only(
            "answered_at", "wrapup_ended_at")]
        value = int(sum(durations) / len(durations)) if durations else DEFAULT_HANDLE_SECONDS
        cache.set(key, value, 300)
    return value


def dispatch(now: dt.datetime | None = None, limit: int = 20) -> int:
    """Give each available agent (longest available first) the next caller of their queues: callbacks due
    first, then the longest waiting. Call inside a transaction; agents are rung after the commit."""
    now = now or timezone.now()
    offered = 0
    pops: list[tuple[int, Call]] = []
    agents = list(AgentState.objects.select_for_update(skip_locked=True, of=("self",))
                  .filter(state=AgentStateKind.AVAILABLE).order_by("since")[:limit])
    if not agents:
        return 0
    if not Call.objects.filter(state=CallState.QUEUED).exists():
        return 0
    for agent in agents:
        call = (Call.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=CallState.QUEUED, service__queue__members=agent.user_id).exclude(step=TRANSFERRING)
                .annotate(due=Case(When(callback_due_at__lte=now, then=Value(0)), default=Value(1),
                                   output_field=IntegerField()))
                .order_by("due", "queued_at", "pk").first())
        if call is None:
            continue
        call.state, call.offered_at, call.agent_id = CallState.OFFERED, now, agent.user_id
        call.save(update_fields=["state", "offered_at", "agent"])
        _event(call, "offered", now, agent=agent.user_id)
        _set_agent(agent, AgentStateKind.RESERVED, now, call=call)
        from . import tasks

        call_id, leg = call.pk, agent_leg_id(call)
        transaction.on_commit(lambda call_id=call_id, leg=leg: tasks.ring_agent(call_id, leg))
        pops.append((agent.user_id, call))
        offered += 1
    for user_id, call in pops:  # after every row lock of the dispatch (docs/live.md: publish before other locks)
        publish_screen_pop(user_id, call)
    return offered


SCREEN_POP = "voice.screen_pop"


def publish_screen_pop(user_id: int, call: Call) -> None:
    """Push the caller's screen to every desk page the agent has open (bawaba.live, in this transaction: sent
    only if the offer commits). Without a stream (WSGI, no JavaScript) the state bar's poll does the same.
    Callers of dispatch() take no row lock after it: the publication holds PostgreSQL's ordering lock."""
    from django.urls import reverse

    from bawaba import live

    live.publish(f"user:{user_id}", SCREEN_POP, {
        "call": call.pk, "leg": agent_leg_id(call), "url": reverse("voice:screen", args=[call.pk])})


def do_ring_agent(call_id: int, leg: str) -> bool:
    """Ask the provider to ring the agent offered this call. If the provider does not answer, the caller goes
    back to their place in the queue and the agent stays available: no call is lost to a provider outage."""
    from .provider import ProviderUnavailable

    call = Call.objects.select_related("number").filter(pk=call_id).first()
    if call is None or call.state != CallState.OFFERED or agent_leg_id(call) != leg:
        return False
    agent = AgentState.objects.filter(user_id=call.agent_id).first()
    try:
        if agent is None or not agent.contact:
            raise ProviderUnavailable("the agent has no phone or SIP address")
        get_provider(call.provider).ring_agent(contact=agent.contact, from_number=call.number.number,
                                               client_request_id=leg)
    except ProviderUnavailable as exc:
        now = timezone.now()
        with transaction.atomic():
            call = Call.objects.select_for_update(of=("self",)).get(pk=call_id)
            if call.state == CallState.OFFERED and agent_leg_id(call) == leg:
                _event(call, "ring_failed", now, error=str(exc)[:200])
                _release_agent(call, now, missed=not (agent and agent.contact))
                call.state, call.offered_at, call.agent = CallState.QUEUED, None, None
                call.save()
        return False
    return True


def sweep(now: dt.datetime | None = None) -> dict:
    """The minute's sweep: offers nobody answered go back to the queue (agent paused: missed), long wrap-ups
    end, callbacks that became due are dispatched."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.VOICE_OFFER_TIMEOUT_SECONDS)
    requeued = 0
    for call_id in Call.objects.filter(state=CallState.OFFERED, offered_at__lt=stale).values_list("pk", flat=True):
        with transaction.atomic():
            call = Call.objects.select_for_update(of=("self",)).get(pk=call_id)
            if call.state != CallState.OFFERED:
                continue
            _event(call, "offer_expired", now, agent=call.agent_id)
            _release_agent(call, now, missed=True)
            call.state, call.offered_at, call.agent = CallState.QUEUED, None, None
            call.save()
            requeued += 1
    lost = now - dt.timedelta(seconds=TRANSFER_LOST_SECONDS)
    for call_id in Call.objects.filter(state=CallState.QUEUED, step=TRANSFERRING).values_list("pk", flat=True):
        with transaction.atomic():
            call = Call.objects.select_for_update(of=("self",)).get(pk=call_id)
            moved = call.events.filter(kind="transferred").order_by("-at", "-id").first()
            if call.step == TRANSFERRING and (moved is None or moved.at < lost):
                _event(call, "transfer_lost", now)  # the caller never reached the target number
                _end(call, Outcome.ABANDONED, now)
                call.save()
    wrap_limit = now - dt.timedelta(seconds=settings.VOICE_WRAPUP_MAX_SECONDS)
    ended = 0
    for user_id in AgentState.objects.filter(state=AgentStateKind.WRAP_UP, since__lt=wrap_limit).values_list(
            "user_id", flat=True):
        with transaction.atomic():
            agent = AgentState.objects.select_for_update(of=("self",)).get(pk=user_id)
            if agent.state == AgentStateKind.WRAP_UP and agent.since < wrap_limit:
                _finish_wrap_up(agent, now)
                ended += 1
    with transaction.atomic():
        offered = dispatch(now)
    return {"requeued": requeued, "wrap_ups_ended": ended, "offered": offered}


# --- agents' wrap-up (the sweep ends long ones; agents.py holds the agents' own actions) ---------------

def _finish_wrap_up(agent: AgentState, now: dt.datetime, *, then: str = AgentStateKind.AVAILABLE,
                    reason: str = "") -> None:
    if agent.call_id:
        call = Call.objects.select_for_update(of=("self",)).filter(pk=agent.call_id).first()
        if call is not None and call.state == CallState.WRAP_UP:
            call.state = CallState.ENDED
            call.wrapup_ended_at = now
            call.ended_at = call.ended_at or now
            call.save(update_fields=["state", "wrapup_ended_at", "ended_at"])
            _event(call, "wrap_up_ended", now, actor=agent.user)
    _set_agent(agent, then, now, reason=reason)


def do_store_voicemail(call_id: int, fetched, *, now: dt.datetime | None = None) -> Call:
    """The recording has been fetched (or refused): the voicemail becomes a request with it attached, dated
    `now` (the clock; the demo passes the moment the message was left)."""
    from bawaba.servicedesk.models import Channel
    from bawaba.servicedesk.services import do_create_request, do_record_module_event

    now = now or timezone.now()
    call = Call.objects.select_related("number", "service").get(pk=call_id)
    if call.request_id:
        return call
    service = call.service or (call.number.default_service if call.number else None)
    language = call.language or "fr"
    from django.utils import translation

    phone = callable_number(call.caller)
    with translation.override(language):
        subject = (_("Voicemail from %(caller)s") % {"caller": phone}) if phone else _(
            "Voicemail from a withheld number")
        lines = [_("Voicemail left outside opening hours on %(number)s.") % {"number": call.destination}]
        if not phone:
            lines.append(_("The caller's number was withheld: there is no number to call back. Only the "
                           "recording says who called and how to reach them."))
        if call.choices:
            lines.append(_("Choices in the menu: %(choices)s") % {"choices": ", ".join(
                f"{key}={value}" for key, value in call.choices.items())})
        if fetched is None:
            lines.append(_("The recording could not be fetched: %(url)s") % {"url": call.recording_url})
    with transaction.atomic():
        call = Call.objects.select_for_update(of=("self",)).get(pk=call_id)
        if call.request_id:
            return call
        try:
            request = do_create_request(
                channel=Channel.PHONE, citizen_phone=phone, subject=subject, text="\n".join(lines),
                service=service, language=language, now=now, contact_required=bool(phone))
        except ValidationError as exc:  # e.g. no service to route to: kept on the call, logged
            log.warning("voicemail of call %s not turned into a request: %s", call_id, exc.messages)
            request = None
        if request is None:
            call.voicemail_status = "failed"
            call.save(update_fields=["voicemail_status"])
            _event(call, "voicemail_failed", now)
            return call
        call.request = request
        call.voicemail_status = "stored" if fetched is not None else "failed"
        if fetched is not None:
            import hashlib

            content = fetched.read()
            call.recording_type = fetched.content_type
            call.recording_sha256 = hashlib.sha256(content).hexdigest()
            fetched.seek(0)
            call.recording.save(fetched.name, fetched, save=False)
        call.save(update_fields=["request", "voicemail_status", "recording", "recording_type", "recording_sha256"])
        do_record_module_event(request, "linked", module="voice", actor=None, now=now, call=call.pk,
                               caller=call.caller, voicemail=True)
        _event(call, "voicemail_request", now, reference=request.reference)
    return call
