"""The agent desk. Each view parses its input, checks organisation and role, calls one service
(bawaba.servicedesk.services) or selector, and renders. Errors become the page again with the
translated message and a 4xx status: 400 bad input, 403 not allowed, 409 workflow refused."""

from __future__ import annotations

import hashlib
import json
from functools import cache, wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_bidi, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from bawaba.accounts.models import DESK_AGENT, DESK_SUPERVISOR, User
from bawaba.core import refdata, rows
from bawaba.core.parsing import positive_int
from bawaba.core.phones import to_e164
from bawaba.core.references import normalise_reference
from bawaba.core.rendering import cached_once
from bawaba.orgs.models import Organisation, OrganisationKind, Service
from bawaba.orgs.services import every_service
from bawaba.servicedesk import selectors
from bawaba.servicedesk import services as sd
from bawaba.servicedesk.models import EventKind, Notification, Request, RequestAccess
from bawaba.servicedesk.permissions import can_act, can_view, ensure_can_act, visible_requests
from bawaba.servicedesk.services import MODULE_EVENT_KINDS, do_mark_notifications_read

from . import charts, forms, panels, presenters, stats
from .presenters import describe_event

QUEUE_PAGE_SIZE = 25


# --- access ---------------------------------------------------------------------------------------

def staff_required(view):
    """Signed-in agents and supervisors of an organisation (or platform admins). An htmx request whose session has
    expired gets a client-side redirect to the sign-in page instead of the page swapped into the list."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            if request.htmx:
                page = request.htmx.current_url_abs_path or reverse("desk:home")
                return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}")
            return redirect_to_login(request.get_full_path())
        if not (user.organisation_id or user.is_platform_admin):
            raise PermissionDenied(_("Your account is not attached to an organisation."))
        if not user.is_desk_staff:  # a fibre technician or an inspector has no role on the desk
            raise PermissionDenied(_("The desk is for the service centre's agents and supervisors."))
        return view(request, *args, **kwargs)

    return wrapper


def _visible_request(user, reference: str) -> Request:
    """The request if the user may read it; 404 otherwise (its existence is not revealed).

    Read by its reference alone (a unique index) and the right to read it checked on the row
    (`permissions.can_view`: no query for the owning organisation's staff), rather than through
    `visible_requests`' subquery: the same rule, at half the CPU of building that query (docs/desk.md). Its
    service and organisation come from the services kept in memory (`every_service`), the assignee with it."""
    canonical = normalise_reference(reference)
    req = _request_with_assignee(canonical) if canonical else None
    if req is None or not can_view(user, req):
        raise Http404(_("No such request."))
    _attach_reference_data(req, every_service())
    return req


def _request_with_assignee(reference: str) -> Request | None:
    """`Request.objects.select_related("assignee").get(reference=...)` (what the page's header and actions show;
    the rest is read when the record is rendered), in plain SQL built once (bawaba.core.rows): every page and
    action of the desk starts here, and building the ORM's query was most of its 1.2 ms of CPU."""
    sql = _request_lookup_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [reference])
        row = cursor.fetchone()
    if row is None:
        return None
    split = rows.width(Request)
    req = rows.instance(Request, row[:split])
    assignee = rows.instance(User, row[split:]) if req.assignee_id is not None else None
    Request.assignee.field.set_cached_value(req, assignee)
    return req


@cache
def _request_lookup_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return (f"SELECT {rows.columns(Request, 'r')}, {rows.columns(User, 'u')} "  # noqa: S608 - our identifiers
            f"FROM {quote(Request._meta.db_table)} r LEFT JOIN {quote(User._meta.db_table)} u "
            f"ON u.{quote(User._meta.pk.column)} = r.{quote(Request.assignee.field.column)} "
            f"WHERE r.{quote(Request._meta.get_field('reference').column)} = %s")


def _attach_reference_data(req: Request, services: list[Service]) -> None:
    """Give the request its service and organisation from the reference data in memory (read-only objects
    shared by the process), so that reading their names costs no query; anything not found there is read
    from the database when first used, as usual."""
    by_pk = _services_by_pk(services)
    service = by_pk.get(req.service_id)
    if service is not None:
        Request.service.field.set_cached_value(req, service)
        if service.organisation_id == req.organisation_id:
            Request.organisation.field.set_cached_value(req, service.organisation)
            return
    organisation = next((s.organisation for s in services if s.organisation_id == req.organisation_id), None)
    if organisation is not None:
        Request.organisation.field.set_cached_value(req, organisation)


_by_pk_memo: tuple[list, dict] = ([], {})


def _services_by_pk(services: list[Service]) -> dict[int, Service]:
    """`every_service()` by primary key, computed once per list (the list is replaced when a service changes)."""
    global _by_pk_memo
    if _by_pk_memo[0] is not services:
        _by_pk_memo = (services, {service.pk: service for service in services})
    return _by_pk_memo[1]


# --- queue ----------------------------------------------------------------------------------------

def _clock_bucket() -> int:
    """Minutes since the epoch: the queue is re-rendered at least once a minute so that the
    "time left" badges stay true even when nothing else changes."""
    return int(timezone.now().timestamp() // 60)


QUEUE_CACHE_SECONDS = 120  # a rendering is keyed by its minute: it is never served after that minute


def _queue_list(request, filters: dict, scope) -> tuple[str, str]:
    return queue_list_html(request.user, filters, scope, request.GET.get("page", ""))


def queue_list_html(user, filters: dict, scope, page_number: str) -> tuple[str, str]:
    """(ETag, HTML) of the list. The ETag names everything the list is drawn from: the scope (rows the
    user may see and their queues' versions), the language, the minute and the filters. People with the
    same scope share one rendering from the cache: 480 agents polling cost one rendering per change per
    scope, not one per agent (docs/desk.md). The push stream (desk.live) sends the same rendering."""
    data = filters
    raw = "|".join([
        scope.key, get_language() or "", str(_clock_bucket()), str(data.get("queue") or ""),
        f"mine{user.pk}" if data.get("mine") else "", page_number[:12],
    ])
    etag = hashlib.sha256(raw.encode()).hexdigest()[:32]
    queue_ids = [data["queue"]] if data.get("queue") else None

    def render_list():
        qs = selectors.queue_for_agent(user, queue_ids=queue_ids, mine_only=data.get("mine", False))
        page = selectors.queue_page(qs, page_number, QUEUE_PAGE_SIZE)
        params = [(name, value) for name, value in (("queue", data.get("queue")), ("mine", "on" if data.get("mine")
                                                                                   else None)) if value]
        query = urlencode(params + ([("page", page.number)] if page_number else []))
        # Most changes leave the page's rows as they were (a new request lands further down the list; only
        # the count moves): the rows are rendered again only when one of them changed, or each minute.
        keys = "|".join(f"{pk}@{updated_at.isoformat()}" for pk, updated_at in page.object_list)
        rows_key = "desk:rows:" + hashlib.sha256(f"{get_language()}|{_clock_bucket()}|{keys}".encode()).hexdigest()
        rows = cached_once(rows_key, lambda: presenters.queue_rows_html(
            selectors.queue_rows([pk for pk, _updated_at in page.object_list]), now=timezone.now(),
        ), timeout=QUEUE_CACHE_SECONDS)
        return render_to_string("desk/_queue.html", {
            "page": page,
            "rows": rows,
            "etag": etag,
            "poll_url": reverse("desk:queue") + (f"?{query}" if query else ""),
            "poll_headers": json.dumps({"If-None-Match": f'"{etag}"'}),
            "query_without_page": urlencode(params),
            "DESK_POLL_SECONDS": settings.DESK_POLL_SECONDS,
        })

    html = cached_once(f"desk:queue:{etag}", render_list, timeout=QUEUE_CACHE_SECONDS)
    return etag, html


@staff_required
@require_GET
def home(request):
    """The agent's queue(s), most urgent first, refreshed by polling #queue."""
    scope = selectors.queue_scope(request.user)
    form = forms.QueueFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "desk/home.html", {"filters": form, "queue_html": None, "nav": "queue"},
                      status=400)
    _etag, html = _queue_list(request, form.cleaned_data, scope)
    return render(request, "desk/home.html", {"filters": form, "queue_html": html, "nav": "queue",
                                              "live_view": "queue"})


@staff_required
@require_GET
def queue(request):
    """The list alone, for polling. Answers 304 with no body while nothing it shows has changed (session,
    user and one read of the queues' versions), and otherwise the rendering shared by everyone who sees
    the same list."""
    scope = selectors.queue_scope(request.user)
    filters = {"queue": None, "mine": False}  # most polls: the whole list, nothing to check
    if request.GET:
        form = forms.QueueFilterForm(request.GET, user=request.user, queue_ids=scope.queue_ids)
        if not form.is_valid():
            return render(request, "desk/_queue_error.html", {"filters": form}, status=400)
        filters = form.cleaned_data
    etag, html = _queue_list(request, filters, scope)
    if f'"{etag}"' in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(html)
    response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = "private, no-cache"
    return response


# --- phone call / new request ---------------------------------------------------------------------

def _caller_requests(user, raw: str):
    try:
        e164 = to_e164(raw)
    except ValidationError:
        return None, []
    return e164, list(selectors.requests_of_caller(user, e164))


@staff_required
@require_GET
def caller_lookup(request):
    """Earlier requests of the number typed so far; an incomplete number shows nothing (no error)."""
    e164, earlier = _caller_requests(request.user, request.GET.get("citizen_phone", ""))
    return render(request, "desk/_caller_history.html", {"e164": e164, "earlier": earlier})


@staff_required
@require_http_methods(["GET", "POST"])
def call(request):
    """Take a call: the caller's history as the number is typed, and the new request form."""
    status = 200
    if request.method == "POST":
        form = forms.NewRequestForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                req = sd.do_create_request(
                    channel=data["channel"], citizen_phone=data["citizen_phone"], subject=data["subject"],
                    text=data["text"], citizen_name=data["citizen_name"], citizen_email=data["citizen_email"],
                    region=data["region"], priority=data["priority"], service=data["service"],
                    attachments=data["attachments"], created_by=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if can_view(request.user, req):
                    messages.success(request, _("Request %(reference)s created for %(service)s.")
                                     % {"reference": req.reference, "service": req.service.name})
                    return redirect("desk:request", reference=req.reference)
                messages.success(request, _("Request %(reference)s created and sent to %(organisation)s.")
                                 % {"reference": req.reference, "organisation": req.organisation.name})
                return redirect("desk:call")
        status = 400
        phone = request.POST.get("citizen_phone", "")
    else:
        phone = request.GET.get("phone", "")
        form = forms.NewRequestForm(initial={"citizen_phone": phone})
    e164, earlier = _caller_requests(request.user, phone)
    return render(request, "desk/call.html", {"form": form, "e164": e164, "earlier": earlier, "nav": "call"},
                  status=status)


# --- request detail and actions -------------------------------------------------------------------

def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _suggested_articles(req: Request) -> list:
    """Knowledge-base articles for this request, from the request's organisation and the centre."""
    try:
        from bawaba.knowledge.services import suggest_articles
    except ImportError:
        return []
    text = f"{req.subject}\n{req.text}"
    # Kept per request text, not per state of the request: taking, answering or resolving a request renders its
    # page again, and the search was a quarter of that (docs/desk.md, stress case). Same bound on how long an
    # edited article can look old as the record itself.
    key = "desk:suggest:" + hashlib.sha256(f"{req.organisation_id}|{get_language()}|{text}".encode()).hexdigest()

    def search():
        centre = refdata.reference("platform-organisations", lambda: list(
            Organisation.objects.filter(kind=OrganisationKind.PLATFORM).values_list("pk", flat=True)))
        return list(suggest_articles(text, language=None, organisation_ids=[req.organisation_id, *centre],
                                     limit=5))

    return cached_once(key, search, timeout=REQUEST_RECORD_CACHE_SECONDS)


REQUEST_RECORD_CACHE_SECONDS = 600  # bounds how long a renamed colleague or an edited article can look old
REQUEST_ACTIONS_CACHE_SECONDS = 60  # bounds how long a new colleague or service can be missing from the forms


# What the record's templates read of a message's or an event's author and organisation (names), and of a file.
_NAMES = ("first_name", "last_name", "username")
_ORGANISATION_NAMES = ("name_fr", "name_ar", "name_en")  # orgs.models.Named.name: the language's, else French
HISTORY_COLUMNS = ("id", "request_id", "kind", "actor_id", "organisation_id", "data", "at",
                   *(f"actor__{name}" for name in _NAMES), *(f"organisation__{name}" for name in _ORGANISATION_NAMES))
MESSAGE_COLUMNS = ("id", "request_id", "kind", "author_id", "organisation_id", "body", "created_at",
                   *(f"author__{name}" for name in _NAMES), *(f"organisation__{name}" for name in _ORGANISATION_NAMES))
ATTACHMENT_COLUMNS = ("id", "request_id", "message_id", "original_name", "size")
MESSAGE_KINDS = frozenset({EventKind.REPLIED, EventKind.NOTE, EventKind.CITIZEN_MESSAGE})


def _request_record(req: Request, services: list[Service]) -> dict[str, str]:
    """The parts of the request page that are the same for everyone who may read it (text and messages,
    history, citizen, deadlines, suggested articles), rendered once per state of the request and language:
    every change goes through a service that moves `updated_at`, so a new state is a new cache key."""
    key = f"desk:record:{req.pk}:{req.updated_at.isoformat()}:{get_language()}"

    def render_record():
        by_code = {service.code: service for service in services}
        # Only the columns the history shows of the actor and the organisation (names), not their whole rows.
        events = list(selectors.history(req).only(*HISTORY_COLUMNS))
        kinds = {event.kind for event in events}
        _read_citizen_details(req)
        # Queries that could not find anything are not made: a message is only ever added by servicedesk's
        # _add_message (reply, note, the citizen's message: each writes its line in the history), a file only by
        # _store_attachments (an "attachment" line for each file).
        attachments: dict[int | None, list] = {}
        if EventKind.ATTACHMENT in kinds:
            for item in req.attachments.only(*ATTACHMENT_COLUMNS).order_by("pk"):  # the request's and its messages'
                attachments.setdefault(item.message_id, []).append(item)
        messages_list = [(message, attachments.get(message.pk, ()))
                         for message in req.messages.select_related("author", "organisation").only(*MESSAGE_COLUMNS)
                         ] if kinds & MESSAGE_KINDS else []
        labels = dict(EventKind.choices)
        context = {
            "req": req,
            "messages_list": messages_list,
            "loose_attachments": attachments.get(None, ()),
            "events": [(event, describe_event(event, by_code), labels.get(event.kind, event.kind))
                       for event in events],
            # Only a transfer to another organisation leaves read access behind (servicedesk.do_transfer).
            "shared_with": RequestAccess.objects.filter(request=req).select_related("organisation")
            if EventKind.TRANSFERRED in kinds else (),
            "articles": _suggested_articles(req),
        }
        record = {part: render_to_string(f"desk/_request_{part}.html", context) for part in ("text", "history", "side")}
        # Whether duplicates were merged into it: only do_merge does that, and it writes an "absorbed" line here.
        record["absorbs"] = any(event.kind == EventKind.MERGED and (event.data or {}).get("absorbed")
                                for event in events)
        # The modules that wrote lines in the history (panels.history_modules): a panel may skip its query when
        # its module is not among them.
        record["modules"] = sorted({(event.data or {}).get("module", "") for event in events
                                    if event.kind in MODULE_EVENT_KINDS} - {""})
        return record

    return cached_once(key, render_record, timeout=REQUEST_RECORD_CACHE_SECONDS)


def _read_citizen_details(req: Request) -> None:
    """The request's wilaya, commune and author (the record's citizen panel) in one query instead of three."""
    wanted = [name for name in ("region", "commune", "created_by")
              if getattr(req, f"{name}_id") is not None and not Request._meta.get_field(name).is_cached(req)]
    if len(wanted) < 2:
        return  # read when used, if at all: one query either way
    row = Request.objects.select_related(*wanted).only("pk", *wanted).get(pk=req.pk)
    for name in wanted:
        Request._meta.get_field(name).set_cached_value(req, getattr(row, name))


CSRF_PLACEHOLDER = "csrf-token-put-in-when-served"
REFERENCE_PLACEHOLDER = "REFERENCE-PUT-IN-WHEN-SERVED"  # in the forms' URLs (any text matches `<str:reference>`)


def _request_actions(request, req: Request, services: list[Service], bound: dict) -> str:
    """The action forms. Blank, they depend only on what the request's state offers (its statuses allowed
    next, priority, service, assigned or not, and for a supervisor its organisation's staff and the
    assignee), the language and two facts about the viewer (supervisor or not; the request assigned to them
    or not). So they are rendered once for all requests and viewers alike: the request's reference (in the
    forms' URLs) and the viewer's CSRF token are put in as the page is served. Forms that come back with
    errors are rendered for the one who sent them."""
    user = request.user
    supervisor = user.is_supervisor
    assigned_to_viewer = req.assignee_id == user.pk

    def render_actions(csrf_token, reference):
        active = [service for service in services if service.is_active]
        shown = Request(pk=req.pk, reference=reference, organisation_id=req.organisation_id, status=req.status,
                        priority=req.priority, service_id=req.service_id, assignee_id=req.assignee_id,
                        first_responded_at=req.first_responded_at)
        return render_to_string("desk/_request_actions.html", {
            "req": shown,
            "csrf_token": csrf_token,
            "supervisor": supervisor,
            "assigned_to_viewer": assigned_to_viewer,
            "staff": User.objects.filter(  # people who work on the desk (not the fibre-only staff)
                organisation_id=req.organisation_id, is_active=True, api_token__isnull=True,
                grants__role__in=[DESK_AGENT, DESK_SUPERVISOR]).distinct().prefetch_related("grants").order_by(
                "last_name", "first_name", "username") if supervisor else [],
            "reply_form": bound.get("reply_form") or forms.ReplyForm(),
            "note_form": bound.get("note_form") or forms.NoteForm(),
            "status_form": bound.get("status_form") or forms.StatusForm(current=shown),
            "priority_form": bound.get("priority_form") or forms.PriorityForm(initial={"priority": req.priority}),
            "transfer_form": bound.get("transfer_form") or forms.TransferForm(
                services=active, current_service_id=req.service_id),
            "merge_form": bound.get("merge_form") or forms.MergeForm(),
            "assign_form": bound.get("assign_form") or forms.AssignForm(),
        })

    token = get_token(request)
    if bound:
        return render_actions(token, req.reference)
    # Everything the blank forms show, and nothing else (the request itself is not part of it).
    who = f"s{req.organisation_id}:{req.assignee_id or ''}" if supervisor else f"a{int(req.assignee_id is not None)}"
    shape = (f"{get_language()}|{who}|{int(assigned_to_viewer)}|{','.join(req.allowed_statuses())}|"
             f"{req.priority}|{req.service_id}")
    key = "desk:actions:" + hashlib.sha256(shape.encode()).hexdigest()
    blank = cached_once(key, lambda: render_actions(CSRF_PLACEHOLDER, REFERENCE_PLACEHOLDER),
                        timeout=REQUEST_ACTIONS_CACHE_SECONDS)
    page = blank.replace(CSRF_PLACEHOLDER, token).replace(REFERENCE_PLACEHOLDER, escape(req.reference))
    return mark_safe(page)  # noqa: S308 - our own rendering; the token is [A-Za-z0-9], the reference escaped


def _render_request(request, req: Request, *, status: int = 200, error: str = "", **bound) -> object:
    user = request.user
    acting = can_act(user, req)
    all_services = every_service()
    if user.organisation_id == req.organisation_id and not User.organisation.is_cached(user):
        # The header names the viewer's organisation: the one of the request, already in hand.
        User.organisation.field.set_cached_value(user, req.organisation)
    record = _request_record(req, all_services)
    # A record cached by an earlier version has no "modules": the panels then look for themselves.
    modules = record.get("modules")
    req.history_modules = frozenset(modules) if modules is not None else None
    context = {
        "req": req,
        "can_act": acting,
        "error": error,
        "now": timezone.now(),
        "record": record,
        "absorbed": req.merged.only("reference") if record.get("absorbs") else (),
        # Other modules' panels (bawaba.desk.panels): per viewer, never part of the cached record.
        "panels": panels.render_panels(request, req),
    }
    if acting:
        context["actions"] = _request_actions(request, req, all_services, bound)
    return render(request, "desk/request.html", context, status=status)


@staff_required
@require_GET
def request_detail(request, reference):
    return _render_request(request, _visible_request(request.user, reference))


def _perform(request, req: Request, form_name: str, form, action, success: str):
    """Run one service call for a bound action form; re-render the page with the error on failure."""
    status, error = 400, ""
    try:
        ensure_can_act(request.user, req)
        if form.is_valid():
            action(form.cleaned_data)
            messages.success(request, success)
            return redirect("desk:request", reference=req.reference)
    except ValidationError as exc:
        _add_errors(form, exc)
    except sd.TransitionNotAllowed as exc:
        status, error = 409, exc.message
    except PermissionDenied as exc:
        status, error = 403, str(exc) or _("You are not allowed to do this.")
    if not error and form.non_field_errors():
        error = " ".join(form.non_field_errors())
    return _render_request(request, req, status=status, error=error or _("Please correct the errors below."),
                           **{form_name: form})


@staff_required
@require_POST
def request_assign(request, reference):
    req = _visible_request(request.user, reference)
    form = forms.AssignForm(request.POST)

    def assign(data):
        value = data["assignee"]
        if value == "me":
            assignee = request.user
        elif value:
            assignee = User.objects.filter(pk=int(value)).first()
            if assignee is None:
                raise ValidationError({"assignee": _("No such member of staff.")})
        else:
            assignee = None
        sd.do_assign(req, assignee, actor=request.user)

    return _perform(request, req, "assign_form", form, assign, _("Assignment saved."))


@staff_required
@require_POST
def request_reply(request, reference):
    req = _visible_request(request.user, reference)
    form = forms.ReplyForm(request.POST, request.FILES)
    return _perform(request, req, "reply_form", form, lambda d: sd.do_reply(
        req, d["body"], actor=request.user, attachments=d["attachments"], wait_for_citizen=d["wait_for_citizen"]),
        _("Reply sent to the citizen."))


@staff_required
@require_POST
def request_note(request, reference):
    req = _visible_request(request.user, reference)
    form = forms.NoteForm(request.POST, request.FILES)
    return _perform(request, req, "note_form", form, lambda d: sd.do_add_note(
        req, d["body"], actor=request.user, attachments=d["attachments"]), _("Internal note added."))


@staff_required
@require_POST
def request_status(request, reference):
    req = _visible_request(request.user, reference)
    form = forms.StatusForm(request.POST)
    return _perform(request, req, "status_form", form, lambda d: sd.do_transition(
        req, d["status"], actor=request.user, reason=d["reason"]), _("Status changed."))


@staff_required
@require_POST
def request_priority(request, reference):
    req = _visible_request(request.user, reference)
    form = forms.PriorityForm(request.POST)
    return _perform(request, req, "priority_form", form, lambda d: sd.do_change_priority(
        req, d["priority"], actor=request.user, reason=d["reason"]), _("Priority changed."))


@staff_required
@require_POST
def request_transfer(request, reference):
    req = _visible_request(request.user, reference)
    form = forms.TransferForm(request.POST, services=forms.active_services(), current_service_id=req.service_id)
    return _perform(request, req, "transfer_form", form, lambda d: sd.do_transfer(
        req, d["service"], actor=request.user, reason=d["reason"]), _("Request transferred."))


@staff_required
@require_POST
def request_merge(request, reference):
    req = _visible_request(request.user, reference)
    form = forms.MergeForm(request.POST)

    def merge(data):
        canonical = normalise_reference(data["into"])
        into = visible_requests(request.user).filter(reference=canonical).first() if canonical else None
        if into is None:
            raise ValidationError({"into": _("No request with this reference is visible to you.")})
        sd.do_merge(req, into, actor=request.user)

    return _perform(request, req, "merge_form", form, merge, _("Request merged."))


@staff_required
@require_GET
def attachment(request, reference, pk):
    """Download an attachment after checking the user may read its request."""
    req = _visible_request(request.user, reference)
    item = req.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404(_("No such attachment."))
    try:
        handle = item.file.open("rb")
    except (OSError, ValueError) as exc:  # missing, unreadable (owner, permissions): as the portal does
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)


# --- dashboard and notifications ------------------------------------------------------------------

@staff_required
@require_GET
def dashboard(request):
    """Backlog, SLA attainment and volumes. Supervisors see their organisation, platform admins all."""
    user = request.user
    if not user.is_supervisor:
        raise PermissionDenied(_("The dashboard is for supervisors."))
    form = forms.DashboardForm(request.GET, user=user)
    if not form.is_valid():
        return render(request, "desk/dashboard.html", {"form": form, "data": None, "nav": "dashboard"},
                      status=400)
    data = stats.dashboard(user, organisation=form.cleaned_data.get("organisation"),
                           days=form.cleaned_data["days"])
    rtl = get_language_bidi()
    day_rows = [(day.strftime("%d/%m"), n) for day, n in data.by_day]
    context = {
        "nav": "dashboard",
        "live_view": "dashboard",
        "form": form,
        "data": data,
        "charts": {
            "status": charts.horizontal(data.backlog_by_status, rtl=rtl),
            "backlog_service": charts.horizontal(data.backlog_by_service, rtl=rtl),
            "service": charts.horizontal(data.by_service, rtl=rtl),
            "channel": charts.horizontal(data.by_channel, rtl=rtl),
            "region": charts.horizontal(data.by_region, rtl=rtl),
            "day": charts.columns(day_rows, rtl=rtl),
        },
    }
    return render(request, "desk/dashboard.html", context)


@staff_required
@require_GET
def notifications(request):
    qs = Notification.objects.filter(recipient=request.user).select_related("request")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "desk/notifications.html", {"page": page, "nav": "notifications"})


@staff_required
@require_POST
def notifications_read(request):
    raw = request.POST.getlist("notification")
    if not all(positive_int(value) for value in raw):
        messages.error(request, _("Invalid notification."))
        return render(request, "desk/notifications.html", {
            "page": Paginator(Notification.objects.filter(recipient=request.user).select_related("request"),
                              30).get_page(1)}, status=400)
    count = do_mark_notifications_read(request.user, [int(v) for v in raw] if raw else None)
    messages.success(request, ngettext("%(count)d notification marked as read.",
                                       "%(count)d notifications marked as read.", count) % {"count": count})
    return redirect("desk:notifications")
