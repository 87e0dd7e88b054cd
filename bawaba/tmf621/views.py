"""/tmf-api/troubleTicket/v4/: TMF621 Trouble Ticket API v4 (spec/, docs/standards.md).

Plain views, so that every answer — errors included — has exactly the published shape: the TroubleTicket
resource, and the TMF Error body {code, reason, message, status, @type}. Authentication: the platform's API
tokens (bawaba.api.auth), so a token sees and changes only its organisation's tickets (404 otherwise, so
references cannot be probed).
"""

from __future__ import annotations

import json
import logging
import re

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError, Throttled

from bawaba.api.auth import bearer_auth
from bawaba.core.references import normalise_reference
from bawaba.servicedesk.models import Attachment, EventKind, Message, Request, RequestEvent
from bawaba.servicedesk.permissions import visible_requests

from . import mapping as m
from . import services
from .models import TicketDetail
from .schema import spec
from .services import TmfError

log = logging.getLogger(__name__)

BASE_PATH = "/tmf-api/troubleTicket/v4"
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
TICKET_FIELDS = set(spec()["definitions"]["TroubleTicket"]["properties"])
# List filters (TMF630 attribute filtering): attribute=value, dates with .gt/.gte/.lt/.lte.
EQUAL_FILTERS = {"status", "severity", "ticketType", "priority", "externalId", "id", "name", "channel.id"}
DATE_FILTERS = {"creationDate": "created_at", "lastUpdate": "updated_at"}
DATE_OPERATORS = {"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}
JSON_TYPES = ("application/json", "application/merge-patch+json")


CONTENT_TYPE = "application/json;charset=utf-8"  # the document's "produces"


def answer(body, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, content_type=CONTENT_TYPE)


def error(status: int, code: str, reason: str, message: str = "") -> JsonResponse:
    body = {"code": code, "reason": str(reason), "status": str(status), "@type": "Error"}
    if message:
        body["message"] = str(message)
    return answer(body, status=status)


def _authenticate(request):
    """(integration user, token) of the bearer token, or a TmfError (401, 403, 429)."""
    try:
        user = bearer_auth(request)
    except Throttled as exc:
        raise TmfError(429, "tooManyRequests", str(exc)) from None
    except AuthenticationError as exc:
        raise TmfError(401, "unauthorized", str(exc) or _("Authentication required.")) from None
    except PermissionDenied as exc:
        raise TmfError(403, "forbidden", str(exc)) from None
    if user is None:
        raise TmfError(401, "unauthorized", _("Send an API token: Authorization: Bearer <token>."))
    return user, request.api_token


def _body(request):
    kind = (request.content_type or "").lower()
    if kind not in JSON_TYPES:
        raise TmfError(400, "invalidBody", _("Send JSON (Content-Type: application/json or "
                                             "application/merge-patch+json)."))
    try:
        return json.loads(request.body or b"null")
    except RequestDataTooBig:
        raise TmfError(400, "invalidBody", _("The body is too large.")) from None
    except ValueError:
        raise TmfError(400, "invalidBody", _("The body is not valid JSON.")) from None


def api_view(*methods):
    """Authenticate, run, and turn every refusal into TMF's Error body."""

    def wrap(view):
        @csrf_exempt
        def handler(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise TmfError(405, "methodNotAllowed", _("Method %(method)s is not allowed here.")
                                   % {"method": request.method[:10]})
                user, token = _authenticate(request)
                return view(request, user, token, *args, **kwargs)
            except TmfError as exc:
                response = error(exc.status, exc.code, exc.reason, exc.message)
                if exc.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return handler

    return wrap


def href(request, reference: str) -> str:
    return request.build_absolute_uri(f"{BASE_PATH}/troubleTicket/{reference}")


def _tickets():
    return Request.objects.select_related("organisation", "service", "merged_into", "tmf621").prefetch_related(
        Prefetch("messages", queryset=Message.objects.select_related("author").order_by("created_at", "id")),
        Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id")),
        Prefetch("events", queryset=RequestEvent.objects.filter(
            kind__in=(EventKind.STATUS, EventKind.MODULE_UPDATE)).order_by("at", "id")),
    )


def ticket_body(req: Request) -> dict:
    """The ticket as notifications carry it (no HTTP request at hand: links use PUBLIC_BASE_URL)."""
    from django.conf import settings

    req = _tickets().get(pk=req.pk)
    return m.ticket(req, detail=_detail_of(req), messages=req.messages.all(), events=req.events.all(),
                    attachments=req.attachments.all(),
                    href=f"{settings.PUBLIC_BASE_URL.rstrip('/')}{BASE_PATH}/troubleTicket/{req.reference}")


def _detail_of(req: Request):
    try:
        return req.tmf621
    except TicketDetail.DoesNotExist:
        return None


def _render(req: Request, request) -> dict:
    return m.ticket(req, detail=_detail_of(req), messages=req.messages.all(), events=req.events.all(),
                    attachments=req.attachments.all(), href=href(request, req.reference))


def _fields(request) -> list[str] | None:
    raw = request.GET.get("fields")
    if raw is None:
        return None
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = sorted(set(names) - TICKET_FIELDS)
    if unknown:
        raise TmfError(400, "invalidQuery", _("Unknown attribute(s) in fields: %(names)s.")
                       % {"names": ", ".join(n[:40] for n in unknown[:5])})
    return names


def _int(request, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise TmfError(400, "invalidQuery", _("“%(name)s” must be a whole number of 0 or more.") % {"name": name})
    return min(int(raw), maximum)


def _visible_ticket(user, ticket_id: str) -> Request:
    reference = normalise_reference(ticket_id)
    found = visible_requests(user, _tickets()).filter(reference=reference).first() if reference else None
    if found is None:
        raise TmfError(404, "notFound", _("No trouble ticket with id “%(id)s”.") % {"id": ticket_id[:40]})
    return found


def _filtered(request, qs):
    for name, value in request.GET.items():
        if name in ("fields", "offset", "limit"):
            continue
        attribute, _dot, operator = name.partition(".")
        if name in EQUAL_FILTERS:
            values = [v for v in value.split(",") if v]
            if name == "status":
                unknown = [v for v in values if v not in m.STATUSES]
                if unknown:
                    raise TmfError(400, "invalidQuery", _("Unknown status “%(value)s”.") % {"value": unknown[0][:40]})
                qs = _status_filter(qs, values)
            elif name == "priority":
                qs = qs.filter(priority__in=[m.priority_in(v) for v in values])
            elif name == "id":
                qs = qs.filter(reference__in=[normalise_reference(v) for v in values])
            elif name == "name":
                qs = qs.filter(subject__in=values)
            elif name == "channel.id":
                qs = qs.filter(channel__in=values)
            else:
                column = {"severity": "tmf621__severity", "ticketType": "tmf621__ticket_type",
                          "externalId": "tmf621__external_id"}[name]
                qs = qs.filter(**{f"{column}__in": values})
        elif attribute in DATE_FILTERS and operator in DATE_OPERATORS:
            try:
                moment = parse_datetime(value)
            except ValueError:  # well formed but impossible: 30 February
                moment = None
            if moment is None or moment.tzinfo is None:
                raise TmfError(400, "invalidQuery", _("“%(name)s” must be a date and time with its offset.")
                               % {"name": name[:40]})
            qs = qs.filter(**{f"{DATE_FILTERS[attribute]}__{operator}": moment})
        else:
            raise TmfError(400, "invalidQuery", _("Unknown filter “%(name)s”.") % {"name": name[:40]})
    return qs


def _status_filter(qs, values):
    from django.db.models import Q

    condition = Q(pk__in=[])
    for status in values:
        desk = m.TO_DESK[status]
        if status in m.DETAIL_OF:
            condition |= Q(status__in=desk, tmf621__status_detail=status, tmf621__status_detail_for=desk[0])
        else:
            plain = Q(status__in=desk) & ~Q(tmf621__status_detail__in=[s for s, d in m.DETAIL_OF.items()
                                                                     if d in desk],
                                             tmf621__status_detail_for__in=desk)
            condition |= plain
    return qs.filter(condition)


def _publish_soon():
    from .tasks import publish_now

    try:
        publish_now()
    except Exception:  # the queue is down: the minute's sweep publishes  # noqa: BLE001
        log.warning("could not queue the TMF621 publication", exc_info=True)


@api_view("GET", "POST")
def trouble_tickets(request, user, token):
    if request.method == "POST":
        payload = _body(request)
        created = services.do_create_ticket(payload, actor=user, organisation=token.organisation)
        _publish_soon()
        req = _tickets().get(pk=created.pk)
        response = answer(_render(req, request), status=201)
        response["Location"] = href(request, req.reference)
        return response
    fields = _fields(request)
    offset = _int(request, "offset", 0, 10**8)
    limit = _int(request, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    qs = _filtered(request, visible_requests(user, _tickets()))
    total = qs.count()
    page = list(qs.order_by("-created_at", "-id")[offset:offset + limit])
    items = [_render(req, request) for req in page]
    if fields is not None:
        items = [m.only_fields(item, fields) for item in items]
    response = answer(items)
    response["X-Total-Count"] = str(total)
    response["X-Result-Count"] = str(len(items))
    return response


@api_view("GET", "PATCH", "DELETE")
def trouble_ticket(request, user, token, ticket_id: str):
    req = _visible_ticket(user, ticket_id)
    if request.method == "DELETE":
        raise TmfError(405, "methodNotAllowed", _("Trouble tickets are never deleted: set their status to "
                                                  "“cancelled” or “closed”."))
    if request.method == "PATCH":
        services.ensure_writable(user, req)
        payload = _body(request)
        services.do_update_ticket(req, payload, actor=user)
        _publish_soon()
        req = _tickets().get(pk=req.pk)
        return answer(_render(req, request))
    body = _render(req, request)
    fields = _fields(request)
    return answer(m.only_fields(body, fields) if fields is not None else body)


@api_view("POST")
def hub(request, user, token):
    subscription = services.do_register_listener(_body(request), token=token)
    body = {"id": str(subscription.pk), "callback": subscription.callback}
    if subscription.query:
        body["query"] = subscription.query
    response = answer(body, status=201)
    response["Location"] = request.build_absolute_uri(f"{BASE_PATH}/hub/{subscription.pk}")
    # The key of the notifications' signature, given once (docs/standards.md).
    response["X-Bawaba-Webhook-Secret"] = subscription.secret
    return response


@api_view("DELETE")
def hub_item(request, user, token, subscription_id: str):
    services.do_unregister_listener(subscription_id, token=token)
    return HttpResponse(status=204)


@csrf_exempt
def not_found(request, rest: str = ""):
    return error(404, "notFound", _("No such resource in the TMF621 API."))


def swagger(request):
    """The published document this API implements (unmodified)."""
    return answer(spec())
