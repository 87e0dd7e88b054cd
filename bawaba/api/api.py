"""The service desk REST API, /api/v1/ (django-ninja). Documentation: docs/api.md.

Each route: parse and check input, find the request among those the token's organisation may see
(404 otherwise, so references cannot be probed), call one servicedesk service, answer. Failures are
turned into the error body by bawaba.api.errors.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Status
from ninja.openapi.docs import Swagger

from bawaba.accounts.models import User
from bawaba.core import refdata
from bawaba.core.references import normalise_reference
from bawaba.geo.models import Commune, Region
from bawaba.orgs.models import Service
from bawaba.servicedesk import services as desk
from bawaba.servicedesk.models import OPEN_STATUSES, EventKind, Message, MessageKind, Request
from bawaba.servicedesk.models import Status as RequestStatus
from bawaba.servicedesk.permissions import ensure_can_act, visible_requests
from bawaba.servicedesk.selectors import history

from .auth import bearer_auth
from .errors import BawabaNinjaAPI, JsonParser, install
from .schemas import (
    AssignIn,
    CommentIn,
    ErrorOut,
    MessageOut,
    PriorityIn,
    RequestDetailOut,
    RequestFilters,
    RequestIn,
    RequestOut,
    RequestPage,
    ServiceFilters,
    ServicePage,
    TransferIn,
    TransitionIn,
)
from .services import body_hash, do_create_request_idempotent, replayed_request

DESCRIPTION = """Requests of the shared citizen service centre, for the integrations of each organisation.

Authenticate with `Authorization: Bearer <token>` (tokens are issued per organisation by its admins).
Errors always have the body `{"detail": "...", "errors": {"field": ["message"]}}`, in the language of
`Accept-Language` (fr, ar, en). Guide: docs/api.md."""

api = BawabaNinjaAPI(
    title="Bawaba service desk API",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=bearer_auth,
    parser=JsonParser(),
    docs=Swagger(settings={"persistAuthorization": False}),
)
install(api)

COMMON = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
WRITE = {**COMMON, 409: ErrorOut, 413: ErrorOut}


# --------------------------------------------------------------------------- helpers


def _visible(request, reference: str) -> Request:
    canonical = normalise_reference(reference)
    found = None
    if canonical is not None:
        found = (
            visible_requests(request.auth)
            .select_related("organisation", "service", "queue", "region", "commune", "assignee", "merged_into")
            .filter(reference=canonical)
            .first()
        )
    if found is None:
        raise Http404(reference)
    return found


def _writable(request, reference: str) -> Request:
    """The request, if the token's organisation owns it now (403 when it was transferred away)."""
    found = _visible(request, reference)
    ensure_can_act(request.auth, found)
    return found


def _request_out(req: Request, actor: User) -> dict:
    return {
        "reference": req.reference,
        "organisation": req.organisation.slug,
        "service": req.service.code,
        "service_name": req.service.name,
        "queue": req.queue.slug,
        "channel": req.channel,
        "category": req.category,
        "status": req.status,
        "status_label": str(RequestStatus(req.status).label),
        "priority": req.priority,
        "subject": req.subject,
        "text": req.text,
        "citizen_name": req.citizen_name,
        "citizen_phone": req.citizen_phone,
        "citizen_email": req.citizen_email,
        "region_code": req.region.code if req.region_id else None,
        "commune_id": req.commune_id,
        "commune_name": req.commune.name if req.commune_id else None,
        "language": req.language,
        "assignee": req.assignee.username if req.assignee_id else None,
        "merged_into": req.merged_into.reference if req.merged_into_id else None,
        "routing_method": req.routing_method,
        "routing_confidence": req.routing_confidence,
        "read_only": req.organisation_id != actor.organisation_id,
        "created_at": req.created_at,
        "updated_at": req.updated_at,
        "first_response_due_at": req.first_response_due_at,
        "resolution_due_at": req.resolution_due_at,
        "first_responded_at": req.first_responded_at,
        "resolved_at": req.resolved_at,
        "closed_at": req.closed_at,
        "sla_paused": req.sla_paused_at is not None,
    }


def _attachment_out(item) -> dict:
    return {"name": item.original_name, "content_type": item.content_type, "size": item.size,
            "sha256": item.sha256, "created_at": item.created_at}


def _message_out(message, attachments=None) -> dict:
    return {
        "id": message.pk,
        "kind": message.kind,
        "public": message.kind != MessageKind.INTERNAL_NOTE,
        "body": message.body,
        "author": message.author.username if message.author_id else None,
        "organisation": message.organisation.slug if message.organisation_id else None,
        "created_at": message.created_at,
        "attachments": [_attachment_out(a) for a in (attachments if attachments is not None
                                                    else message.attachments.all())],
    }


def _reload(req: Request, actor: User) -> dict:
    fresh = (
        Request.objects.select_related("organisation", "service", "queue", "region", "commune", "assignee",
                                       "merged_into")
        .get(pk=req.pk)
    )
    return _request_out(fresh, actor)


def _regions_by_code() -> dict[tuple[str, str], Region]:
    """Every region by (country, code), kept in memory (bawaba.core.refdata: read again at least every minute):
    a new request names its wilaya, and reading it was an eighth of creating one through the API."""
    return refdata.reference("regions-by-code", lambda: {
        (region.country, region.code): region for region in Region.objects.all()})


def _refuse_unknown_parameters(request, model) -> None:
    """A misspelt filter (`stauts=closed`) must not silently list everything."""
    unknown = sorted(set(request.GET) - set(model.model_fields))[:10]
    if unknown:
        raise ValidationError({name[:40]: [_("Unknown parameter.")] for name in unknown})


# --------------------------------------------------------------------------- requests


@api.post(
    "/requests",
    response={201: RequestOut, 200: RequestOut, **WRITE},
    operation_id="createRequest",
    summary="Create a request",
    tags=["requests"],
    description="201 when created; 200 when the same `Idempotency-Key` and body were already submitted "
                "(the request is returned as it is now, header `Idempotent-Replayed: true`). The same key "
                "with a different body: 422.",
)
def create_request(
    request,
    payload: RequestIn,
    response: HttpResponse,
    idempotency_key: str = Header(
        None, alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
        description="Any unique text (a UUID): a retry with the same key and body never creates a second "
                    "request.",
    ),
):
    token = request.api_token
    organisation = token.organisation
    data = payload.dict()
    fingerprint = body_hash(data)
    if idempotency_key:
        # A retry gets what the first submission created, even if a service it named was closed since.
        earlier = replayed_request(organisation, idempotency_key, fingerprint)
        if earlier is not None:
            response["Idempotent-Replayed"] = "true"
            return Status(200, _reload(earlier, request.auth))
    errors: dict[str, list[str]] = {}
    service = region = commune = None
    if data["service"]:
        service = Service.objects.filter(code=data["service"], organisation=organisation, is_active=True).first()
        if service is None:
            errors["service"] = [_("“%(code)s” is not an active service of your organisation.")
                                 % {"code": data["service"]}]
    if data["region_code"]:
        region = _regions_by_code().get((organisation.country, data["region_code"].strip()))
        if region is None:
            errors["region_code"] = [_("Unknown wilaya code “%(code)s”.") % {"code": data["region_code"]}]
    if data["commune_id"] is not None:
        commune = Commune.objects.filter(pk=data["commune_id"]).select_related("region").first()
        if commune is None:
            errors["commune_id"] = [_("Unknown commune.")]
    if errors:
        raise ValidationError(errors)

    created_request, created = do_create_request_idempotent(
        organisation,
        key=idempotency_key,
        fingerprint=fingerprint,
        channel=data["channel"],
        citizen_phone=data["citizen_phone"],
        citizen_name=data["citizen_name"],
        citizen_email=data["citizen_email"],
        subject=data["subject"],
        text=data["text"],
        category=data["category"],
        priority=data["priority"],
        service=service,
        region=region,
        commune=commune,
        language=data["language"],
        created_by=request.auth,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
        return Status(200, _reload(created_request, request.auth))
    # Just created: the object in hand is what was stored, with its service, organisation and places.
    return Status(201, _request_out(created_request, request.auth))


@api.get(
    "/requests",
    response={200: RequestPage, **COMMON},
    operation_id="listRequests",
    summary="List requests",
    tags=["requests"],
    description="Requests your organisation owns or transferred away (read only), newest first by default.",
)
def list_requests(request, filters: Query[RequestFilters]):
    _refuse_unknown_parameters(request, RequestFilters)
    f = filters
    qs = visible_requests(request.auth)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.open is not None:
        qs = qs.filter(status__in=OPEN_STATUSES) if f.open else qs.exclude(status__in=OPEN_STATUSES)
    if f.service:
        qs = qs.filter(service__code=f.service)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.assignee:
        qs = qs.filter(assignee__isnull=True) if f.assignee == "none" else qs.filter(assignee__username=f.assignee)
    if f.created_after:
        qs = qs.filter(created_at__gte=f.created_after)
    if f.created_before:
        qs = qs.filter(created_at__lt=f.created_before)
    if f.updated_after:
        qs = qs.filter(updated_at__gt=f.updated_after)
    if f.region_code:
        qs = qs.filter(region__code=f.region_code)
    if f.q and f.q.strip():
        term = f.q.strip()
        reference = normalise_reference(term)
        qs = qs.filter(Q(subject__icontains=term) | Q(reference__icontains=term)
                       | (Q(reference=reference) if reference else Q(pk__in=[])))
    count = qs.count()
    page = (
        qs.select_related("organisation", "service", "queue", "region", "commune", "assignee", "merged_into")
        .order_by(f.ordering, "-id" if f.ordering.startswith("-") else "id")[f.offset:f.offset + f.limit]
    )
    return {"count": count, "limit": f.limit, "offset": f.offset,
            "items": [_request_out(item, request.auth) for item in page]}


@api.get(
    "/requests/{reference}",
    response={200: RequestDetailOut, **COMMON},
    operation_id="getRequest",
    summary="Read a request",
    tags=["requests"],
    description="The request with all its messages (internal notes included), attachments' metadata and history.",
)
def get_request(request, reference: str = Path(..., max_length=20)):
    req = _visible(request, reference)
    attachments = list(req.attachments.all().order_by("created_at", "id"))
    by_message: dict[int | None, list] = {}
    for item in attachments:
        by_message.setdefault(item.message_id, []).append(item)
    messages = [
        _message_out(message, by_message.get(message.pk, []))
        for message in req.messages.select_related("author", "organisation").order_by("created_at", "id")
    ]
    events = [
        {
            "kind": event.kind,
            "label": str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind,
            "actor": event.actor.username if event.actor_id else None,
            "organisation": event.organisation.slug if event.organisation_id else None,
            "data": event.data or {},
            "at": event.at,
        }
        for event in history(req)
    ]
    return {**_request_out(req, request.auth), "messages": messages,
            "attachments": [_attachment_out(a) for a in attachments], "history": events}


@api.post(
    "/requests/{reference}/comments",
    response={201: MessageOut, **WRITE},
    operation_id="addComment",
    summary="Reply to the citizen or add an internal note",
    tags=["requests"],
)
def add_comment(request, payload: CommentIn, reference: str = Path(..., max_length=20)):
    req = _writable(request, reference)
    if payload.public:
        message = desk.do_reply(req, payload.body, actor=request.auth, wait_for_citizen=payload.wait_for_citizen)
    else:
        message = desk.do_add_note(req, payload.body, actor=request.auth)
    message = Message.objects.select_related("author", "organisation").get(pk=message.pk)
    return Status(201, _message_out(message))


@api.post(
    "/requests/{reference}/transitions",
    response={200: RequestOut, **WRITE},
    operation_id="changeStatus",
    summary="Change the status",
    tags=["requests"],
    description="Allowed changes: new/assigned → in_progress, waiting, resolved, closed; in_progress → waiting, "
                "resolved, closed; waiting → in_progress, resolved, closed; resolved → closed, reopened; "
                "closed → reopened; reopened → in_progress, waiting, resolved, closed. Others: 409.",
)
def change_status(request, payload: TransitionIn, reference: str = Path(..., max_length=20)):
    req = _writable(request, reference)
    desk.do_transition(req, payload.status, actor=request.auth, reason=payload.reason.strip())
    return _reload(req, request.auth)


@api.post(
    "/requests/{reference}/assign",
    response={200: RequestOut, **WRITE},
    operation_id="assignRequest",
    summary="Assign to a member of staff, or unassign",
    tags=["requests"],
)
def assign_request(request, payload: AssignIn, reference: str = Path(..., max_length=20)):
    req = _writable(request, reference)
    assignee = None
    if payload.assignee is not None:
        assignee = (
            User.objects.filter(username=payload.assignee, organisation_id=req.organisation_id, is_active=True,
                                api_token__isnull=True)
            .first()
        )
        if assignee is None:
            raise ValidationError({"assignee": _("No active member of staff of your organisation has this username.")})
    desk.do_assign(req, assignee, actor=request.auth)
    return _reload(req, request.auth)


@api.post(
    "/requests/{reference}/transfer",
    response={200: RequestOut, **WRITE},
    operation_id="transferRequest",
    summary="Transfer to another service",
    tags=["requests"],
    description="The receiving service may belong to another organisation: yours then keeps read-only "
                "access (`read_only: true`).",
)
def transfer_request(request, payload: TransferIn, reference: str = Path(..., max_length=20)):
    req = _writable(request, reference)
    target = Service.objects.filter(code=payload.service.strip()).select_related("organisation").first()
    if target is None:
        raise ValidationError({"service": _("Unknown service “%(code)s”.") % {"code": payload.service}})
    desk.do_transfer(req, target, actor=request.auth, reason=payload.reason)
    return _reload(req, request.auth)


@api.post(
    "/requests/{reference}/priority",
    response={200: RequestOut, **WRITE},
    operation_id="changePriority",
    summary="Change the priority",
    tags=["requests"],
)
def change_priority(request, payload: PriorityIn, reference: str = Path(..., max_length=20)):
    req = _writable(request, reference)
    desk.do_change_priority(req, payload.priority, actor=request.auth, reason=payload.reason.strip())
    return _reload(req, request.auth)


# --------------------------------------------------------------------------- services


@api.get(
    "/services",
    response={200: ServicePage, **COMMON},
    operation_id="listServices",
    summary="List active services",
    tags=["services"],
    description="Codes to use for `service` (create: your organisation's; transfer: any) and `category`.",
)
def list_services(request, filters: Query[ServiceFilters]):
    _refuse_unknown_parameters(request, ServiceFilters)
    qs = Service.objects.filter(is_active=True, organisation__is_active=True).select_related("organisation")
    if filters.mine:
        qs = qs.filter(organisation_id=request.auth.organisation_id)
    count = qs.count()
    items = [
        {"code": s.code, "name": s.name, "organisation": s.organisation.slug, "is_public": s.is_public,
         "is_orientation": s.is_orientation, "mine": s.organisation_id == request.auth.organisation_id}
        for s in qs.order_by("code")[filters.offset:filters.offset + filters.limit]
    ]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}
