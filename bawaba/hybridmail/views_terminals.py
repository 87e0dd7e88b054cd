"""The post-office manager's cyber-poste page (/mail/offices/terminals/, roles hybridmail.office_manager and
hybridmail.supervisor): the terminals of the offices they manage (add, retire, with the latest changes: their
audit trail), bookings and sessions (who, when, how long), paginated, and the sessions as CSV. Every query is
narrowed to terminals.managed_offices(user)."""

from __future__ import annotations

import csv
import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import terminals

PAGE_SIZE = 50
MAX_DAYS = 366
EXPORT_LIMIT = 100_000


def manager_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        offices = terminals.managed_offices(request.user)
        if not offices.exists():
            return render(request, "core/error.html", {"title": _("Access denied"), "message": _(
                "This page is for post-office managers.")}, status=403)
        request.offices = offices
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response
    return wrapper


def _filters(request):
    """The period (default: the last 7 days), an office and a terminal among those managed; errors as text."""
    today = timezone.localdate()
    error = ""
    until = parse_date(request.GET.get("until") or "") or today
    since = parse_date(request.GET.get("since") or "") or until - dt.timedelta(days=6)
    if (request.GET.get("since") and parse_date(request.GET["since"]) is None) or (
            request.GET.get("until") and parse_date(request.GET["until"]) is None):
        error = _("Write the dates as YYYY-MM-DD.")
    if since > until:
        since, until = until, since
    if (until - since).days >= MAX_DAYS:
        error = _("Choose a period of at most a year.")
        since = until - dt.timedelta(days=MAX_DAYS - 1)
    offices = request.offices
    office_id = _int(request.GET.get("office"))
    if office_id:
        offices = offices.filter(pk=office_id)
    terminal_id = _int(request.GET.get("terminal"))
    return {"since": since, "until": until, "offices": offices, "office_id": office_id,
            "terminal_id": terminal_id, "error": error}


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET"])
@manager_required
def manage(request):
    chosen = _filters(request)
    sessions = terminals.sessions_managed(chosen["offices"], since=chosen["since"], until=chosen["until"],
                                          terminal_id=chosen["terminal_id"])
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    for session in page:
        session.state_code = terminals.state_of(session)
        session.minutes = terminals.minutes_used(session)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "hybridmail/terminals/manage.html", {
        "nav": "mail-terminals", "offices": request.offices, "all_terminals": terminals.terminals_managed(
            request.offices), "events": terminals.terminal_events(request.offices), "page": page,
        "query": query.urlencode(), **chosen,
    }, status=400 if chosen["error"] else 200)


@require_POST
@manager_required
def add(request):
    try:
        terminal = terminals.add_terminal(request.user, _int(request.POST.get("office")) or 0,
                                          request.POST.get("label", ""))
    except terminals.BookingRefused as exc:
        return _refused(request, exc)
    messages.success(request, _("Terminal “%(label)s” added at %(office)s.") % {
        "label": terminal.label, "office": terminal.office.code})
    return redirect("hybridmail:terminals-manage")


@require_POST
@manager_required
def retire(request, terminal_id):
    try:
        terminal = terminals.retire_terminal(request.user, terminal_id)
    except terminals.BookingRefused as exc:
        return _refused(request, exc)
    messages.success(request, _("Terminal “%(label)s” retired.") % {"label": terminal.label})
    return redirect("hybridmail:terminals-manage")


def _refused(request, exc):
    chosen = _filters(request)
    sessions = terminals.sessions_managed(chosen["offices"], since=chosen["since"], until=chosen["until"])
    return render(request, "hybridmail/terminals/manage.html", {
        "nav": "mail-terminals", "offices": request.offices,
        "all_terminals": terminals.terminals_managed(request.offices),
        "events": terminals.terminal_events(request.offices),
        "page": Paginator(sessions, PAGE_SIZE).get_page(1), "query": "", **chosen, "error": exc.message,
        "label": request.POST.get("label", ""),
    }, status=exc.status)


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = ("office", "terminal", "citizen", "phone", "booked_from", "booked_until", "started_at", "ended_at",
              "minutes_used", "state", "booked_by")


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formulas in a spreadsheet


@require_GET
@manager_required
def sessions_csv(request):
    chosen = _filters(request)
    if chosen["error"]:
        return render(request, "core/error.html", {"title": chosen["error"]}, status=400)
    sessions = terminals.sessions_managed(chosen["offices"], since=chosen["since"], until=chosen["until"],
                                          terminal_id=chosen["terminal_id"])[:EXPORT_LIMIT]
    writer = csv.writer(_Echo(), delimiter=";")

    def when(value):
        return timezone.localtime(value).isoformat() if value else ""

    def rows():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        for s in sessions.iterator(chunk_size=2000):
            yield writer.writerow([_cell(v) for v in (
                s.terminal.office.code, s.terminal.label, s.citizen_name, s.citizen_phone, when(s.starts_at),
                when(s.ends_at), when(s.started_at), when(s.ended_at), terminals.minutes_used(s),
                terminals.state_of(s), s.booked_by.get_username() if s.booked_by_id else "")])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="cyber-postes-{chosen["since"]:%Y%m%d}-'
                                       f'{chosen["until"]:%Y%m%d}.csv"')
    response["Cache-Control"] = "no-store, private"
    return response
