"""The telephony part of `bawaba demo load`: a number per operator with its two-language IVR (menu per service,
the organisation's own opening hours), four weeks of call history, the agents' phone states and calls of the
moment, night voicemails turned into requests, and the agents scheduled for today, so that the wallboard and
the staffing page show figures that follow from the data.

Deterministic for a seed and a moment: everything is computed from `now` (the command's `--now`, or the clock)
in each organisation's time zone, on the days and hours its calendar opens; nothing depends on the weekday the
demo is loaded (on a closed day there is no live queue, only the night's voicemails and the history).

Made up: the numbers (+213 21 55 0x 00, not the operators' real ones), the callers' numbers, volumes and
durations (a morning peak, an afternoon one). The calls are written directly (bulk), not played through the
provider's callbacks: there is no provider behind the demo. An agent who makes themselves available in the
demo is offered a waiting caller, and the ring fails (no provider): the caller goes back to their place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import random
import wave
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from bawaba.orgs.models import Organisation, Service
from bawaba.orgs.services import calendar_for

from .models import (
    AgentState,
    AgentStateKind,
    Call,
    CallEvent,
    CallState,
    MenuOption,
    Outcome,
    PauseReason,
    ScheduledAgents,
    VoiceNumber,
)

OPERATORS = {  # organisation slug -> (demo number, label, relative call volume)
    "algerie-telecom": ("+213215550100", "Algérie Télécom 12 (démo)", 1.0),
    "mobilis": ("+213215550300", "Mobilis 666 (démo)", 0.8),
    "algerie-poste": ("+213215550200", "Algérie Poste 1530 (démo)", 0.5),
}
WEEKS = 4
# Calls per half-hour at volume 1.0, by the slot's local hour: a morning peak and a smaller afternoon one.
PROFILE = {8: 3, 9: 6, 10: 7, 11: 6, 12: 3, 13: 3, 14: 5, 15: 4, 16: 3}
HANDLE = (90, 420)  # talk seconds
PROVIDER = "africastalking"


@dataclasses.dataclass
class VoiceDemoSummary:
    skipped: bool = False
    numbers: int = 0
    calls: Counter = dataclasses.field(default_factory=Counter)  # outcome or state -> count
    waiting: int = 0
    agents: Counter = dataclasses.field(default_factory=Counter)
    voicemails: int = 0
    scheduled_slots: int = 0


def load_voice_demo(*, now: dt.datetime, seed: int = 42) -> VoiceDemoSummary:
    summary = VoiceDemoSummary()
    if VoiceNumber.objects.filter(number__in=[number for number, _label, _v in OPERATORS.values()]).exists():
        summary.skipped = True
        return summary
    rng = random.Random(seed * 7919 + 14)
    with transaction.atomic():
        for slug, (number, label, volume) in OPERATORS.items():
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                continue
            _load_operator(organisation, number, label, volume, now, rng, summary)
    return summary


def _services(organisation) -> list[Service]:
    return list(Service.objects.filter(organisation=organisation, is_active=True, is_orientation=False)
                .order_by("code")[:4])


def _agents(organisation, services) -> list:
    from django.contrib.auth import get_user_model

    users = (get_user_model().objects.filter(organisation=organisation, is_active=True,
                                             queues__in=[service.queue_id for service in services])
             .distinct().order_by("username"))
    return [user for user in users if user.has_role("desk.agent")]


def _load_operator(organisation, phone, label, volume, now, rng, summary) -> None:
    services = _services(organisation)
    if not services:
        return
    number = VoiceNumber.objects.create(
        organisation=organisation, number=phone, label=label, default_service=services[0],
        greeting_fr=f"Bienvenue au service clients de {organisation.name_fr}.",
        greeting_ar=f"مرحبا بكم في خدمة زبائن {organisation.name_ar}.",
        closed_fr="Nos conseillers vous répondent aux heures d'ouverture. Laissez-nous un message après le bip.",
        closed_ar="مستشارونا يردون عليكم في أوقات العمل. اتركوا لنا رسالة بعد الصافرة.",
        callback_threshold_seconds=180)
    for digit, service in enumerate(services, start=1):
        MenuOption.objects.create(number=number, digit=str(digit), service=service,
                                  label_fr=service.name_fr.lower(), label_ar=service.name_ar)
    summary.numbers += 1
    calendar = calendar_for(organisation)
    agents = _agents(organisation, services)
    weights = [4, 2, 1, 1][:len(services)]
    calls: list[Call] = []
    today = now.astimezone(calendar.tz).date()

    def caller() -> str:
        return f"+2135{rng.choice('567')}{rng.randrange(10**7):07d}"

    # History: every open half-hour of the last four weeks and of today until now.
    for back in range(WEEKS * 7, -1, -1):
        day = today - dt.timedelta(days=back)
        for opens, closes in calendar.intervals_on(day):
            slot = opens
            while slot < closes and slot < now - dt.timedelta(minutes=10):
                mean = PROFILE.get(slot.astimezone(calendar.tz).hour, 2) * volume
                for _i in range(_poisson(rng, mean)):
                    arrived = slot + dt.timedelta(seconds=rng.uniform(0, 1800))
                    if arrived >= now - dt.timedelta(minutes=10):
                        continue
                    service = rng.choices(services, weights)[0]
                    calls.append(_past_call(rng, number, service, arrived, caller(), agents))
                slot += dt.timedelta(minutes=30)
    for index, call in enumerate(calls):
        call.session_id = f"ATVId_demo_{organisation.slug}_{index}"
    Call.objects.bulk_create(calls, batch_size=500)
    summary.calls.update(call.outcome for call in calls)

    if ivr_open(calendar, now):
        _live_snapshot(organisation, number, services, weights, agents, now, rng, summary, caller)
    _night_voicemails(number, calendar, now, rng, summary, caller)
    _schedule(organisation, calendar, today, volume, summary)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def ivr_open(calendar, moment) -> bool:
    from .ivr import is_open

    return is_open(calendar, moment)


def _past_call(rng, number, service, arrived, caller, agents) -> Call:
    language = "ar" if rng.random() < 0.4 else "fr"
    choices = {"language": language, "menu": "", "service": service.code}
    call = Call(provider=PROVIDER, number=number, organisation=number.organisation, service=service,
                caller=caller, destination=number.number, language=language, state=CallState.ENDED,
                step="queued", arrived_at=arrived, choices=choices)
    roll = rng.random()
    if roll < 0.04:  # hung up in the menu
        call.service, call.outcome = None, Outcome.ABANDONED_IVR
        call.ended_at = arrived + dt.timedelta(seconds=rng.randint(5, 40))
        return call
    call.queued_at = arrived + dt.timedelta(seconds=rng.randint(15, 45))
    if roll < 0.16:  # gave up waiting
        call.outcome = Outcome.ABANDONED
        call.wait_seconds = rng.randint(25, 420)
        call.ended_at = call.queued_at + dt.timedelta(seconds=call.wait_seconds)
        return call
    callback = roll < 0.20
    wait = int(rng.expovariate(1 / 14)) if not callback else rng.randint(600, 2400)
    call.wait_seconds = wait
    call.agent = rng.choice(agents) if agents else None
    call.answered_at = call.queued_at + dt.timedelta(seconds=wait)
    call.offered_at = call.answered_at - dt.timedelta(seconds=min(wait, rng.randint(3, 12)))
    call.talk_ended_at = call.answered_at + dt.timedelta(seconds=rng.randint(*HANDLE))
    call.wrapup_ended_at = call.talk_ended_at + dt.timedelta(seconds=rng.randint(10, 90))
    call.ended_at = call.wrapup_ended_at
    call.duration_seconds = int((call.talk_ended_at - arrived).total_seconds())
    if callback:
        call.callback_requested_at = call.queued_at + dt.timedelta(seconds=40)
        call.callback_due_at = call.callback_requested_at + dt.timedelta(seconds=wait - 60)
        call.choices = {**choices, "callback": True}
        call.outcome = Outcome.CALLBACK_DONE
    else:
        call.outcome = Outcome.ANSWERED
    return call


def _live_snapshot(organisation, number, services, weights, agents, now, rng, summary, caller) -> None:
    """The moment the demo is loaded, during opening hours: most agents on a call, a few paused, callers
    waiting (two asked to be called back). No agent is left available while callers wait."""
    connected = []
    for index, user in enumerate(agents[:24]):
        since = now - dt.timedelta(seconds=rng.randint(20, 600))
        if index % 6 == 5:
            AgentState.objects.create(user=user, organisation=organisation, state=AgentStateKind.PAUSED,
                                      pause_reason=rng.choice([PauseReason.BREAK, PauseReason.BACK_OFFICE]),
                                      since=since, contact=f"sip:{user.username}@centre.demo.invalid")
            summary.agents["paused"] += 1
            continue
        service = _service_of(user, services) or services[0]
        arrived = since - dt.timedelta(seconds=rng.randint(40, 200))
        call = Call.objects.create(
            provider=PROVIDER, session_id=f"ATVId_demo_live_{organisation.slug}_{index}", number=number,
            organisation=organisation, service=service, caller=caller(), destination=number.number,
            language="fr", state=CallState.CONNECTED, step="queued", arrived_at=arrived,
            queued_at=arrived + dt.timedelta(seconds=20), offered_at=since - dt.timedelta(seconds=6),
            answered_at=since, agent=user, wait_seconds=int((since - arrived).total_seconds()) - 20,
            choices={"language": "fr", "service": service.code})
        AgentState.objects.create(user=user, organisation=organisation, state=AgentStateKind.ON_CALL, since=since,
                                  call=call, contact=f"sip:{user.username}@centre.demo.invalid")
        connected.append(call)
        summary.agents["on_call"] += 1
    for index in range(max(2, len(connected) // 3)):
        service = rng.choices(services, weights)[0]
        arrived = now - dt.timedelta(seconds=rng.randint(30, 420))
        asks_callback = index < 2
        call = Call.objects.create(
            provider=PROVIDER, session_id=f"ATVId_demo_wait_{organisation.slug}_{index}", number=number,
            organisation=organisation, service=service, caller=caller(), destination=number.number,
            language="ar" if index % 3 == 1 else "fr", state=CallState.QUEUED, step="queued",
            arrived_at=arrived, queued_at=arrived + dt.timedelta(seconds=25),
            callback_requested_at=arrived + dt.timedelta(seconds=60) if asks_callback else None,
            callback_due_at=now + dt.timedelta(minutes=15 + 10 * index) if asks_callback else None,
            choices={"language": "fr", "service": service.code, **({"callback": True} if asks_callback else {})})
        CallEvent.objects.create(call=call, kind="queued", at=call.queued_at, data={"service": service.code})
        summary.waiting += 1


def _service_of(user, services):
    queue_ids = set(user.queues.values_list("pk", flat=True))
    return next((service for service in services if service.queue_id in queue_ids), None)


def _night_voicemails(number, calendar, now, rng, summary, caller) -> None:
    """Voicemails left in the closed hours of the last three days, each made into a request with its audio
    (a second of silence: a demo recording) by the platform's own function."""
    from .services import do_store_voicemail

    tz = calendar.tz
    today = now.astimezone(tz).date()
    for back in range(3, -1, -1):
        evening = dt.datetime.combine(today - dt.timedelta(days=back), dt.time(20, 15), tz)
        if evening >= now - dt.timedelta(minutes=5) or ivr_open(calendar, evening):
            continue
        for index in range(1 + rng.randrange(2)):
            arrived = evening + dt.timedelta(minutes=37 * index)
            withheld = back == 1 and index == 0  # one caller withheld their number
            call = Call.objects.create(
                provider=PROVIDER, session_id=f"ATVId_demo_vm_{number.organisation.slug}_{back}_{index}",
                number=number, organisation=number.organisation, caller="" if withheld else caller(),
                destination=number.number, language="fr", state=CallState.ENDED, step="voicemail",
                arrived_at=arrived, ended_at=arrived + dt.timedelta(seconds=70), outcome=Outcome.VOICEMAIL,
                recording_url=f"https://voice.demo.invalid/rec/{number.organisation.slug}-{back}-{index}.wav",
                voicemail_status="pending", duration_seconds=70, choices={"language": "fr"})
            CallEvent.objects.create(call=call, kind="closed", at=arrived + dt.timedelta(seconds=15))
            # Dated when the message was left (from --now), not when the demo is loaded.
            do_store_voicemail(call.pk, _silence(f"demo-{call.pk}.wav"), now=call.ended_at)
            summary.voicemails += 1


def _silence(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(1)
        audio.setframerate(8000)
        audio.writeframes(b"\x80" * 8000)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="audio/wav")


def _schedule(organisation, calendar, today, volume, summary) -> None:
    """Agents planned for today's and the next six days' open half-hours: close to the need, a few short."""
    rows = []
    for ahead in range(7):
        day = today + dt.timedelta(days=ahead)
        for opens, closes in calendar.intervals_on(day):
            slot = opens
            while slot < closes:
                local = slot.astimezone(calendar.tz)
                planned = max(2, round(PROFILE.get(local.hour, 2) * volume * 1.6)) - (1 if local.hour == 10 else 0)
                rows.append(ScheduledAgents(organisation=organisation, date=day, slot=local.time().replace(
                    tzinfo=None), agents=planned))
                slot += dt.timedelta(minutes=30)
    ScheduledAgents.objects.bulk_create(rows, ignore_conflicts=True)
    summary.scheduled_slots += len(rows)
