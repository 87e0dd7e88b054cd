"""The notification service every module calls.

`notify()` writes the messages into the outbox inside the caller's transaction (the change and its
messages are stored together or not at all); `send_due()` (the one-minute sweep, and a task queued after
each commit so that citizens need not wait for it) hands them to the provider, with retries and
exponential back-off; `record_delivery_report()` stores what the gateway says afterwards. The unique
idempotency key of each message makes an event yield at most one message per channel."""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import links, texts
from .models import Channel, DeliveryReport, OptOut, OutboundMessage, State
from .providers import SendResult, provider_for

log = logging.getLogger(__name__)

# The words a citizen sends to stop the messages (compared without accents and case).
STOP_WORDS = {"STOP", "ARRET", "ARRETER", "STOPP", "توقف", "وقف"}
# Kannel report types (dlr-mask bits) -> our state; None keeps the state (accepted or buffered on the way).
KANNEL_REPORTS = {"1": State.DELIVERED, "2": State.FAILED, "4": None, "8": None, "16": State.FAILED}
HTTP_REPORTS = {"delivered": State.DELIVERED, "failed": State.FAILED, "undelivered": State.FAILED,
                "rejected": State.FAILED, "sent": None, "accepted": None, "buffered": None}
FINAL = (State.DELIVERED, State.FAILED, State.STOPPED)


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off after the n-th failed attempt: base, 2×, 4×… capped at NOTIFICATION_RETRY_MAX_SECONDS."""
    seconds = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFICATION_RETRY_MAX_SECONDS))


def is_opted_out(channel: str, address: str) -> bool:
    return OptOut.objects.filter(channel=channel, address=address).exists()


def notify(*, topic: str, reference: str, event: str, template: str, language: str,
           organisation_id: int | None, phone: str = "", email: str = "", context: dict | None = None,
           now: dt.datetime | None = None) -> list[OutboundMessage]:
    """Queue the message of `template` to the phone (SMS) and the e-mail address that are given, in the
    citizen's language. `event` names the cause once and for all (e.g. "message:42"): calling again for
    the same event stores nothing more. Call inside the transaction of the change that causes it."""
    return notify_many([{"topic": topic, "reference": reference, "event": event, "template": template,
                         "language": language, "organisation_id": organisation_id, "phone": phone, "email": email,
                         "context": context}], now=now)[0]


def notify_many(requests: list[dict], *, now: dt.datetime | None = None) -> list[list[OutboundMessage]]:
    """`notify` for many citizens at once (a mail-merge chunk's new-letter notices): each request holds
    notify's keyword arguments. The same messages, keys and opt-out rule as one `notify` per request, with one
    opt-out query, one INSERT and one SELECT for them all; returns each request's stored messages, in order.
    Call inside the transaction of the change that causes them."""
    now = now or timezone.now()
    rows_of: list[list[OutboundMessage]] = []
    wanted: list[tuple[str, str]] = []
    for request in requests:
        spec = texts.TEMPLATES[request["template"]]
        context = request.get("context") or {}
        language = texts.message_language(request["language"], context.get("text", ""))
        reference = request["reference"]
        link = links.short_link(reference) if reference else links.public_url("/")
        ctx = {"reference": reference, "link": link, **context}
        rows = []
        with translation.override(language):
            for channel, address in ((Channel.SMS, request.get("phone", "")),
                                     (Channel.EMAIL, request.get("email", ""))):
                if not address:
                    continue
                if channel == Channel.SMS:
                    subject, body = "", spec.sms(ctx)
                else:
                    subject, body = spec.subject(ctx), texts.email_body(spec, ctx, links.stop_link(channel, address))
                wanted.append((channel, address))
                rows.append(OutboundMessage(
                    idempotency_key=f"{request['topic']}:{reference}:{request['event']}:{request['template']}:"
                                    f"{channel}"[:160],
                    organisation_id=request.get("organisation_id"), topic=request["topic"], reference=reference,
                    template=request["template"], channel=channel, recipient=address, language=language,
                    subject=subject[:200], body=body, state=State.QUEUED, next_attempt_at=now,
                    created_at=now, updated_at=now))
        rows_of.append(rows)
    if not wanted:
        return [[] for _request in requests]
    stopped = set()
    for channel in {c for c, _a in wanted}:
        stopped |= {(channel, a) for a in OptOut.objects.filter(
            channel=channel, address__in={a for c, a in wanted if c == channel}).values_list("address", flat=True)}
    for rows in rows_of:
        for row in rows:
            if (row.channel, row.recipient) in stopped:
                row.state, row.next_attempt_at = State.STOPPED, None
                row.error = _("The citizen asked for no more messages.")
    keys = [row.idempotency_key for rows in rows_of for row in rows]
    with transaction.atomic():
        OutboundMessage.objects.bulk_create([row for rows in rows_of for row in rows], ignore_conflicts=True,
                                            batch_size=1000)
        stored = {row.idempotency_key: row for row in OutboundMessage.objects.filter(idempotency_key__in=keys)}
    if settings.NOTIFICATION_SEND_AT_ONCE:
        ids = [row.pk for row in stored.values() if row.state == State.QUEUED]
        if ids:
            priority = BULK_PRIORITY if len(requests) > 1 else ONE_CITIZEN_PRIORITY
            transaction.on_commit(lambda: _send_soon(ids, priority=priority))
    return [[stored[row.idempotency_key] for row in rows if row.idempotency_key in stored] for rows in rows_of]


def notify_request_citizen(request, template: str, *, event: str, text: str = "",
                           now: dt.datetime | None = None) -> list[OutboundMessage]:
    """The service desk's one call: tell the citizen of a request about `template` (reply, waiting,
    resolved, closed) by SMS and e-mail, whichever they gave."""
    return notify(
        topic="servicedesk.request", reference=request.reference, event=event, template=f"servicedesk.{template}",
        language=request.language or texts.guess_language(request.text), organisation_id=request.organisation_id,
        phone=request.citizen_phone, email=request.citizen_email, context={"text": text}, now=now,
    )


# Huey priorities of the sending task (higher goes first): a message to one citizen (a desk reply, a code)
# before the batch jobs of the queue (mail-merge chunks 10, print runs 20), the notices of a batch after them
# (docs/hybrid-mail-senders.md, "Queue priorities").
ONE_CITIZEN_PRIORITY = 25
BULK_PRIORITY = 0


def _send_soon(ids: list[int], *, priority: int = ONE_CITIZEN_PRIORITY) -> None:
    from .tasks import send_messages

    try:
        send_messages(ids, priority=priority)
    except Exception:  # the queue is down: the sweep sends them within a minute  # noqa: BLE001
        log.warning("could not queue notifications %s; the sweep will send them", ids, exc_info=True)


def send_due(now: dt.datetime | None = None, batch: int = 200) -> int:
    """Send every queued message whose time has come; returns how many were accepted by a provider."""
    now = now or timezone.now()
    due = (OutboundMessage.objects.filter(state=State.QUEUED, next_attempt_at__lte=now)
           .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:batch])
    return sum(1 for pk in list(due) if send_one(pk, now=now) == State.SENT)


def send_one(pk: int, *, now: dt.datetime | None = None) -> str | None:
    """One attempt at one message, if it is due. The attempt is claimed first (its next attempt moved on
    by the back-off and committed) so that a second worker leaves it alone and a worker that dies in the
    middle leaves it to be tried again: at least once, and the idempotency key keeps it one message."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (OutboundMessage.objects.select_for_update()
                   .filter(pk=pk, state=State.QUEUED, next_attempt_at__lte=now).first())
        if message is None:
            return None
        if is_opted_out(message.channel, message.recipient):
            message.state, message.next_attempt_at = State.STOPPED, None
            message.error = _("The citizen asked for no more messages.")
            message.updated_at = now
            message.save(update_fields=["state", "next_attempt_at", "error", "updated_at"])
            return message.state
        message.attempts += 1
        message.next_attempt_at = now + retry_delay(message.attempts)
        message.updated_at = now
        message.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    provider = provider_for(message.channel)
    try:
        result = provider.send(message)
    except Exception as exc:  # a provider's bug must not stop the sweep for every other message  # noqa: BLE001
        log.exception("provider %s failed on notification %s", provider.name, pk)
        result = SendResult(False, error=f"{type(exc).__name__}: {exc}"[:500])
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().get(pk=pk)
        message.provider = provider.name
        message.updated_at = now
        if result.accepted:
            if message.state == State.QUEUED:  # a delivery report may already have moved it on
                message.state = State.SENT
            message.sent_at = message.sent_at or now
            message.next_attempt_at = None
            message.error = result.error
            message.provider_message_id = message.provider_message_id or result.provider_message_id
        else:
            message.error = result.error
            if result.permanent or message.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                message.state, message.next_attempt_at = State.FAILED, None
                log.warning("notification %s failed after %d attempts: %s", pk, message.attempts, result.error)
        message.save()
    return message.state


def record_delivery_report(message: OutboundMessage, status: str, *, state: str | None, data: dict,
                           provider_message_id: str = "", error: str = "",
                           now: dt.datetime | None = None) -> OutboundMessage:
    """Store a gateway's report and move the message on. A final state is never undone by a late or
    repeated report (they can arrive out of order)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
        DeliveryReport.objects.create(message=message, status=status[:20], data=data, received_at=now)
        if provider_message_id and not message.provider_message_id:
            message.provider_message_id = provider_message_id[:100]
        if message.state not in FINAL:
            if state is not None:
                message.state = state
                message.next_attempt_at = None
            elif message.state == State.QUEUED:
                message.state, message.next_attempt_at = State.SENT, None
            if state == State.DELIVERED:
                message.delivered_at = now
            if state == State.FAILED:
                message.error = (error or _("The network could not deliver the message."))[:500]
        message.updated_at = now
        message.save()
    return message


def kannel_report(message_id: str, report_type: str, *, smsc_id: str = "", answer: str = "",
                  data: dict | None = None) -> OutboundMessage | None:
    valid = message_id.isascii() and message_id.isdigit() and len(message_id) < 19  # a 64-bit key
    message = OutboundMessage.objects.filter(pk=int(message_id)).first() if valid else None
    if message is None or report_type not in KANNEL_REPORTS:
        return None
    return record_delivery_report(message, f"kannel:{report_type}", state=KANNEL_REPORTS[report_type],
                                  data=data or {}, provider_message_id=smsc_id, error=answer)


def http_report(provider_message_id: str, status: str, *, error: str = "",
                data: dict | None = None) -> OutboundMessage | None:
    status = (status or "").strip().lower()
    message = (OutboundMessage.objects.filter(provider="http", provider_message_id=provider_message_id).first()
               if provider_message_id else None)
    if message is None or status not in HTTP_REPORTS:
        return None
    return record_delivery_report(message, f"http:{status}", state=HTTP_REPORTS[status], data=data or {},
                                  error=error)


def _plain(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch)).upper()


def is_stop_request(text: str) -> bool:
    words = (text or "").strip().split()
    return len(words) >= 1 and _plain(words[0]).strip(".!") in STOP_WORDS and len(words) <= 3


@transaction.atomic
def do_opt_out(channel: str, address: str, *, source: str, now: dt.datetime | None = None) -> OptOut:
    """No more messages to this number or address (recorded once), and none of those still queued."""
    now = now or timezone.now()
    opt_out, _created = OptOut.objects.get_or_create(channel=channel, address=address,
                                                    defaults={"source": source[:40], "created_at": now})
    OutboundMessage.objects.filter(channel=channel, recipient=address, state=State.QUEUED).update(
        state=State.STOPPED, next_attempt_at=None, updated_at=now,
        error=_("The citizen asked for no more messages."))
    return opt_out


def handle_stop_sms(phone: str, text: str) -> str | None:
    """For the SMS channel: a STOP / ARRET / توقف from a citizen stops the messages to that number; the
    answer to send back, or None when the text is not a stop request."""
    if not is_stop_request(text):
        return None
    do_opt_out(Channel.SMS, phone, source=f"sms:{_plain(text.split()[0])}")
    last = OutboundMessage.objects.filter(channel=Channel.SMS, recipient=phone).order_by("-created_at").first()
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in text)
    language = "ar" if arabic else (last.language if last else settings.LANGUAGE_CODE)
    with translation.override(language):
        return _("You will receive no more SMS from the citizen service centre.")
