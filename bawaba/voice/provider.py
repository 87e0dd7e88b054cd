"""The telephony provider interface: how a provider's callbacks become `CallEvent`s and how the platform's
decisions (`Action`s) become the provider's answer. The IVR, the queues and the desk speak only in these
terms, so another provider (Asterisk through ARI, say) is one more subclass registered in PROVIDERS.

Africa's Talking (https://developers.africastalking.com/docs/voice, "Handling a call" and "Actions"): the
provider POSTs form fields `isActive`, `sessionId`, `direction`, `callerNumber`, `destinationNumber` and,
after a GetDigits or Record, `dtmfDigits` / `recordingUrl`; the final POST has `isActive=0` with
`durationInSeconds`. The answer is XML: `<Response>` holding Say, Play, GetDigits, Dial, Record, Enqueue,
Dequeue, Redirect, Reject. Outbound calls (ringing an agent) go through its call API, `POST /call` with
`username`, `from`, `to`, `clientRequestId`, which comes back in that call's callbacks.
"""

from __future__ import annotations

import abc
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpResponse

log = logging.getLogger(__name__)


class BadCallback(ValueError):
    """A callback the provider's protocol does not allow (missing session, wrong field): answered 400."""


@dataclass(frozen=True)
class CallEvent:
    session_id: str
    active: bool
    direction: str = "inbound"
    caller: str = ""
    destination: str = ""
    digits: str | None = None  # None: no GetDigits answer in this callback; "": the caller typed nothing
    recording_url: str = ""
    duration: int | None = None
    client_request_id: str = ""
    seq: int | None = None  # from our own callbackUrl (?seq=N): which question this callback answers
    raw: dict = field(default_factory=dict)

    def fingerprint(self) -> str:
        import hashlib

        return hashlib.sha256(json.dumps(self.raw, sort_keys=True).encode()).hexdigest()


# --- actions: what the platform tells the provider to do ----------------------------------------------

@dataclass(frozen=True)
class Say:
    text: str
    voice: str = ""


@dataclass(frozen=True)
class Play:
    url: str


@dataclass(frozen=True)
class GetDigits:
    prompt: Say | Play
    num_digits: int = 1
    timeout: int = 10
    finish_on_key: str = "#"
    callback_url: str = ""


@dataclass(frozen=True)
class Record:
    prompt: Say | Play | None = None
    max_length: int = 120
    finish_on_key: str = "#"
    timeout: int = 10
    trim_silence: bool = True
    play_beep: bool = True
    callback_url: str = ""


@dataclass(frozen=True)
class Enqueue:
    name: str
    hold_music: str = ""


@dataclass(frozen=True)
class Dequeue:
    phone_number: str
    name: str


@dataclass(frozen=True)
class Dial:
    phone_numbers: tuple[str, ...]
    caller_id: str = ""
    record: bool = False
    max_duration: int | None = None


@dataclass(frozen=True)
class Redirect:
    url: str


@dataclass(frozen=True)
class Reject:
    pass


Action = Say | Play | GetDigits | Record | Enqueue | Dequeue | Dial | Redirect | Reject


class ProviderUnavailable(Exception):
    """The provider's API did not answer (timeout, refused, 5xx)."""


class VoiceProvider(abc.ABC):
    code: str

    @abc.abstractmethod
    def parse(self, request) -> CallEvent:
        """The callback as an event; BadCallback when it is not one."""

    content_type = "application/xml; charset=utf-8"

    @abc.abstractmethod
    def render(self, actions: list[Action]) -> bytes:
        """The body of the provider's answer carrying these actions."""

    def answer(self, body: bytes, status: int = 200) -> HttpResponse:
        return HttpResponse(body, content_type=self.content_type, status=status)

    @abc.abstractmethod
    def ring_agent(self, *, contact: str, from_number: str, client_request_id: str) -> None:
        """Ask the provider to ring an agent; its answered leg comes back as a callback with this id."""

    def transfer(self, *, session_id: str, to_number: str, hold_music: str = "") -> None:
        """Move the caller's leg of a live, bridged call to `to_number` (one of the platform's numbers): the
        caller comes back as a new inbound session on that number, which the platform recognises as the same
        call (services.do_transfer_call). ProviderUnavailable when the provider refuses or cannot."""
        raise ProviderUnavailable(f"the {self.code} provider cannot transfer a live call")


def _bool(value: bool) -> str:
    return "true" if value else "false"


class AfricasTalking(VoiceProvider):
    code = "africastalking"

    def parse(self, request) -> CallEvent:
        data = request.POST
        if any("\x00" in value for values in data.lists() for value in values[1]):
            raise BadCallback("a field holds a NUL character")  # PostgreSQL text cannot store it
        session = (data.get("sessionId") or "").strip()
        if not session or len(session) > 120:
            raise BadCallback("sessionId is required (at most 120 characters)")
        active = (data.get("isActive") or "").strip()
        if active not in ("0", "1"):
            raise BadCallback("isActive must be 0 or 1")
        duration = data.get("durationInSeconds")
        try:
            duration = int(float(duration)) if duration not in (None, "") else None
        except ValueError:
            duration = None  # a billing detail: never a reason to refuse the hang-up
        raw = {key: data.get(key) for key in sorted(data.keys())}
        seq = request.GET.get("seq", "")
        seq = int(seq) if seq.isdigit() and len(seq) < 9 else None
        return CallEvent(
            session_id=session,
            active=active == "1",
            direction=(data.get("direction") or "inbound").strip().lower()[:10],
            caller=(data.get("callerNumber") or "").strip()[:32],
            destination=(data.get("destinationNumber") or "").strip()[:32],
            digits=data.get("dtmfDigits") if "dtmfDigits" in data else None,
            recording_url=(data.get("recordingUrl") or "").strip()[:500],
            duration=duration,
            client_request_id=(data.get("clientRequestId") or "").strip()[:120],
            seq=seq,
            raw=raw,
        )

    def _element(self, parent, action) -> None:
        if isinstance(action, Say):
            node = ET.SubElement(parent, "Say", {"voice": action.voice} if action.voice else {})
            node.text = action.text
        elif isinstance(action, Play):
            ET.SubElement(parent, "Play", {"url": action.url})
        elif isinstance(action, GetDigits):
            attrs = {"numDigits": str(action.num_digits), "timeout": str(action.timeout),
                     "finishOnKey": action.finish_on_key}
            if action.callback_url:
                attrs["callbackUrl"] = action.callback_url
            self._element(ET.SubElement(parent, "GetDigits", attrs), action.prompt)
        elif isinstance(action, Record):
            attrs = {"finishOnKey": action.finish_on_key, "maxLength": str(action.max_length),
                     "timeout": str(action.timeout), "trimSilence": _bool(action.trim_silence),
                     "playBeep": _bool(action.play_beep)}
            if action.callback_url:
                attrs["callbackUrl"] = action.callback_url
            node = ET.SubElement(parent, "Record", attrs)
            if action.prompt is not None:
                self._element(node, action.prompt)
        elif isinstance(action, Enqueue):
            attrs = {"name": action.name}
            if action.hold_music:
                attrs["holdMusic"] = action.hold_music
            ET.SubElement(parent, "Enqueue", attrs)
        elif isinstance(action, Dequeue):
            ET.SubElement(parent, "Dequeue", {"phoneNumber": action.phone_number, "name": action.name})
        elif isinstance(action, Dial):
            attrs = {"phoneNumbers": ",".join(action.phone_numbers), "record": _bool(action.record)}
            if action.caller_id:
                attrs["callerId"] = action.caller_id
            if action.max_duration:
                attrs["maxDuration"] = str(action.max_duration)
            ET.SubElement(parent, "Dial", attrs)
        elif isinstance(action, Redirect):
            ET.SubElement(parent, "Redirect").text = action.url
        elif isinstance(action, Reject):
            ET.SubElement(parent, "Reject")
        else:  # pragma: no cover - a new action without its rendering is a programming error
            raise TypeError(f"unknown action {action!r}")

    def render(self, actions: list[Action]) -> bytes:
        root = ET.Element("Response")
        for action in actions:
            self._element(root, action)
        return b'<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(root, encoding="utf-8")

    def ring_agent(self, *, contact: str, from_number: str, client_request_id: str) -> None:
        body = urllib.parse.urlencode({
            "username": settings.VOICE_AT_USERNAME, "from": from_number, "to": contact,
            "clientRequestId": client_request_id,
        }).encode()
        request = urllib.request.Request(  # noqa: S310 - the provider's API URL from the settings
            settings.VOICE_AT_CALL_URL, data=body, method="POST",
            headers={"apiKey": settings.VOICE_AT_API_KEY, "Accept": "application/json",
                     "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=settings.VOICE_PROVIDER_TIMEOUT) as response:  # noqa: S310
                payload = json.loads(response.read(65536) or b"{}")
        except (OSError, ValueError) as exc:  # timeouts, refused connections, HTTP errors, bad JSON
            raise ProviderUnavailable(str(exc)) from exc
        entries = payload.get("entries") or []
        if payload.get("errorMessage") not in (None, "None", "") or not entries \
                or entries[0].get("status") not in ("Queued", "Success"):
            raise ProviderUnavailable(f"call API refused: {payload!r}"[:300])


    def transfer(self, *, session_id: str, to_number: str, hold_music: str = "") -> None:
        """Africa's Talking's call transfer (`POST /callTransfer`: `username`, `sessionId` of the ongoing
        two-leg call, `phoneNumber`, `callLeg` caller|callee, `holdMusicUrl`; header `apiKey`; answer
        `{"status": "Success", "errorMessage": "None"}`). The caller's leg is moved; the agent's leg ends."""
        fields = {"username": settings.VOICE_AT_USERNAME, "sessionId": session_id, "phoneNumber": to_number,
                  "callLeg": "caller"}
        if hold_music:
            fields["holdMusicUrl"] = hold_music
        payload = self._post(getattr(settings, "VOICE_AT_TRANSFER_URL",
                                     "https://voice.africastalking.com/callTransfer"), fields)
        answer = payload.get("callTransferResponse", payload) if isinstance(payload, dict) else {}
        if answer.get("status") != "Success" or answer.get("errorMessage") not in (None, "None", ""):
            raise ProviderUnavailable(f"call transfer refused: {payload!r}"[:300])

    def _post(self, url: str, fields: dict) -> dict:
        request = urllib.request.Request(  # noqa: S310 - the provider's API URL from the settings
            url, data=urllib.parse.urlencode(fields).encode(), method="POST",
            headers={"apiKey": settings.VOICE_AT_API_KEY, "Accept": "application/json",
                     "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=settings.VOICE_PROVIDER_TIMEOUT) as response:  # noqa: S310
                payload = json.loads(response.read(65536) or b"{}")
        except (OSError, ValueError) as exc:  # timeouts, refused connections, HTTP errors, bad JSON
            raise ProviderUnavailable(str(exc)) from exc
        if not isinstance(payload, dict):
            raise ProviderUnavailable(f"unexpected answer: {payload!r}"[:300])
        return payload


PROVIDERS: dict[str, VoiceProvider] = {AfricasTalking.code: AfricasTalking()}


def get_provider(code: str) -> VoiceProvider:
    return PROVIDERS[code]
