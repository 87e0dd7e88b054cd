"""Every change to a request. Each do_* function validates, owns its transaction and writes the
audit event in it, so a change and its history are stored together or not at all."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Q
from django.db.transaction import TransactionManagementError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bawaba import live
from bawaba.accounts.models import DESK_SUPERVISOR, User
from bawaba.core import rows
from bawaba.core.phones import to_e164
from bawaba.core.references import new_reference
from bawaba.core.uploads import CheckedUpload, check_upload
from bawaba.geo.models import Commune, Region
from bawaba.notifications.services import notify_request_citizen
from bawaba.orgs.models import Priority, Service

from . import sla
from .models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Attachment,
    Channel,
    EventKind,
    Message,
    MessageKind,
    Notification,
    QueueVersion,
    Request,
    RequestAccess,
    RequestEvent,
    RoutingMethod,
    Status,
)
from .permissions import ensure_can_act

log = logging.getLogger(__name__)

SUBJECT_MAX = 200
TEXT_MAX = 5000
MAX_ATTACHMENTS = 5


class TransitionNotAllowed(Exception):
    """A status change the workflow forbids (API: 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _event(request: Request, kind: str, actor: User | None, now: dt.datetime, **data) -> RequestEvent:
    return _insert_events([RequestEvent(request=request, kind=kind, actor=actor,
                                        organisation_id=getattr(actor, "organisation_id", None), data=data, at=now)])[0]


@functools.cache
def _event_fields() -> tuple:
    """Every stored column of a history line but its id, from the model itself (a field added later is
    written too, with the default the model gave it)."""
    return tuple(field for field in RequestEvent._meta.concrete_fields if not field.primary_key)


def _insert_events(events: list[RequestEvent]) -> list[RequestEvent]:
    """Store history lines in one plain INSERT … RETURNING id, in the caller's transaction, the values prepared by
    the model's own fields (the JSON and time adapters of the database in use). Every change of a request writes
    one or two: the ORM's create() and bulk_create() cost 2-4 times more CPU than the statement itself (measured:
    0.44-0.74 ms for the two lines of a new request, 0.1-0.15 ms this way). No signal is sent for these rows
    (none is connected)."""
    fields = _event_fields()
    values = [field.get_db_prep_save(getattr(event, field.attname), connection) for event in events for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_events_sql(len(events)), values)
        ids = [row[0] for row in cursor.fetchall()]
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding = False
        event._state.db = connection.alias
    return events


@functools.cache
def _events_sql(count: int) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _event_fields())
    row = "(" + ", ".join(["%s"] * len(_event_fields())) + ")"
    return (f"INSERT INTO {quote(RequestEvent._meta.db_table)} ({columns}) VALUES {', '.join([row] * count)} "  # noqa: S608
            f"RETURNING {quote('id')}")


@functools.cache
def _request_fields() -> tuple:
    return tuple(field for field in Request._meta.concrete_fields if not field.primary_key)


def _insert_request(request: Request) -> None:
    """Store a new request in one plain INSERT … RETURNING id, the values prepared by the model's own fields (as
    `_insert_events`): Model.save() compiled the same statement from its 30 columns at every creation (≈ 1 ms
    of CPU, the largest share of a creation after routing). A reference collision raises IntegrityError as
    save() did. No signal is sent for the row (none is connected to Request)."""
    fields = _request_fields()
    values = [field.get_db_prep_save(field.pre_save(request, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_request_sql(), values)
        request.pk = cursor.fetchone()[0]
    request._state.adding = False
    request._state.db = connection.alias


@functools.cache
def _request_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _request_fields())
    return (f"INSERT INTO {quote(Request._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(_request_fields()))}) RETURNING {quote('id')}")


def _without_nul(value: str) -> str:
    """PostgreSQL cannot store a NUL character; gateways and mail do send them now and then. Dropped, so that
    the citizen's message is kept rather than refused (web forms already refuse them)."""
    return (value or "").replace("\x00", "")


def _clean_text(value: str, field: str, max_length: int) -> str:
    value = _without_nul(value).strip()
    if not value:
        raise ValidationError({field: _("This field cannot be empty.")})
    if len(value) > max_length:
        raise ValidationError(
            {field: _("This text is too long (%(length)d characters; at most %(max)d).")
             % {"length": len(value), "max": max_length}}
        )
    return value


def _check_attachments(files: Iterable[UploadedFile]) -> list[CheckedUpload]:
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(max)d files per message.") % {"max": MAX_ATTACHMENTS}})
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from exc
    return checked


def _store_attachments(request, message, checked, actor, now):
    for item in checked:
        attachment = Attachment(
            request=request,
            message=message,
            original_name=item.file.name[:200],
            content_type=item.content_type,
            extension=item.extension,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=actor,
            created_at=now,
        )
        attachment.file.save(item.file.name, item.file, save=False)
        attachment.save()
        _event(request, EventKind.ATTACHMENT, actor, now, name=attachment.original_name, sha256=item.sha256)


def bump_queue_versions(*queue_ids: int | None, reference: str = "") -> None:
    """Raise the version of each queue whose list may have changed (call inside the change's transaction,
    so that pollers see the new version no earlier than the change), and tell the screens that show those
    queues (bawaba.live: delivered at commit). Rows are locked in primary-key order; a queue's first change
    creates its row."""
    ids = sorted({queue_id for queue_id in queue_ids if queue_id})
    if not ids:
        return
    live.publish_many([f"queue:{pk}" for pk in ids], "queue", {"ref": reference} if reference else None)
    # Plain SQL: on every write of the desk (compiling the ORM's UPDATE cost more than running it).
    with connection.cursor() as cursor:
        cursor.execute(_bump_sql(len(ids)), ids)
        updated = cursor.rowcount
    if updated < len(ids):
        counters = QueueVersion.objects.filter(queue_id__in=ids)
        missing = set(ids) - set(counters.values_list("queue_id", flat=True))
        # Another transaction may create the same row at the same moment: ignore the conflict, then count.
        QueueVersion.objects.bulk_create([QueueVersion(queue_id=q, version=0) for q in sorted(missing)],
                                         ignore_conflicts=True)
        QueueVersion.objects.filter(queue_id__in=missing).update(version=F("version") + 1)


@functools.cache
def _bump_sql(count: int) -> str:
    table = connection.ops.quote_name(QueueVersion._meta.db_table)
    return f"UPDATE {table} SET version = version + 1 WHERE queue_id IN ({', '.join(['%s'] * count)})"  # noqa: S608


def _touch(request: Request, now: dt.datetime, fields: list[str], *, left_queue: int | None = None) -> None:
    """Save the changed fields and mark the request's queue (and the queue it just left) as changed."""
    request.updated_at = now
    request.save(update_fields=[*fields, "updated_at"])
    bump_queue_versions(request.queue_id, left_queue, reference=request.reference)


def _locked(request: Request, actor: User | None) -> Request:
    """The request's row, locked until the end of the transaction, with the actor's right to change it
    checked on that row rather than on the caller's copy, which may be stale (transferred away or closed
    since the view read it). Call inside transaction.atomic(); check the state on the returned row."""
    row = _locked_row(request.pk)
    if actor is not None:
        ensure_can_act(actor, row)
    return row


def _locked_row(pk: int) -> Request:
    """`Request.objects.select_for_update().get(pk=pk)` in plain SQL built once (bawaba.core.rows): every action
    of the desk locks its request, and building the ORM's query cost more CPU than running it."""
    if connection.features.has_select_for_update and connection.get_autocommit():  # as the ORM checks it
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(connection.vendor), [pk])
        values = cursor.fetchone()
    if values is None:
        raise Request.DoesNotExist("Request matching query does not exist.")
    return rows.instance(Request, values)


@functools.cache
def _lock_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (f"SELECT {rows.columns(Request, 'r')} FROM {quote(Request._meta.db_table)} r "  # noqa: S608 - ours
            f"WHERE r.{quote(Request._meta.pk.column)} = %s{lock}")


def do_create_request(
    *,
    channel: str,
    citizen_phone: str,
    subject: str,
    text: str,
    citizen_name: str = "",
    citizen_email: str = "",
    region: Region | None = None,
    commune: Commune | None = None,
    category: str = "",
    priority: str = Priority.NORMAL,
    service: Service | None = None,
    language: str = "",
    created_by: User | None = None,
    attachments: Iterable[UploadedFile] = (),
    now: dt.datetime | None = None,
    contact_required: bool = True,
) -> Request:
    """Validate everything first, then route, set the SLA and store the request with its history.

    `contact_required=False`: a request that may have no citizen to answer (a trouble ticket an operator's
    system opens about its network, an Open311 report from a civic app): a phone number is then optional."""
    now = now or timezone.now()
    errors = {}
    phone = ""
    # A request by e-mail may come with an address only; every other channel needs a phone number.
    if citizen_phone or (contact_required and not (channel == Channel.EMAIL and citizen_email)):
        try:
            phone = to_e164(citizen_phone, default_region=getattr(region, "country", None) or "DZ")
        except ValidationError as exc:
            errors["citizen_phone"] = exc.messages
    if citizen_email:
        try:
            validate_email(citizen_email.strip())
        except ValidationError:
            errors["citizen_email"] = [_("Enter a valid e-mail address.")]
    cleaned = {}
    for field, value, limit in (("subject", subject, SUBJECT_MAX), ("text", text, TEXT_MAX)):
        try:
            cleaned[field] = _clean_text(value, field, limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel “%(channel)s”.") % {"channel": channel}]
    if priority not in Priority.values:
        errors["priority"] = [_("Unknown priority “%(priority)s”.") % {"priority": priority}]
    if commune is not None and region is not None and commune.region_id != region.id:
        errors["commune"] = [_("This commune is not in the chosen wilaya.")]
    if category and not Service.objects.filter(code=category, is_active=True).exists():
        errors["category"] = [_("Unknown category “%(category)s”.") % {"category": category}]
    try:
        checked = _check_attachments(attachments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    subject, text = cleaned["subject"], cleaned["text"]
    if commune is not None and region is None:
        region = commune.region
    if service is not None:
        method, confidence, predicted = RoutingMethod.MANUAL, None, ""
    else:
        from bawaba.routing.services import route

        decision = route(subject=subject, text=text, channel=channel, category=category)
        service, method, confidence, predicted = (
            decision.service, decision.method, decision.confidence, decision.predicted_code
        )

    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = Request(
                    reference=new_reference(),
                    organisation=service.organisation,
                    service=service,
                    queue=service.queue,
                    channel=channel,
                    category=category,
                    citizen_name=_without_nul(citizen_name).strip()[:160],
                    citizen_phone=phone,
                    citizen_email=(citizen_email or "").strip(),
                    region=region,
                    commune=commune,
                    language=language[:8],
                    subject=subject,
                    text=text,
                    priority=priority,
                    created_by=created_by,
                    routing_method=method,
                    routing_confidence=confidence,
                    predicted_service_code=predicted,
                    created_at=now,
                    updated_at=now,
                )
                clock = sla.set_deadlines(request, now)
                _insert_request(request)
                bump_queue_versions(request.queue_id, reference=request.reference)
                actor_org = getattr(created_by, "organisation_id", None)
                _insert_events([  # one INSERT for both lines of the history, in this order
                    RequestEvent(request=request, kind=EventKind.CREATED, actor=created_by, at=now,
                                 organisation_id=actor_org, data={"channel": channel}),
                    RequestEvent(request=request, kind=EventKind.ROUTED, actor=created_by, at=now,
                                 organisation_id=actor_org, data={"service": service.code, "method": method,
                                                                  "confidence": confidence, "predicted": predicted}),
                ])
                sla.record_problem(request, clock, created_by, now)
                _store_attachments(request, None, checked, created_by, now)
            return request
        except IntegrityError:
            # A reference collision (about 1 in 10^10): draw again.
            log.warning("reference collision, retrying")
    raise RuntimeError("could not allocate a unique reference")


def do_assign(request: Request, assignee: User | None, *, actor: User, now: dt.datetime | None = None) -> Request:
    """Assign to a member of staff, or to nobody (None). Agents may only take a request themselves or
    give up their own; unassigning an "assigned" request puts it back to "new"."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request, actor)
        if not request.is_open:
            raise TransitionNotAllowed(_("A resolved or closed request cannot be assigned; reopen it first."))
        if assignee is not None:
            if (assignee.organisation_id != request.organisation_id or not assignee.is_active
                    or User.objects.filter(pk=assignee.pk, api_token__isnull=False).exists()):  # integrations
                raise ValidationError(
                    {"assignee": _("The assignee must be active staff of the owning organisation.")})
            if not assignee.is_desk_staff:  # a fibre inspector of the same operator, say
                raise ValidationError(
                    {"assignee": _("The assignee must be an agent or a supervisor of the service desk.")})
            if not actor.is_supervisor and assignee.pk != actor.pk:
                raise PermissionDenied(_("Agents can only assign requests to themselves."))
        elif not actor.is_supervisor and request.assignee_id not in (None, actor.pk):
            raise PermissionDenied(_("Agents can only unassign themselves, not a colleague."))
        previous = request.assignee
        request.assignee = assignee
        fields = ["assignee"]
        if assignee and request.status in (Status.NEW, Status.REOPENED):
            request.status = Status.ASSIGNED
            fields.append("status")
        elif assignee is None and request.status == Status.ASSIGNED:
            request.status = Status.NEW
            fields.append("status")
        _touch(request, now, fields)
        if assignee is not None and request.queue_id:
            # The assignee's list now draws on this queue too (if it was not one of theirs): their screens
            # subscribe to it.
            live.publish(f"user:{assignee.pk}", "scope")
        _event(
            request, EventKind.ASSIGNED, actor, now,
            **{"from": previous.username if previous else None, "to": assignee.username if assignee else None},
        )
    return request


def _check_transition(request: Request, to_status: str) -> None:
    if (to_status == Status.WAITING and request.first_responded_at is None
            and to_status in TRANSITIONS.get(request.status, ())):
        raise TransitionNotAllowed(
            _("Waiting for the citizen pauses the SLA, so the citizen must be asked first: "
              "send a public reply with “wait for the citizen” ticked.")
        )
    if to_status not in request.allowed_statuses():
        raise TransitionNotAllowed(
            _("A request that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Status(request.status).label, "target": Status(to_status).label}
        )


def _apply_transition(request: Request, to_status: str, *, actor: User | None, reason: str,
                      now: dt.datetime) -> None:
    """Check and make a status change on a locked row, with its SLA effects and its history; saves."""
    _check_transition(request, to_status)
    current = request.status
    fields = ["status"]
    clock = None
    extra = {}
    if current == Status.WAITING:
        clock = sla.clock_for(request.organisation)
        waited = sla.resume(request, now, clock)
        _event(request, EventKind.SLA_RESUMED, actor, now, business_minutes_waited=round(waited, 1))
        fields += ["sla_paused_at", "first_response_due_at", "resolution_due_at"]
    if to_status == Status.WAITING:
        sla.pause(request, now)
        _event(request, EventKind.SLA_PAUSED, actor, now)
        fields.append("sla_paused_at")
    if to_status == Status.RESOLVED:
        request.resolved_at = now
        fields.append("resolved_at")
    if to_status == Status.CLOSED:
        request.closed_at = now
        fields.append("closed_at")
    request.status = to_status
    if to_status == Status.REOPENED:
        request.resolved_at = request.closed_at = None
        fields += ["resolved_at", "closed_at"]
        if request.merged_into_id:
            # Reopening a merged duplicate undoes the merge: it is a request of its own again.
            extra["unmerged_from"] = Request.objects.values_list("reference", flat=True).get(
                pk=request.merged_into_id)
            request.merged_into = None
            fields.append("merged_into")
        # A reopened request gets fresh targets from now, and is escalated again if it misses them.
        clock = sla.restart(request, now)
        fields += list(sla.RESTART_FIELDS)
    _touch(request, now, sorted(set(fields)))
    _event(request, EventKind.STATUS, actor, now, **{"from": current, "to": to_status, "reason": reason}, **extra)
    sla.record_problem(request, clock, actor, now)


def do_transition(
    request: Request, to_status: str, *, actor: User, reason: str = "", now: dt.datetime | None = None
) -> Request:
    now = now or timezone.now()
    if to_status not in Status.values:
        raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": to_status}})
    with transaction.atomic():
        request = _locked(request, actor)
        _apply_transition(request, to_status, actor=actor, reason=reason, now=now)
        if to_status in (Status.WAITING, Status.RESOLVED, Status.CLOSED):  # the citizen is told (SMS, e-mail)
            notify_request_citizen(request, to_status, event=f"status:{to_status}:{now.isoformat()}", now=now)
    return request


def do_change_priority(request: Request, priority: str, *, actor: User | None, reason: str = "",
                       now: dt.datetime | None = None) -> Request:
    """A change of priority by hand. The deadlines follow the new priority's targets, less the business
    time already spent (the sweep's own raise after a breach keeps the deadlines: it does not call this)."""
    now = now or timezone.now()
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority “%(priority)s”.") % {"priority": priority}})
    with transaction.atomic():
        request = _locked(request, actor)
        if request.status == Status.CLOSED:
            raise TransitionNotAllowed(_("The priority of a closed request cannot change; reopen it first."))
        previous = request.priority
        if previous == priority:
            return request
        request.priority = priority
        fields = ["priority"]
        clock = None
        if request.is_open:
            clock = sla.retarget(request, now)
            fields += ["first_response_due_at", "resolution_due_at", "first_response_escalated_at",
                       "resolution_escalated_at"]
        _touch(request, now, fields)
        _event(request, EventKind.PRIORITY, actor, now, **{"from": previous, "to": priority, "reason": reason})
        sla.record_problem(request, clock, actor, now)
    return request


def _add_message(request, kind, body, actor, attachments, now) -> Message:
    body = _clean_text(body, "body", TEXT_MAX)
    checked = _check_attachments(attachments)
    message = Message.objects.create(
        request=request, kind=kind, author=actor, organisation_id=getattr(actor, "organisation_id", None),
        body=body, created_at=now,
    )
    _store_attachments(request, message, checked, actor, now)
    return message


def do_reply(request: Request, body: str, *, actor: User, attachments: Iterable[UploadedFile] = (),
             wait_for_citizen: bool = False, now: dt.datetime | None = None) -> Message:
    """A public reply the citizen sees. The first one meets the first-response target. With
    `wait_for_citizen`, the reply and the pause are one change: both are stored, or neither."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request, actor)
        if request.status == Status.CLOSED:
            raise TransitionNotAllowed(_("A closed request cannot be answered; reopen it first."))
        after_reply = Status.IN_PROGRESS if request.status in (Status.NEW, Status.ASSIGNED, Status.REOPENED) \
            else request.status
        if wait_for_citizen and after_reply != Status.WAITING and Status.WAITING not in TRANSITIONS[after_reply]:
            raise TransitionNotAllowed(
                _("A request that is “%(current)s” cannot become “%(target)s”.")
                % {"current": Status(request.status).label, "target": Status.WAITING.label}
            )
        message = _add_message(request, MessageKind.PUBLIC_REPLY, body, actor, attachments, now)
        fields = []
        if request.first_responded_at is None:
            request.first_responded_at = now
            fields.append("first_responded_at")
        if request.status != after_reply:
            request.status = after_reply
            fields.append("status")
        _touch(request, now, fields)
        _event(request, EventKind.REPLIED, actor, now, message=message.pk)
        if wait_for_citizen and request.status != Status.WAITING:
            _apply_transition(request, Status.WAITING, actor=actor, reason="", now=now)
        notify_request_citizen(request, "waiting" if wait_for_citizen else "reply", event=f"message:{message.pk}",
                               text=message.body, now=now)
    return message


def do_add_note(request: Request, body: str, *, actor: User | None, attachments: Iterable[UploadedFile] = (),
                now: dt.datetime | None = None) -> Message:
    """An internal note: staff only, never shown to the citizen. `actor=None`: written by the platform
    itself, e.g. the e-mail channel listing the attachments it could not keep."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request, actor)
        message = _add_message(request, MessageKind.INTERNAL_NOTE, body, actor, attachments, now)
        _touch(request, now, [])
        _event(request, EventKind.NOTE, actor, now, message=message.pk)
    return message


def do_citizen_message(request: Request, body: str, *, attachments: Iterable[UploadedFile] = (),
                       now: dt.datetime | None = None) -> Message:
    """The citizen adds information: a waiting request resumes, a resolved one reopens."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request, None)
        if request.status == Status.CLOSED:
            raise TransitionNotAllowed(_("This request is closed. Please submit a new request."))
        message = _add_message(request, MessageKind.CITIZEN, body, None, attachments, now)
        fields = []
        clock = None
        if request.status == Status.WAITING:
            clock = sla.clock_for(request.organisation)
            waited = sla.resume(request, now, clock)
            _event(request, EventKind.SLA_RESUMED, None, now, business_minutes_waited=round(waited, 1))
            request.status = Status.IN_PROGRESS
            fields += ["status", "sla_paused_at", "first_response_due_at", "resolution_due_at"]
            _event(request, EventKind.STATUS, None, now, **{"from": Status.WAITING, "to": Status.IN_PROGRESS})
        elif request.status == Status.RESOLVED:
            request.status = Status.REOPENED
            request.resolved_at = None
            clock = sla.restart(request, now)
            fields += ["status", "resolved_at", *sla.RESTART_FIELDS]
            _event(request, EventKind.STATUS, None, now, **{"from": Status.RESOLVED, "to": Status.REOPENED})
        _touch(request, now, fields)
        _event(request, EventKind.CITIZEN_MESSAGE, None, now, message=message.pk)
        sla.record_problem(request, clock, None, now)
    return message


def do_transfer(request: Request, to_service: Service, *, actor: User, reason: str,
                now: dt.datetime | None = None) -> Request:
    """Send a request to another service, possibly of another organisation. The receiving side sees
    the whole history; the sending organisation keeps read access. Deadlines restart under the
    receiving organisation's calendar and targets."""
    now = now or timezone.now()
    reason = _clean_text(reason, "reason", 1000)
    if not to_service.is_active:
        raise ValidationError({"service": _("This service is not active.")})
    with transaction.atomic():
        request = _locked(request, actor)
        if not request.is_open:
            raise TransitionNotAllowed(_("Only an open request can be transferred."))
        if to_service.pk == request.service_id:
            raise ValidationError({"service": _("The request is already with this service.")})
        from_service = request.service
        from_queue_id = request.queue_id
        from_org_id = request.organisation_id
        crosses = to_service.organisation_id != from_org_id
        request.service = to_service
        request.queue_id = to_service.queue_id
        request.organisation_id = to_service.organisation_id
        fields = ["service", "queue", "organisation"]
        clock = None
        if crosses:
            # granted_at moves on each transfer away: the sender's queue fingerprint reads it.
            RequestAccess.objects.update_or_create(request=request, organisation_id=from_org_id,
                                                   defaults={"granted_at": now})
            RequestAccess.objects.filter(request=request, organisation_id=to_service.organisation_id).delete()
            request.assignee = None
            request.status = Status.NEW if request.status != Status.WAITING else Status.WAITING
            request.organisation = to_service.organisation
            clock = sla.restart(request, now)
            fields += ["assignee", "status", *sla.RESTART_FIELDS]
        _touch(request, now, fields, left_queue=from_queue_id)
        _event(
            request, EventKind.TRANSFERRED, actor, now,
            **{"from": from_service.code, "to": to_service.code, "reason": reason, "across_organisations": crosses},
        )
        sla.record_problem(request, clock, actor, now)
        if request.routing_method != RoutingMethod.MANUAL:
            from bawaba.routing.services import record_correction

            record_correction(request, from_service, to_service, actor=actor)
    return request


def do_merge(duplicate: Request, into: Request, *, actor: User, now: dt.datetime | None = None) -> Request:
    """Close a duplicate into the surviving request; its messages stay readable from both."""
    now = now or timezone.now()
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("A request cannot be merged into itself.")})
    with transaction.atomic():
        # Both rows locked, always in primary-key order: two merges of the same pair in opposite
        # directions then run one after the other (no deadlock), and the second sees the first.
        rows = {row.pk: row for row in
                Request.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk]).order_by("pk")}
        if len(rows) != 2:
            raise Request.DoesNotExist("request to merge not found")
        duplicate, into = rows[duplicate.pk], rows[into.pk]
        ensure_can_act(actor, duplicate)
        ensure_can_act(actor, into)
        if into.merged_into_id or not into.is_open:
            raise TransitionNotAllowed(_("The surviving request must be open and not merged itself."))
        if duplicate.merged_into_id:
            raise TransitionNotAllowed(_("This request is already merged."))
        previous = duplicate.status
        fields = ["merged_into", "status", "closed_at"]
        if duplicate.sla_paused_at is not None:
            clock = sla.clock_for(duplicate.organisation)
            waited = sla.resume(duplicate, now, clock)
            _event(duplicate, EventKind.SLA_RESUMED, actor, now, business_minutes_waited=round(waited, 1))
            sla.record_problem(duplicate, clock, actor, now)
            fields += ["sla_paused_at", "first_response_due_at", "resolution_due_at"]
        duplicate.merged_into = into
        duplicate.status = Status.CLOSED
        duplicate.closed_at = now
        _touch(duplicate, now, fields)
        _event(duplicate, EventKind.MERGED, actor, now, into=into.reference, **{"from": previous})
        _event(into, EventKind.MERGED, actor, now, absorbed=duplicate.reference)
        _touch(into, now, [])
    return into


def supervisors_of(organisation_id: int):
    return User.objects.filter(  # people: an integration's account (API token) reads no notices
        organisation_id=organisation_id, grants__role=DESK_SUPERVISOR, is_active=True,
        api_token__isnull=True,
    ).distinct()


def _running_requests():
    """Open requests whose SLA clock runs (not paused, not waiting for the citizen): those a sweep escalates."""
    return Request.objects.filter(status__in=OPEN_STATUSES, sla_paused_at__isnull=True).exclude(
        status=Status.WAITING
    )


def next_breach_at() -> dt.datetime | None:
    """The earliest deadline that escalate_breaches would act on once passed (None: none pending). Until that
    moment, and as long as no request changes, a sweep finds nothing to do."""
    earliest = _running_requests().aggregate(
        first_response=Min("first_response_due_at", filter=Q(first_responded_at__isnull=True,
                                                             first_response_escalated_at__isnull=True)),
        resolution=Min("resolution_due_at", filter=Q(resolution_escalated_at__isnull=True)))
    return min((moment for moment in earliest.values() if moment is not None), default=None)


def escalate_breaches(now: dt.datetime | None = None, batch: int = 500) -> int:
    """The periodic sweep: every open, running request past a deadline is escalated once per deadline:
    its priority is raised and the organisation's supervisors are notified (in app and by e-mail)."""
    now = now or timezone.now()
    due = _running_requests().filter(
        Q(first_responded_at__isnull=True, first_response_due_at__lt=now, first_response_escalated_at__isnull=True)
        | Q(resolution_due_at__lt=now, resolution_escalated_at__isnull=True)
    ).order_by("resolution_due_at")[:batch]
    count = 0
    for request_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            request = Request.objects.select_for_update().get(pk=request_id)
            kinds = []
            if (request.first_responded_at is None and request.first_response_due_at
                    and request.first_response_due_at < now and request.first_response_escalated_at is None):
                request.first_response_escalated_at = now
                kinds.append("first_response")
            if (request.resolution_due_at and request.resolution_due_at < now
                    and request.resolution_escalated_at is None):
                request.resolution_escalated_at = now
                kinds.append("resolution")
            if not kinds:
                continue
            previous = request.priority
            request.priority = Priority.raised(previous)
            _touch(request, now, ["priority", "first_response_escalated_at", "resolution_escalated_at"])
            _event(request, EventKind.ESCALATED, None, now, deadlines=kinds, **{"from": previous,
                                                                               "to": request.priority})
            recipients = list(supervisors_of(request.organisation_id))
            # Each supervisor reads the notice in the language of their interface (the sweep has no request
            # language of its own).
            by_language: dict[str, list[User]] = {}
            for user in recipients:
                by_language.setdefault(user.preferred_language or settings.LANGUAGE_CODE, []).append(user)
            for language, users in by_language.items():
                with translation.override(language):
                    text = _escalation_text(request, kinds)
                    subject = _("SLA breach: %(reference)s") % {"reference": request.reference}
                Notification.objects.bulk_create(
                    [Notification(recipient=user, request=request, text=text[:300], created_at=now) for user in users])
                live.publish_many([f"user:{user.pk}" for user in users], "notifications")
                emails = [user.email for user in users if user.email]
                if emails:
                    transaction.on_commit(
                        lambda subject=subject, text=text, emails=emails, ref=request.reference:
                        _mail(ref, subject, text, emails))
            count += 1
    return count


def _escalation_text(request: Request, kinds: list[str]) -> str:
    return _("Request %(reference)s missed its %(deadline)s target; priority raised to %(priority)s.") % {
        "reference": request.reference,
        "deadline": ", ".join(_("first response") if k == "first_response" else _("resolution") for k in kinds),
        "priority": Priority(request.priority).label,
    }


def _mail(reference: str, subject: str, text: str, recipients: list[str]) -> None:
    try:
        send_mail(subject, text, None, recipients)
    except OSError:
        # The in-app notification is already stored; a mail server outage must not undo the escalation.
        log.exception("could not e-mail the SLA escalation of %s", reference)


@transaction.atomic
def do_mark_notifications_read(user: User, ids: list[int] | None = None, *, now: dt.datetime | None = None) -> int:
    """Mark the user's unread notifications (all, or those in `ids`) as read; returns how many.
    No audit event: it changes nothing about a request, only what the recipient has seen."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    count = qs.update(read_at=now or timezone.now())
    if count:
        live.publish(f"user:{user.pk}", "notifications")  # the count in the user's other open tabs
    return count


MODULE_EVENT_KINDS = (EventKind.LINKED, EventKind.MODULE_UPDATE)


def do_record_module_event(request: Request, kind: str, *, module: str, actor: User | None,
                           now: dt.datetime | None = None, **data) -> RequestEvent:
    """Another module writes a line in the request's history (e.g. postal: an item attached to a complaint,
    a failed delivery of that item). `actor=None`: the platform itself, allowed on any request; a person
    must be allowed to act on the request. Call inside the module's own transaction to store its change and
    the line together; the request's page and queue are refreshed like after any change."""
    if kind not in MODULE_EVENT_KINDS:
        raise ValueError(f"not a module event kind: {kind}")
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request, actor)
        _touch(request, now, [])
        return _event(request, kind, actor, now, module=module, **data)
