"""Every TMF621 write. A ticket IS a service desk request: creation and every change go through
bawaba.servicedesk.services (its history is the audit trail); what the desk has no column for is kept in
TicketDetail, changed in the same transaction with a history line (do_record_module_event).

Each public function runs in one transaction: a payload that fails half-way stores nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bawaba.orgs.models import Priority, Service
from bawaba.postal import webhooks  # one signature and SSRF guard for every webhook of the platform
from bawaba.servicedesk import services as desk
from bawaba.servicedesk.models import Channel, EventKind, Request, RequestEvent
from bawaba.servicedesk.models import Status as Desk
from bawaba.servicedesk.permissions import ensure_can_act
from bawaba.servicedesk.services import TransitionNotAllowed

from . import mapping as m
from .models import Cursor, Delivery, Subscription, TicketDetail
from .schema import problems

log = logging.getLogger(__name__)

READ_ONLY_ON_PATCH = ("id", "href", "creationDate", "lastUpdate", "statusChange", "statusChangeDate",
                      "resolutionDate", "expectedResolutionDate")
EVENT_TYPES = ("TroubleTicketCreateEvent", "TroubleTicketAttributeValueChangeEvent",
               "TroubleTicketStatusChangeEvent", "TroubleTicketDeleteEvent", "TroubleTicketResolvedEvent",
               "TroubleTicketInformationRequiredEvent")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class TmfError(Exception):
    """A refusal in TMF's error format (views turn it into the Error body)."""

    def __init__(self, status: int, code: str, reason: str, message: str = ""):
        super().__init__(reason)
        self.status, self.code, self.reason, self.message = status, code, reason, message


def _number(text: str) -> bool:
    """ASCII digits only ("²".isdigit() is true, and int("²") fails)."""
    return bool(re.fullmatch(r"[0-9]{1,18}", text))


def bad_request(reason: str, message: str = "", code: str = "invalidValue") -> TmfError:
    return TmfError(400, code, reason, message)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def check_schema(definition: str, payload) -> None:
    if not isinstance(payload, dict):
        raise bad_request(_("The body must be a JSON object."), code="invalidBody")
    if _has_nul(payload):  # PostgreSQL cannot store it
        raise bad_request(_("Null characters are not allowed."), code="invalidBody")
    found = problems(definition, payload)
    if found:
        raise bad_request(_("The body does not match %(definition)s of TMF621 v4.") % {"definition": definition},
                          "; ".join(f"{path or '(body)'}: {text}" for path, text in found), code="invalidBody")


def desk_errors(exc: ValidationError) -> TmfError:
    if hasattr(exc, "message_dict"):
        text = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    else:
        text = " ".join(exc.messages)
    return bad_request(_("The ticket cannot be stored as it is."), text)


def _date(value: str | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:  # well formed but impossible: 30 February
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise bad_request(_("“%(field)s” must be a date and time with its offset (RFC 3339).") % {"field": field})
    return parsed


def _derived(party: dict) -> bool:
    return str(party.get("role", "")).strip().lower() in m.DERIVED_ROLES


def _customer(parties: list[dict]) -> tuple[str, str, str]:
    """(phone, e-mail, name) of the relatedParty with role "customer": its id is a phone number or an address."""
    for party in parties:
        if str(party.get("role", "")).strip().lower() == "customer":
            ident = str(party["id"]).strip()
            if ident.lower().startswith("tel:"):
                ident = ident[4:]
            if ident.lower().startswith("mailto:"):
                ident = ident[7:]
            if "@" in ident:
                return "", ident, str(party.get("name", ""))
            return ident, "", str(party.get("name", ""))
    return "", "", ""


def _attachments(items: list[dict]) -> list[ContentFile]:
    files = []
    for index, item in enumerate(items):
        content = item.get("content")
        if not content:
            raise bad_request(_("attachment[%(index)d]: only attachments by value (base64 “content”) are "
                                "accepted; the platform does not fetch URLs.") % {"index": index})
        if len(content) > MAX_ATTACHMENT_BYTES * 4 // 3 + 4:
            raise bad_request(_("attachment[%(index)d] is too large.") % {"index": index})
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise bad_request(_("attachment[%(index)d]: “content” is not base64.") % {"index": index}) from None
        files.append(ContentFile(data, name=str(item.get("name") or f"attachment-{index + 1}")[:200]))
    return files


def _service_for(organisation, ticket_type: str, subject: str, text: str, channel: str) -> Service:
    """The ticket type when it names one of the organisation's services; otherwise routing, kept within the
    organisation (a token never creates a ticket it cannot see); else the organisation's first service."""
    services = Service.objects.filter(organisation=organisation, is_active=True).select_related("organisation",
                                                                                                 "queue")
    for service in services:
        if ticket_type in (service.code, service.slug):
            return service
    from bawaba.routing.services import route

    decision = route(subject=subject, text=text, channel=channel)
    if decision.service is not None and decision.service.organisation_id == organisation.pk:
        return decision.service
    first = services.order_by("code").first()
    if first is None:
        raise TmfError(409, "noService", _("Your organisation has no active service to receive tickets."))
    return first


def do_create_ticket(payload: dict, *, actor, organisation, now: dt.datetime | None = None) -> Request:
    now = now or timezone.now()
    check_schema("TroubleTicket_Create", payload)
    if payload.get("status") not in (None, m.ACKNOWLEDGED):
        raise bad_request(_("A new ticket is “acknowledged”; set another status with a PATCH."))
    priority = Priority.NORMAL
    if payload.get("priority") is not None:
        priority = m.priority_in(payload["priority"])
        if priority is None:
            raise bad_request(_("Unknown priority “%(value)s”: use Critical, High, Medium or Low.")
                              % {"value": payload["priority"][:40]})
    else:
        priority = m.SEVERITY_PRIORITY.get(payload["severity"].strip().lower(), Priority.NORMAL)
    requested = _date(payload.get("requestedResolutionDate"), "requestedResolutionDate")
    parties = payload.get("relatedParty") or []
    phone, email, name = _customer(parties)
    channel_ref = payload.get("channel") or {}
    channel = str(channel_ref.get("id") or channel_ref.get("name") or "").strip().lower()
    channel = channel if channel in Channel.values else Channel.API
    description = payload["description"]
    subject = (payload.get("name") or description.strip().split("\n", 1)[0])[: desk.SUBJECT_MAX]
    files = _attachments(payload.get("attachment") or [])
    service = _service_for(organisation, payload["ticketType"].strip(), subject, description, channel)
    try:
        with transaction.atomic():
            request = desk.do_create_request(
                channel=channel, citizen_phone=phone, citizen_email=email, citizen_name=name, subject=subject,
                text=description, priority=priority, service=service, created_by=actor, attachments=files,
                contact_required=False, now=now,
            )
            TicketDetail.objects.create(
                request=request, severity=payload["severity"][:60], ticket_type=payload["ticketType"][:60],
                external_id=(payload.get("externalId") or "")[:100], requested_resolution_date=requested,
                status_change_reason=(payload.get("statusChangeReason") or "")[:500],
                related_party=[p for p in parties if not _derived(p)],
                related_entity=payload.get("relatedEntity") or [],
            )
            for note in payload.get("note") or []:
                desk.do_add_note(request, note.get("text") or "", actor=actor, now=now)
    except ValidationError as exc:
        raise desk_errors(exc) from None
    return request


def do_update_ticket(request: Request, patch: dict, *, actor, now: dt.datetime | None = None) -> Request:
    """A JSON merge patch (RFC 7386) of a ticket: `null` removes an optional attribute; arrays replace the
    stored ones, except notes, which are only ever added (entries without an id)."""
    now = now or timezone.now()
    if not isinstance(patch, dict):
        raise bad_request(_("The body must be a JSON object."), code="invalidBody")
    read_only = sorted(key for key in patch if key in READ_ONLY_ON_PATCH)
    if read_only:
        raise bad_request(_("These attributes are set by the platform and cannot be patched: %(names)s.")
                          % {"names": ", ".join(read_only)}, code="readOnlyAttribute")
    removed = {key for key, value in patch.items() if value is None}
    check_schema("TroubleTicket_Update", {k: v for k, v in patch.items() if v is not None})
    not_removable = sorted(removed - {"externalId", "requestedResolutionDate", "statusChangeReason",
                                      "relatedParty", "relatedEntity", "note", "@baseType", "@schemaLocation",
                                      "@type"})
    if not_removable:
        raise bad_request(_("These attributes cannot be removed: %(names)s.") % {"names": ", ".join(not_removable)})
    for field, current in (("name", request.subject), ("description", request.text)):
        if field in patch and patch[field] != current:
            raise bad_request(_("“%(field)s” is what was reported and cannot change; add a note instead.")
                              % {"field": field}, code="readOnlyAttribute")
    if patch.get("attachment"):
        raise bad_request(_("Attachments are given when the ticket is created."), code="readOnlyAttribute")
    priority = None
    if patch.get("priority") is not None:
        priority = m.priority_in(patch["priority"])
        if priority is None:
            raise bad_request(_("Unknown priority “%(value)s”: use Critical, High, Medium or Low.")
                              % {"value": patch["priority"][:40]})
    requested = _date(patch.get("requestedResolutionDate"), "requestedResolutionDate")
    known_notes = set(request.messages.values_list("pk", flat=True))
    new_notes = []
    for note in patch.get("note") or []:
        if note.get("id") is None:
            new_notes.append(note.get("text") or "")
        elif not _number(str(note["id"])) or int(note["id"]) not in known_notes:
            raise bad_request(_("Note “%(id)s” is not a note of this ticket; new notes have no id.")
                              % {"id": str(note["id"])[:40]})

    try:
        with transaction.atomic():
            request = Request.objects.select_for_update().get(pk=request.pk)
            ensure_can_act(actor, request)
            detail, _created = TicketDetail.objects.select_for_update().get_or_create(request=request)
            changed = []
            reason = patch.get("statusChangeReason") or ""
            for field, attr, value in (
                ("severity", "severity", (patch.get("severity") or "")[:60]),
                ("ticketType", "ticket_type", (patch.get("ticketType") or "")[:60]),
                ("externalId", "external_id", (patch.get("externalId") or "")[:100]),
                ("requestedResolutionDate", "requested_resolution_date", requested),
                ("statusChangeReason", "status_change_reason", reason[:500]),
                ("relatedParty", "related_party",
                 [p for p in (patch.get("relatedParty") or []) if not _derived(p)]),
                ("relatedEntity", "related_entity", patch.get("relatedEntity") or []),
            ):
                if (field in patch) and getattr(detail, attr) != value:
                    setattr(detail, attr, value)
                    changed.append(field)
            if changed:
                detail.save()
                desk.do_record_module_event(request, EventKind.MODULE_UPDATE, module="tmf621", actor=actor,
                                            now=now, fields=changed)
            for text in new_notes:
                desk.do_add_note(request, text, actor=actor, now=now)
            if priority is not None and priority != request.priority:
                desk.do_change_priority(request, priority, actor=actor, reason=reason, now=now)
            if patch.get("status") is not None:
                _change_status(request, detail, patch["status"], reason=reason, actor=actor, now=now)
    except ValidationError as exc:
        raise desk_errors(exc) from None
    except TransitionNotAllowed as exc:
        raise TmfError(409, "illegalTransition", exc.message) from None
    return request


def _change_status(request: Request, detail: TicketDetail, target: str, *, reason: str, actor, now) -> None:
    """Move the ticket along the TMF life cycle through the desk's own transitions (see mapping.TRANSITIONS)."""
    request.refresh_from_db()
    current = m.tmf_status(request, detail)
    if target == current:
        return
    if target not in m.TRANSITIONS[current]:
        raise TmfError(409, "illegalTransition",
                       _("A ticket that is “%(current)s” cannot become “%(target)s”.")
                       % {"current": current, "target": target},
                       _("Allowed from “%(current)s”: %(allowed)s.")
                       % {"current": current, "allowed": ", ".join(m.TRANSITIONS[current]) or "—"})
    steps = {
        m.IN_PROGRESS: [Desk.IN_PROGRESS] if current != m.RESOLVED else [Desk.REOPENED, Desk.IN_PROGRESS],
        m.RESOLVED: [Desk.RESOLVED], m.CLOSED: [Desk.CLOSED], m.REJECTED: [Desk.CLOSED],
        m.CANCELLED: [Desk.CLOSED], m.HELD: [], m.PENDING: [Desk.WAITING],
    }[target]
    if current == m.HELD and target == m.IN_PROGRESS:
        steps = []  # the desk was in progress all along
    if target == m.PENDING and request.first_responded_at is None:
        if not reason.strip():
            raise TransitionNotAllowed(_("To make a ticket “pending”, give the question to the customer in "
                                         "statusChangeReason: it is sent to them as a reply."))
        desk.do_reply(request, reason, actor=actor, wait_for_citizen=True, now=now)
        steps = []
    for step in steps:
        desk.do_transition(request, step, actor=actor, reason=reason, now=now)
        request.refresh_from_db()
    if target in m.DETAIL_OF or current in m.DETAIL_OF:
        detail.status_detail = target if target in m.DETAIL_OF else ""
        detail.status_detail_for = m.DETAIL_OF.get(target, "")
        detail.save(update_fields=["status_detail", "status_detail_for"])
        desk.do_record_module_event(request, EventKind.MODULE_UPDATE, module="tmf621", actor=actor, now=now,
                                    status=target, reason=reason)


# --------------------------------------------------------------------------- hub and notifications


def _query_types(query: str) -> set[str]:
    """The event types a listener asked for: "eventType=A,B" (TMF630 style); all when empty."""
    if not query.strip():
        return set(EVENT_TYPES)
    parsed = urllib.parse.parse_qs(query, keep_blank_values=True)
    unknown = sorted(set(parsed) - {"eventType"})
    if unknown:
        raise bad_request(_("A listener's query may only select eventType, e.g. “eventType=%(example)s”.")
                          % {"example": EVENT_TYPES[2]})
    wanted = {item.strip() for value in parsed["eventType"] for item in value.split(",") if item.strip()}
    by_lower = {name.lower(): name for name in EVENT_TYPES}
    if not wanted or any(name.lower() not in by_lower for name in wanted):
        raise bad_request(_("Unknown event type in the query; known: %(known)s.") % {"known": ", ".join(EVENT_TYPES)})
    return {by_lower[name.lower()] for name in wanted}


def do_register_listener(payload, *, token, now: dt.datetime | None = None) -> Subscription:
    now = now or timezone.now()
    check_schema("EventSubscriptionInput", payload)
    callback = payload["callback"].strip()
    parts = urllib.parse.urlsplit(callback)
    if parts.scheme not in settings.TMF621_CALLBACK_SCHEMES or not parts.hostname or len(callback) > 500:
        raise bad_request(_("The callback must be an absolute %(schemes)s URL of at most 500 characters.")
                          % {"schemes": "/".join(settings.TMF621_CALLBACK_SCHEMES)})
    query = (payload.get("query") or "")[:500]
    _query_types(query)
    if Subscription.objects.filter(token__organisation=token.organisation).count() >= settings.TMF621_MAX_LISTENERS:
        raise TmfError(409, "tooManyListeners", _("Your organisation has registered the most listeners allowed."))
    subscription = Subscription.objects.create(organisation=token.organisation, token=token, callback=callback,
                                               query=query, secret=secrets.token_hex(32), created_at=now)
    log.info("TMF621 listener %s registered by token %s of %s: %s", subscription.pk, token.prefix,
             token.organisation.slug, callback)
    return subscription


def do_unregister_listener(pk: str, *, token) -> None:
    deleted, _rows = Subscription.objects.filter(pk=int(pk) if _number(pk) and len(pk) < 18 else -1,
                                                 organisation=token.organisation).delete()
    if not deleted:
        raise TmfError(404, "notFound", _("No listener with this id."))
    log.info("TMF621 listener %s removed by token %s of %s", pk, token.prefix, token.organisation.slug)


AVC_FIELDS = {EventKind.PRIORITY: "priority", EventKind.ESCALATED: "priority", EventKind.NOTE: "note",
              EventKind.REPLIED: "note", EventKind.CITIZEN_MESSAGE: "note", EventKind.ATTACHMENT: "attachment",
              EventKind.TRANSFERRED: "relatedParty", EventKind.MERGED: "troubleTicketRelationship"}


def event_types(event: RequestEvent) -> list[tuple[str, str]]:
    """(event type, fieldPath) notifications a line of a request's history gives."""
    data = event.data or {}
    if event.kind == EventKind.CREATED:
        return [("TroubleTicketCreateEvent", "")]
    if event.kind == EventKind.STATUS:
        found = [("TroubleTicketStatusChangeEvent", "status")]
        if data.get("to") == Desk.RESOLVED:
            found.append(("TroubleTicketResolvedEvent", ""))
        if data.get("to") == Desk.WAITING:
            found.append(("TroubleTicketInformationRequiredEvent", ""))
        return found
    if event.kind == EventKind.MODULE_UPDATE and data.get("module") == "tmf621":
        if data.get("status"):
            return [("TroubleTicketStatusChangeEvent", "status")]
        return [("TroubleTicketAttributeValueChangeEvent", ",".join(data.get("fields") or []))]
    if event.kind in AVC_FIELDS:
        return [("TroubleTicketAttributeValueChangeEvent", AVC_FIELDS[event.kind])]
    return []


def notification(event_type: str, field_path: str, ticket: dict, event: RequestEvent, now) -> dict:
    body = {
        "eventId": str(uuid.uuid4()), "eventTime": m.iso(now), "eventType": event_type,
        "correlationId": str(event.pk), "domain": "troubleTicket", "timeOcurred": m.iso(event.at),
        "title": event_type, "event": {"troubleTicket": ticket},
    }
    if event_type == "TroubleTicketAttributeValueChangeEvent" and field_path:
        body["fieldPath"] = field_path
    return body


def publish_events(*, ticket_of, now: dt.datetime | None = None, batch: int = 500, max_batches: int = 40) -> list[int]:
    """Turn new lines of the requests' history into notifications for the owning organisation's listeners.
    `ticket_of(request)` renders the ticket (views.ticket_body). Returns the ids of the deliveries made; they are
    queued for posting when each batch's transaction commits. One batch per transaction; the cursor row's lock
    makes concurrent publishers (the API's task, the sweep) take turns."""
    now = now or timezone.now()
    made: list[int] = []
    for _round in range(max_batches):
        ids, more = _publish_batch(ticket_of, now, batch)
        made += ids
        if not more:
            break
    return made


def _listeners(now) -> dict[int, list[tuple[Subscription, set[str]]]]:
    found: dict[int, list[tuple[Subscription, set[str]]]] = {}
    for sub in Subscription.objects.filter(token__revoked_at__isnull=True).select_related("token"):
        if sub.token.is_usable(now):
            found.setdefault(sub.organisation_id, []).append((sub, _query_types(sub.query)))
    return found


def _publish_batch(ticket_of, now, batch: int) -> tuple[list[int], bool]:
    with transaction.atomic():
        cursor = Cursor.objects.select_for_update().filter(pk=1).first()
        if cursor is None:  # first run: notify from now on, not the whole past
            start = RequestEvent.objects.aggregate(top=Max("pk"))["top"] or 0
            Cursor.objects.bulk_create([Cursor(pk=1, last_event_id=start)], ignore_conflicts=True)
            cursor = Cursor.objects.select_for_update().get(pk=1)
        listeners = _listeners(now)
        if not listeners:  # nobody listens: nothing to write, skip to the end of the history
            top = RequestEvent.objects.aggregate(top=Max("pk"))["top"] or 0
            if top > cursor.last_event_id:
                cursor.last_event_id = top
                cursor.save(update_fields=["last_event_id"])
            return [], False
        events = list(RequestEvent.objects.filter(pk__gt=cursor.last_event_id).order_by("pk")[:batch])
        if not events:
            return [], False
        owners = dict(Request.objects.filter(pk__in={e.request_id for e in events}).values_list("pk",
                                                                                                "organisation_id"))
        tickets: dict[int, dict] = {}
        made = []
        for event in events:
            subs = listeners.get(owners.get(event.request_id))
            kinds = event_types(event) if subs else []
            for event_type, field_path in kinds:
                targets = [sub for sub, wanted in subs if event_type in wanted]
                if not targets:
                    continue
                if event.request_id not in tickets:
                    tickets[event.request_id] = ticket_of(Request.objects.get(pk=event.request_id))
                for sub in targets:
                    body = notification(event_type, field_path, tickets[event.request_id], event, now)
                    made.append(Delivery.objects.create(
                        subscription=sub, event_id=body["eventId"], event_type=event_type, created_at=now,
                        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")), next_attempt_at=now))
        cursor.last_event_id = events[-1].pk
        cursor.save(update_fields=["last_event_id"])
        ids = [d.pk for d in made]
        if ids:
            transaction.on_commit(lambda: _queue(ids))
    return ids, len(events) == batch


def _queue(ids: list[int]) -> None:
    from .tasks import deliver_notification

    for pk in ids:
        try:
            deliver_notification(pk)
        except Exception:  # the queue is down: the periodic sweep posts pending deliveries  # noqa: BLE001
            log.warning("could not queue TMF621 delivery %s", pk, exc_info=True)


def listener_url(callback: str, event_type: str) -> str:
    """The swagger's listener operations under the registered callback: POST
    {callback}/listener/troubleTicketCreateEvent, … (docs/standards.md, "Listeners"). The operation's path is
    added to the callback's path; a query string the listener registered stays a query string."""
    parts = urllib.parse.urlsplit(callback)
    path = f"{parts.path.rstrip('/')}/listener/{event_type[0].lower()}{event_type[1:]}"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def deliver_due(now: dt.datetime | None = None, batch: int = 100) -> int:
    """Try every delivery whose time has come (retries, and deliveries whose task was lost)."""
    now = now or timezone.now()
    due = (Delivery.objects.filter(next_attempt_at__lte=now).order_by("next_attempt_at", "id")
           .values_list("pk", flat=True)[:batch])
    return sum(1 for pk in list(due) if deliver_one(pk, now=now))


def deliver_one(pk: int, *, now: dt.datetime | None = None) -> bool:
    """One attempt at one notification, if it is due. The attempt is claimed first (next attempt moved on by
    the back-off and committed), as postal's webhooks do: two workers never post the same attempt, and a
    worker that dies leaves it to the sweep. True when the listener took it (2xx)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update().select_related("subscription")
                    .filter(pk=pk, next_attempt_at__lte=now).first())
        if delivery is None:
            return False
        delivery.attempts += 1
        delivery.next_attempt_at = now + webhooks.retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    url = listener_url(delivery.subscription.callback, delivery.event_type)
    body = delivery.body.encode()
    status, error = None, ""
    if (address := webhooks.private_address(url)) is not None:
        error = f"the callback's host resolves to a private address ({address}): not delivered"
    else:
        http = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - scheme checked
            "Content-Type": "application/json;charset=utf-8", "User-Agent": "Bawaba-TMF621/1.0",
            webhooks.SIGNATURE_HEADER: webhooks.sign(delivery.subscription.secret, int(now.timestamp()), body),
            "X-Bawaba-Delivery": delivery.event_id, "X-Bawaba-Attempt": str(delivery.attempts),
        })
        try:
            with webhooks._opener.open(http, timeout=settings.TMF621_TIMEOUT) as answer:
                answer.read(1024)
                status = answer.status
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    delivery.last_status_code, delivery.last_error = status, error[:300]
    ok = status is not None and 200 <= status < 300
    if ok:
        delivery.delivered_at, delivery.next_attempt_at = now, None
    elif delivery.attempts >= webhooks.MAX_ATTEMPTS:
        delivery.failed_at, delivery.next_attempt_at = now, None
        log.warning("TMF621 notification %s given up after %d attempts: %s", delivery.event_id,
                    delivery.attempts, error)
    delivery.save(update_fields=["last_status_code", "last_error", "delivered_at", "failed_at", "next_attempt_at"])
    return ok


def ensure_writable(actor, request: Request) -> None:
    try:
        ensure_can_act(actor, request)
    except PermissionDenied as exc:
        raise TmfError(403, "forbidden", str(exc)) from None
