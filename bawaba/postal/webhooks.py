"""Webhooks: a post's subscribers hear of new tracking events, signed, retried with back-off, logged.

When an item's timeline grows (tracking.events_recorded, after commit), each active subscriber of the
item's post whose event filter matches gets one delivery (up to CHUNK events). Deliveries are sent by the
worker (tasks.deliver_webhooks, queued at once) and by a one-minute sweep that sends whatever is due (retries,
deliveries whose task was lost): nothing depends on the task alone. An attempt is claimed before the request
(next attempt moved on by the back-off and committed), so two workers never send the same attempt and a
worker that dies leaves the delivery to be tried again: at least once; subscribers de-duplicate on the
``X-Bawaba-Delivery`` id.

Signature: ``X-Bawaba-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``; a subscriber
recomputes it over the raw body and refuses a timestamp older than a few minutes (replays). See
docs/postal-api.md and ``verify`` below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from bawaba.postal import events as codes
from bawaba.postal.models import DeliveryState, WebhookDelivery, WebhookSubscription
from bawaba.postal.tracking import events_recorded

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Bawaba-Signature"
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min… about two hours in all
FIRST_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=6)
TIMEOUT_SECONDS = 10
CHUNK = 500  # events per delivery
TOLERANCE_SECONDS = 300


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off: the wait after the n-th failed attempt."""
    return min(FIRST_DELAY * (2 ** max(0, attempts - 1)), MAX_DELAY)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a subscriber does (in any language): recompute the MAC over the raw body, compare in constant
    time, refuse stale timestamps."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --------------------------------------------------------------------------- queueing


@receiver(events_recorded, dispatch_uid="postal.webhooks")
def queue_deliveries(sender, items, events, **kwargs):
    ids = do_queue_deliveries(items, events)
    if ids:
        _deliver_soon(ids)


def do_queue_deliveries(items, events, *, now: dt.datetime | None = None) -> list[int]:
    """One delivery per subscriber and chunk of matching events; returns the deliveries' ids."""
    now = now or timezone.now()
    by_item = {item.pk: item for item in items}
    organisations = {item.organisation_id for item in items}
    subscriptions = list(WebhookSubscription.objects.filter(organisation_id__in=organisations, is_active=True))
    if not subscriptions:
        return []
    rows = []
    for subscription in subscriptions:
        wanted = [e for e in events if by_item[e.item_id].organisation_id == subscription.organisation_id
                  and subscription.wants(e.code)]
        for first in range(0, len(wanted), CHUNK):
            delivery_id = str(uuid.uuid4())
            rows.append(WebhookDelivery(
                subscription=subscription, event_id=delivery_id, created_at=now, next_attempt_at=now,
                payload={"id": delivery_id, "type": "tracking.events", "created_at": now.isoformat(),
                         "events": [_event(e, by_item[e.item_id]) for e in wanted[first:first + CHUNK]]},
            ))
    with transaction.atomic():
        created = WebhookDelivery.objects.bulk_create(rows)
    if created and created[0].pk is None:
        return list(WebhookDelivery.objects.filter(event_id__in=[r.event_id for r in rows])
                    .values_list("pk", flat=True))
    return [r.pk for r in created]


def _event(event, item) -> dict:
    known = codes.CODES.get(event.code)
    return {
        "number": item.number, "code": event.code, "label": str(known.label) if known else event.code,
        "occurred_at": event.occurred_at.isoformat(), "office_code": event.office_code,
        "reason_code": event.reason_code, "action_code": event.action_code, "item_status": item.status,
        "flagged": event.flagged,
    }


def _deliver_soon(ids: list[int]) -> None:
    from bawaba.postal.tasks import deliver_webhooks

    try:
        deliver_webhooks(ids)
    except Exception:  # the queue is down: the sweep sends them within a minute  # noqa: BLE001
        log.warning("could not queue webhook deliveries %s; the sweep will send them", ids, exc_info=True)


# --------------------------------------------------------------------------- sending


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a subscriber's URL is where it is: no redirect is followed
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def deliver_due(now: dt.datetime | None = None, batch: int = 100) -> int:
    """Try every delivery whose time has come; returns how many were delivered."""
    now = now or timezone.now()
    due = (WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
           .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:batch])
    return sum(1 for pk in list(due) if deliver_one(pk, now=now) == DeliveryState.DELIVERED)


def deliver_one(pk: int, *, now: dt.datetime | None = None) -> str | None:
    """One attempt at one delivery, if it is due; returns its state after the attempt (None: not due)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update().select_related("subscription")
                    .filter(pk=pk, state=DeliveryState.PENDING, next_attempt_at__lte=now).first())
        if delivery is None:
            return None
        if not delivery.subscription.is_active:
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            delivery.last_error = "subscription deactivated"
            delivery.save(update_fields=["state", "next_attempt_at", "last_error"])
            return delivery.state
        delivery.attempts += 1
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    status, error = _post(delivery)
    delivery.last_status_code = status
    delivery.last_error = error[:500]
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = DeliveryState.DELIVERED, now, None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        log.warning("webhook delivery %s given up after %d attempts: %s", delivery.event_id, delivery.attempts,
                    error)
    delivery.save(update_fields=["state", "delivered_at", "next_attempt_at", "last_status_code", "last_error"])
    return delivery.state


def private_address(url: str) -> str | None:
    """The private, loopback or link-local address the URL's host resolves to, if any: a subscriber's URL
    must not make the platform call into the operator's own network (SSRF). Off with
    WEBHOOK_ALLOW_PRIVATE_NETWORKS (tests, and deployments whose subscribers sit on the internal network).
    A name that resolves differently between this check and the request is not caught (DNS rebinding)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS:
        return None
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return None  # unresolvable: the request fails and is retried like any network error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            return address
    return None


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    url = delivery.subscription.url
    if not url.lower().startswith(("https://", "http://")):
        return None, "only http and https URLs are delivered to"
    if (address := private_address(url)) is not None:
        return None, f"the URL's host resolves to a private address ({address}): not delivered"
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - scheme checked
        "Content-Type": "application/json", "User-Agent": "Bawaba-Webhooks/1.0",
        SIGNATURE_HEADER: sign(delivery.subscription.secret, int(time.time()), body),
        "X-Bawaba-Delivery": delivery.event_id, "X-Bawaba-Attempt": str(delivery.attempts),
    })
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(1024)
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
