"""How a message leaves the platform. One interface, chosen by SMS_PROVIDER:

- `outbox` (default): nothing leaves; the message is recorded and staff read it on /notifications/outbox/.
- `kannel`: an HTTP GET to smsbox's sendsms interface; delivery reports come back to the dlr-url.
- `http`: a generic HTTP SMS API that takes a JSON POST and answers with its message id.

E-mail always goes through Django's mail (EMAIL_* settings). A provider never raises for a refusal: it
answers a SendResult, and says whether trying again could help (`permanent`)."""

from __future__ import annotations

import abc
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from .models import OutboundMessage
from .sms import is_gsm7

TIMEOUT_SECONDS = 10
# Kannel's dlr-mask: 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 refused by the SMSC.
KANNEL_DLR_MASK = 31


@dataclass
class SendResult:
    accepted: bool
    provider_message_id: str = ""
    error: str = ""
    permanent: bool = False  # a refusal that trying again will not fix


class Provider(abc.ABC):
    name = ""

    @abc.abstractmethod
    def send(self, message: OutboundMessage) -> SendResult:
        """Hand the message to the gateway; say whether it was accepted."""


def callback_url(name: str, **query) -> str:
    """An address of the platform that a gateway calls back (it may reach the platform by another address
    than citizens do: NOTIFICATION_CALLBACK_BASE_URL)."""
    base = (settings.NOTIFICATION_CALLBACK_BASE_URL or settings.PUBLIC_BASE_URL).rstrip("/")
    url = base + reverse(name)
    return f"{url}?{urllib.parse.urlencode(query, safe='%')}" if query else url


def _http_error_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read(300).decode("utf-8", "replace").strip()
    except OSError:
        body = ""
    return f"HTTP {exc.code}: {body}"[:500]


def _permanent(status: int) -> bool:
    return 400 <= status < 500 and status not in (408, 429)


class OutboxProvider(Provider):
    """The embedded default: the row in the outbox is the message."""

    name = "outbox"

    def send(self, message):
        return SendResult(accepted=True, provider_message_id=f"outbox-{message.pk}")


class KannelProvider(Provider):
    """smsbox's sendsms interface (group sendsms-user in kannel.conf)."""

    name = "kannel"

    def send(self, message):
        gsm = is_gsm7(message.body)
        params = {
            "username": settings.KANNEL_USERNAME,
            "password": settings.KANNEL_PASSWORD,
            "from": settings.SMS_SENDER,
            "to": message.recipient,
            "text": message.body,
            "charset": "UTF-8",
            "coding": "0" if gsm else "2",  # 2: UCS-2, for Arabic (70 characters a segment)
            "dlr-mask": str(KANNEL_DLR_MASK),
            # Kannel fills in %d (report type), %F (the SMSC's message id), %T (time) and %A (the SMSC's answer).
            "dlr-url": callback_url("notifications:dlr-kannel", token=settings.NOTIFICATION_DLR_TOKEN,
                                    id=message.pk, type="%d", smsc_id="%F", at="%T", answer="%A"),
        }
        url = f"{settings.KANNEL_SENDSMS_URL}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - configured URL
                answer = response.read(300).decode("utf-8", "replace").strip()
        except urllib.error.HTTPError as exc:
            return SendResult(False, error=_http_error_text(exc), permanent=_permanent(exc.code))
        except (OSError, ValueError) as exc:  # refused, timed out, unreachable, bad URL
            return SendResult(False, error=f"Kannel unreachable: {exc}"[:500])
        # "0: Accepted for delivery" or "3: Queued for later delivery" (no SMSC connected yet): both accepted.
        return SendResult(True, error="" if answer[:2] in ("0:", "3:") else answer[:500])


class HttpJsonProvider(Provider):
    """A generic HTTP SMS API: POST {"from", "to", "text", "client_reference", "status_callback"} with a bearer
    token; a 2xx answer carries the provider's id in "id" (or "message_id"). Delivery reports come back
    as JSON to /notifications/dlr/http ({"id", "status": "delivered" | "failed" | ..., "error"})."""

    name = "http"

    def send(self, message):
        payload = {
            "from": settings.SMS_SENDER,
            "to": message.recipient,
            "text": message.body,
            "client_reference": message.idempotency_key,  # the API may drop a second send of the same key
            "status_callback": callback_url("notifications:dlr-http"),
        }
        request = urllib.request.Request(  # noqa: S310 - configured URL
            settings.SMS_HTTP_URL, data=json.dumps(payload).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                body = response.read(10_000)
        except urllib.error.HTTPError as exc:
            return SendResult(False, error=_http_error_text(exc), permanent=_permanent(exc.code))
        except (OSError, ValueError) as exc:
            return SendResult(False, error=f"SMS API unreachable: {exc}"[:500])
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        identifier = str(data.get("id") or data.get("message_id") or "") if isinstance(data, dict) else ""
        return SendResult(True, provider_message_id=identifier[:100])


class EmailProvider(Provider):
    name = "email"

    def send(self, message):
        mail = EmailMessage(message.subject, message.body, None, [message.recipient],
                            headers={"Auto-Submitted": "auto-generated"})
        try:
            mail.send()
        except OSError as exc:  # smtplib's errors are OSErrors: refused, unreachable, rejected recipient
            return SendResult(False, error=f"{type(exc).__name__}: {exc}"[:500])
        return SendResult(True)


SMS_PROVIDERS = {cls.name: cls for cls in (OutboxProvider, KannelProvider, HttpJsonProvider)}


def sms_provider() -> Provider:
    try:
        return SMS_PROVIDERS[settings.SMS_PROVIDER]()
    except KeyError:
        raise RuntimeError(f"SMS_PROVIDER must be one of {', '.join(SMS_PROVIDERS)}") from None


def provider_for(channel: str) -> Provider:
    return EmailProvider() if channel == "email" else sms_provider()
