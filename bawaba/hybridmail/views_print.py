"""The print centre's pages (hybridmail.print; the operator's hybrid-mail manager sees every centre of the
operator): the runs, each run's PDF and manifest, and the reports — a sheet's 2-D code scanned or typed on the
page, a CSV/XLSX file, or the JSON API (`POST /mail/print/api/v1/reports`, Bearer token of a print-centre
member). Another centre's runs answer 404 like unknown ones."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import printing, runs
from .models import PieceState, PrintRun, ReportSource, RunState
from .printing import FAILURE_REASONS, ReportRow, ReportsRefused

REPORT_CHOICES = [(PieceState.PRINTED, PieceState.PRINTED.label), (PieceState.ENVELOPED, PieceState.ENVELOPED.label),
                  (PieceState.HANDED, PieceState.HANDED.label), (PieceState.FAILED, PieceState.FAILED.label)]


def print_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        centres = printing.centres_of(request.user)
        if not centres:
            raise PermissionDenied(_("This page is for print centre staff."))
        return view(request, centres, *args, **kwargs)

    return wrapper


def _runs(centres):
    return (PrintRun.objects.filter(centre__in=centres).select_related("centre")
            .annotate(open_pieces=Count("piece_set", filter=Q(piece_set__state__in=printing.OPEN)),
                      handed=Count("piece_set", filter=Q(piece_set__state=PieceState.HANDED)),
                      failed=Count("piece_set", filter=Q(piece_set__state__in=[
                          PieceState.FAILED, PieceState.MISSING, PieceState.SUPERSEDED])))
            .order_by("-created_at"))


def _run(centres, number) -> PrintRun:
    run = PrintRun.objects.filter(centre__in=centres, number=number).select_related("centre").first()
    if run is None:
        raise Http404(number)
    return run


@require_http_methods(["GET", "POST"])
@print_staff_required
def print_home(request, centres):
    page = Paginator(_runs(centres), 30).get_page(request.GET.get("page"))
    context = {"centres": centres, "page": page, "choices": REPORT_CHOICES, "reasons": FAILURE_REASONS,
               "values": {"code": "", "state": PieceState.HANDED, "reason": ""}, "errors": []}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in ("code", "state", "reason")}
        context["values"] = values
        try:
            result = printing.do_report(centres, [ReportRow(values["code"], values["state"], values["reason"])],
                                        actor=request.user, source=ReportSource.WEB)
        except ReportsRefused as exc:
            context["errors"], status = exc.errors, 400
        else:
            if result.unchanged:
                messages.info(request, _("Already recorded: %(code)s.") % {"code": values["code"]})
            else:
                messages.success(request, _("Recorded: %(code)s — %(state)s.") % {
                    "code": values["code"], "state": PieceState(values["state"]).label})
            return redirect(f"{request.path}?state={values['state']}")
    context["values"]["state"] = request.GET.get("state", context["values"]["state"])
    return render(request, "hybridmail/print/home.html", context, status=status)


@require_POST
@print_staff_required
def report_file(request, centres):
    upload = request.FILES.get("file")
    errors, status = [], 400
    if upload is None:
        errors = [printing.RowError(0, "no_file", _("Choose a CSV or XLSX file."))]
    elif upload.size > printing.FILE_MAX_BYTES:
        errors = [printing.RowError(0, "too_large", _("The file is larger than 5 MB; split it."))]
    else:
        try:
            rows = printing.rows_from_file(upload.read())
            result = printing.do_report(centres, rows, actor=request.user, source=ReportSource.FILE)
        except ReportsRefused as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = [printing.RowError(0, "bad_file", " ".join(exc.messages))]
        else:
            messages.success(request, _("%(recorded)d reports recorded (%(unchanged)d already known).") % {
                "recorded": result.recorded, "unchanged": result.unchanged})
            return redirect("hybridmail:print-home")
    page = Paginator(_runs(centres), 30).get_page(1)
    return render(request, "hybridmail/print/home.html", {
        "centres": centres, "page": page, "choices": REPORT_CHOICES, "reasons": FAILURE_REASONS,
        "values": {"code": "", "state": PieceState.HANDED, "reason": ""}, "errors": errors, "file_errors": True,
    }, status=status)


@require_GET
@print_staff_required
def run_detail(request, centres, number):
    run = _run(centres, number)
    pieces = run.piece_set.select_related("letter", "letter__postal_item").order_by("sequence")
    page = Paginator(pieces, 100).get_page(request.GET.get("page"))
    return render(request, "hybridmail/print/run.html", {"run": run, "page": page,
                                                         "overdue": _overdue(run)})


def _overdue(run: PrintRun) -> bool:
    from django.utils import timezone

    return run.state != RunState.CLOSED and run.reconcile_after is not None and run.reconcile_after <= timezone.now()


@require_GET
@print_staff_required
def run_pdf(request, centres, number):
    run = _run(centres, number)
    data = runs.run_pdf(run)
    printing.do_mark_downloaded(run)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{run.number}.pdf"'
    response["X-Content-SHA256"] = run.pdf_sha256
    return response


@require_GET
@print_staff_required
def run_manifest(request, centres, number, fmt):
    if fmt not in ("csv", "json"):
        raise Http404(fmt)
    run = _run(centres, number)
    if fmt == "json":
        response = HttpResponse(runs.manifest_json(run), content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(runs.manifest_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{run.number}-manifest.{fmt}"'
    return response


# --- API ---------------------------------------------------------------------------------------------------

def _api_error(status: int, detail: str, rows=None) -> JsonResponse:
    body = {"detail": detail, "errors": {}}
    if rows is not None:
        body["rows"] = [e.as_dict() for e in rows]
    return JsonResponse(body, status=status)


@csrf_exempt
@require_POST
def api_reports(request):
    """``POST {"reports": [{"code": "R-…|7|1/2", "status": "handed", "reason": ""}, …]}`` → 200
    ``{"recorded": n, "unchanged": n, "runs_closed": [...]}``, or 400 with ``rows`` naming each faulty report
    (nothing stored). Authorization: Bearer token of a print-centre member's integration user."""
    from ninja.errors import AuthenticationError, Throttled

    from bawaba.api.auth import bearer_auth

    try:
        user = bearer_auth(request)
    except Throttled as exc:
        return _api_error(429, str(exc))
    except AuthenticationError as exc:
        return _api_error(401, str(exc) or _("Invalid token."))
    except PermissionDenied as exc:
        return _api_error(403, str(exc))
    if user is None:
        return _api_error(401, _("Authenticate with “Authorization: Bearer <token>”."))
    centres = printing.centres_of(user)
    if not centres:
        return _api_error(403, _("This token does not belong to a print centre."))
    if len(request.body) > printing.FILE_MAX_BYTES:
        return _api_error(413, _("The request is larger than 5 MB; split it."))
    try:
        body = json.loads(request.body or b"{}")
        items = body["reports"]
        rows = [ReportRow(str(i.get("code", "")), printing.parse_state(str(i.get("status", "")))
                          or str(i.get("status", "")), str(i.get("reason", ""))) for i in items]
    except (ValueError, KeyError, TypeError, AttributeError):
        return _api_error(400, _("The body must be JSON: {\"reports\": [{\"code\", \"status\", \"reason\"}]}."))
    try:
        result = printing.do_report(centres, rows, actor=user, source=ReportSource.API)
    except ReportsRefused as exc:
        return _api_error(400, _("Nothing was recorded: some reports are wrong."), exc.errors)
    return JsonResponse({"recorded": result.recorded, "unchanged": result.unchanged, "handed": result.handed,
                         "failed": result.failed, "runs_closed": result.runs_closed})
